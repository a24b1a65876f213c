using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Membership;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

[Collection(MultiNode.Collection)]
public sealed class StatePartitionTests : TestKit
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writes_on_both_sides_of_a_partition_all_survive_the_heal_and_every_node_ends_equal()
    {
        var nodes = await TestCluster.StartAsync(this, 3, _ => new StateNodeOptions
        {
            FailureInjection = true,
            // 5 s: the majority side's writes must be acknowledged within it to read Confirmed, and a loaded CI machine
            // can take more than 2 s; each minority-side write (Pending) waits it out, three of them.
            State = new GameStateSettings { MajorityWriteTimeout = TimeSpan.FromSeconds(5) },
            // The partition is healed long before the resolver would down the minority.
            Membership = new MembershipSettings { SbrStableAfter = TimeSpan.FromMinutes(2) },
        });
        try
        {
            var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
            await a.State.AddItemAsync("bob", "potion");
            await AwaitAssertAsync(async () => Assert.Contains("potion", (await c.State.GetPlayerAsync("bob"))!.Inventory), Converge);

            await SetLinksAsync(c, [a, b], Blackhole.Instance);

            // C cannot reach a majority any more, so its writes stay local until the heal.
            Assert.Equal(Replication.Pending, (await c.State.AddItemAsync("carol", "shield")).Replication);
            // Concurrent remove (majority side) and re-add (minority side) of the same item: add wins.
            Assert.Equal(Replication.Confirmed, (await a.State.RemoveItemAsync("bob", "potion")).Replication);
            Assert.Equal(Replication.Pending, (await c.State.AddItemAsync("bob", "potion")).Replication);
            Assert.Equal(Replication.Confirmed, (await a.State.AddItemAsync("bob", "map-fragment")).Replication);
            var fromA = TestCluster.SampleItem(100);
            var fromC = TestCluster.SampleItem(101);
            Assert.Equal(Replication.Confirmed, (await b.State.ShareAsync(fromA, "node-b")).Replication);
            Assert.Equal(Replication.Pending, (await c.State.ShareAsync(fromC, "node-c")).Replication);
            await a.State.UpdatePositionAsync("walker-a", "plains", 1, 1);
            await c.State.UpdatePositionAsync("walker-c", "caves", 2, 2);
            Assert.Null((await a.State.GetPlayerAsync("carol")));
            Assert.DoesNotContain("map-fragment", (await c.State.GetPlayerAsync("bob"))!.Inventory);

            await SetLinksAsync(c, [a, b], Unthrottled.Instance);

            await AwaitAssertAsync(async () =>
            {
                var states = await Task.WhenAll(nodes.Select(Describe));
                Assert.All(states, s => Assert.Equal(states[0], s));
                var bob = await b.State.GetPlayerAsync("bob");
                Assert.Equal(["map-fragment", "potion"], bob!.Inventory);
                Assert.Equal(["shield"], (await a.State.GetPlayerAsync("carol"))!.Inventory);
                Assert.NotNull((await a.State.GetPlayerAsync("walker-c"))!.Position);
                Assert.NotNull((await c.State.GetPlayerAsync("walker-a"))!.Position);
                var catalog = await a.State.ListCatalogAsync(ContentType.Item, 0, 100);
                Assert.Contains(catalog.Entries, h => h.Id == fromA.Id);
                Assert.Contains(catalog.Entries, h => h.Id == fromC.Id);
            }, Converge, TimeSpan.FromMilliseconds(100));
            await TestCluster.AllUpAsync(this, nodes, 3);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Cuts (or restores) every link between <paramref name="node"/> and <paramref name="peers"/>, both ways, on both ends.</summary>
    private static async Task SetLinksAsync(StateNode node, IEnumerable<StateNode> peers, ThrottleMode mode)
    {
        foreach (var peer in peers)
        {
            Assert.True(await ThrottleAsync(node.System, peer.Address, mode));
            Assert.True(await ThrottleAsync(peer.System, node.Address, mode));
        }
    }

    private static Task<bool> ThrottleAsync(ActorSystem system, Address to, ThrottleMode mode) =>
        ((IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport.ManagementCommand(
            new SetThrottle(to, ThrottleTransportAdapter.Direction.Both, mode));

    /// <summary>Everything a node's state shows, as one comparable string.</summary>
    private static async Task<string> Describe(StateNode node)
    {
        var snapshot = await node.State.GetSnapshotAsync();
        var players = string.Join(";", snapshot.Online.Select(p =>
            $"{p.PlayerId}@{p.Position?.Zone}:{p.Position?.X},{p.Position?.Y}[{string.Join(",", p.Inventory)}]"));
        var catalog = await node.State.ListCatalogAsync(null, 0, 1000);
        return $"{snapshot.KnownPlayers}|{players}|{string.Join(",", catalog.Entries.Select(e => e.Id))}";
    }
}
