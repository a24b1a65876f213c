using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using P2PActors.Cluster.Replicas;
using static P2PActors.Cluster.State.GameStateProtocol;

namespace P2PActors.Cluster.State;

/// <summary>
/// The node's single entry point to the shared game state: turns commands into replicator updates with the
/// consistency chosen per data type, keeps a <see cref="GameStateView"/> current from replicator notifications,
/// answers queries from it and fans changes out to subscribers.
/// A write is answered only after the written key has been read back into the view, so a caller always reads its
/// own write from this node.
/// Positions take a cheaper path (measured: a replicator write per batch cost the nodes about 3.7 ms of CPU per
/// move, mostly the replicator serialising and compressing the whole bucket to digest it, docs/benchmarks-history.md): a move
/// is applied to the view and answered at once, sent to the other nodes' state actors in one
/// <see cref="PositionBatch"/> per flush, and written to the durable buckets at most once per bucket per
/// <see cref="GameStateSettings.PositionPersistInterval"/>.
/// Catalog shares take the same kind of path, for the same reason (one majority write per share ran at a fifth of the
/// vote's speed): a share is listed here at once, pushed to the peers in one <see cref="CatalogBatch"/> per flush and
/// answered when a majority of the members hold it; each bucket is written (locally, then gossiped) once per
/// <see cref="GameStateSettings.CatalogPersistInterval"/> with every entry shared meanwhile. The header was stored with
/// its body before the share (<see cref="StoreContentBody"/>), so a crash before the batched write loses nothing: the
/// node writes its latest shares again at start, and a peer that holds an entry live writes it if it never lands.
/// </summary>
public sealed class GameStateActor : ReceiveActor, IWithTimers
{
    public const string Name = "p2p-game-state";

    private sealed record PendingWrite(IActorRef ReplyTo, bool AwaitPeers);

    private sealed record ReadBack(IReadOnlyList<IActorRef> ReplyTo, Replication Replication, bool Applied);

    /// <summary>A local write whose callers are answered once the replicator confirmed it (for a durable key: stored on disk).</summary>
    private sealed record StoredWrite(IReadOnlyList<IActorRef> ReplyTo);

    /// <summary>Queued behind the commands already in the mailbox: everything that arrived meanwhile is one update.</summary>
    private sealed record FlushBatches;

    /// <summary>The shares' wait (<see cref="GameStateSettings.ShareBatchWait"/>) is over: push what gathered.</summary>
    private sealed record PushSharesNow;

    /// <summary>Time to write the positions moved since their bucket was last written.</summary>
    private sealed record PersistPositions;

    /// <summary>The buckets one <see cref="FlushPositions"/> wrote; it completes when the last is stored (or failed).</summary>
    private sealed class PositionsFlush
    {
        private readonly TaskCompletionSource _stored;
        private int _left;

        public PositionsFlush(int buckets, TaskCompletionSource stored)
        {
            (_left, _stored) = (buckets, stored);
            if (buckets == 0) stored.TrySetResult();
        }

        public void Done()
        {
            if (--_left <= 0) _stored.TrySetResult();
        }
    }

    /// <summary>Time to send the peers the newest position of every player moved on this node.</summary>
    private sealed record ResyncPositions;

    /// <summary>Time to write the catalog entries shared (or held too long unwritten) since the last time.</summary>
    private sealed record PersistCatalog;

    /// <summary>Time to read the catalog buckets into the view.</summary>
    private sealed record ReadBuckets;

    /// <summary>Time to forget the players not seen for <see cref="GameStateSettings.PlayerRetention"/>.</summary>
    private sealed record ForgetIdlePlayers;

    /// <summary>Time to find the players who went offline (<see cref="OnlineWatch"/>).</summary>
    private sealed record LookForOffline;

    /// <summary>A bucket read from a peer as this node comes up (<see cref="StartCatchUp"/>).</summary>
    private sealed record CatchUpRead
    {
        public static readonly CatchUpRead Instance = new();
    }

    /// <summary>The shares pushed in one flush that have no majority yet are answered as pending.</summary>
    private sealed record ShareAckTimeout(long Round);

    /// <summary>Callers of one catalog share, waiting for a majority of the members to hold it.</summary>
    private sealed class AwaitedShare(long round)
    {
        public long Round { get; set; } = round;
        public List<IActorRef> ReplyTo { get; } = [];
        public HashSet<Address> Acked { get; } = [];
        public int Needed { get; set; } = -1;
    }

    /// <summary>How long a player's last move here is resent to the peers; by then its durable bucket was written and gossiped.</summary>
    private const long ResyncHorizonMs = 60_000;

    /// <summary>A peer's clock may run ahead of ours by this much; a position stamped further ahead is refused.</summary>
    private const long MaxPeerClockAheadMs = GameStateView.MaxClockAheadMs;

    /// <summary>LWW writes waiting for the next flush, per bucket: the latest value per player and everyone to answer.</summary>
    private sealed class LwwBatch<T>
    {
        public Dictionary<int, Dictionary<string, T>> Values { get; } = [];
        public Dictionary<int, List<IActorRef>> Replies { get; } = [];

        public void Add(int bucket, string playerId, T value, IActorRef replyTo)
        {
            if (!Values.TryGetValue(bucket, out var values)) Values[bucket] = values = new Dictionary<string, T>(StringComparer.Ordinal);
            values[playerId] = value;
            if (!Replies.TryGetValue(bucket, out var replies)) Replies[bucket] = replies = [];
            if (!replyTo.IsNobody()) replies.Add(replyTo);
        }
    }

