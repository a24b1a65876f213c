using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>Three real nodes on 127.0.0.1, shared by the tests of this class.</summary>
public sealed class ThreeNodeCluster : IAsyncLifetime
{
    public TestKit Kit { get; } = new();
    public StateNode[] Nodes { get; private set; } = [];

    public async Task InitializeAsync() =>
        Nodes = await TestCluster.StartAsync(Kit, 3, _ => new StateNodeOptions());

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        Kit.Shutdown();
    }
}

[Collection(MultiNode.Collection)]
public sealed class StateReplicationTests(ThreeNodeCluster cluster) : TestKit, IClassFixture<ThreeNodeCluster>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(15);
    private StateNode A => cluster.Nodes[0];
    private StateNode B => cluster.Nodes[1];
    private StateNode C => cluster.Nodes[2];

    [Fact]
    public async Task Position_inventory_and_catalog_written_on_A_are_visible_on_C()
    {
        using var changes = await C.State.SubscribeAsync();
        var item = TestCluster.SampleItem(1);

        await A.State.UpdatePositionAsync("alice", "forest", 12.5, -3);
        var added = await A.State.AddItemAsync("alice", "sword-1");
        var shared = await A.State.ShareAsync(item, "node-a");

        Assert.Equal(Replication.Confirmed, added.Replication);
        Assert.Equal(Replication.Confirmed, shared.Replication);
        await AwaitAssertAsync(async () =>
        {
            var alice = await C.State.GetPlayerAsync("alice");
            Assert.NotNull(alice);
            Assert.Equal(("forest", 12.5, -3d), (alice.Position!.Zone, alice.Position.X, alice.Position.Y));
            Assert.Contains("sword-1", alice.Inventory);
            Assert.True(alice.Online);
            var page = await C.State.ListCatalogAsync(ContentType.Item, 0, 100);
            Assert.Contains(page.Entries, h => h.Id == item.Id && h.Name == item.Name && h.Author == "node-a");
        }, Converge);

        // The body lives only on A; C fetches it, checks it against the id and can serve it afterwards.
        var fetched = await C.State.GetContentAsync(item.Id!);
        Assert.Equal(ContentJson.Serialize(item), ContentJson.Serialize(fetched!));

        var seen = new List<StateChange>();
        await AwaitAssertAsync(() =>
        {
            while (changes.Changes.TryRead(out var change)) seen.Add(change);
            Assert.Contains(seen, c => c is PlayerMoved { PlayerId: "alice", Position.Zone: "forest" });
            Assert.Contains(seen, c => c is InventoryChanged { PlayerId: "alice" } ic && ic.Items.Contains("sword-1"));
            Assert.Contains(seen, c => c is CatalogEntryAdded e && e.Header.Id == item.Id);
        }, Converge);
    }

    [Fact]
    public async Task A_peer_position_batch_is_taken_entry_by_entry_and_its_malformed_entries_are_dropped()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sender = CreateTestProbe(A.System);
        var target = A.System.ActorSelection(new RootActorPath(B.Address) / "user" / GameStateActor.Name);

        target.Tell(new PositionBatch([
            new PositionEntry("bad id!", new PlayerPosition("meadow", 1, 1, now)),
            new PositionEntry("future-walker", new PlayerPosition("meadow", 1, 1, now + 3_600_000)),
            new PositionEntry("nan-walker", new PlayerPosition("meadow", double.NaN, 1, now)),
            new PositionEntry("zone-walker", new PlayerPosition("no zone!", 1, 1, now)),
            new PositionEntry("peer-walker", new PlayerPosition("meadow", 3, 4, now)),
        ]), sender.Ref);

        // The batch is applied at once, so when its one good entry is visible the others were judged too.
        await AwaitAssertAsync(async () =>
            Assert.Equal(new PlayerPosition("meadow", 3, 4, now), (await B.State.GetPlayerAsync("peer-walker"))?.Position), Converge);
        Assert.Null(await B.State.GetPlayerAsync("future-walker"));
        Assert.Null(await B.State.GetPlayerAsync("nan-walker"));
        Assert.Null(await B.State.GetPlayerAsync("zone-walker"));
        Assert.DoesNotContain((await B.State.GetSnapshotAsync()).Online, p => p.PlayerId == "bad id!");
    }

    [Fact]
    public async Task A_position_batch_from_a_system_outside_the_cluster_is_ignored()
    {
        var stranger = TestCluster.StartNode(new StateNodeOptions(), seed: null, join: false);
        try
        {
            var warnings = CreateTestProbe(B.System);
            B.System.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

            stranger.System.ActorSelection(new RootActorPath(B.Address) / "user" / GameStateActor.Name)
                .Tell(new PositionBatch([new PositionEntry("intruder", new PlayerPosition("meadow", 1, 1, now))]), CreateTestProbe(stranger.System).Ref);

            await warnings.FishForMessageAsync(m => m is Akka.Event.Warning w && w.Message.ToString()!.Contains("not a member"), Converge);
            Assert.Null(await B.State.GetPlayerAsync("intruder"));
        }
        finally
        {
            await stranger.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_player_who_leaves_a_zone_on_A_stands_on_no_map_on_C_and_Cs_watchers_see_them_go()
    {
        await A.State.UpdatePositionAsync("leaver", "glade", 4, 5);
        await AwaitAssertAsync(async () => Assert.Contains(await C.State.GetZoneAsync("glade", 10), p => p.PlayerId == "leaver"), Converge);
        using var changes = await C.State.SubscribeAsync();

        var left = await A.State.LeaveZoneAsync("leaver");
        Assert.True(left.Applied);
        await AwaitAssertAsync(async () =>
        {
            Assert.DoesNotContain(await C.State.GetZoneAsync("glade", 10), p => p.PlayerId == "leaver");
            var leaver = await C.State.GetPlayerAsync("leaver");
            Assert.NotNull(leaver);
            Assert.Null(leaver.Position);
            Assert.True(leaver.Online);
        }, Converge);
        var seen = new List<StateChange>();
        await AwaitAssertAsync(() =>
        {
            while (changes.Changes.TryRead(out var change)) seen.Add(change);
            Assert.Contains(seen, c => c is PlayerMoved { PlayerId: "leaver", PreviousZone: "glade" } m && m.Position.Zone == PlayerPosition.NoZone);
        }, Converge);

        // A player on no map has nothing to leave; a later move on another node puts them back on a map everywhere.
        Assert.False((await C.State.LeaveZoneAsync("leaver")).Applied);
        await C.State.UpdatePositionAsync("leaver", "glade", 6, 6);
        await AwaitAssertAsync(async () =>
        {
            var back = (await A.State.GetPlayerAsync("leaver"))!.Position;
            Assert.Equal(("glade", 6d), (back?.Zone, back?.X));
        }, Converge);
    }

    [Fact]
    public async Task Concurrent_conflicting_position_updates_converge_to_the_same_value_everywhere()
    {
        for (var round = 0; round < 10; round++)
        {
            var zone = $"arena-{round}";
            await Task.WhenAll(
                A.State.UpdatePositionAsync("duelist", zone, round, 1),
                B.State.UpdatePositionAsync("duelist", zone, round, 2),
                C.State.UpdatePositionAsync("duelist", zone, round, 3));
        }

        await AwaitAssertAsync(async () =>
        {
            var views = await Task.WhenAll(cluster.Nodes.Select(n => n.State.GetPlayerAsync("duelist")));
            var positions = views.Select(v => v!.Position).ToArray();
            Assert.All(positions, p => Assert.Equal(positions[0], p));
            Assert.Equal("arena-9", positions[0]!.Zone);
            Assert.Contains(positions[0]!.Y, new[] { 1d, 2d, 3d });
        }, Converge);
    }

    [Fact]
    public async Task Simultaneous_inventory_writes_on_two_nodes_converge_identically()
    {
        await A.State.AddItemAsync("bob", "potion");
        await A.State.AddItemAsync("bob", "elixir");
        await AwaitAssertAsync(async () =>
            Assert.Equal(["elixir", "potion"], (await B.State.GetPlayerAsync("bob"))!.Inventory), Converge);

        // Both removes are of items their node has seen, so each must survive the other node's concurrent add.
        var results = await Task.WhenAll(
            A.State.RemoveItemAsync("bob", "elixir"),
            B.State.AddItemAsync("bob", "scroll"),
            A.State.AddItemAsync("bob", "shield"),
            B.State.RemoveItemAsync("bob", "potion"));
        Assert.All(results, r => Assert.True(r.Applied));

        await AwaitAssertAsync(async () =>
        {
            var views = await Task.WhenAll(cluster.Nodes.Select(n => n.State.GetPlayerAsync("bob")));
            Assert.All(views, v => Assert.Equal(["scroll", "shield"], v!.Inventory));
        }, Converge);
    }

    /// <summary>
    /// Round after round, A and B each add a new item while removing one the other node added earlier (and that
    /// they have seen): the removers' clocks then name both nodes, the case Akka's ORSet got wrong. Every remove
    /// must stick and every add must survive, identically on all three nodes.
    /// </summary>
    [Fact]
    public async Task Rounds_of_concurrent_adds_and_observed_removes_on_two_nodes_all_stick()
    {
        const string player = "stress";
        var subscriptions = await Task.WhenAll(cluster.Nodes.Select(n => n.State.SubscribeAsync()));
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        string removeOnA = "b-seed", removeOnB = "a-seed";
        await A.State.AddItemAsync(player, "a-seed");
        await B.State.AddItemAsync(player, "b-seed");
        expected.UnionWith(["a-seed", "b-seed"]);

        for (var round = 0; round < 15; round++)
        {
            await AwaitAssertAsync(async () =>
            {
                Assert.Contains(removeOnA, (await A.State.GetPlayerAsync(player))!.Inventory);
                Assert.Contains(removeOnB, (await B.State.GetPlayerAsync(player))!.Inventory);
            }, Converge);

            var results = await Task.WhenAll(
                A.State.AddItemAsync(player, $"a-{round}"),
                B.State.RemoveItemAsync(player, removeOnB),
                B.State.AddItemAsync(player, $"b-{round}"),
                A.State.RemoveItemAsync(player, removeOnA));
            Assert.All(results, r => Assert.True(r.Applied));
            expected.UnionWith([$"a-{round}", $"b-{round}"]);
            expected.ExceptWith([removeOnA, removeOnB]);
            (removeOnA, removeOnB) = ($"b-{round}", $"a-{round}");
        }

        await AwaitAssertAsync(async () =>
        {
            var views = await Task.WhenAll(cluster.Nodes.Select(n => n.State.GetPlayerAsync(player)));
            Assert.All(views, v => Assert.Equal(expected, v!.Inventory));
        }, Converge);

        // Item names are never reused, so an item that vanished from a node and shows up there again is a remove
        // that a merge undid, even if a later merge hid it again.
        for (var n = 0; n < subscriptions.Length; n++)
        {
            using var subscription = subscriptions[n];
            var gone = new HashSet<string>(StringComparer.Ordinal);
            var present = new HashSet<string>(StringComparer.Ordinal);
            while (subscription.Changes.TryRead(out var change))
            {
                if (change is not InventoryChanged { PlayerId: player } inventory) continue;
                var resurrected = inventory.Items.Where(gone.Contains).ToArray();
                Assert.True(resurrected.Length == 0, $"node {n} showed removed items again: {string.Join(", ", resurrected)}");
                gone.UnionWith(present.Except(inventory.Items));
                present = new HashSet<string>(inventory.Items, StringComparer.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Bad_input_is_rejected_and_leaves_the_state_untouched()
    {
        await A.State.UpdatePositionAsync("carol", "town", 1, 1);

        await Assert.ThrowsAsync<ArgumentException>(() => A.State.UpdatePositionAsync("carol", "town", double.NaN, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => A.State.UpdatePositionAsync("carol", "town", 0, double.PositiveInfinity));
        await Assert.ThrowsAsync<ArgumentException>(() => A.State.UpdatePositionAsync("bad id!", "town", 0, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => A.State.AddItemAsync("carol", new string('x', 500)));
        await Assert.ThrowsAsync<ArgumentException>(() => A.State.ShareAsync(TestCluster.SampleItem(2) with { Name = "tampered" }, "node-a"));
        await Assert.ThrowsAsync<ArgumentException>(() => A.State.ListCatalogAsync(null, -1, 10));

        var carol = await A.State.GetPlayerAsync("carol");
        Assert.Equal(new PlayerPosition("town", 1, 1, carol!.Position!.UpdatedAtMs), carol.Position);
        Assert.False((await A.State.RemoveItemAsync("carol", "never-had-it")).Applied);
        Assert.Null(await A.State.GetContentAsync(new string('0', 64)));
    }
}
