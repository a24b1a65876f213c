using System.Collections.Immutable;
using P2PActors.Cluster.Serialization;
using P2PActors.Content.Generation;

namespace P2PActors.Cluster.Players;

/// <summary>
/// A player's memory: the content generated for them (newest last, bounded) and their learned patterns.
/// Pure: <see cref="Handle"/> decides which events a command produces, <see cref="Apply"/> folds an event in.
/// Also the snapshot payload.
/// </summary>
public sealed record PlayerMemoryState(
    string PlayerId,
    ImmutableList<HistoryEntry> History,
    ImmutableHashSet<string> ContentIds,
    LearnedPatterns Patterns,
    int HistoryLimit) : IP2PMessage
{
    public static PlayerMemoryState Empty(string playerId, int historyLimit) =>
        new(playerId, [], ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal), LearnedPatterns.Empty, historyLimit);

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
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "unknown player memory event"),
    };

    /// <summary>The same state under a (possibly changed) configured limit, trimming the oldest entries.</summary>
    public PlayerMemoryState WithHistoryLimit(int limit) => Trim(this with { HistoryLimit = limit });

    public PlayerSnapshot ToSnapshot() => new(PlayerId, History, Patterns);

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