    private readonly GameStateSettings _settings;
    private readonly IActorRef _replicator;
    private readonly NotificationPump? _pump;
    private readonly UniqueAddress _self;
    private readonly string _selfNode;
    private readonly string _selfAddress;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IWriteConsistency _majorityWrite;
    private readonly Clock<PlayerPosition> _positionClock = (current, value) => Math.Max(current + 1, value.UpdatedAtMs);
    private GameStateView _view;
    /// <summary>Positions of leading-edge moves (their bucket was not written for a persist interval), written in the next flush.</summary>
    private LwwBatch<PlayerPosition> _persistNow = new();
    /// <summary>Positions moved on this node since the last flush, newest per player: the next <see cref="PositionBatch"/>.</summary>
    private readonly Dictionary<string, PlayerPosition> _outbox = new(StringComparer.Ordinal);
    /// <summary>The newest position of each player moved on this node that no other node has overtaken: what a resync sends.</summary>
    private readonly Dictionary<string, PlayerPosition> _own = new(StringComparer.Ordinal);
    /// <summary>Positions waiting for their bucket's next durable write, per bucket.</summary>
    private readonly Dictionary<int, Dictionary<string, PlayerPosition>> _unpersisted = [];
    /// <summary>When each position bucket was last written (<see cref="Environment.TickCount64"/>).</summary>
    private readonly Dictionary<int, long> _persistedAt = [];
    private readonly PeerStateActors _peers;
    private readonly Akka.Cluster.Cluster _cluster;
    private LwwBatch<PresenceEntry> _presence = new();
    private bool _flushQueued;
    private bool _sharePushQueued;
    /// <summary>Headers shared here since the last flush: the next <see cref="CatalogBatch"/>.</summary>
    private readonly List<CatalogHeader> _catalogOutbox = [];
    /// <summary>Shares waiting for a majority, by content id.</summary>
    private readonly Dictionary<string, AwaitedShare> _awaited = new(StringComparer.Ordinal);
    private long _shareRound;
    /// <summary>When each live entry (<see cref="GameStateView.Pushed"/>) was taken: written by any holder if its bucket does not bring it in time.</summary>
    private readonly Dictionary<string, long> _liveSince = new(StringComparer.Ordinal);
    /// <summary>The keys read every <see cref="GameStateSettings.BucketReadInterval"/> instead of subscribed to.</summary>
    private readonly IReadOnlyList<IKey> _polledKeys;
    /// <summary>The last value read of each polled key (null: not read yet).</summary>
    private readonly Dictionary<string, object?> _polled = new(StringComparer.Ordinal);
    /// <summary>
    /// Each persist writes the owned buckets of one slice (bucket number modulo this), so the buckets are written spread
    /// over the interval: all at once, the replicators' digests of every changed bucket stalled every node for hundreds of
    /// milliseconds each interval (decisions timed out).
    /// </summary>
    private const int PersistSlices = 8;
    private long _persistTick;
    /// <summary>Recovered shares the admission refused so far (the registry may not know their set yet), with their deadline.</summary>
    private readonly Dictionary<string, (CatalogHeader Header, long Until)> _recoveredUnadmitted = new(StringComparer.Ordinal);
    private readonly IActorRef? _bodies;
    /// <summary>The buckets read from a peer as this node comes up (<see cref="StartCatchUp"/>), eight at a time.</summary>
    private readonly CatchUpReads _catchUp;
    private readonly OnlineWatch _onlineWatch = new();

