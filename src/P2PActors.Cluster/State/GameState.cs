using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Replicas;
using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;
using static P2PActors.Cluster.State.GameStateProtocol;

namespace P2PActors.Cluster.State;

/// <summary>
/// The shared game state as the rest of the node sees it: one async method per endpoint. Every method validates
/// its input (throwing <see cref="ArgumentException"/> with a message fit for a 400) before anything is written.
/// </summary>
public sealed class GameState
{
    private static readonly TimeSpan LocalAskTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a graceful stop waits for the pending positions to be stored (Akka's phase timeout is 5 s).</summary>
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(3);

    private readonly ActorSystem _system;

    private readonly RefutedVariants _refuted;

    private GameState(ActorSystem system, GameStateSettings settings, IActorRef actor, IActorRef bodies, RefutedVariants refuted)
    {
        _system = system;
        _refuted = refuted;
        Settings = settings;
        Actor = actor;
        Bodies = bodies;
    }

    public GameStateSettings Settings { get; }

    /// <summary>The <see cref="GameStateActor"/>, for actors that want to talk to it directly.</summary>
    public IActorRef Actor { get; }

    public IActorRef Bodies { get; }

    /// <summary>Catalog variants dropped from peers' buckets since start because this node refutes them (<see cref="ICatalogAdmission.Refutes"/>).</summary>
    public long RefutedVariantsDropped => _refuted.Dropped;

    /// <summary>
    /// Starts the state actors on this node. The ActorSystem must have been created with
    /// <see cref="GameStateSettings.ToHocon"/> in its configuration (the replicator reads it once, at start).
    /// </summary>
    public static GameState Start(ActorSystem system, GameStateSettings settings)
    {
        var holder = system.WithExtension<GameStateHolder, GameStateHolderProvider>();
        lock (holder)
        {
            if (holder.Instance is not null) throw new InvalidOperationException("GameState is already started on this ActorSystem");
            // A peer's catalog bucket (delta or whole) loses the variants this node refutes before the replicator merges
            // it: a Byzantine writer's forgeries then cost this node one refused look each, not a place in its buckets,
            // its disk and every gossip round's digests and exchanges (docs/benchmarks.md, "Refuted variants dropped as they arrive").
            var refuted = new RefutedVariants(settings.Admission);
            InboundFilter.For(system).Set(refuted.Filter);
            var replicator = DistributedData.Get(system).Replicator;
            var bodies = system.ActorOf(ContentBodyActor.Props(settings.DataDirectory), ContentBodyActor.Name);
            var pump = settings.FastNotifyInterval is { } interval
                ? NotificationPump.Start(system, replicator, interval, settings.FastNotifyActiveWindow)
                : null;
            var actor = system.ActorOf(GameStateActor.Props(settings, replicator, pump, bodies), GameStateActor.Name);
            var keys = settings.CreateKeys();
            HeldKeys.CreateMissing(system, replicator, [
                .. HeldKeys.Of(keys.Catalog, CatalogBucket.Empty),
                .. HeldKeys.Of(keys.Positions, LWWDictionary<string, PlayerPosition>.Empty),
                .. HeldKeys.Of(keys.Presence, LWWDictionary<string, PresenceEntry>.Empty),
                .. HeldKeys.Of(keys.Inventories, InventoryBucket.Empty),
            ]);
            // Busy position buckets are written once per PositionPersistInterval; a graceful stop writes what is pending
            // first, so only a crash loses movement.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "game-state-positions", async () =>
            {
                var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                actor.Tell(new FlushPositions(stored));
                try
                {
                    await stored.Task.WaitAsync(ShutdownFlushTimeout).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    system.Log.Warning("The positions pending at shutdown were not stored within {0}", ShutdownFlushTimeout);
                }
                return Akka.Done.Instance;
            });
            holder.Instance = new GameState(system, settings, actor, bodies, refuted);
            return holder.Instance;
        }
    }

    /// <summary>The node's game state, or null when <see cref="Start"/> has not run on this ActorSystem.</summary>
    public static GameState? TryGet(ActorSystem system) =>
        system.WithExtension<GameStateHolder, GameStateHolderProvider>().Instance;

    public static GameState For(ActorSystem system) =>
        system.WithExtension<GameStateHolder, GameStateHolderProvider>().Instance
        ?? throw new InvalidOperationException("GameState has not been started on this ActorSystem (WithGameState)");

