using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Players;

/// <param name="PassivationIdleTimeout">An entity idle this long is stopped; the next message recovers it from the journal.</param>
/// <param name="SnapshotEvery">A snapshot is saved every this many events, so recovery replays at most that many.</param>
/// <param name="HistoryLimit">The most recent entries a player's history keeps.</param>
/// <param name="RecordBatchSize">Buffered recordings that are persisted at once, as one event, without waiting for the timer.</param>
/// <param name="RecordFlushDelay">
/// How long a recording may wait in the buffer for others to share its journal write (100 ms by default). Recording is
/// fire-and-forget: the requester has its content before the history entry is journaled, so a crash of the node can
/// lose up to this much of a player's history, plus the writes still queued for the journal. A snapshot read,
/// passivation and hand-off flush first, so they never miss a recording the memory received.
/// </param>
public sealed record PlayerMemoryOptions(
    TimeSpan PassivationIdleTimeout,
    int SnapshotEvery = 100,
    int HistoryLimit = 1_000,
    int NumberOfShards = 50,
    int RecordBatchSize = 64,
    TimeSpan? RecordFlushDelay = null)
{
    public TimeSpan EffectiveRecordFlushDelay => RecordFlushDelay ?? TimeSpan.FromMilliseconds(100);

    /// <summary>How a player's ratings become a profile and generation weights (learning rate, minimum ratings, sharpness).</summary>
    public PreferenceOptions Preferences { get; init; } = PreferenceOptions.Default;

    /// <summary>The newest ratings a sharing player publishes; bounds one profile's share of a replicated key.</summary>
    public int MaxSharedRatings { get; init; } = Cluster.Preferences.SharedProfileEntry.MaxRatings;

    public static readonly PlayerMemoryOptions Default = new(TimeSpan.FromMinutes(2));

    public const string ShardTypeName = "player-memory";
}
