using System.Collections.Immutable;
using System.Text.Json.Serialization;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Players;

/// <summary>
/// A player's memory: the content generated for them (newest last, bounded), their ratings, whether they share
/// them, and the learned patterns derived from the ratings (<see cref="PreferenceProfile.PatternsFor"/>).
/// Pure: <see cref="Handle(RecordGenerated)"/> and its overloads decide which events a command produces,
/// <see cref="Apply"/> folds an event in. Also the snapshot payload; snapshots written before ratings existed
/// have no "ratings" or "sharing" and recover as a player with no ratings who does not share.
/// </summary>
public sealed record PlayerMemoryState(
    string PlayerId,
    ImmutableList<HistoryEntry> History,
    ImmutableHashSet<string> ContentIds,
    LearnedPatterns Patterns,
    int HistoryLimit) : IP2PMessage
{
    /// <summary>Most attribute keys one rating may carry; real content has at most a handful.</summary>
    public const int MaxAttributesPerRating = 16;

    /// <summary>
    /// Most contents one player keeps ratings of. Each rating recomputes the learned patterns over all of them and each
    /// snapshot writes them all, and generating content to rate costs a client nothing: without a bound one player's
    /// memory grew, and every rating got slower, for good. Re-rating a rated content is always allowed.
    /// </summary>
    public const int MaxRatings = 10_000;

    public static PlayerMemoryState Empty(string playerId, int historyLimit) =>
        new(playerId, [], ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal), LearnedPatterns.Empty, historyLimit);

    /// <summary>The player's current ratings, one per content; the source <see cref="Patterns"/> is derived from.</summary>
    [JsonIgnore]
    public PlayerRatings Ratings { get; init; } = PlayerRatings.Empty;

    /// <summary>How <see cref="Ratings"/> is written to and read from a snapshot: oldest first, as they were applied.</summary>
    [JsonPropertyName("ratings")]
    public IReadOnlyList<Rating> RatingsInOrder
    {
        get => Ratings.InOrder;
        init => Ratings = PlayerRatings.From(value ?? []);
    }

    /// <summary>Whether the player opted in to sharing their ratings with the cluster.</summary>
    public bool Sharing { get; init; }

    /// <summary>The rule <see cref="Patterns"/> is learned with: configuration, not state, so never written.</summary>
    [JsonIgnore]
    public PreferenceOptions Preferences { get; init; } = PreferenceOptions.Default;

    /// <summary>True once the player has a profile, so generation for them is biased.</summary>
    [JsonIgnore]
    public bool Personalised => !Patterns.IsEmpty;

    /// <summary>The same state learning with <paramref name="options"/>; the patterns are derived again.</summary>
    public PlayerMemoryState WithPreferences(PreferenceOptions options) =>
        Learned(this with { Preferences = options.Validated() });

    /// <summary>Null when the rating may be stored, otherwise the rejection naming the field at fault.</summary>
    public RatingRejected? Check(RateContent command)
    {
        if (!string.Equals(command.PlayerId, PlayerId, StringComparison.Ordinal))
            return new RatingRejected(command.PlayerId, "playerId", $"this memory belongs to player {PlayerId}");
        if (StateValidation.CatalogId(command.ContentId) is { } idProblem)
            return new RatingRejected(PlayerId, "contentId", idProblem);
        if (!Enum.IsDefined(command.Type))
            return new RatingRejected(PlayerId, "type", $"unknown content type {(int)command.Type}");
        if (!Rating.IsValidStars(command.Stars))
            return new RatingRejected(PlayerId, "stars", $"stars must be a whole number from {Rating.MinStars} to {Rating.MaxStars}");
        if (command.Attributes is null || command.Attributes.Count > MaxAttributesPerRating)
            return new RatingRejected(PlayerId, "attributes", $"a rating carries 0 to {MaxAttributesPerRating} attribute keys");
        foreach (var key in command.Attributes)
        {
            if (!KnownAttributes.Contains(key))
                return new RatingRejected(PlayerId, "attributes", $"unknown attribute key '{key}'");
        }
        if (Ratings.Count >= MaxRatings && Ratings.Get(command.ContentId) is null)
            return new RatingRejected(PlayerId, "contentId", $"player {PlayerId} already rated {MaxRatings} contents, the most a player keeps; re-rate one of those instead");
        return null;
    }

    /// <summary>The event that stores a rating <see cref="Check"/> accepted; a repeat replaces the earlier rating when applied.</summary>
    public IReadOnlyList<IPlayerMemoryEvent> Handle(RateContent command) =>
        [new ContentRated(new Rating(command.ContentId, command.Type, [.. command.Attributes], command.Stars, command.At))];

    /// <summary>No event when the player already made this choice.</summary>
    public IReadOnlyList<IPlayerMemoryEvent> Handle(SetSharing command) =>
        command.Share == Sharing ? [] : [new SharingChanged(command.Share, command.At)];

    public PlayerRatingList ToRatingList() => new(PlayerId, Ratings.InOrder, Sharing);

    public SharingState ToSharingState(int maxSharedRatings) =>
        new(PlayerId, Sharing, Sharing ? Math.Min(Ratings.Count, maxSharedRatings) : 0);

    /// <summary>The profile, or how many ratings it still needs.</summary>
    public PlayerPreferences ToPreferences()
    {
        var profile = PreferenceProfile.Learn(Ratings, Preferences);
        var attributes = profile is null
            ? []
            : profile.Ranked()
                .Select(kv => new AttributeWeight(kv.Key, kv.Value.Weight, kv.Value.Ratings, Math.Exp(Preferences.Sharpness * kv.Value.Weight)))
                .ToList();
        return new PlayerPreferences(PlayerId, Ratings.Count, Preferences.MinimumRatings, PreferenceProfile.RatingsNeeded(Ratings, Preferences),
            profile is not null, Preferences.LearningRate, Preferences.Sharpness, attributes);
    }

    /// <summary>What this player publishes while sharing: at most the <paramref name="maxRatings"/> newest ratings.</summary>
    public SharedProfileEntry ToSharedEntry(int maxRatings)
    {
        var ratings = Ratings.InOrder;
        var skip = Math.Max(0, ratings.Count - maxRatings);
        return SharedProfileEntry.Pack(PlayerId, [.. ratings.Skip(skip).Select(r => new SharedRating(r.ContentId, r.Type, r.Stars))]);
    }

    public IReadOnlyList<IPlayerMemoryEvent> Handle(RecordGenerated command) =>
        ContentIds.Contains(command.ContentId)
            ? []
            : [new ContentRecorded(new HistoryEntry(command.ContentId, command.Type, command.Seed, command.At))];

    /// <summary>
    /// The one event that records every new content id among <paramref name="commands"/> (in order, each id once);
    /// none when all of them are already recorded.
    /// </summary>
    public IReadOnlyList<IPlayerMemoryEvent> Handle(IReadOnlyList<RecordGenerated> commands)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<HistoryEntry>(commands.Count);
        foreach (var command in commands)
        {
            if (!ContentIds.Contains(command.ContentId) && seen.Add(command.ContentId))
                entries.Add(new HistoryEntry(command.ContentId, command.Type, command.Seed, command.At));
        }
        return entries.Count == 0 ? [] : [new ContentRecordedBatch(entries)];
    }

    public PlayerMemoryState Apply(IPlayerMemoryEvent @event) => @event switch
    {
        ContentRecorded recorded => Record(recorded.Entry),
        ContentRecordedBatch batch => batch.Entries.Aggregate(this, (state, entry) => state.Record(entry)),
        ContentRated rated => Learned(this with { Ratings = Ratings.Apply(rated.Rating) }),
        SharingChanged sharing => this with { Sharing = sharing.Share },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "unknown player memory event"),
    };

    /// <summary>The same state under a (possibly changed) configured limit, trimming the oldest entries.</summary>
    public PlayerMemoryState WithHistoryLimit(int limit) => Trim(this with { HistoryLimit = limit });

    public PlayerSnapshot ToSnapshot() => new(PlayerId, History, Patterns);

    private static readonly HashSet<string> KnownAttributes = new(ContentAttributes.AllKeys, StringComparer.Ordinal);

    private static PlayerMemoryState Learned(PlayerMemoryState state) =>
        state with { Patterns = PreferenceProfile.PatternsFor(state.Ratings, state.Preferences) };

    private PlayerMemoryState Record(HistoryEntry entry)
    {
        if (ContentIds.Contains(entry.ContentId))
            return this;
        return Trim(this with { History = History.Add(entry), ContentIds = ContentIds.Add(entry.ContentId) });
    }

    private static PlayerMemoryState Trim(PlayerMemoryState state)
    {
        if (state.History.Count <= state.HistoryLimit)
            return state;
        var excess = state.History.Count - state.HistoryLimit;
        var dropped = state.History.GetRange(0, excess);
        return state with
        {
            History = state.History.RemoveRange(0, excess),
            ContentIds = state.ContentIds.Except(dropped.Select(e => e.ContentId)),
        };
    }
}