    public Task<WriteResult> UpdatePositionAsync(string playerId, string zone, double x, double y, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        StateValidation.Require(StateValidation.Zone(zone), nameof(zone));
        StateValidation.Require(StateValidation.Coordinates(x, y), nameof(x));
        return Actor.Ask<WriteResult>(new UpdatePosition(playerId, zone, x, y), LocalAskTimeout, ct);
    }

    /// <summary>Takes the player off the map they stand in; <see cref="WriteResult.Applied"/> is false when they stood on none.</summary>
    public Task<WriteResult> LeaveZoneAsync(string playerId, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        return Actor.Ask<WriteResult>(new LeaveZone(playerId), LocalAskTimeout, ct);
    }

    public Task<WriteResult> HeartbeatAsync(string playerId, string zone, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        StateValidation.Require(StateValidation.Zone(zone), nameof(zone));
        return Actor.Ask<WriteResult>(new Heartbeat(playerId, zone), LocalAskTimeout, ct);
    }

    /// <summary>
    /// Keeps players connected to this node online (a heartbeat each, in the zone of their position); fire and forget,
    /// since a page's session repeats it well within <see cref="GameStateSettings.PresenceTimeout"/>.
    /// </summary>
    public void KeepOnline(IReadOnlyList<string> playerIds)
    {
        foreach (var playerId in playerIds) StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerIds));
        Actor.Tell(new KeepOnline(playerIds));
    }

    public Task<WriteResult> AddItemAsync(string playerId, string itemId, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        StateValidation.Require(StateValidation.ItemId(itemId), nameof(itemId));
        return Actor.Ask<WriteResult>(new AddItem(playerId, itemId), LocalAskTimeout, ct);
    }

    public Task<WriteResult> RemoveItemAsync(string playerId, string itemId, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        StateValidation.Require(StateValidation.ItemId(itemId), nameof(itemId));
        return Actor.Ask<WriteResult>(new RemoveItem(playerId, itemId), LocalAskTimeout, ct);
    }

    /// <summary>
    /// Shares content with every peer: its body stays in this node's store (peers fetch it on demand) and its
    /// header is stored with it, sent to every peer and answered once a majority holds it; the replicated catalog
    /// bucket is written in a batch within <see cref="GameStateSettings.CatalogPersistInterval"/>.
    /// </summary>
    public async Task<WriteResult> ShareAsync(GameContent content, string author, CancellationToken ct = default) =>
        await ShareAsync(content, author, certificate: null, ct).ConfigureAwait(false);

    /// <summary>
    /// Shares content together with the proof of its acceptance, created now; a node whose admission checks
    /// certificates refuses (with an <see cref="ArgumentException"/>) to share content whose certificate it cannot
    /// verify — and a certificate binds the header it was voted for, so certified content is shared with
    /// <see cref="ShareAsync(GameContent, string, long, CatalogProof?, CancellationToken)"/> under the created
    /// time the validators signed (<c>ConsensusClient.ShareAsync</c> does that, with the certificate as the proof).
    /// </summary>
    public Task<WriteResult> ShareAsync(GameContent content, string author, CatalogProof? certificate, CancellationToken ct = default) =>
        ShareAsync(content, author, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), certificate, ct);

    /// <summary>The address this node names as holder in the catalog headers it shares.</summary>
    public string HolderAddress => Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>
    /// Shares content under the header (<paramref name="author"/>, <paramref name="createdMs"/>, this node as holder,
    /// type and name from the content) together with <paramref name="certificate"/>; refused as above when this node's
    /// admission does not admit the header with it.
    /// </summary>
    public async Task<WriteResult> ShareAsync(GameContent content, string author, long createdMs, CatalogProof? certificate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        StateValidation.Require(StateValidation.CatalogId(content.Id), nameof(content));
        if (!ContentJson.HasValidId(content))
            throw new ArgumentException($"content id {content.Id} does not match the content's canonical JSON", nameof(content));
        StateValidation.Require(StateValidation.Author(author), nameof(author));
        var json = ContentJson.Serialize(content);
        var header = new CatalogHeader(content.Id!, content.Type, content.DisplayName, author, createdMs, HolderAddress, certificate);
        // The header is kept only when it will be shared: recovery after a crash must not bring back a refused one.
        var admitted = Settings.Admission.Admit(header);
        await Bodies.Ask<ContentBodyStored>(new StoreContentBody(content.Id!, json, admitted ? header : null), LocalAskTimeout, ct).ConfigureAwait(false);
        return await Actor.Ask<WriteResult>(new ShareEntry(header), LocalAskTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>Most players one snapshot page lists: each carries its whole inventory, so a page stays bounded.</summary>
    public const int MaxSnapshotTake = 200;

    /// <summary>The first <see cref="MaxSnapshotTake"/> players online, the counts and the catalog size.</summary>
    public Task<StateSnapshot> GetSnapshotAsync(CancellationToken ct = default) => GetSnapshotAsync(0, MaxSnapshotTake, ct);

    /// <summary>A page of the players online, ordered by player id.</summary>
    public Task<StateSnapshot> GetSnapshotAsync(int skip, int take, CancellationToken ct = default)
    {
        if (skip < 0) throw new ArgumentException("skip must not be negative", nameof(skip));
        if (take is < 1 or > MaxSnapshotTake) throw new ArgumentException($"take must be between 1 and {MaxSnapshotTake}", nameof(take));
        return ReadViewAsync((view, nowMs) => view.Snapshot(nowMs, Settings.PresenceTimeout, skip, take), ct);
    }

    /// <summary>Runs a query over the actor's current view on the caller's thread (see <see cref="ReadView"/>).</summary>
    private async Task<T> ReadViewAsync<T>(Func<GameStateView, long, T> query, CancellationToken ct)
    {
        var read = await Actor.Ask<ViewRead>(ReadView.Instance, LocalAskTimeout, ct).ConfigureAwait(false);
        return query(read.View, read.NowMs);
    }

    public async Task<PlayerView?> GetPlayerAsync(string playerId, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.PlayerId(playerId), nameof(playerId));
        return await ReadViewAsync((view, nowMs) => view.Player(playerId, nowMs, Settings.PresenceTimeout), ct).ConfigureAwait(false);
    }

    /// <summary>The players online standing in <paramref name="zone"/>, ordered by id, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<PositionEntry>> GetZoneAsync(string zone, int max, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.Zone(zone), nameof(zone));
        if (max < 1) throw new ArgumentException("max must be at least 1", nameof(max));
        return await ReadViewAsync((view, nowMs) => view.InZone(zone, nowMs, Settings.PresenceTimeout, max), ct).ConfigureAwait(false);
    }

    public Task<CatalogPage> ListCatalogAsync(ContentType? type, int skip, int take, CancellationToken ct = default)
    {
        if (skip < 0) throw new ArgumentException("skip must not be negative", nameof(skip));
        if (take is < 1 or > 1000) throw new ArgumentException("take must be between 1 and 1000", nameof(take));
        return ReadViewAsync((view, _) => view.ListCatalog(type, skip, take), ct);
    }

    public async Task<CatalogHeader?> FindCatalogEntryAsync(string id, CancellationToken ct = default)
    {
        StateValidation.Require(StateValidation.CatalogId(id), nameof(id));
        return await ReadViewAsync((view, _) => view.FindCatalogEntry(id), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The full content of a catalog entry, from this node's store or else from a peer that holds it (the
    /// original holder first, then every member at once). Bodies from peers are verified against the id and
    /// kept locally. Null when the id is not an admitted catalog entry.
    /// </summary>
    /// <exception cref="ContentStoreException">This node's store could not be read and no peer served the body.</exception>
    /// <exception cref="ContentUnavailableException">The entry is listed, but no reachable member served a valid body.</exception>
    public async Task<GameContent?> GetContentAsync(string id, CancellationToken ct = default)
    {
        var header = await FindCatalogEntryAsync(id, ct).ConfigureAwait(false);
        if (header is null) return null;
        // A store that cannot be read is no reason not to serve a body a peer holds; it is reported only if none does.
        ContentStoreException? unreadable = null;
        try
        {
            if (await Bodies.Ask<object>(new FetchContentBody(id), LocalAskTimeout, ct).ConfigureAwait(false) is ContentBodyFound found
                && ContentBodyActor.Verify(id, found.Json) is { } stored)
                return stored;
        }
        catch (ContentStoreException failed)
        {
            // The store's Status.Failure: the ask throws its cause.
            unreadable = failed;
        }
        var fetched = await FetchFromPeersAsync(header, id, ct).ConfigureAwait(false);
        if (fetched is null)
        {
            // A caller that gave up is not told the content is unavailable (the peers' asks were cancelled, not unanswered).
            ct.ThrowIfCancellationRequested();
            if (unreadable is not null) throw unreadable;
            // Listed, so it exists: saying it does not would send a reader away from content that is back once its
            // holder is.
            throw new ContentUnavailableException(
                $"Content '{id}' is in the catalog, but no reachable member served its body in time (its holder: {header.Holder}).");
        }
        try
        {
            await Bodies.Ask<ContentBodyStored>(new StoreContentBody(id, fetched.Value.Json), LocalAskTimeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or ContentStoreException or AskTimeoutException)
        {
            // Served all the same; the store logged why, and the next read asks a peer again.
        }
        return fetched.Value.Content;
    }

    /// <summary>The body from the entry's holder first, then from every other member at once; verified against the id.</summary>
    private async Task<(GameContent Content, string Json)?> FetchFromPeersAsync(CatalogHeader header, string id, CancellationToken ct)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var self = cluster.SelfAddress.ToString();
        var peers = cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && m.Address.ToString() != self)
            .Select(m => m.Address.ToString())
            .ToList();
        if (peers.Remove(header.Holder)) peers.Insert(0, header.Holder);
        if (peers.Count == 0) return null;

        return await AskFirst([peers[0]], id, ct).ConfigureAwait(false)
               ?? (peers.Count > 1 ? await AskFirst(peers.Skip(1).ToList(), id, ct).ConfigureAwait(false) : null);
    }

    /// <summary>Registers a change listener; changes arrive in order on <see cref="ChangeSubscription.Changes"/>.</summary>
    public async Task<ChangeSubscription> SubscribeAsync(int capacity = 10_000, CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<StateChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forwarder = _system.ActorOf(Props.Create(() => new ChangeForwarder(channel.Writer, ready)));
        Actor.Tell(new GameStateProtocol.Subscribe(forwarder));
        try
        {
            await ready.Task.WaitAsync(LocalAskTimeout, ct).ConfigureAwait(false);
        }
        catch
        {
            // Nobody will read or dispose this subscription: without this, the forwarder stayed subscribed to every change.
            Actor.Tell(new GameStateProtocol.Unsubscribe(forwarder));
            _system.Stop(forwarder);
            throw;
        }
        return new ChangeSubscription(channel.Reader, () =>
        {
            Actor.Tell(new GameStateProtocol.Unsubscribe(forwarder));
            _system.Stop(forwarder);
        });
    }

    private async Task<(GameContent Content, string Json)?> AskFirst(IReadOnlyList<string> addresses, string id, CancellationToken ct)
    {
        var pending = addresses
            .Select(a => _system.ActorSelection($"{a}/user/{ContentBodyActor.Name}")
                .Ask<object>(new FetchContentBody(id), Settings.BodyFetchTimeout, ct))
            .ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully && done.Result is ContentBodyFound body && ContentBodyActor.Verify(id, body.Json) is { } content)
                return (content, body.Json);
        }
        return null;
    }

    private sealed class ChangeForwarder : ReceiveActor
    {
        private readonly ChannelWriter<StateChange> _writer;

        public ChangeForwarder(ChannelWriter<StateChange> writer, TaskCompletionSource ready)
        {
            _writer = writer;
            Receive<Subscribed>(_ => ready.TrySetResult());
            Receive<StateChange>(change => writer.TryWrite(change));
        }

        /// <summary>A reader still waiting on the channel ends instead of hanging once the subscription is gone.</summary>
        protected override void PostStop() => _writer.TryComplete();
    }
}

public sealed class ChangeSubscription(ChannelReader<StateChange> changes, Action stop) : IDisposable
{
    private int _disposed;

    public ChannelReader<StateChange> Changes { get; } = changes;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) stop();
    }
}

internal sealed class GameStateHolder : IExtension
{
    public GameState? Instance { get; set; }
}

internal sealed class GameStateHolderProvider : ExtensionIdProvider<GameStateHolder>
{
    public override GameStateHolder CreateExtension(ExtendedActorSystem system) => new();
}
