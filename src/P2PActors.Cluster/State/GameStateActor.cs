using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using static P2PActors.Cluster.State.GameStateProtocol;

namespace P2PActors.Cluster.State;

/// <summary>
/// The node's single entry point to the shared game state: turns commands into replicator updates with the
/// consistency chosen per data type, keeps a <see cref="GameStateView"/> current from replicator notifications,
/// answers queries from it and fans changes out to subscribers.
/// A write is answered only after the written key has been read back into the view, so a caller always reads its
/// own write from this node.
/// </summary>
public sealed class GameStateActor : ReceiveActor
{
    public const string Name = "p2p-game-state";

    private sealed record PendingWrite(IActorRef ReplyTo, bool AwaitPeers);

    private sealed record ReadBack(IActorRef? ReplyTo, Replication Replication, bool Applied);

    private readonly GameStateSettings _settings;
    private readonly IActorRef _replicator;
    private readonly UniqueAddress _self;
    private readonly string _selfAddress;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IWriteConsistency _positionWrite;
    private readonly IWriteConsistency _majorityWrite;
    private readonly Clock<PlayerPosition> _positionClock = (current, value) => Math.Max(current + 1, value.UpdatedAtMs);
    private GameStateView _view;

    public GameStateActor(GameStateSettings settings, IActorRef replicator)
    {
        _settings = settings;
        _replicator = replicator;
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        _self = cluster.SelfUniqueAddress;
        _selfAddress = cluster.SelfAddress.ToString();
        _view = GameStateView.Empty(settings.CreateKeys(), settings.Admission);
        _positionWrite = settings.PositionsWriteToAll ? new WriteAll(settings.PositionWriteTimeout) : WriteLocal.Instance;
        _majorityWrite = new WriteMajority(settings.MajorityWriteTimeout);

        Receive<UpdatePosition>(Handle);
        Receive<Heartbeat>(Handle);
        Receive<AddItem>(Handle);
        Receive<RemoveItem>(Handle);
        Receive<ShareEntry>(Handle);
        Receive<GetSnapshot>(_ => Sender.Tell(_view.Snapshot(NowMs(), _settings.PresenceTimeout)));
        Receive<GetPlayer>(q => Sender.Tell(new PlayerResult(_view.Player(q.PlayerId, NowMs(), _settings.PresenceTimeout))));
        Receive<ListCatalog>(q => Sender.Tell(_view.ListCatalog(q.Type, q.Skip, q.Take)));
        Receive<FindEntry>(q => Sender.Tell(new EntryResult(_view.FindCatalogEntry(q.Id))));
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
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));

        Receive<Changed>(c => Apply(c.Key.Id, (IReplicatedData)c.Data));
        Receive<GetSuccess>(OnReadBack);
        Receive<NotFound>(n => Reply(n.Request));
        Receive<UpdateSuccess>(u => OnWritten(u.Key, u.Request, timedOut: false));
        Receive<UpdateTimeout>(u => OnWritten(u.Key, u.Request, timedOut: true));
        Receive<ModifyFailure>(f => Fail(f.Request, f.Cause));
        Receive<StoreFailure>(f => Fail(f.Request, new IOException("the durable store could not save the write")));
        Receive<DataDeleted>(d => Fail(d.Request, new InvalidOperationException($"key {d.Key.Id} was deleted")));
    }

    public static Props Props(GameStateSettings settings, IActorRef replicator) =>
        Akka.Actor.Props.Create(() => new GameStateActor(settings, replicator));

    protected override void PreStart()
    {
        foreach (var key in _view.Keys.All())
            _replicator.Tell(new Akka.DistributedData.Subscribe(key, Self));
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Handle(UpdatePosition cmd)
    {
        var value = new PlayerPosition(cmd.Zone, cmd.X, cmd.Y, NowMs());
        Write(_view.Keys.PositionKey(cmd.PlayerId), LWWDictionary<string, PlayerPosition>.Empty, _positionWrite, awaitPeers: false,
            d => d.SetItem(_self, cmd.PlayerId, value, _positionClock));
    }

    private void Handle(Heartbeat cmd)
    {
        var value = new PresenceEntry(cmd.Zone, NowMs(), _selfAddress);
        Write(_view.Keys.PresenceKey(cmd.PlayerId), LWWDictionary<string, PresenceEntry>.Empty, WriteLocal.Instance, awaitPeers: false,
            d => d.SetItem(_self, cmd.PlayerId, value));
    }

    private void Handle(AddItem cmd) =>
        Write(_view.Keys.InventoryKey(cmd.PlayerId), ORDictionary<string, ORSet<string>>.Empty, _majorityWrite, awaitPeers: true,
            d => d.AddOrUpdate(_self, cmd.PlayerId, ORSet<string>.Empty, set => set.Add(_self, cmd.ItemId)));

    private void Handle(RemoveItem cmd)
    {
        var player = _view.Player(cmd.PlayerId, NowMs(), _settings.PresenceTimeout);
        if (player is null || !player.Inventory.Contains(cmd.ItemId))
        {
            Sender.Tell(new WriteResult(Replication.Local, Applied: false));
            return;
        }
        Write(_view.Keys.InventoryKey(cmd.PlayerId), ORDictionary<string, ORSet<string>>.Empty, _majorityWrite, awaitPeers: true,
            d => d.TryGetValue(cmd.PlayerId, out var set) && set.Contains(cmd.ItemId)
                ? d.AddOrUpdate(_self, cmd.PlayerId, ORSet<string>.Empty, s => s.Remove(_self, cmd.ItemId))
                : d);
    }

    private void Handle(ShareEntry cmd)
    {
        if (!_settings.Admission.Admit(cmd.Header))
        {
            Sender.Tell(new Status.Failure(new ArgumentException($"catalog entry {cmd.Header.Id} was not admitted")));
            return;
        }
        Write(_view.Keys.CatalogKey(cmd.Header.Id), LWWDictionary<string, CatalogHeader>.Empty, _majorityWrite, awaitPeers: true,
            d => d.ContainsKey(cmd.Header.Id) ? d : d.SetItem(_self, cmd.Header.Id, cmd.Header));
    }

    private void Write<T>(IKey<T> key, T initial, IWriteConsistency consistency, bool awaitPeers, Func<T, T> modify)
        where T : IReplicatedData
    {
        _replicator.Tell(Dsl.Update(key, initial, consistency, new PendingWrite(Sender, awaitPeers), modify));
        // Fire-and-forget writes answer as soon as the local replica has them: the replicator handles the
        // Update before this Get, so the read-back contains the write.
        if (!awaitPeers) _replicator.Tell(Dsl.Get(key, ReadLocal.Instance, new ReadBack(Sender, Replication.Local, true)));
    }

    private void OnWritten(IKey key, object? request, bool timedOut)
    {
        if (request is not PendingWrite { AwaitPeers: true } pending)
        {
            if (timedOut) _log.Debug("Write to {0} not yet confirmed by all peers; gossip will carry it", key.Id);
            return;
        }
        _replicator.Tell(new Get(key, ReadLocal.Instance,
            new ReadBack(pending.ReplyTo, timedOut ? Replication.Pending : Replication.Confirmed, true)));
    }

    private void OnReadBack(GetSuccess success)
    {
        Apply(success.Key.Id, success.Data);
        Reply(success.Request);
    }

    private static void Reply(object? request)
    {
        if (request is ReadBack { ReplyTo: { } replyTo } rb) replyTo.Tell(new WriteResult(rb.Replication, rb.Applied));
    }

    private void Fail(object? request, Exception cause)
    {
        _log.Warning("State write failed: {0}", cause.Message);
        if (request is PendingWrite pending) pending.ReplyTo.Tell(new Status.Failure(cause));
    }

    private void Apply(string keyId, IReplicatedData data)
    {
        var (view, changes) = _view.Apply(keyId, data, collectChanges: _subscribers.Count > 0);
        _view = view;
        foreach (var change in changes)
        foreach (var subscriber in _subscribers)
            subscriber.Tell(change);
    }
}
