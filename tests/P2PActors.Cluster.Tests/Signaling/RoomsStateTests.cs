using P2PActors.Cluster.Signaling;

namespace P2PActors.Cluster.Tests.Signaling;

public sealed class RoomsStateTests
{
    private const string A = "akka.tcp://p2pactors@127.0.0.1:1001";
    private const string B = "akka.tcp://p2pactors@127.0.0.1:1002";

    private static RoomPeer Peer(string id, string node) => new(id, "player-" + id, node);

    [Fact]
    public void A_full_room_refuses_the_next_join_and_a_leave_makes_space()
    {
        var state = RoomsState.Empty;
        (state, var first, _) = state.Join("hall", Peer("p1", A), maxRoomSize: 2, maxRoomsPerPeer: 4);
        (state, var second, _) = state.Join("hall", Peer("p2", A), 2, 4);
        var (_, third, change) = state.Join("hall", Peer("p3", A), 2, 4);
        Assert.Equal(RoomsState.JoinVerdict.Joined, first);
        Assert.Equal(RoomsState.JoinVerdict.Joined, second);
        Assert.Equal(RoomsState.JoinVerdict.Full, third);
        Assert.Null(change);

        (state, var left) = state.Leave("hall", "p1");
        Assert.Equal(new RoomChange("hall", Peer("p1", A), Joined: false), left);
        Assert.Equal(RoomsState.JoinVerdict.Joined, state.Join("hall", Peer("p3", A), 2, 4).Verdict);
    }

    [Fact]
    public void A_node_cannot_announce_a_peer_id_another_node_owns()
    {
        var (state, _, _) = RoomsState.Empty.Join("hall", Peer("p1", A), 16, 4);
        (state, var changes) = state.ApplyDelta(B, [new RoomEntry("hall", "p1", "mallory"), new RoomEntry("hall", "p9", "bob")], [],
            maxEntries: 100, roomLimit: 32, maxRoomsPerPeer: 4);

        Assert.Equal(A, state.Find("p1")!.Node);
        Assert.Equal("player-p1", state.Find("p1")!.PlayerId);
        Assert.Equal([new RoomChange("hall", new RoomPeer("p9", "bob", B), true)], changes);
        // Nor make another node's page leave.
        (state, changes) = state.ApplyDelta(B, [], [new RoomEntry("hall", "p1", "player-p1")], 100, 32, 4);
        Assert.Empty(changes);
        Assert.NotNull(state.Find("p1"));
    }

    [Fact]
    public void A_snapshot_replaces_what_was_known_of_its_node_and_dropping_the_node_removes_every_page()
    {
        var state = RoomsState.Empty;
        (state, _) = state.Replace(B, [new RoomEntry("hall", "b1", "bob"), new RoomEntry("cave", "b1", "bob"), new RoomEntry("hall", "b2", "bea")], 100, 32, 4);
        (state, _, _) = state.Join("hall", Peer("a1", A), 16, 4);
        Assert.Equal(["a1", "b1", "b2"], state.PeersIn("hall").Select(p => p.PeerId));

        (state, var changes) = state.Replace(B, [new RoomEntry("hall", "b1", "bob"), new RoomEntry("hall", "b3", "ben")], 100, 32, 4);
        Assert.Equal(
            new[] { "-cave/b1", "-hall/b2", "+hall/b3" }.Order(StringComparer.Ordinal),
            changes.Select(c => $"{(c.Joined ? "+" : "-")}{c.Room}/{c.Peer.PeerId}").Order(StringComparer.Ordinal));
        Assert.True(state.ShareRoom("a1", "b3"));

        (state, changes) = state.DropNode(B);
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.False(c.Joined));
        Assert.Equal(["a1"], state.PeersIn("hall").Select(p => p.PeerId));
        Assert.Null(state.Find("b1"));
        Assert.False(state.ShareRoom("a1", "b1"));
    }

    [Fact]
    public void Announcements_are_bounded_per_node_and_per_room()
    {
        var many = Enumerable.Range(0, 50).Select(i => new RoomEntry("hall", $"b{i}", "bob")).ToList();
        var (state, changes) = RoomsState.Empty.Replace(B, many, maxEntries: 100, roomLimit: 8, maxRoomsPerPeer: 4);
        Assert.Equal(8, changes.Count);
        Assert.Equal(8, state.PeersIn("hall").Count);

        var rooms = Enumerable.Range(0, 50).Select(i => new RoomEntry($"r{i}", $"c{i}", "carl")).ToList();
        (state, _) = state.ApplyDelta(A, rooms, [], maxEntries: 10, roomLimit: 8, maxRoomsPerPeer: 4);
        Assert.Equal(10, state.CountOf(A));
    }

    [Theory]
    [InlineData(null, "p1", "bob")]
    [InlineData("", "p1", "bob")]
    [InlineData("hall room", "p1", "bob")]
    [InlineData("hall", "p/1", "bob")]
    [InlineData("hall", "p1", "")]
    [InlineData("hall", "p1", "<script>")]
    public void Malformed_entries_from_the_network_are_dropped(string? room, string? peer, string? player)
    {
        var entries = new List<RoomEntry> { new(room!, peer!, player!), null!, new("hall", "ok", "bob") };
        Assert.Equal([new RoomEntry("hall", "ok", "bob")], RoomEntries.WellFormed(entries, 10));
        Assert.Empty(RoomEntries.WellFormed(null, 10));
    }
}
