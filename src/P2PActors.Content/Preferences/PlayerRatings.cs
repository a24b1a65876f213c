using System.Collections.Immutable;
using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>
/// Everything one player has rated, as an immutable value: the state a player-memory actor folds its
/// rating events into. Each content id counts once; re-rating replaces the earlier rating and moves it to
/// the end of <see cref="InOrder"/>, because the profile's update rule weighs later opinions more.
/// </summary>
public sealed record PlayerRatings
{
    public static readonly PlayerRatings Empty = new(ImmutableList<Rating>.Empty, ImmutableDictionary<string, Rating>.Empty.WithComparers(StringComparer.Ordinal));

    private PlayerRatings(ImmutableList<Rating> inOrder, ImmutableDictionary<string, Rating> byContent)
    {
        InOrder = inOrder;
        ByContent = byContent;
    }

    /// <summary>The current rating of every rated content, oldest first.</summary>
    public ImmutableList<Rating> InOrder { get; }

    public ImmutableDictionary<string, Rating> ByContent { get; }

    public int Count => InOrder.Count;

    /// <summary>The ratings of 4 or 5 stars: content whose attributes the player wants more of.</summary>
    public IEnumerable<Rating> Patterns => InOrder.Where(r => r.IsPattern);

    public Rating? Get(string contentId) => ByContent.GetValueOrDefault(contentId);

    public static PlayerRatings From(IEnumerable<Rating> ratings) => ratings.Aggregate(Empty, (state, r) => state.Apply(r));

    public PlayerRatings Apply(Rating rating)
    {
        ArgumentNullException.ThrowIfNull(rating);
        var order = ByContent.TryGetValue(rating.ContentId, out var earlier) ? InOrder.Remove(earlier) : InOrder;
        return new PlayerRatings(order.Add(rating), ByContent.SetItem(rating.ContentId, rating));
    }

    /// <summary>What this player would publish if they opt in to sharing.</summary>
    public SharedProfile ToShared(string playerId) =>
        new(playerId, [.. InOrder.Select(r => new SharedRating(r.ContentId, r.Type, r.Stars))]);

    public IEnumerable<Rating> OfType(ContentType type) => InOrder.Where(r => r.Type == type);
}
