using System.Collections.Immutable;

namespace P2PActors.Cluster.Signaling;

/// <summary>
/// Who is in which room, cluster-wide, as one node knows it: an immutable value with pure transitions. Each
/// transition returns the <see cref="RoomChange"/>s it made, which the actor announces to local pages. A peer id
/// belongs to exactly one node: the first node that announced it; a later claim of the same id by another node is
/// ignored, so a node cannot take over another node's page.
/// </summary>
public sealed record RoomsState(
    ImmutableDictionary<string, ImmutableDictionary<string, RoomPeer>> Rooms,
    ImmutableDictionary<string, RoomsState.PeerRecord> Peers)
{
    /// <summary>A peer and the rooms it is in.</summary>
    public sealed record PeerRecord(RoomPeer Peer, ImmutableSortedSet<string> Rooms);

    public static readonly RoomsState Empty = new(
        ImmutableDictionary<string, ImmutableDictionary<string, RoomPeer>>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, PeerRecord>.Empty.WithComparers(StringComparer.Ordinal));

    public enum JoinVerdict { Joined, AlreadyMember, Full, TooManyRooms, IdTaken }

    /// <summary>The peers of a room, ordered by peer id (empty for an unknown room).</summary>
    public IReadOnlyList<RoomPeer> PeersIn(string room) =>
        Rooms.TryGetValue(room, out var peers) ? peers.Values.OrderBy(p => p.PeerId, StringComparer.Ordinal).ToList() : [];

    public RoomPeer? Find(string peerId) => Peers.TryGetValue(peerId, out var record) ? record.Peer : null;

    /// <summary>Whether both peers are in at least one common room: a signal is only relayed between such peers.</summary>
    public bool ShareRoom(string a, string b) =>
        Peers.TryGetValue(a, out var first) && Peers.TryGetValue(b, out var second) && first.Rooms.Overlaps(second.Rooms);

    public IEnumerable<RoomEntry> EntriesOf(string node) =>
        Peers.Values.Where(r => r.Peer.Node == node).SelectMany(r => r.Rooms.Select(room => new RoomEntry(room, r.Peer.PeerId, r.Peer.PlayerId)));

    public int CountOf(string node) => Peers.Values.Where(r => r.Peer.Node == node).Sum(r => r.Rooms.Count);

    /// <summary>A join asked on this node: refused when the room is full or the peer is in too many rooms.</summary>
    public (RoomsState State, JoinVerdict Verdict, RoomChange? Change) Join(string room, RoomPeer peer, int maxRoomSize, int maxRoomsPerPeer)
    {
        if (Peers.TryGetValue(peer.PeerId, out var record))
        {
            if (record.Peer != peer) return (this, JoinVerdict.IdTaken, null);
            if (record.Rooms.Contains(room)) return (this, JoinVerdict.AlreadyMember, null);
            if (record.Rooms.Count >= maxRoomsPerPeer) return (this, JoinVerdict.TooManyRooms, null);
        }
        if (Rooms.TryGetValue(room, out var members) && members.Count >= maxRoomSize)
            return (this, JoinVerdict.Full, null);
        return (Add(room, peer), JoinVerdict.Joined, new RoomChange(room, peer, Joined: true));
    }

    public (RoomsState State, RoomChange? Change) Leave(string room, string peerId)
    {
        if (!Peers.TryGetValue(peerId, out var record) || !record.Rooms.Contains(room))
            return (this, null);
        return (Remove(room, record.Peer), new RoomChange(room, record.Peer, Joined: false));
    }

    /// <summary>The peer leaves every room (its page disconnected).</summary>
    public (RoomsState State, IReadOnlyList<RoomChange> Changes) LeaveAll(string peerId)
    {
        if (!Peers.TryGetValue(peerId, out var record))
            return (this, []);
        var state = this;
        var changes = new List<RoomChange>();
        foreach (var room in record.Rooms)
        {
            state = state.Remove(room, record.Peer);
            changes.Add(new RoomChange(room, record.Peer, Joined: false));
        }
        return (state, changes);
    }

    /// <summary>Every page of <paramref name="node"/> leaves (the node left, was removed or is unreachable).</summary>
    public (RoomsState State, IReadOnlyList<RoomChange> Changes) DropNode(string node) => Replace(node, [], int.MaxValue, int.MaxValue, int.MaxValue);

    /// <summary>
    /// <paramref name="node"/>'s announced memberships replace what was known of it. Entries are applied in order
    /// while the node holds fewer than <paramref name="maxEntries"/>, a room fewer than <paramref name="roomLimit"/>
    /// peers and a peer fewer than <paramref name="maxRoomsPerPeer"/> rooms; ids owned by another node are skipped.
    /// Entries must already be well-formed (<see cref="RoomEntries.Valid"/>).
    /// </summary>
    public (RoomsState State, IReadOnlyList<RoomChange> Changes) Replace(string node, IEnumerable<RoomEntry> entries,
        int maxEntries, int roomLimit, int maxRoomsPerPeer)
    {
        var wanted = new HashSet<(string Room, string PeerId)>();
        var state = this;
        var changes = new List<RoomChange>();
        foreach (var entry in entries)
        {
            if (wanted.Count >= maxEntries) break;
            wanted.Add((entry.Room, entry.PeerId));
        }
        // Leaves first (including a peer whose player id changed), so rooms have space for the joins.
        foreach (var record in Peers.Values.Where(r => r.Peer.Node == node))
        {
            foreach (var room in record.Rooms)
            {
                if (wanted.Contains((room, record.Peer.PeerId))) continue;
                state = state.Remove(room, record.Peer);
                changes.Add(new RoomChange(room, record.Peer, Joined: false));
            }
        }
        var (joined, joins) = state.AddRemote(node, entries.Take(maxEntries), maxEntries, roomLimit, maxRoomsPerPeer);
        changes.AddRange(joins);
        return (joined, changes);
    }

    /// <summary>Incremental announcement of <paramref name="node"/>: its leaves, then its joins (within the same limits as <see cref="Replace"/>).</summary>
    public (RoomsState State, IReadOnlyList<RoomChange> Changes) ApplyDelta(string node, IEnumerable<RoomEntry> joined, IEnumerable<RoomEntry> left,
        int maxEntries, int roomLimit, int maxRoomsPerPeer)
    {
        var state = this;
        var changes = new List<RoomChange>();
        foreach (var entry in left)
        {
            if (!state.Peers.TryGetValue(entry.PeerId, out var record) || record.Peer.Node != node || !record.Rooms.Contains(entry.Room))
                continue;
            state = state.Remove(entry.Room, record.Peer);
            changes.Add(new RoomChange(entry.Room, record.Peer, Joined: false));
        }
        var (added, joins) = state.AddRemote(node, joined, maxEntries, roomLimit, maxRoomsPerPeer);
        changes.AddRange(joins);
        return (added, changes);
    }

    private (RoomsState State, List<RoomChange> Changes) AddRemote(string node, IEnumerable<RoomEntry> entries, int maxEntries, int roomLimit, int maxRoomsPerPeer)
    {
        var state = this;
        var changes = new List<RoomChange>();
        var held = CountOf(node);
        foreach (var entry in entries)
        {
            if (held >= maxEntries) break;
            var peer = new RoomPeer(entry.PeerId, entry.PlayerId, node);
            if (state.Peers.TryGetValue(entry.PeerId, out var record))
            {
                // Another node's page, or this node re-using an id for another player: not taken over.
                if (record.Peer != peer || record.Rooms.Contains(entry.Room) || record.Rooms.Count >= maxRoomsPerPeer)
                    continue;
            }
            if (state.Rooms.TryGetValue(entry.Room, out var members) && members.Count >= roomLimit)
                continue;
            state = state.Add(entry.Room, peer);
            held++;
            changes.Add(new RoomChange(entry.Room, peer, Joined: true));
        }
        return (state, changes);
    }

    private RoomsState Add(string room, RoomPeer peer)
    {
        var members = Rooms.TryGetValue(room, out var existing)
            ? existing
            : ImmutableDictionary<string, RoomPeer>.Empty.WithComparers(StringComparer.Ordinal);
        var rooms = Peers.TryGetValue(peer.PeerId, out var record) ? record.Rooms : ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
        return new RoomsState(Rooms.SetItem(room, members.SetItem(peer.PeerId, peer)), Peers.SetItem(peer.PeerId, new PeerRecord(peer, rooms.Add(room))));
    }

    private RoomsState Remove(string room, RoomPeer peer)
    {
        var members = Rooms[room].Remove(peer.PeerId);
        var rooms = Peers[peer.PeerId].Rooms.Remove(room);
        return new RoomsState(
            members.IsEmpty ? Rooms.Remove(room) : Rooms.SetItem(room, members),
            rooms.IsEmpty ? Peers.Remove(peer.PeerId) : Peers.SetItem(peer.PeerId, new PeerRecord(peer, rooms)));
    }
}

/// <summary>Checks of entries announced by peer nodes: malformed ones are dropped before they reach the state.</summary>
public static class RoomEntries
{
    public static bool Valid(RoomEntry? entry) =>
        entry is not null
        && RoomNames.CheckRoom(entry.Room) is null
        && RoomNames.CheckPeerId(entry.PeerId) is null
        && State.StateValidation.PlayerId(entry.PlayerId) is null;

    /// <summary>The well-formed entries of a list from the network, at most <paramref name="max"/> of them (null counts as empty).</summary>
    public static IReadOnlyList<RoomEntry> WellFormed(IReadOnlyList<RoomEntry>? entries, int max) =>
        entries is null ? [] : entries.Take(max).Where(Valid).ToList();
}
