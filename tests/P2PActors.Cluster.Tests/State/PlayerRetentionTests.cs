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
        const long now = 10_000, cutoff = 4_000;
        var (view, _) = GameStateView.Empty(Keys, AdmitAll.Instance).ApplyPositions(
        [
            new("old-everywhere", new PlayerPosition("moor", 1, 1, 1_000)),
            new("old-but-heard", new PlayerPosition("moor", 2, 2, 1_000)),
            new("moved-lately", new PlayerPosition("moor", 3, 3, 5_000)),
            new("at-the-cutoff", new PlayerPosition("moor", 4, 4, 4_000)),
        ], collectChanges: false);
        var heard = new[]
        {
            ("old-everywhere", 900L), ("old-but-heard", 4_500L), ("moved-lately", 800L), ("heard-long-ago", 900L), ("heard-lately", 6_000L),
            // A stamp more than a minute ahead of the clock is no sign of life.
            ("from-the-future", now + 120_000),
        };
        foreach (var (player, seen) in heard)
            view = Heard(view, Keys.PlayerBucket(player), player, seen);
        // A heartbeat a faulty peer filed under another bucket than its player's: never read, forgotten by its own stamp.
        var misfiledIn = (Keys.PlayerBucket("heard-lately") + 1) % Keys.PlayerBuckets;
        view = Heard(view, misfiledIn, "heard-lately", 700);

        var idle = view.IdleSince(cutoff, now);

        Assert.Equal(["old-everywhere"], idle.Positions);
        Assert.Equal(
            [(Keys.PlayerBucket("from-the-future"), "from-the-future"), (Keys.PlayerBucket("heard-long-ago"), "heard-long-ago"),
             (Keys.PlayerBucket("old-everywhere"), "old-everywhere"), (misfiledIn, "heard-lately")],
            idle.Presence.OrderBy(e => e.PlayerId == "heard-lately").ThenBy(e => e.PlayerId, StringComparer.Ordinal));
        var without = view.WithoutPositions(idle.Positions);
        Assert.False(without.Positions.ContainsKey("old-everywhere"));
        Assert.Equal(3, without.Positions.Count);
    }

    [Fact]
    public void A_removal_travels_as_full_state_because_a_remove_delta_drops_adds_its_receiver_has_not_seen()
    {
        var a = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 1), 1);
        var c = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 3), 3);
        var old = new PlayerPosition("moor", 1, 1, 1_000);
        var fresh = new PlayerPosition("moor", 2, 2, 9_000);
        var onC = LWWDictionary<string, PlayerPosition>.Empty.SetItem(c, "newcomer", fresh);
        var addDelta = onC.Delta!;
        var onB = LWWDictionary<string, PlayerPosition>.Empty.SetItem(a, "idle", old).ResetDelta();
        // A holds B's state and has seen C's add; then it forgets "idle".
        var onA = onB.Merge(onC.ResetDelta());

        // What Akka does with a removal's own delta (the reason for IdleRemoval): B, reached by A's removal before C's add,
        // loses the add for good.
        var removed = onA.Remove(a, "idle");
        Assert.False(onB.MergeDelta(removed.Delta!).MergeDelta(addDelta).ContainsKey("newcomer"));

        // The retention's removal: no delta (the replicator gossips the full state), only the old entry goes.
        var forgotten = IdleRemoval.Positions(onA, a, ["idle", "newcomer"], cutoffMs: 5_000);
        Assert.Null(forgotten.Delta);
        Assert.Equal(["newcomer"], forgotten.Entries.Keys);
        var onBAfterGossip = onB.Merge(forgotten).MergeDelta(addDelta);
        Assert.Equal(["newcomer"], onBAfterGossip.Entries.Keys);

        var heard = LWWDictionary<string, PresenceEntry>.Empty
            .SetItem(a, "quiet", new PresenceEntry("moor", 1_000, "node"))
            .SetItem(a, "chatty", new PresenceEntry("moor", 9_000, "node"));
        var kept = IdleRemoval.Presence(heard, a, ["quiet", "chatty"], cutoffMs: 5_000, nowMs: 10_000);
        Assert.Null(kept.Delta);
        Assert.Equal(["chatty"], kept.Entries.Keys);
    }

    private static GameStateView Heard(GameStateView view, int bucket, string player, long seenMs)
    {
        var held = view.Presence[bucket].SetItem(Writer, player, new PresenceEntry("moor", seenMs, "node"));
        return view.Apply(Keys.Presence[bucket].Id, held, collectChanges: false).View;
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
