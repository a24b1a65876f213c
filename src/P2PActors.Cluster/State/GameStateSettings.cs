using System.Globalization;

namespace P2PActors.Cluster.State;

/// <summary>
/// Tuning of the shared game state. The consistency of each data type is fixed in code (see docs/architecture.md);
/// what is here are the knobs that depend on the deployment.
/// </summary>
public sealed record GameStateSettings
{
    /// <summary>The durable store's SQLite file, in <see cref="DataDirectory"/>.</summary>
    public const string DurableFileName = "ddata.db";

    /// <summary>Buckets for positions, presence and inventories (one DData key each per data type).</summary>
    public int PlayerBuckets { get; init; } = 16;

    /// <summary>Hex characters of the content id that pick the catalog bucket: 2 → 256 keys, 3 → 4096 keys.</summary>
    public int CatalogPrefixLength { get; init; } = 2;

    /// <summary>
    /// A player without a heartbeat or move for this long is no longer online. A page's session heartbeats its player
    /// three times per timeout while its connection is open.
    /// </summary>
    public TimeSpan PresenceTimeout { get; init; } = DefaultPresenceTimeout;

    public static readonly TimeSpan DefaultPresenceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A player neither moved nor heard from for this long is forgotten: their position and presence leave the shared
    /// state (their inventory is kept), so the state of a long-running cluster does not hold every player it ever saw.
    /// Every node applies the same rule to what it holds, so they all forget alike. Zero keeps every player.
    /// </summary>
    public TimeSpan PlayerRetention { get; init; } = DefaultPlayerRetention;

    public static readonly TimeSpan DefaultPlayerRetention = TimeSpan.FromDays(30);

    /// <summary>How often a node looks for players to forget: a quarter of the retention, between a second and an hour.</summary>
    public TimeSpan RetentionCheckInterval =>
        TimeSpan.FromTicks(Math.Clamp(PlayerRetention.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerHour));

