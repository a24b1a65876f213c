using Akka.Actor;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Signaling;

/// <summary>One page in one room, as every node sees it. <see cref="Node"/> is the Akka address of the node the page is connected to.</summary>
public sealed record RoomPeer(string PeerId, string PlayerId, string Node);

/// <summary>A page joined (<see cref="Joined"/>) or left a room; the pure state returns these, the actor fans them out.</summary>
public sealed record RoomChange(string Room, RoomPeer Peer, bool Joined);

/// <summary>Error codes of the local API, the same strings the /ws protocol sends.</summary>
public static class RoomErrors
{
    public const string RoomFull = "room-full";
    public const string PeerUnknown = "peer-unknown";
    /// <summary>The request itself is malformed (room name, peer id, data too large, too many rooms).</summary>
    public const string Invalid = "invalid";
}

// ---- Local API of the SignalingRoomsActor (never leaves the node) ----

/// <summary>Joins <paramref name="PeerId"/> (a page of <paramref name="PlayerId"/> on this node) to a room; pushes go to <paramref name="Subscriber"/>.</summary>
public sealed record JoinRoom(string Room, string PeerId, string PlayerId, IActorRef Subscriber);

public abstract record JoinReply(string Room);

/// <summary>Joined; <see cref="Peers"/> are the other peers in the room, ordered by peer id.</summary>
public sealed record RoomJoined(string Room, string PeerId, IReadOnlyList<RoomPeer> Peers) : JoinReply(Room);

public sealed record RoomJoinRefused(string Room, string Code, string Message) : JoinReply(Room);

public sealed record LeaveRoom(string Room, string PeerId);

public sealed record RoomLeft(string Room, bool WasMember);

/// <summary>A page's signal to another peer; the node stamps <paramref name="FromPeer"/>, which must be a peer of this node.</summary>
public sealed record SendSignal(string FromPeer, string ToPeer, string Data);

public abstract record SignalReply;

/// <summary>Handed to the target's node (or pushed to it, when local). Not a receipt from the target page.</summary>
public sealed record SignalSent(string ToPeer) : SignalReply;

public sealed record SignalRefused(string ToPeer, string Code, string Message) : SignalReply;

/// <summary>The current view of every room (tests, diagnostics).</summary>
public sealed record GetRooms
{
    public static readonly GetRooms Instance = new();
}

/// <summary>Sent by CoordinatedShutdown before the node leaves the cluster: tells every peer node that all its pages left.</summary>
public sealed record AnnounceDeparture
{
    public static readonly AnnounceDeparture Instance = new();
}

// ---- Pushes to a local subscriber ----

public interface IRoomPush;

public sealed record PeerJoined(string Room, RoomPeer Peer) : IRoomPush;

public sealed record PeerLeft(string Room, RoomPeer Peer) : IRoomPush;

/// <summary>A signal for this page; <see cref="From"/> was stamped by the sender's node.</summary>
public sealed record SignalReceived(string From, string Data) : IRoomPush;

/// <summary>A signal this page sent could not be handed to <see cref="To"/> (it left meanwhile).</summary>
public sealed record SignalUndelivered(string To) : IRoomPush;

// ---- Between the SignalingRoomsActors of different nodes ----

/// <summary>One room membership of a page of the sending node. The node is the sender's address, never a field.</summary>
public sealed record RoomEntry(string Room, string PeerId, string PlayerId);

/// <summary>
/// Every room membership of the sending node's pages; replaces what the receiver held for that node. With
/// <see cref="ReplyWanted"/> the receiver answers with its own snapshot (a member that just came up or became reachable).
/// </summary>
public sealed record RoomsSnapshot(IReadOnlyList<RoomEntry>? Entries, bool ReplyWanted) : IP2PMessage;

/// <summary>Memberships of the sending node's pages that began or ended.</summary>
public sealed record RoomsDelta(IReadOnlyList<RoomEntry>? Joined, IReadOnlyList<RoomEntry>? Left) : IP2PMessage;

/// <summary>A signal from a page on the sending node to a page on the receiving node.</summary>
public sealed record RelaySignal(string From, string To, string Data) : IP2PMessage;

/// <summary>The receiver had no page <see cref="To"/> sharing a room with <see cref="From"/>.</summary>
public sealed record SignalBounced(string From, string To) : IP2PMessage;
