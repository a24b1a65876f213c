using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Signaling;
using P2PActors.Cluster.Tests.State;
using Xunit.Abstractions;

namespace P2PActors.Cluster.Tests.Signaling;

/// <summary>Signaling rooms across real nodes: ActorSystems on 127.0.0.1 with remoting, one rooms actor each.</summary>
[Collection(MultiNode.Collection)]
public sealed class SignalingRoomsClusterTests(ITestOutputHelper output) : TestKit
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    private sealed record RoomsNode(StateNode Node, SignalingRooms Rooms) : IAsyncDisposable
    {
        public ActorSystem System => Node.System;
        public string Address => Node.Address.ToString();
        public ValueTask DisposeAsync() => Node.DisposeAsync();
    }

    private static RoomsNode StartNode(Address? seed, SignalingSettings? settings = null, bool crashOnTerminate = false)
    {
        var node = TestCluster.StartNode(new StateNodeOptions { CrashOnTerminate = crashOnTerminate }, seed);
        return new RoomsNode(node, SignalingRooms.Start(node.System, settings ?? new SignalingSettings()));
    }

    private async Task<RoomsNode[]> StartClusterAsync(int count, SignalingSettings? settings = null, Func<int, bool>? crash = null)
    {
        var first = StartNode(null, settings, crash?.Invoke(0) ?? false);
        var nodes = new List<RoomsNode> { first };
        for (var i = 1; i < count; i++) nodes.Add(StartNode(first.Node.Address, settings, crash?.Invoke(i) ?? false));
        await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), count);
        return nodes.ToArray();
    }

    /// <summary>Waits until every node's rooms view shows exactly these peers in the room.</summary>
    private Task RoomIsAsync(IEnumerable<RoomsNode> nodes, string room, params string[] peers) =>
        AwaitAssertAsync(async () =>
        {
            foreach (var node in nodes)
            {
                var state = await node.Rooms.Actor.Ask<RoomsState>(GetRooms.Instance, TimeSpan.FromSeconds(5));
                Assert.Equal(peers.Order(StringComparer.Ordinal), state.PeersIn(room).Select(p => p.PeerId));
            }
        }, Converge, TimeSpan.FromMilliseconds(20));

    /// <summary>The next push of type <typeparamref name="T"/> matching <paramref name="match"/>; other pushes are skipped.</summary>
    private static async Task<T> NextAsync<T>(RoomPeerHandle peer, Func<T, bool>? match = null, TimeSpan? timeout = null) where T : IRoomPush
    {
        using var cts = new CancellationTokenSource(timeout ?? Converge);
        while (true)
        {
            var push = await peer.Pushes.ReadAsync(cts.Token);
            if (push is T typed && (match is null || match(typed)))
                return typed;
        }
    }

    private static async Task<RoomJoined> JoinAsync(RoomPeerHandle peer, string room) =>
        Assert.IsType<RoomJoined>(await peer.JoinAsync(room));

    [Fact]
    public async Task A_signal_from_a_page_on_one_node_reaches_a_page_on_another_with_from_stamped_and_unknown_targets_are_refused()
    {
        var nodes = await StartClusterAsync(2);
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            using var alice = a.Rooms.Connect("alice");
            using var bob = b.Rooms.Connect("bob");
            using var carol = b.Rooms.Connect("carol");

            Assert.Empty((await JoinAsync(alice, "hall")).Peers);
            await RoomIsAsync(nodes, "hall", alice.PeerId);
            var joined = await JoinAsync(bob, "hall");
            Assert.Equal([new RoomPeer(alice.PeerId, "alice", a.Address)], joined.Peers);
            var seen = await NextAsync<PeerJoined>(alice);
            Assert.Equal(new PeerJoined("hall", new RoomPeer(bob.PeerId, "bob", b.Address)), seen);

            Assert.IsType<SignalSent>(await alice.SignalAsync(bob.PeerId, """{"sdp":"offer-1"}"""));
            var signal = await NextAsync<SignalReceived>(bob);
            Assert.Equal(new SignalReceived(alice.PeerId, """{"sdp":"offer-1"}"""), signal);
            Assert.IsType<SignalSent>(await bob.SignalAsync(alice.PeerId, """{"sdp":"answer-1"}"""));
            Assert.Equal(new SignalReceived(bob.PeerId, """{"sdp":"answer-1"}"""), await NextAsync<SignalReceived>(alice));

            // Unknown target, and a real peer that shares no room with the sender: both unknown to this page.
            var unknown = Assert.IsType<SignalRefused>(await alice.SignalAsync("p-nobody", "{}"));
            Assert.Equal(RoomErrors.PeerUnknown, unknown.Code);
            Assert.Equal(RoomErrors.PeerUnknown, Assert.IsType<SignalRefused>(await alice.SignalAsync(carol.PeerId, "{}")).Code);
            // A page that joined no room cannot signal anyone either.
            Assert.Equal(RoomErrors.PeerUnknown, Assert.IsType<SignalRefused>(await carol.SignalAsync(alice.PeerId, "{}")).Code);

            // Bob leaves: Alice sees it, and a signal to him is now refused.
            Assert.True((await bob.LeaveAsync("hall")).WasMember);
            Assert.Equal(bob.PeerId, (await NextAsync<PeerLeft>(alice)).Peer.PeerId);
            await RoomIsAsync(nodes, "hall", alice.PeerId);
            Assert.Equal(RoomErrors.PeerUnknown, Assert.IsType<SignalRefused>(await alice.SignalAsync(bob.PeerId, "{}")).Code);

            // Oversized data and malformed targets are refused as invalid, not relayed.
            Assert.Equal(RoomErrors.Invalid, Assert.IsType<SignalRefused>(await alice.SignalAsync(carol.PeerId, new string('x', 20_000))).Code);
            Assert.Equal(RoomErrors.Invalid, Assert.IsType<SignalRefused>(await alice.SignalAsync("no such/peer", "{}")).Code);

            // A page that disconnects (handle disposed) leaves every room, seen on the other node.
            Assert.IsType<RoomJoined>(await carol.JoinAsync("hall"));
            Assert.Equal(carol.PeerId, (await NextAsync<PeerJoined>(alice)).Peer.PeerId);
            carol.Dispose();
            Assert.Equal(carol.PeerId, (await NextAsync<PeerLeft>(alice)).Peer.PeerId);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task The_room_cap_holds_across_nodes()
    {
        var nodes = await StartClusterAsync(2, new SignalingSettings { MaxRoomSize = 2 });
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            using var p1 = a.Rooms.Connect("one");
            using var p2 = b.Rooms.Connect("two");
            using var p3 = b.Rooms.Connect("three");
            await JoinAsync(p1, "small");
            await RoomIsAsync(nodes, "small", p1.PeerId);
            await JoinAsync(p2, "small");
            await RoomIsAsync(nodes, "small", p1.PeerId, p2.PeerId);

            var refused = Assert.IsType<RoomJoinRefused>(await p3.JoinAsync("small"));
            Assert.Equal(RoomErrors.RoomFull, refused.Code);
            var onA = Assert.IsType<RoomJoinRefused>(await a.Rooms.Connect("four").JoinAsync("small"));
            Assert.Equal(RoomErrors.RoomFull, onA.Code);

            // Space again after a leave on the other node.
            await p1.LeaveAsync("small");
            await RoomIsAsync(nodes, "small", p2.PeerId);
            await JoinAsync(p3, "small");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_node_can_neither_spoof_another_nodes_page_nor_break_the_rooms_with_malformed_messages()
    {
        var nodes = await StartClusterAsync(3);
        try
        {
            var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
            using var alice = a.Rooms.Connect("alice");
            using var bob = b.Rooms.Connect("bob");
            using var mallory = c.Rooms.Connect("mallory");
            await JoinAsync(alice, "hall");
            await JoinAsync(bob, "hall");
            await JoinAsync(mallory, "hall");
            await RoomIsAsync(nodes, "hall", alice.PeerId, bob.PeerId, mallory.PeerId);

            // Node C talks to B's rooms actor directly, as a Byzantine node would, all from C's rooms actor (one ordered link).
            var bRooms = c.System.ActorSelection($"{b.Address}/user/{SignalingRoomsActor.Name}");
            void FromC(object message) => bRooms.Tell(message, c.Rooms.Actor);
            FromC(new RelaySignal(alice.PeerId, bob.PeerId, """{"forged":true}"""));
            FromC(new RoomsDelta(null, null));
            FromC(new RoomsDelta([null!, new RoomEntry("bad room", "x", "y"), new RoomEntry("hall", alice.PeerId, "mallory")],
                [new RoomEntry("hall", alice.PeerId, "alice")]));
            FromC(new RoomsSnapshot([new RoomEntry("hall", "p", new string('z', 500))], ReplyWanted: false));
            FromC(new RelaySignal(null!, null!, null!));
            FromC(new RelaySignal(mallory.PeerId, bob.PeerId, new string('x', 100_000)));
            FromC(new SignalBounced(null!, null!));
            // The snapshot above was empty of valid entries, so C's own page left B's view; C announces it again.
            FromC(new RoomsSnapshot([new RoomEntry("hall", mallory.PeerId, "mallory")], ReplyWanted: false));
            FromC(new RelaySignal(mallory.PeerId, bob.PeerId, """{"honest":true}"""));

            // Everything before the honest relay on the same link was processed first: the first signal Bob gets is it.
            var first = await NextAsync<SignalReceived>(bob);
            Assert.Equal(new SignalReceived(mallory.PeerId, """{"honest":true}"""), first);
            var state = await b.Rooms.Actor.Ask<RoomsState>(GetRooms.Instance, TimeSpan.FromSeconds(5));
            Assert.Equal(new RoomPeer(alice.PeerId, "alice", a.Address), state.Find(alice.PeerId));
            Assert.Equal(new[] { alice.PeerId, bob.PeerId, mallory.PeerId }.Order(StringComparer.Ordinal), state.PeersIn("hall").Select(p => p.PeerId));

            // And B still relays for honest pages.
            Assert.IsType<SignalSent>(await alice.SignalAsync(bob.PeerId, "{}"));
            Assert.Equal(alice.PeerId, (await NextAsync<SignalReceived>(bob)).From);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task When_a_node_leaves_its_pages_leave_their_rooms_on_the_other_nodes()
    {
        var nodes = await StartClusterAsync(2);
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            using var alice = a.Rooms.Connect("alice");
            using var bob = b.Rooms.Connect("bob");
            await JoinAsync(alice, "hall");
            await JoinAsync(bob, "hall");
            await RoomIsAsync(nodes, "hall", alice.PeerId, bob.PeerId);

            var clock = Stopwatch.StartNew();
            var terminate = b.System.Terminate();
            var left = await NextAsync<PeerLeft>(alice, timeout: TimeSpan.FromSeconds(10));
            output.WriteLine($"peer-left seen {clock.ElapsedMilliseconds} ms after the node began to leave");
            Assert.Equal(new PeerLeft("hall", new RoomPeer(bob.PeerId, "bob", b.Address)), left);
            await terminate;
            Assert.Equal(RoomErrors.PeerUnknown, Assert.IsType<SignalRefused>(await alice.SignalAsync(bob.PeerId, "{}")).Code);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task When_a_node_crashes_its_pages_leave_once_it_is_unreachable()
    {
        var nodes = await StartClusterAsync(3, crash: i => i == 2);
        try
        {
            var (a, c) = (nodes[0], nodes[2]);
            using var alice = a.Rooms.Connect("alice");
            using var bob = nodes[1].Rooms.Connect("bob");
            using var carl = c.Rooms.Connect("carl");
            await JoinAsync(alice, "hall");
            await JoinAsync(bob, "hall");
            await JoinAsync(carl, "hall");
            await RoomIsAsync(nodes, "hall", alice.PeerId, bob.PeerId, carl.PeerId);

            var clock = Stopwatch.StartNew();
            // No leave: the ActorSystem stops without coordinated shutdown, as a killed process would.
            await c.System.Terminate();
            var onA = NextAsync<PeerLeft>(alice, timeout: TimeSpan.FromSeconds(30));
            var onB = NextAsync<PeerLeft>(bob, timeout: TimeSpan.FromSeconds(30));
            Assert.Equal(carl.PeerId, (await onA).Peer.PeerId);
            output.WriteLine($"peer-left seen on A {clock.ElapsedMilliseconds} ms after the crash");
            Assert.Equal(carl.PeerId, (await onB).Peer.PeerId);
            output.WriteLine($"peer-left seen on B {clock.ElapsedMilliseconds} ms after the crash");
            // The crash was seen by failure detection: C is unreachable on A, or already downed and removed (the
            // split-brain resolver may act between the peer-left and this line; a CI run once found it gone).
            var state = a.Node.Cluster.State;
            Assert.True(state.Unreachable.Any(m => m.Address.ToString() == c.Address) || state.Members.All(m => m.Address.ToString() != c.Address),
                $"C is neither unreachable nor removed on A: members {string.Join(", ", state.Members.Select(m => $"{m.Address} {m.Status}"))}");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