    /// <summary>How often the node looks for players who went offline, to tell the watchers of their zones.</summary>
    public TimeSpan OfflineCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Folder for the SQLite files (replicated state and content bodies); null keeps everything in memory.</summary>
    public string? DataDirectory { get; init; }

    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan NotifySubscribersInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Akka's scheduler cannot tick faster than 10 ms, so a .NET timer additionally asks the replicator to flush
    /// pending notifications this often (<c>Replicator.FlushChanges</c>; a no-op when nothing changed), while the
    /// state is in use (see <see cref="FastNotifyActiveWindow"/>). Null leaves notification to
    /// <see cref="NotifySubscribersInterval"/> alone.
    /// </summary>
    public TimeSpan? FastNotifyInterval { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// How long the fast notification pump keeps running after the last change or write this node saw. Idle, it
    /// sleeps (each tick wakes a thread pool thread: four idle nodes spent about 0.1 core on it), so the first
    /// change after a quiet period waits for the <see cref="NotifySubscribersInterval"/> tick.
    /// </summary>
    public TimeSpan FastNotifyActiveWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Keys per gossip message: bounds a gossip message to about this many buckets. Akka.NET's replicator sends up to
    /// ten such chunks of digests to one peer per gossip tick, and the peer answers each with up to this many whole
    /// buckets that differ, so this also bounds what a peer whose buckets all differ (one writing forgeries, which honest
    /// nodes drop) costs per tick: at 16, about 160 whole buckets each way, which grew with the catalog until a 7-node
    /// run with 2 forgers decided at p99 ≈ 300 ms; at 4, 40 (docs/benchmarks.md, "Four keys per gossip message").
    /// A full pass over every key then takes about eight ticks instead of two.
    /// </summary>
    public int MaxDeltaElements { get; init; } = 4;

    /// <summary>Remoting frame size; must hold <see cref="MaxDeltaElements"/> catalog buckets.</summary>
    public int MaximumFrameSizeBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Positions reach the other nodes live, one <see cref="PositionBatch"/> per peer per flush; the durable position
    /// buckets are written (locally, then gossiped) at most once per bucket per this interval, with the newest
    /// position of each player moved meanwhile. A crash loses at most this much of the movement; an idle bucket's
    /// first move is written at once.
    /// </summary>
    public TimeSpan PositionPersistInterval { get; init; } = DefaultPositionPersistInterval;

    /// <summary>
    /// 5 s: at 1 s the position buckets' writes (each a whole bucket serialised, gzipped, stored on every node and
    /// gossiped) took about a tenth of a node's CPU under 500 WebSocket players (perf, 2026-12-05), at 5 s a fifth of
    /// that. Moves still reach every node at once and are resent every <see cref="PositionResyncInterval"/>; only a
    /// crash loses up to this much of the movement taken on the crashed node.
    /// </summary>
    public static readonly TimeSpan DefaultPositionPersistInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Every node re-sends the newest position of each player it moved (in the last minute) this often, so a peer that missed a batch
    /// (a partition, a node that joined since) converges without waiting for gossip or the player's next move.
    /// </summary>
    public TimeSpan PositionResyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries per <see cref="PositionBatch"/>; a longer flush or resync is split.</summary>
    public int MaxPositionsPerBatch { get; init; } = 1_000;

    /// <summary>
    /// How long a shared catalog entry waits for a majority of the members to acknowledge it (<see cref="CatalogBatch"/>)
    /// before its share is answered <see cref="Replication.Pending"/>; inventory writes wait this long for the replicator.
    /// </summary>
    public TimeSpan MajorityWriteTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Shared catalog entries reach the other nodes live (<see cref="CatalogBatch"/>, checked by each receiver, and sent
    /// again to a member that comes up) and are written to the replicated catalog buckets, for durability, anti-entropy
    /// and nodes that join later, once per this interval by each bucket's owner (the members, ordered by address,
    /// take the buckets in turn) with every entry it holds live. One replicator write per share cost a 4-node cluster
    /// five times the CPU of the vote, and four writers per bucket each interval still four times the catalog's
    /// serialisation (docs/benchmarks.md, "Consensus under attack").
    /// </summary>
    public TimeSpan CatalogPersistInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the node reads the replicated catalog, position and presence buckets into its view (what arrives by
    /// gossip only: a node that joined late, a partition healed, a takeover write, a forgery to answer). Local reads,
    /// cheap; subscribing instead would make the replicator digest each of these buckets on every write it takes.
    /// </summary>
    public TimeSpan BucketReadInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Any node holding a live entry writes it to its bucket itself when the bucket has not brought it after this long:
    /// the owner crashed, is cut off, or never got it, and the entry must not live in memory only.
    /// </summary>
    public TimeSpan CatalogTakeoverAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A share waits this long before it is pushed to the peers, so the shares decided meanwhile travel in the same
    /// <see cref="CatalogBatch"/>: one message, one admission turn and one acknowledgement per peer for all of them. A
    /// share otherwise went out alone at the end of its mailbox turn, about 1.4 entries per batch under load. At 3 ms,
    /// eleven 4-node sharing runs alternated with eleven at 0 took 16 % less CPU per item and ran 18 % faster on average
    /// (docs/benchmarks.md, "Shares pushed together"); a share's answer comes up to the wait later. A full batch
    /// (<see cref="MaxCatalogHeadersPerBatch"/>) goes at once; zero pushes each share at the end of its mailbox turn.
    /// </summary>
    public TimeSpan ShareBatchWait { get; init; } = DefaultShareBatchWait;

    public static readonly TimeSpan DefaultShareBatchWait = TimeSpan.FromMilliseconds(3);

    /// <summary>Headers per <see cref="CatalogBatch"/>; a bigger flush is split, a bigger batch from a peer is refused.</summary>
    public int MaxCatalogHeadersPerBatch { get; init; } = 512;

    /// <summary>
    /// At start, the headers of this many of this node's latest shares are read back from the body store and written
    /// to the replicated catalog where they are missing: a crash between a share's answer and its batched write loses
    /// nothing. Far more than one <see cref="CatalogPersistInterval"/> of shares at the measured top rate.
    /// </summary>
    public int RecoverSharedHeaders { get; init; } = 10_000;

    public TimeSpan BodyFetchTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Most distinct items one player may hold. Checked by the node that takes the add, against its local replica,
    /// so only adds made concurrently through different nodes can together go past it.
    /// </summary>
    public int MaxInventoryItems { get; init; } = DefaultMaxInventoryItems;

    public const int DefaultMaxInventoryItems = 200;

    /// <summary>Decides which catalog entries this node shows and serves; the default admits everything.</summary>
    public ICatalogAdmission Admission { get; init; } = AdmitAll.Instance;

    public StateKeys CreateKeys() => new(PlayerBuckets, CatalogPrefixLength);

    /// <summary>
    /// The DData and remoting settings this layer needs, to be placed in front of the rest of the ActorSystem's
    /// configuration. Presence is not durable: it is only meaningful while the cluster runs. The consensus registry's
    /// attestations, bindings and equivocation evidence are: without the attested sets of past epochs, a restarted
    /// cluster could no longer check the certificates of its own durable catalog.
    /// </summary>
    public string ToHocon()
    {
        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var durable = DataDirectory is null
            ? ""
            : $$"""
                durable {
                  keys = ["{{StateKeys.PositionPrefix}}*", "{{StateKeys.InventoryPrefix}}*", "{{StateKeys.LegacyInventoryPrefix}}*", "{{StateKeys.CatalogPrefix}}*", "{{StateKeys.LegacyCatalogPrefix}}*", "{{StateKeys.ConsensusPrefix}}*", "{{Preferences.SharedProfileKeys.Prefix}}*"]
                  store-actor-class = "{{typeof(SqliteDurableStore).AssemblyQualifiedName!.Split(", Version")[0]}}"
                  sqlite.path = "{{Path.Combine(Path.GetFullPath(DataDirectory), DurableFileName).Replace("\\", "/", StringComparison.Ordinal)}}"
                }
              """;
        return $$"""
            akka.cluster.distributed-data {
              gossip-interval = {{Ms(GossipInterval)}}
              notify-subscribers-interval = {{Ms(NotifySubscribersInterval)}}
              max-delta-elements = {{MaxDeltaElements}}
              {{durable}}
            }
            akka.remote.dot-netty.tcp {
              maximum-frame-size = {{MaximumFrameSizeBytes}}b
              send-buffer-size = {{MaximumFrameSizeBytes * 2}}b
              receive-buffer-size = {{MaximumFrameSizeBytes * 2}}b
            }
            """;
    }
}
