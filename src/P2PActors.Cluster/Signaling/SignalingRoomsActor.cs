using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace P2PActors.Cluster.Signaling;

/// <summary>
/// The node's WebRTC signaling rooms at <c>/user/signaling-rooms</c>. Each node is the only authority on its own pages:
/// it admits their joins, announces every membership change to the same actor on every other member
/// (<see cref="RoomsDelta"/>, plus a full <see cref="RoomsSnapshot"/> to a member that comes up or becomes reachable,
/// and every <see cref="SignalingSettings.SyncInterval"/>), and delivers signals to them. Everything a peer node says
/// is bounded and checked: it can only announce pages as its own, and only relay signals from its own pages to peers
/// that share a room with them. A member that leaves, is removed or becomes unreachable loses all its pages at once
/// (<see cref="PeerLeft"/> to every local page in their rooms).
/// </summary>
public sealed class SignalingRoomsActor : ReceiveActor, IWithTimers
{
    public const string Name = "signaling-rooms";

    private sealed record SyncTick
    {
        public static readonly SyncTick Instance = new();
    }

    private readonly SignalingSettings _settings;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly string _self;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _peerOf = [];
    /// <summary>Other members that are Up and reachable: the only nodes we announce to and accept announcements from.</summary>
    private readonly Dictionary<string, ActorSelection> _live = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);
    private RoomsState _state = RoomsState.Empty;
    /// <summary>Set once the node announced its departure: from then on it tells peers nothing that would bring its pages back.</summary>
    private bool _departed;

    public SignalingRoomsActor(SignalingSettings settings)
    {
        _settings = settings;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _self = _cluster.SelfAddress.ToString();

        Receive<JoinRoom>(Handle);
        Receive<LeaveRoom>(Handle);
        Receive<SendSignal>(Handle);
        Receive<GetRooms>(_ => Sender.Tell(_state));
        Receive<AnnounceDeparture>(_ =>
        {
            // The node is about to leave: its pages are gone for everyone else now, not when the leave is gossiped.
            Broadcast(new RoomsSnapshot([], ReplyWanted: false));
            _departed = true;
            Sender.Tell(Done.Instance);
        });
        Receive<Terminated>(t =>
        {
            if (_peerOf.Remove(t.ActorRef, out var peerId))
            {
                _subscribers.Remove(peerId);
                var (state, changes) = _state.LeaveAll(peerId);
                Commit(state, changes, announce: true);
            }
        });

        Receive<RoomsSnapshot>(Handle);
        Receive<RoomsDelta>(Handle);
        Receive<RelaySignal>(Handle);
        Receive<SignalBounced>(Handle);

        Receive<ClusterEvent.MemberUp>(e => MemberAvailable(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => MemberAvailable(e.Member));
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.Address.ToString());
            if (e.Member.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
                MemberAvailable(e.Member);
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address.ToString());
            MemberGone(e.Member, "unreachable");
        });
        Receive<ClusterEvent.MemberLeft>(e => MemberGone(e.Member, "leaving"));
        Receive<ClusterEvent.MemberExited>(e => MemberGone(e.Member, "exited"));
        Receive<ClusterEvent.MemberDowned>(e => MemberGone(e.Member, "downed"));
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            _unreachable.Remove(e.Member.Address.ToString());
            MemberGone(e.Member, "removed");
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<SyncTick>(_ => Broadcast(Snapshot(replyWanted: false)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SignalingSettings settings) => Akka.Actor.Props.Create(() => new SignalingRoomsActor(settings));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(SyncTick.Instance, SyncTick.Instance, _settings.SyncInterval);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    // ---- local pages ----

    private void Handle(JoinRoom join)
    {
        var problem = RoomNames.CheckRoom(join.Room) ?? RoomNames.CheckPeerId(join.PeerId) ?? State.StateValidation.PlayerId(join.PlayerId);
        if (problem is null && (join.Subscriber is null || join.Subscriber.Equals(ActorRefs.Nobody)))
            problem = "no subscriber for the room's pushes";
        if (problem is null && _subscribers.TryGetValue(join.PeerId, out var holder) && !holder.Equals(join.Subscriber))
            problem = "peer id is held by another connection";
        if (problem is not null)
        {
            Sender.Tell(new RoomJoinRefused(join.Room ?? "", RoomErrors.Invalid, problem));
            return;
        }
        var (state, verdict, change) = _state.Join(join.Room, new RoomPeer(join.PeerId, join.PlayerId, _self), _settings.MaxRoomSize, _settings.MaxRoomsPerPeer);
        switch (verdict)
        {
            case RoomsState.JoinVerdict.Full:
                Sender.Tell(new RoomJoinRefused(join.Room, RoomErrors.RoomFull, $"room '{join.Room}' already holds {_settings.MaxRoomSize} peers"));
                return;
            case RoomsState.JoinVerdict.TooManyRooms:
                Sender.Tell(new RoomJoinRefused(join.Room, RoomErrors.Invalid, $"a peer may be in at most {_settings.MaxRoomsPerPeer} rooms"));
                return;
            case RoomsState.JoinVerdict.IdTaken:
                Sender.Tell(new RoomJoinRefused(join.Room, RoomErrors.Invalid, "peer id is already in use"));
                return;
        }
        if (!_subscribers.ContainsKey(join.PeerId))
        {
            _subscribers[join.PeerId] = join.Subscriber!;
            _peerOf[join.Subscriber!] = join.PeerId;
            Context.Watch(join.Subscriber!);
        }
        if (change is not null)
            Commit(state, [change], announce: true);
        Sender.Tell(new RoomJoined(join.Room, join.PeerId, _state.PeersIn(join.Room).Where(p => p.PeerId != join.PeerId).ToList()));
    }

    private void Handle(LeaveRoom leave)
    {
        if (leave.Room is null || leave.PeerId is null || !_subscribers.ContainsKey(leave.PeerId))
        {
            Sender.Tell(new RoomLeft(leave.Room ?? "", false));
            return;
        }
        var (state, change) = _state.Leave(leave.Room, leave.PeerId);
        if (change is not null)
            Commit(state, [change], announce: true);
        Sender.Tell(new RoomLeft(leave.Room, change is not null));
    }

    private void Handle(SendSignal signal)
    {
        var problem = RoomNames.CheckPeerId(signal.ToPeer) is { } bad ? "to: " + bad
            : signal.Data is null ? "data is required"
            : signal.Data.Length > _settings.MaxSignalChars ? $"data is longer than {_settings.MaxSignalChars} characters"
            : null;
        if (problem is not null || signal.Data is null)
        {
            Sender.Tell(new SignalRefused(signal.ToPeer ?? "", RoomErrors.Invalid, problem ?? "data is required"));
            return;
        }
        // The sender must be a page of this node, in a room with the target: anything else is "unknown" to it.
        if (signal.FromPeer is null || !_subscribers.ContainsKey(signal.FromPeer)
            || _state.Find(signal.ToPeer) is not { } target || !_state.ShareRoom(signal.FromPeer, signal.ToPeer))
        {
            Sender.Tell(new SignalRefused(signal.ToPeer, RoomErrors.PeerUnknown, $"no peer '{signal.ToPeer}' in any of your rooms"));
            return;
        }
        if (target.Node == _self)
            Push(target.PeerId, new SignalReceived(signal.FromPeer, signal.Data));
        else if (_live.TryGetValue(target.Node, out var node))
            node.Tell(new RelaySignal(signal.FromPeer, signal.ToPeer, signal.Data), Self);
        else
        {
            Sender.Tell(new SignalRefused(signal.ToPeer, RoomErrors.PeerUnknown, $"peer '{signal.ToPeer}' is on a node that is not reachable"));
            return;
        }
        Sender.Tell(new SignalSent(signal.ToPeer));
    }

    // ---- peer nodes ----

    /// <summary>The announcing node, or null when the message is not from a live peer node (then it is ignored).</summary>
    private string? SenderNode()
    {
        if (Sender.Path.Address.HasLocalScope) return null;
        var node = Sender.Path.Address.ToString();
        return _live.ContainsKey(node) ? node : null;
    }

    private void Handle(RoomsSnapshot snapshot)
    {
        if (SenderNode() is not { } node) return;
        var entries = RoomEntries.WellFormed(snapshot.Entries, _settings.MaxEntriesPerNode);
        var (state, changes) = _state.Replace(node, entries, _settings.MaxEntriesPerNode, RoomLimit, _settings.MaxRoomsPerPeer);
        Commit(state, changes, announce: false);
        if (snapshot.ReplyWanted)
            Sender.Tell(Snapshot(replyWanted: false), Self);
    }

    private void Handle(RoomsDelta delta)
    {
        if (SenderNode() is not { } node) return;
        var joined = RoomEntries.WellFormed(delta.Joined, _settings.MaxEntriesPerNode);
        var left = RoomEntries.WellFormed(delta.Left, _settings.MaxEntriesPerNode);
        var (state, changes) = _state.ApplyDelta(node, joined, left, _settings.MaxEntriesPerNode, RoomLimit, _settings.MaxRoomsPerPeer);
        Commit(state, changes, announce: false);
    }

    private void Handle(RelaySignal relay)
    {
        if (SenderNode() is not { } node) return;
        if (RoomNames.CheckPeerId(relay.From) is not null || RoomNames.CheckPeerId(relay.To) is not null
            || relay.Data is null || relay.Data.Length > _settings.MaxSignalChars)
        {
            _log.Warning("Ignored a malformed signal relayed by {0}", node);
            return;
        }
        // Only the node that owns the sending page may speak for it, and only to a page of ours in one of its rooms.
        if (_state.Find(relay.From)?.Node != node)
            return;
        if (_state.Find(relay.To)?.Node != _self || !_subscribers.ContainsKey(relay.To) || !_state.ShareRoom(relay.From, relay.To))
        {
            Sender.Tell(new SignalBounced(relay.From, relay.To), Self);
            return;
        }
        Push(relay.To, new SignalReceived(relay.From, relay.Data));
    }

    private void Handle(SignalBounced bounced)
    {
        if (SenderNode() is null || bounced.From is null || bounced.To is null) return;
        if (_subscribers.ContainsKey(bounced.From))
            Push(bounced.From, new SignalUndelivered(bounced.To));
    }

    private void MemberAvailable(Member member)
    {
        var node = member.Address.ToString();
        if (node == _self || _unreachable.Contains(node) || _live.ContainsKey(node)) return;
        var selection = Context.ActorSelection($"{node}/user/{Name}");
        _live[node] = selection;
        selection.Tell(Snapshot(replyWanted: true), Self);
    }

    private void MemberGone(Member member, string why)
    {
        var node = member.Address.ToString();
        if (node == _self) return;
        _live.Remove(node);
        var (state, changes) = _state.DropNode(node);
        if (changes.Count > 0)
            _log.Info("Node {0} is {1}: {2} room membership(s) of its pages ended", node, why, changes.Count);
        Commit(state, changes, announce: false);
    }

    // ---- helpers ----

    /// <summary>Remote announcements are accepted up to twice the cap: concurrent joins on two nodes may overshoot it a little, a Byzantine node may not inflate a room without bound.</summary>
    private int RoomLimit => 2 * _settings.MaxRoomSize;

    private RoomsSnapshot Snapshot(bool replyWanted) => new(_departed ? [] : _state.EntriesOf(_self).ToList(), replyWanted);

    private void Broadcast(object message)
    {
        if (_departed) return;
        foreach (var node in _live.Values)
            node.Tell(message, Self);
    }

    /// <summary>Takes the new state, tells local pages about every change in their rooms and, for our own pages, every peer node.</summary>
    private void Commit(RoomsState state, IReadOnlyList<RoomChange> changes, bool announce)
    {
        _state = state;
        if (changes.Count == 0) return;
        foreach (var change in changes)
        {
            IRoomPush push = change.Joined ? new PeerJoined(change.Room, change.Peer) : new PeerLeft(change.Room, change.Peer);
            foreach (var peer in _state.PeersIn(change.Room))
            {
                if (peer.Node == _self && peer.PeerId != change.Peer.PeerId)
                    Push(peer.PeerId, push);
            }
        }
        if (!announce) return;
        var joined = changes.Where(c => c.Joined).Select(Entry).ToList();
        var left = changes.Where(c => !c.Joined).Select(Entry).ToList();
        Broadcast(new RoomsDelta(joined, left));
    }

    private static RoomEntry Entry(RoomChange change) => new(change.Room, change.Peer.PeerId, change.Peer.PlayerId);

    private void Push(string peerId, IRoomPush push)
    {
        if (_subscribers.TryGetValue(peerId, out var subscriber))
            subscriber.Tell(push);
    }
}