    public GameStateActor(GameStateSettings settings, IActorRef replicator, NotificationPump? pump = null, IActorRef? bodies = null)
    {
        _settings = settings;
        _replicator = replicator;
        _pump = pump;
        _bodies = bodies;
        _catchUp = new CatchUpReads(replicator, Self, atOnce: 8, settings.MajorityWriteTimeout, CatchUpRead.Instance);
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        _cluster = cluster;
        _self = cluster.SelfUniqueAddress;
        _selfNode = InventoryBucket.NodeId(_self);
        _selfAddress = cluster.SelfAddress.ToString();
        _view = GameStateView.Empty(settings.CreateKeys(), settings.Admission);
        _polledKeys = [.. _view.Keys.Catalog, .. _view.Keys.Positions, .. _view.Keys.Presence];
        foreach (var key in _polledKeys) _polled[key.Id] = null;
        _majorityWrite = new WriteMajority(settings.MajorityWriteTimeout);
        _peers = new PeerStateActors(address => Context.ActorSelection(new RootActorPath(address) / "user" / Name), Self);

        Receive<UpdatePosition>(Handle);
        Receive<LeaveZone>(Handle);
        Receive<Heartbeat>(Handle);
        Receive<KeepOnline>(Handle);
        Receive<LookForOffline>(_ => LookForOfflinePlayers());
        Receive<ForgetIdlePlayers>(_ => ForgetIdle());
        Receive<AddItem>(Handle);
        Receive<RemoveItem>(Handle);
        Receive<ShareEntry>(Handle);
        Receive<FlushBatches>(_ => Flush());
        Receive<PushSharesNow>(_ =>
        {
            _sharePushQueued = false;
            if (_catalogOutbox.Count > 0) PushShares();
        });
        Receive<PositionBatch>(Handle);
        Receive<PersistPositions>(_ => PersistDeferred());
        Receive<FlushPositions>(f => PersistDeferred(new PositionsFlush(_unpersisted.Count, f.Stored)));
        Receive<ResyncPositions>(_ => Resync());
        Receive<CatalogBatch>(Handle);
        Receive<CatalogAck>(Handle);
        Receive<ShareAckTimeout>(t => ExpireShares(t.Round));
        Receive<PersistCatalog>(_ => PersistCatalogEntries());
        Receive<ReadBuckets>(_ => ReadPolled());
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.UniqueAddress.Equals(_self)) StartCatchUp();
            else SendLiveTo(up.Member.UniqueAddress);
        });
        Receive<ActorIdentity>(identity => _peers.Answered(identity, actor => Context.Watch(actor)));
        Receive<SharedHeaders>(Recover);
        Receive<ReadView>(_ => Sender.Tell(new ViewRead(_view, NowMs())));
        Receive<RefreshAdmission>(_ => _view = _view.WithAdmissionRefreshed());
        Receive<GameStateProtocol.Subscribe>(s =>
        {
            _subscribers.Add(s.Subscriber);
            Context.Watch(s.Subscriber);
            s.Subscriber.Tell(new Subscribed());
        });
        Receive<GameStateProtocol.Unsubscribe>(s =>
        {
            _subscribers.Remove(s.Subscriber);
            Context.Unwatch(s.Subscriber);
        });
        Receive<Terminated>(t =>
        {
            _subscribers.Remove(t.ActorRef);
            _peers.Terminated(t.ActorRef);
        });

        Receive<Changed>(c =>
        {
            _pump?.Touch();
            if (c.Data is ORDictionary<string, ORSet<string>> legacy) MigrateLegacyInventories(c.Key.Id, legacy);
            else if (c.Data is LWWDictionary<string, CatalogHeader> legacyCatalog) MigrateLegacyCatalog(c.Key.Id, legacyCatalog);
            else Apply(c.Key.Id, (IReplicatedData)c.Data);
        });
        Receive<GetSuccess>(OnReadBack);
        Receive<NotFound>(n =>
        {
            if (n.Request is CatchUpRead) _catchUp.Answered();
            else Reply(n.Request);
        });
        Receive<GetFailure>(f =>
        {
            if (f.Request is not CatchUpRead) return;
            // A peer that did not answer in time: gossip brings that bucket instead.
            _log.Debug("Catching up bucket {0} from a peer timed out", f.Key.Id);
            _catchUp.Answered();
        });
        Receive<UpdateSuccess>(u => OnWritten(u.Key, u.Request, timedOut: false));
        Receive<UpdateTimeout>(u => OnWritten(u.Key, u.Request, timedOut: true));
        Receive<ModifyFailure>(f => Fail(f.Request, f.Cause));
        Receive<StoreFailure>(f => Fail(f.Request, new IOException("the durable store could not save the write")));
        Receive<DataDeleted>(d => Fail(d.Request, new InvalidOperationException($"key {d.Key.Id} was deleted")));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(GameStateSettings settings, IActorRef replicator, NotificationPump? pump = null, IActorRef? bodies = null) =>
        Akka.Actor.Props.Create(() => new GameStateActor(settings, replicator, pump, bodies));

    protected override void PreStart()
    {
        // The catalog, position and presence buckets are read, not subscribed to: the replicator digests (serialises,
        // compresses, hashes) a subscribed key's whole value on every write it takes, so each catalog write cost every
        // node a full bucket serialisation more (perf, 2026-12-04), and the position buckets, written every second,
        // 9 % of a node's CPU under 500 WebSocket clients (perf, 2026-12-05). Their news arrives live; the buckets only
        // bring what gossip carries (a restart, a partition healed, a node that joined late).
        foreach (var key in _view.Keys.All().Where(k => !_polled.ContainsKey(k.Id)))
            _replicator.Tell(new Akka.DistributedData.Subscribe(key, Self));
        ReadPolled();
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
        Timers.StartPeriodicTimer(nameof(ReadBuckets), new ReadBuckets(), _settings.BucketReadInterval);
        Timers.StartPeriodicTimer(nameof(LookForOffline), new LookForOffline(), _settings.OfflineCheckInterval);
        if (_settings.PlayerRetention > TimeSpan.Zero)
            Timers.StartPeriodicTimer(nameof(ForgetIdlePlayers), new ForgetIdlePlayers(), _settings.RetentionCheckInterval);
        Timers.StartPeriodicTimer(nameof(PersistPositions), new PersistPositions(), _settings.PositionPersistInterval);
        Timers.StartPeriodicTimer(nameof(ResyncPositions), new ResyncPositions(), _settings.PositionResyncInterval);
        Timers.StartPeriodicTimer(nameof(PersistCatalog), new PersistCatalog(), _settings.CatalogPersistInterval / PersistSlices);
        _bodies?.Tell(new LoadSharedHeaders(_settings.RecoverSharedHeaders));
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// A move is stamped later than anything this node holds for the player (so two moves in one millisecond, or a
    /// peer's clock running ahead, cannot order it behind an older one), applied, pushed to local subscribers and
    /// queued for the peers. It is answered at once, unless its bucket is idle: then it is written to the durable
    /// bucket in the next flush and answered after that, as every write used to be.
    /// </summary>
    private void Handle(UpdatePosition cmd) => Move(cmd.PlayerId, cmd.Zone, cmd.X, cmd.Y);

    /// <summary>
    /// Leaving is a move to <see cref="PlayerPosition.NoZone"/>, so it reaches the peers, the durable bucket and the
    /// old zone's watchers (as a move out of it) the way a move does. It is written even when this node holds no
    /// position yet (a page that reconnected here before the player's position arrived): newest wins, so a move made
    /// before the leave cannot undo it. Only a player this node already holds on no map changes nothing.
    /// </summary>
    private void Handle(LeaveZone cmd)
    {
        if (_view.Positions.TryGetValue(cmd.PlayerId, out var held) && held.Zone == PlayerPosition.NoZone)
            Sender.Tell(new WriteResult(Replication.Local, Applied: false));
        else
            Move(cmd.PlayerId, PlayerPosition.NoZone, 0, 0);
    }

    private void Move(string playerId, string zone, double x, double y)
    {
        var now = NowMs();
        var stamp = _view.Positions.TryGetValue(playerId, out var held) ? Math.Max(now, held.UpdatedAtMs + 1) : now;
        var position = new PlayerPosition(zone, x, y, stamp);
        ApplyPositions([new KeyValuePair<string, PlayerPosition>(playerId, position)]);
        _outbox[playerId] = position;
        _own[playerId] = position;
        var bucket = _view.Keys.PlayerBucket(playerId);
        if (_unpersisted.ContainsKey(bucket)
            || (_persistedAt.TryGetValue(bucket, out var at) && Environment.TickCount64 - at < (long)_settings.PositionPersistInterval.TotalMilliseconds))
        {
            if (!_unpersisted.TryGetValue(bucket, out var pending)) _unpersisted[bucket] = pending = new Dictionary<string, PlayerPosition>(StringComparer.Ordinal);
            pending[playerId] = position;
            Sender.Tell(new WriteResult(Replication.Local));
        }
        else
        {
            _persistedAt[bucket] = Environment.TickCount64;
            _persistNow.Add(bucket, playerId, position, Sender);
        }
        QueueFlush();
    }

    /// <summary>
    /// A peer's live positions. Only a member of the cluster is listened to, and every entry is checked as a local
    /// move would be (ids, zone, finite coordinates) plus its stamp (at most a minute ahead of this node's clock, so
    /// a bad peer cannot pin a player's position forever); the rest of the batch is still taken.
    /// </summary>
    private void Handle(PositionBatch batch)
    {
        var from = Sender.Path.Address;
        if (!_cluster.State.Members.Any(m => m.Address.Equals(from)))
        {
            _log.Warning("Ignored a position batch from {0}, which is not a member of the cluster", from);
            return;
        }
        var limit = NowMs() + MaxPeerClockAheadMs;
        var valid = new List<KeyValuePair<string, PlayerPosition>>(batch.Entries?.Count ?? 0);
        foreach (var entry in batch.Entries ?? [])
        {
            if (entry?.Position is { } p && StateValidation.PlayerId(entry.PlayerId) is null && GameStateView.IsPositionZone(p.Zone)
                && StateValidation.Coordinates(p.X, p.Y) is null && p.UpdatedAtMs > 0 && p.UpdatedAtMs <= limit)
                valid.Add(new KeyValuePair<string, PlayerPosition>(entry.PlayerId, p));
        }
        if (valid.Count < (batch.Entries?.Count ?? 0))
            _log.Warning("Ignored {0} malformed positions from {1}", (batch.Entries?.Count ?? 0) - valid.Count, from);
        ApplyPositions(valid);
    }

    private void ApplyPositions(IReadOnlyList<KeyValuePair<string, PlayerPosition>> positions)
    {
        var (view, changes) = _view.ApplyPositions(positions, collectChanges: _subscribers.Count > 0);
        _view = view;
        Notify(changes);
    }

    /// <summary>
    /// The positions of busy buckets, newest per player, each bucket in one local write that gossip spreads; with
    /// <paramref name="flush"/> (a graceful stop) it is told as each write is stored.
    /// </summary>
    private void PersistDeferred(PositionsFlush? flush = null)
    {
        foreach (var (bucket, values) in _unpersisted)
        {
            _persistedAt[bucket] = Environment.TickCount64;
            WriteBatch(_view.Keys.Positions[bucket], LWWDictionary<string, PlayerPosition>.Empty, WriteLocal.Instance, [],
                d => values.Aggregate(d, (acc, kv) => acc.SetItem(_self, kv.Key, kv.Value, _positionClock)), flush);
        }
        _unpersisted.Clear();
    }

    /// <summary>
    /// Sends every peer the newest position of each player this node moved in the last
    /// <see cref="ResyncHorizonMs"/> and no node has moved since. Older ones are left to the durable buckets, which
    /// gossip carries to every node: resending every player ever moved here would grow without bound.
    /// </summary>
    private void Resync()
    {
        var horizon = NowMs() - ResyncHorizonMs;
        foreach (var (id, position) in _own.ToList())
            if (position.UpdatedAtMs < horizon || (_view.Positions.TryGetValue(id, out var newest) && GameStateView.IsNewer(newest, position)))
                _own.Remove(id);
        if (_own.Count > 0) SendToPeers(_own);
        _peers.Retain(Peers());
    }

    private void SendToPeers(IReadOnlyCollection<KeyValuePair<string, PlayerPosition>> positions)
    {
        var peers = Peers();
        if (peers.Count == 0) return;
        foreach (var chunk in positions.Select(kv => new PositionEntry(kv.Key, kv.Value)).Chunk(_settings.MaxPositionsPerBatch))
            TellPeers(peers, new PositionBatch(chunk));
    }

    private List<UniqueAddress> Peers() => _cluster.State.Members
        .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && !m.Address.Equals(_cluster.SelfAddress))
        .Select(m => m.UniqueAddress)
        .ToList();

    private void TellPeers(IReadOnlyCollection<UniqueAddress> peers, object message) => _peers.Tell(peers, message);

    private void Handle(Heartbeat cmd)
    {
        _presence.Add(_view.Keys.PlayerBucket(cmd.PlayerId), cmd.PlayerId, new PresenceEntry(cmd.Zone, NowMs(), _selfAddress), Sender);
        QueueFlush();
    }

    /// <summary>Each player's presence is stamped in the zone this node holds their position in (none yet: no zone).</summary>
    private void Handle(KeepOnline cmd)
    {
        var now = NowMs();
        foreach (var playerId in cmd.PlayerIds)
        {
            var zone = _view.Positions.TryGetValue(playerId, out var position) ? position.Zone : "";
            _presence.Add(_view.Keys.PlayerBucket(playerId), playerId, new PresenceEntry(zone, now, _selfAddress), ActorRefs.Nobody);
        }
        if (cmd.PlayerIds.Count > 0) QueueFlush();
    }

    /// <summary>Only while someone listens: the look goes over every known position.</summary>
    private void LookForOfflinePlayers()
    {
        if (_subscribers.Count == 0)
        {
            _onlineWatch.Reset();
            return;
        }
        Notify(_onlineWatch.Look(_view, NowMs(), _settings.PresenceTimeout));
    }

    /// <summary>
    /// Drops the position and presence of every player not seen for <see cref="GameStateSettings.PlayerRetention"/>,
    /// from the view and, by a local write each, from the buckets; gossip carries the removals. Every node looks alike, so
    /// an old entry that a merge with a peer's earlier copy brings back (Akka.NET's ORSet merge keeps some removed entries,
    /// docs/architecture.md) goes again at the next look. A bucket entry newer than the cutoff (a move or heartbeat that
    /// reached the bucket after the view last read it) is kept. Inventories are kept: they are the player's belongings.
    /// </summary>
    private void ForgetIdle()
    {
        var now = NowMs();
        var cutoff = now - (long)_settings.PlayerRetention.TotalMilliseconds;
        var idle = _view.IdleSince(cutoff, now);
        if (idle.Count == 0) return;
        _view = _view.WithoutPositions(idle.Positions);
        foreach (var bucket in idle.Positions.GroupBy(_view.Keys.PlayerBucket))
        {
            var ids = bucket.ToList();
            foreach (var id in ids) _own.Remove(id);
            WriteRemoval(_view.Keys.Positions[bucket.Key], LWWDictionary<string, PlayerPosition>.Empty,
                d => IdleRemoval.Positions(d, _self, ids, cutoff));
        }
        foreach (var bucket in idle.Presence.GroupBy(e => e.Bucket, e => e.PlayerId))
        {
            var ids = bucket.ToList();
            WriteRemoval(_view.Keys.Presence[bucket.Key], LWWDictionary<string, PresenceEntry>.Empty,
                d => IdleRemoval.Presence(d, _self, ids, cutoff, now));
            _replicator.Tell(new Get(_view.Keys.Presence[bucket.Key], ReadLocal.Instance));
        }
        _log.Info("Forgot {0} positions and {1} heartbeats of players not seen for {2} (inventories kept)",
            idle.Positions.Count, idle.Presence.Count, _settings.PlayerRetention);
    }

    /// <summary>A local write of a removal (<see cref="IdleRemoval"/>): its result has no delta, so gossip carries it as full state.</summary>
    private void WriteRemoval<T>(IKey<T> key, T initial, Func<T, T> modify) where T : IReplicatedData
    {
        _pump?.Touch();
        _replicator.Tell(Dsl.Update(key, initial, WriteLocal.Instance, new PendingWrite(ActorRefs.Nobody, AwaitPeers: false), modify));
    }

    private void QueueFlush()
    {
        if (_flushQueued) return;
        _flushQueued = true;
        Self.Tell(new FlushBatches());
    }

    private void Flush()
    {
        _flushQueued = false;
        if (_outbox.Count > 0)
        {
            SendToPeers(_outbox);
            _outbox.Clear();
        }
        if (_catalogOutbox.Count > 0) PushShares();
        // Answered only once stored: a node that crashes right after answering must still find the move on disk.
        foreach (var (bucket, values) in _persistNow.Values)
        {
            _pump?.Touch();
            _replicator.Tell(Dsl.Update(_view.Keys.Positions[bucket], LWWDictionary<string, PlayerPosition>.Empty, WriteLocal.Instance,
                new StoredWrite(_persistNow.Replies[bucket]), d => values.Aggregate(d, (acc, kv) => acc.SetItem(_self, kv.Key, kv.Value, _positionClock))));
        }
        foreach (var (bucket, values) in _presence.Values)
            WriteBatch(_view.Keys.Presence[bucket], LWWDictionary<string, PresenceEntry>.Empty, WriteLocal.Instance, _presence.Replies[bucket],
                d => values.Aggregate(d, (acc, kv) => acc.SetItem(_self, kv.Key, kv.Value)));
        _persistNow = new LwwBatch<PlayerPosition>();
        _presence = new LwwBatch<PresenceEntry>();
    }

    /// <summary>
    /// Fire-and-forget: the replicator handles the Update before the Get that follows it, so the read-back already
    /// contains the write and the callers are answered as soon as the local replica has it.
    /// </summary>
    /// <param name="written">Told when the replicator confirms the write (for a durable key: stored); by default nobody is.</param>
    private void WriteBatch<T>(IKey<T> key, T initial, IWriteConsistency consistency, IReadOnlyList<IActorRef> replyTo, Func<T, T> modify,
        object? written = null)
        where T : IReplicatedData
    {
        _pump?.Touch();
        _replicator.Tell(Dsl.Update(key, initial, consistency, written ?? new PendingWrite(ActorRefs.Nobody, AwaitPeers: false), modify));
        _replicator.Tell(Dsl.Get(key, ReadLocal.Instance, new ReadBack(replyTo, Replication.Local, true)));
    }

    private void Handle(AddItem cmd) =>
        Write(_view.Keys.InventoryKey(cmd.PlayerId), InventoryBucket.Empty, _majorityWrite,
            // The cap is checked inside the update, against the replica the add is applied to, so adds already queued
            // for the same player count; a refusal comes back as a ModifyFailure carrying InventoryFullException.
            d => d.Add(_selfNode, cmd.PlayerId, cmd.ItemId, _settings.MaxInventoryItems));

    /// <summary>
    /// Refused when this node has not seen the item: a remove only takes away the adds it has observed, so there is
    /// nothing to remove, and the caller learns it from <see cref="WriteResult.Applied"/>.
    /// </summary>
    private void Handle(RemoveItem cmd)
    {
        var player = _view.Player(cmd.PlayerId, NowMs(), _settings.PresenceTimeout);
        if (player is null || !player.Inventory.Contains(cmd.ItemId))
        {
            Sender.Tell(new WriteResult(Replication.Local, Applied: false));
            return;
        }
        Write(_view.Keys.InventoryKey(cmd.PlayerId), InventoryBucket.Empty, _majorityWrite,
            d => d.Remove(cmd.PlayerId, cmd.ItemId));
    }

    /// <summary>
    /// Inventories written before the switch to <see cref="InventoryBucket"/> (durable "inv-N" keys, or an old
    /// peer) are folded into the new bucket by their deterministic conversion, locally: every node does the same,
    /// and merging the same conversion twice changes nothing, so nothing is written once it is in.
    /// </summary>
    private void MigrateLegacyInventories(string keyId, ORDictionary<string, ORSet<string>> legacy)
    {
        if (!keyId.StartsWith(StateKeys.LegacyInventoryPrefix, StringComparison.Ordinal)
            || !int.TryParse(keyId.AsSpan(StateKeys.LegacyInventoryPrefix.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var bucket)
            || bucket >= _view.Keys.PlayerBuckets)
            return;
        var converted = InventoryBucket.FromLegacy(legacy);
        var current = _view.Inventories[bucket];
        if (current.Merge(converted).Equals(current)) return;
        _log.Info("Migrating {0} legacy inventories from {1}", converted.Players.Count, keyId);
        _replicator.Tell(Dsl.Update(_view.Keys.Inventories[bucket], InventoryBucket.Empty, WriteLocal.Instance,
            new PendingWrite(ActorRefs.Nobody, AwaitPeers: false), d => d.Merge(converted)));
    }

    /// <summary>
    /// Catalog buckets written before the switch to <see cref="CatalogBucket"/> (durable "catalog-xx" keys, or an old
    /// peer) are folded into the new buckets by their deterministic conversion, as the inventories were: every node
    /// converts alike, merging a conversion twice changes nothing, and anything written since wins over it. The
    /// view's entries are admitted as usual when the new bucket is read.
    /// </summary>
    private void MigrateLegacyCatalog(string keyId, LWWDictionary<string, CatalogHeader> legacy)
    {
        if (!keyId.StartsWith(StateKeys.LegacyCatalogPrefix, StringComparison.Ordinal)
            || keyId.Length != StateKeys.LegacyCatalogPrefix.Length + _view.Keys.CatalogPrefixLength
            || !int.TryParse(keyId.AsSpan(StateKeys.LegacyCatalogPrefix.Length), System.Globalization.NumberStyles.AllowHexSpecifier,
                System.Globalization.CultureInfo.InvariantCulture, out var bucket)
            || bucket >= _view.Keys.Catalog.Count)
            return;
        // Entries filed under another bucket's prefix are not this bucket's (a peer could send anything).
        var converted = CatalogBucket.FromSlots(CatalogBucket.FromLegacy(legacy).AllSlots
            .Where(s => _view.Keys.TryCatalogBucket(s.Header.Id, out var b) && b == bucket));
        if (converted.Count == 0) return;
        _log.Info("Migrating {0} legacy catalog entries from {1}", converted.Count, keyId);
        _replicator.Tell(Dsl.Update(_view.Keys.Catalog[bucket], CatalogBucket.Empty, WriteLocal.Instance,
            new PendingWrite(ActorRefs.Nobody, AwaitPeers: false), d => d.Merge(converted)));
    }

    /// <summary>
    /// Listed here at once, queued for the peers (pushed <see cref="GameStateSettings.ShareBatchWait"/> later, with the
    /// shares of that moment, or at once when they fill a batch) and for its bucket's next write; answered when a
    /// majority of the members (this node counted) acknowledged it, or as pending after
    /// <see cref="GameStateSettings.MajorityWriteTimeout"/>.
    /// </summary>
    private void Handle(ShareEntry cmd)
    {
        if (!_view.Keys.TryCatalogBucket(cmd.Header?.Id, out _) || !_settings.Admission.Admit(cmd.Header!))
        {
            Sender.Tell(new Status.Failure(new ArgumentException($"catalog entry {cmd.Header?.Id} was not admitted")));
            return;
        }
        var header = cmd.Header!;
        TakeLive([header], Environment.TickCount64);
        if (!_awaited.TryGetValue(header.Id, out var awaited))
        {
            _awaited[header.Id] = awaited = new AwaitedShare(_shareRound + 1);
            _catalogOutbox.Add(header);
        }
        awaited.ReplyTo.Add(Sender);
        var wait = _settings.ShareBatchWait;
        if (wait <= TimeSpan.Zero || _catalogOutbox.Count >= _settings.MaxCatalogHeadersPerBatch)
            QueueFlush();
        else if (!_sharePushQueued)
        {
            // A .NET timer, not Akka's scheduler, which ticks every 10 ms (as for the validator's turn wait).
            _sharePushQueued = true;
            Task.Delay(wait).PipeTo(Self, success: () => new PushSharesNow());
        }
    }

    /// <summary>Lists the admitted headers live; <paramref name="since"/> is when a new one counts as taken (for the takeover).</summary>
    private IReadOnlyList<CatalogHeader> TakeLive(IEnumerable<CatalogHeader> headers, long since)
    {
        var (view, changes, listed) = _view.ApplyPushed(headers, collectChanges: _subscribers.Count > 0);
        _view = view;
        Notify(changes);
        foreach (var header in listed)
            if (_view.Pushed.ContainsKey(header.Id)) _liveSince.TryAdd(header.Id, since);
        return listed;
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        base.PostStop();
    }

    /// <summary>
    /// A member that just came up gets every entry this node holds live: those are not in the buckets yet, so gossip
    /// would bring them to it only after their owner's next write.
    /// </summary>
    private void SendLiveTo(UniqueAddress member)
    {
        if (member.Address.Equals(_cluster.SelfAddress) || _view.Pushed.IsEmpty) return;
        foreach (var chunk in _view.Pushed.Values.Chunk(_settings.MaxCatalogHeadersPerBatch))
            TellPeers([member], new CatalogBatch(chunk));
    }

    /// <summary>Local reads, answered by the replicator without serialising anything; a value read before is skipped.</summary>
    private void ReadPolled()
    {
        foreach (var key in _polledKeys)
            _replicator.Tell(new Get(key, ReadLocal.Instance));
    }

    /// <summary>
    /// Sends this flush's shares to every other member; a share needs the acknowledgements of a majority of all
    /// members, reachable or not, less this node's own, so a node cut off from the majority answers pending.
    /// </summary>
    private void PushShares()
    {
        var round = ++_shareRound;
        var members = _cluster.State.Members.Count(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving);
        var needed = Math.Max(members, 1) / 2;
        var peers = Peers();
        foreach (var chunk in _catalogOutbox.Chunk(_settings.MaxCatalogHeadersPerBatch))
            TellPeers(peers, new CatalogBatch(chunk));
        foreach (var header in _catalogOutbox)
        {
            if (!_awaited.TryGetValue(header.Id, out var awaited)) continue;
            awaited.Round = round;
            awaited.Needed = needed;
            if (awaited.Acked.Count >= needed) Answer(header.Id, awaited, Replication.Confirmed);
        }
        _catalogOutbox.Clear();
        Timers.StartSingleTimer($"{nameof(ShareAckTimeout)}-{round}", new ShareAckTimeout(round), _settings.MajorityWriteTimeout);
    }

    private void Answer(string id, AwaitedShare awaited, Replication replication)
    {
        _awaited.Remove(id);
        var result = new WriteResult(replication);
        foreach (var replyTo in awaited.ReplyTo) replyTo.Tell(result);
    }

    private void ExpireShares(long round)
    {
        foreach (var (id, awaited) in _awaited.Where(kv => kv.Value.Round == round && kv.Value.Needed >= 0).ToList())
            Answer(id, awaited, Replication.Pending);
    }

    /// <summary>
    /// A peer's shares. Only a member is listened to, and only so many headers at once; each header is admitted on its
    /// own (certificate, bound header), so a forged one is dropped and the rest of the batch is still taken. The sender
    /// learns which ids this node now lists.
    /// </summary>
    private void Handle(CatalogBatch batch)
    {
        var from = Sender.Path.Address;
        var headers = batch.Headers ?? [];
        if (!IsMember(from) || headers.Count > _settings.MaxCatalogHeadersPerBatch)
        {
            _log.Warning("Ignored a catalog batch of {0} headers from {1} (not a member, or more than {2})",
                headers.Count, from, _settings.MaxCatalogHeadersPerBatch);
            return;
        }
        var listed = TakeLive(headers, Environment.TickCount64);
        if (listed.Count < headers.Count)
            _log.Warning("Refused {0} of {1} catalog headers from {2}", headers.Count - listed.Count, headers.Count, from);
        if (listed.Count > 0) Sender.Tell(new CatalogAck(listed.Select(h => h.Id).ToArray()));
    }

    private void Handle(CatalogAck ack)
    {
        var from = Sender.Path.Address;
        if (from.HasLocalScope || !IsMember(from) || from.Equals(_cluster.SelfAddress)) return;
        foreach (var id in (ack.Ids ?? []).Take(_settings.MaxCatalogHeadersPerBatch))
        {
            if (id is null || !_awaited.TryGetValue(id, out var awaited) || awaited.Needed < 0) continue;
            awaited.Acked.Add(from);
            if (awaited.Acked.Count >= awaited.Needed) Answer(id, awaited, Replication.Confirmed);
        }
    }

    /// <summary>A member, or a sender in this very node (its address has no host).</summary>
    private bool IsMember(Address address) => address.HasLocalScope || _cluster.State.Members.Any(m => m.Address.Equals(address));

    /// <summary>
    /// Writes the live entries of the buckets this node owns, one local write per bucket, and any live entry that has not
    /// reached its bucket after <see cref="GameStateSettings.CatalogTakeoverAfter"/> (its owner crashed, or is on the
    /// other side of a partition); gossip carries the writes to every node. One writer per bucket, because the replicator
    /// digests a bucket's whole value on each change it sees: four nodes each writing every bucket each interval cost
    /// four times the catalog's serialisation on every node.
    /// </summary>
    private void PersistCatalogEntries()
    {
        var now = Environment.TickCount64;
        foreach (var (id, (header, until)) in _recoveredUnadmitted.ToList())
        {
            var admitted = _settings.Admission.Admit(header);
            if (admitted) Recover([header]);
            if (admitted || now > until) _recoveredUnadmitted.Remove(id);
        }
        var owners = _cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => m.Address)
            .Order()
            .ToList();
        var self = owners.IndexOf(_cluster.SelfAddress);
        var takeover = (long)_settings.CatalogTakeoverAfter.TotalMilliseconds;
        var slice = (int)(_persistTick++ % PersistSlices);
        var due = new Dictionary<int, List<CatalogHeader>>();
        foreach (var (id, since) in _liveSince.ToList())
        {
            if (!_view.Pushed.TryGetValue(id, out var header) || !_view.Keys.TryCatalogBucket(id, out var bucket))
            {
                _liveSince.Remove(id);
                continue;
            }
            var owned = self < 0 || bucket % owners.Count == self;
            if (owned ? bucket % PersistSlices != slice : now - since < takeover) continue;
            if (!owned) _log.Info("Catalog entry {0} has not reached its bucket {1} ms after it came; writing it", id, now - since);
            if (!due.TryGetValue(bucket, out var entries)) due[bucket] = entries = [];
            entries.Add(header);
            // Written once by this node; if the bucket still does not bring it, another holder's takeover writes it.
            _liveSince.Remove(id);
        }
        foreach (var (bucket, entries) in due)
        {
            _pump?.Touch();
            _replicator.Tell(Dsl.Update(_view.Keys.Catalog[bucket], CatalogBucket.Empty, WriteLocal.Instance,
                new PendingWrite(ActorRefs.Nobody, AwaitPeers: false), d => entries.Aggregate(d, (acc, header) => KeepAdmitted(acc, header))));
        }
    }

    /// <summary>
    /// Written unless the bucket already holds a header of the id that this node admits. A header this node does not
    /// admit (a forged certificate, a rewritten header) does not keep the genuine one out: it is another variant.
    /// </summary>
    private CatalogBucket KeepAdmitted(CatalogBucket bucket, CatalogHeader header) =>
        bucket.TryGetAdmitted(header.Id, _settings.Admission, out _) ? bucket : bucket.SetItem(_self, header);

    private void Recover(SharedHeaders recovered) => Recover(recovered.Headers ?? []);

    /// <summary>
    /// This node's latest shares, read back from the body store at start: the ones their buckets do not list are taken
    /// live as overdue, so this node writes them at the next persist (no other node may know them: this one crashed
    /// before they were written). One the admission refuses now is retried at each persist for a minute, since the
    /// validator registry may not have loaded its set yet.
    /// </summary>
    private void Recover(IReadOnlyList<CatalogHeader> headers)
    {
        var now = Environment.TickCount64;
        var overdue = now - (long)_settings.CatalogTakeoverAfter.TotalMilliseconds;
        foreach (var header in headers)
        {
            if (header is null || !_view.Keys.TryCatalogBucket(header.Id, out _)) continue;
            if (!_settings.Admission.Admit(header)) _recoveredUnadmitted.TryAdd(header.Id, (header, now + 60_000));
            else TakeLive([header], overdue);
        }
    }

    private void Write<T>(IKey<T> key, T initial, IWriteConsistency consistency, Func<T, T> modify)
        where T : IReplicatedData
    {
        _pump?.Touch();
        _replicator.Tell(Dsl.Update(key, initial, consistency, new PendingWrite(Sender, AwaitPeers: true), modify));
    }

    private void OnWritten(IKey key, object? request, bool timedOut)
    {
        if (request is PositionsFlush flush)
        {
            flush.Done();
            return;
        }
        if (request is StoredWrite stored)
        {
            _replicator.Tell(new Get(key, ReadLocal.Instance, new ReadBack(stored.ReplyTo, Replication.Local, true)));
            return;
        }
        if (request is not PendingWrite { AwaitPeers: true } pending)
        {
            if (timedOut) _log.Debug("Write to {0} not yet confirmed by all peers; gossip will carry it", key.Id);
            return;
        }
        _replicator.Tell(new Get(key, ReadLocal.Instance,
            new ReadBack([pending.ReplyTo], timedOut ? Replication.Pending : Replication.Confirmed, true)));
    }

    private void OnReadBack(GetSuccess success)
    {
        // A polled bucket that has not changed since the last read is the same object: nothing to apply.
        if (_polled.TryGetValue(success.Key.Id, out var last))
        {
            if (success.Request is null && ReferenceEquals(last, success.Data)) return;
            _polled[success.Key.Id] = success.Data;
        }
        Apply(success.Key.Id, success.Data);
        if (success.Request is CatchUpRead) _catchUp.Answered();
        else Reply(success.Request);
    }

    /// <summary>
    /// As this node comes up in a cluster with other members, it reads from one peer each catalog bucket it holds empty
    /// and every player bucket (positions, presence, inventories), a few at a time; the replicator merges what it reads
    /// into this node's replica (read repair). Gossip alone passes over every key a few at a time: a joiner had a
    /// 10,000-entry catalog only after 10–16 s, and the players' inventories and presence, which nothing pushes to it,
    /// came the same way (docs/benchmarks.md). Of the catalog, a node that restarts on its data folder reads only the
    /// buckets it holds empty, since they are large; the player buckets are few and small, and read whatever it holds.
    /// </summary>
    private void StartCatchUp()
    {
        if (!CatchUpReads.HasUpPeer(_cluster)) return;
        var emptyCatalog = Enumerable.Range(0, _view.Keys.Catalog.Count).Where(i => _view.Catalog[i].Count == 0).Select(i => _view.Keys.Catalog[i]);
        _catchUp.Start([.. _view.Keys.Inventories, .. _view.Keys.Presence, .. _view.Keys.Positions, .. emptyCatalog]);
    }

    private static void Reply(object? request)
    {
        if (request is not ReadBack rb) return;
        var result = new WriteResult(rb.Replication, rb.Applied);
        foreach (var replyTo in rb.ReplyTo) replyTo.Tell(result);
    }

    private void Fail(object? request, Exception cause)
    {
        // A full inventory is the caller's mistake, answered as such; it is not a fault of the node.
        if (cause is InventoryFullException) _log.Debug("State write refused: {0}", cause.Message);
        else _log.Warning("State write failed: {0}", cause.Message);
        if (request is PendingWrite { AwaitPeers: true } pending) pending.ReplyTo.Tell(new Status.Failure(cause));
        if (request is StoredWrite stored)
            foreach (var replyTo in stored.ReplyTo) replyTo.Tell(new Status.Failure(cause));
        // A stop waits for the write, not for its success: the failure is logged above.
        if (request is PositionsFlush flush) flush.Done();
    }

    private void Apply(string keyId, IReplicatedData data)
    {
        var (view, changes) = _view.Apply(keyId, data, collectChanges: _subscribers.Count > 0, notAfterMs: NowMs() + MaxPeerClockAheadMs);
        _view = view;
        Notify(changes);
    }

    private void Notify(IReadOnlyList<StateChange> changes)
    {
        foreach (var change in changes)
        foreach (var subscriber in _subscribers)
            subscriber.Tell(change);
    }
}
