using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// Players not seen for <see cref="GameStateSettings.PlayerRetention"/> are forgotten (position and presence, on
/// every node, view and buckets), so a long-running cluster does not hold every player it ever saw. Prevents: the
/// positions and presence of every player ever seen kept for good on every node.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class PlayerRetentionTests : TestKit
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);

    [Fact]
    public void A_player_is_idle_only_when_both_the_position_and_the_last_heartbeat_are_older_than_the_cutoff()
    {
        var (view, _) = GameStateView.Empty(Keys, AdmitAll.Instance).ApplyPositions(
        [
            new("old-everywhere", new PlayerPosition("moor", 1, 1, 1_000)),
            new("old-but-heard", new PlayerPosition("moor", 2, 2, 1_000)),
            new("moved-lately", new PlayerPosition("moor", 3, 3, 5_000)),
            new("at-the-cutoff", new PlayerPosition("moor", 4, 4, 4_000)),
        ], collectChanges: false);
        foreach (var (player, seen) in new[] { ("old-but-heard", 4_500L), ("heard-long-ago", 900L), ("heard-lately", 6_000L) })
        {
            var bucket = Keys.PresenceKey(player);
            var held = view.Presence[Keys.PlayerBucket(player)].SetItem(Writer, player, new PresenceEntry("moor", seen, "node"));
            (view, _) = view.Apply(bucket.Id, held, collectChanges: false);
        }

        var idle = view.IdleSince(4_000);

        Assert.Equal(["heard-long-ago", "old-everywhere"], idle.Order(StringComparer.Ordinal));
        var without = view.WithoutPositions(idle);
        Assert.False(without.Positions.ContainsKey("old-everywhere"));
        Assert.Equal(3, without.Positions.Count);
    }

    [Fact]
    public async Task Every_node_forgets_a_player_not_seen_for_the_retention_keeps_the_inventory_and_a_return_brings_the_player_back()
    {
        var settings = new GameStateSettings { PlayerRetention = TimeSpan.FromSeconds(3) };
        var nodes = await TestCluster.StartAsync(this, 2, _ => new StateNodeOptions { State = settings });
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            await a.State.UpdatePositionAsync("drifter", "moor", 1, 2);
            await a.State.HeartbeatAsync("drifter", "moor");
            await a.State.UpdatePositionAsync("collector", "moor", 3, 4);
            await a.State.AddItemAsync("collector", "relic");
            // Moved once, long ago by the end, but heard from all along: not idle, so the position stays.
            await b.State.UpdatePositionAsync("regular", "moor", 5, 6);
            await AwaitAssertAsync(async () =>
            {
                Assert.NotNull((await b.State.GetPlayerAsync("drifter"))?.Position);
                Assert.NotNull((await b.State.GetPlayerAsync("collector"))?.Position);
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

            await AwaitAssertAsync(async () =>
            {
                await b.State.HeartbeatAsync("regular", "moor");
                foreach (var node in nodes)
                {
                    Assert.Null(await node.State.GetPlayerAsync("drifter"));
                    var collector = await node.State.GetPlayerAsync("collector");
                    Assert.NotNull(collector);
                    Assert.Null(collector.Position);
                    Assert.Equal(["relic"], collector.Inventory);
                    Assert.False(await InBucketsAsync(node, "drifter"), $"drifter is still in a bucket of {node.Address}");
                    Assert.False(await InBucketsAsync(node, "collector"), $"collector is still in a bucket of {node.Address}");
                }
            }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

            var regular = await a.State.GetPlayerAsync("regular");
            Assert.Equal(("moor", 5.0, 6.0), (regular?.Position?.Zone, regular?.Position?.X ?? -1, regular?.Position?.Y ?? -1));

            await b.State.UpdatePositionAsync("drifter", "moor", 7, 8);
            await AwaitAssertAsync(async () =>
                Assert.Equal(7, (await a.State.GetPlayerAsync("drifter"))?.Position?.X), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Whether the node's own replica of the player's position or presence bucket holds the player.</summary>
    private static async Task<bool> InBucketsAsync(StateNode node, string playerId)
    {
        var replicator = DistributedData.Get(node.System).Replicator;
        var positions = await replicator.Ask<IGetResponse>(Dsl.Get(Keys.PositionKey(playerId), ReadLocal.Instance), TimeSpan.FromSeconds(5));
        var presence = await replicator.Ask<IGetResponse>(Dsl.Get(Keys.PresenceKey(playerId), ReadLocal.Instance), TimeSpan.FromSeconds(5));
        return (positions is GetSuccess p && p.Get(Keys.PositionKey(playerId)).ContainsKey(playerId))
               || (presence is GetSuccess s && s.Get(Keys.PresenceKey(playerId)).ContainsKey(playerId));
    }
}
