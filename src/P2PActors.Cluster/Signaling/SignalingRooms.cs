using System.Threading.Channels;
using Akka;
using Akka.Actor;

namespace P2PActors.Cluster.Signaling;

/// <summary>
/// The signaling rooms as the rest of the node (the /ws handlers) sees them. <see cref="Connect"/> opens one page's
/// handle: its joins, leaves and signals go to the node's <see cref="SignalingRoomsActor"/>, and its pushes
/// (<see cref="PeerJoined"/>, <see cref="PeerLeft"/>, <see cref="SignalReceived"/>, <see cref="SignalUndelivered"/>)
/// arrive in order on <see cref="RoomPeerHandle.Pushes"/>. Disposing the handle leaves every room.
/// </summary>
public sealed class SignalingRooms
{
    private static readonly TimeSpan LocalAskTimeout = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system;

    private SignalingRooms(ActorSystem system, SignalingSettings settings, IActorRef actor)
    {
        _system = system;
        Settings = settings;
        Actor = actor;
    }

    public SignalingSettings Settings { get; }

    public IActorRef Actor { get; }

    /// <summary>Starts the rooms actor on this node (once per ActorSystem) and makes the node announce its departure before it leaves the cluster.</summary>
    public static SignalingRooms Start(ActorSystem system, SignalingSettings settings)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid signaling settings: " + string.Join("; ", problems), nameof(settings));
        var holder = system.WithExtension<SignalingRoomsHolder, SignalingRoomsHolderProvider>();
        lock (holder)
        {
            if (holder.Instance is not null) throw new InvalidOperationException("Signaling rooms are already started on this ActorSystem");
            var actor = system.ActorOf(SignalingRoomsActor.Props(settings), SignalingRoomsActor.Name);
            // Peers learn of a graceful leave from the cluster too, but only once the leave is gossiped; this tells them first.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "signaling-rooms-departure", async () =>
            {
                try
                {
                    await actor.Ask<Done>(AnnounceDeparture.Instance, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                {
                    // The rooms actor is gone already; peers drop our pages when the cluster reports the leave.
                }
                return Done.Instance;
            });
            holder.Instance = new SignalingRooms(system, settings, actor);
            return holder.Instance;
        }
    }

    public static SignalingRooms? TryGet(ActorSystem system) =>
        system.WithExtension<SignalingRoomsHolder, SignalingRoomsHolderProvider>().Instance;

    public static SignalingRooms For(ActorSystem system) =>
        TryGet(system) ?? throw new InvalidOperationException("Signaling rooms have not been started on this ActorSystem (WithSignaling)");

    /// <summary>
    /// Opens a page's membership handle. <paramref name="peerId"/> is the server-assigned id of the page
    /// (<see cref="RoomNames.NewPeerId"/> when null). Pushes queue up to <paramref name="capacity"/>; a page whose
    /// handle is not read past that gets its <see cref="RoomPeerHandle.Pushes"/> completed with
    /// <see cref="RoomPushOverflowException"/> (the caller then closes the connection) rather than lose a push silently.
    /// </summary>
    /// <exception cref="ArgumentException">The player id or peer id is malformed.</exception>
    public RoomPeerHandle Connect(string playerId, string? peerId = null, int capacity = 1024)
    {
        State.StateValidation.Require(State.StateValidation.PlayerId(playerId), nameof(playerId));
        peerId ??= RoomNames.NewPeerId();
        State.StateValidation.Require(RoomNames.CheckPeerId(peerId), nameof(peerId));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var channel = Channel.CreateBounded<IRoomPush>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var forwarder = _system.ActorOf(Props.Create(() => new PushForwarder(channel.Writer)));
        return new RoomPeerHandle(this, peerId, playerId, forwarder, channel.Reader);
    }

    internal Task<JoinReply> JoinAsync(RoomPeerHandle peer, string room, CancellationToken ct) =>
        Actor.Ask<JoinReply>(new JoinRoom(room, peer.PeerId, peer.PlayerId, peer.Subscriber), LocalAskTimeout, ct);

    internal Task<RoomLeft> LeaveAsync(RoomPeerHandle peer, string room, CancellationToken ct) =>
        Actor.Ask<RoomLeft>(new LeaveRoom(room, peer.PeerId), LocalAskTimeout, ct);

    internal Task<SignalReply> SignalAsync(RoomPeerHandle peer, string to, string data, CancellationToken ct) =>
        Actor.Ask<SignalReply>(new SendSignal(peer.PeerId, to, data), LocalAskTimeout, ct);

    internal void Close(IActorRef forwarder) => _system.Stop(forwarder);

    /// <summary>The subscriber of one page: writes its pushes to the page's channel.</summary>
    private sealed class PushForwarder(ChannelWriter<IRoomPush> writer) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is IRoomPush push && !writer.TryWrite(push))
                writer.TryComplete(new RoomPushOverflowException());
        }

        protected override void PostStop() => writer.TryComplete();
    }
}

/// <summary>One page's membership in the signaling rooms. Dispose it when the page disconnects.</summary>
public sealed class RoomPeerHandle : IDisposable
{
    private readonly SignalingRooms _rooms;
    private int _disposed;

    internal RoomPeerHandle(SignalingRooms rooms, string peerId, string playerId, IActorRef subscriber, ChannelReader<IRoomPush> pushes)
    {
        _rooms = rooms;
        PeerId = peerId;
        PlayerId = playerId;
        Subscriber = subscriber;
        Pushes = pushes;
    }

    public string PeerId { get; }

    public string PlayerId { get; }

    public ChannelReader<IRoomPush> Pushes { get; }

    internal IActorRef Subscriber { get; }

    /// <summary><see cref="RoomJoined"/> with the other peers, or <see cref="RoomJoinRefused"/> (<c>room-full</c>, <c>invalid</c>).</summary>
    public Task<JoinReply> JoinAsync(string room, CancellationToken ct = default) => _rooms.JoinAsync(this, room, ct);

    public Task<RoomLeft> LeaveAsync(string room, CancellationToken ct = default) => _rooms.LeaveAsync(this, room, ct);

    /// <summary>
    /// <see cref="SignalSent"/> once handed to the target's node, or <see cref="SignalRefused"/> (<c>peer-unknown</c>,
    /// <c>invalid</c>). A target that left while the signal travelled comes back as a <see cref="SignalUndelivered"/> push.
    /// </summary>
    public Task<SignalReply> SignalAsync(string to, string data, CancellationToken ct = default) => _rooms.SignalAsync(this, to, data, ct);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _rooms.Close(Subscriber);
    }
}

public sealed class RoomPushOverflowException() : Exception("The page did not read its room pushes; its queue is full.");

internal sealed class SignalingRoomsHolder : IExtension
{
    public SignalingRooms? Instance { get; set; }
}

internal sealed class SignalingRoomsHolderProvider : ExtensionIdProvider<SignalingRoomsHolder>
{
    public override SignalingRoomsHolder CreateExtension(ExtendedActorSystem system) => new();
}
