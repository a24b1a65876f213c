using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Replicas;
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
        const long now = 100_000_000, retention = 7_200_000, cutoff = now - retention;
        var (view, _) = GameStateView.Empty(Keys, AdmitAll.Instance).ApplyPositions(
        [
            new("old-everywhere", new PlayerPosition("moor", 1, 1, 1_000)),
            new("old-but-heard", new PlayerPosition("moor", 2, 2, 1_000)),
            new("moved-lately", new PlayerPosition("moor", 3, 3, now - 1_000)),
            new("at-the-cutoff", new PlayerPosition("moor", 4, 4, cutoff)),
        ], collectChanges: false);
        var heard = new[]
        {
            ("old-everywhere", 900L), ("old-but-heard", now - 1_000), ("moved-lately", 800L), ("heard-long-ago", 900L), ("heard-lately", now - 500),
            // A peer's clock a minute fast is still a sign of life; a stamp further ahead than the retention is none.
            ("running-fast", now + 61_000), ("from-the-future", now + retention + 1),
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
    public void A_position_filed_under_another_bucket_than_its_players_is_not_taken()
    {
        // Prevents: a faulty peer's misfiled position shown, and forgotten every hour only to come back from its bucket.
        var own = Keys.PlayerBucket("wanderer");
        var other = (own + 1) % Keys.PlayerBuckets;
        var position = new PlayerPosition("moor", 1, 1, 5_000);
        var bucket = LWWDictionary<string, PlayerPosition>.Empty.SetItem(Writer, "wanderer", position);

        var (misfiled, _) = GameStateView.Empty(Keys, AdmitAll.Instance).Apply(Keys.Positions[other].Id, bucket, collectChanges: false);
        var (filed, _) = GameStateView.Empty(Keys, AdmitAll.Instance).Apply(Keys.Positions[own].Id, bucket, collectChanges: false);

        Assert.False(misfiled.Positions.ContainsKey("wanderer"));
        Assert.Equal(position, filed.Positions["wanderer"]);
    }

    [Fact]
    public void Idle_removal_takes_out_only_entries_older_than_the_cutoff()
    {
        var a = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 1), 1);
        var positions = LWWDictionary<string, PlayerPosition>.Empty
            .SetItem(a, "idle", new PlayerPosition("moor", 1, 1, 1_000))
            .SetItem(a, "moved-since", new PlayerPosition("moor", 2, 2, 9_000));
        var heard = LWWDictionary<string, PresenceEntry>.Empty
            .SetItem(a, "quiet", new PresenceEntry("moor", 1_000, "node"))
            .SetItem(a, "chatty", new PresenceEntry("moor", 9_000, "node"));

        // "moved-since" and "chatty" were listed idle by a view read before their latest write reached the bucket.
        Assert.Equal(["moved-since"], IdleRemoval.Positions(positions, a, ["idle", "moved-since", "unknown"], cutoffMs: 5_000).Entries.Keys);
        Assert.Equal(["chatty"], IdleRemoval.Presence(heard, a, ["quiet", "chatty"], cutoffMs: 5_000, nowMs: 10_000).Entries.Keys);
    }

    /// <summary>
    /// Why removals go as full state (<see cref="Replicas.RemovalsAsFullState"/>; docs/architecture.md, "Forgetting
    /// players"). The assertions on plain LWWDictionary values record Akka.NET 1.5.73's behaviour, not this project's.
    /// </summary>
    [Fact]
    public void A_remove_delta_can_drop_an_add_for_good_while_a_full_state_removal_settles_after_a_few_gossip_rounds()
    {
        var old = new PlayerPosition("moor", 1, 1, 1_000);

        // C adds; A has seen it and forgets "idle"; B gets A's removal delta before C's add. The add is lost on B, and
        // gossip between all three then loses it everywhere.
        var a = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 1), 1);
        var c = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 3), 3);
        var shared = LWWDictionary<string, PlayerPosition>.Empty.SetItem(a, "idle", old).ResetDelta();
        var onC = shared.SetItem(c, "newcomer", old);
        var addDelta = onC.Delta!;
        onC = onC.ResetDelta();
        var removal = shared.Merge(onC).Remove(a, "idle");
        var (onA, onB) = (removal.ResetDelta(), shared.MergeDelta(removal.Delta!).MergeDelta(addDelta));
        Assert.False(onB.ContainsKey("newcomer"));
        for (var round = 0; round < 4; round++)
            (onA, onB, onC) = (onA.Merge(onB).Merge(onC), onB.Merge(onA).Merge(onC), onC.Merge(onA).Merge(onB));
        Assert.All(new[] { onA, onB, onC }, replica => Assert.False(replica.ContainsKey("newcomer")));

        // The same removal as this project sends it: no delta; after the same gossip every node holds the add, none "idle".
        var fullC = shared.SetItem(c, "newcomer", old).ResetDelta();
        var fullA = IdleRemoval.Positions(shared.Merge(fullC), a, ["idle"], cutoffMs: 5_000);
        Assert.Null(fullA.Delta);
        var fullB = shared.MergeDelta(addDelta).Merge(fullA);
        for (var round = 0; round < 4; round++)
            (fullA, fullB, fullC) = (fullA.Merge(fullB).Merge(fullC), fullB.Merge(fullA).Merge(fullC), fullC.Merge(fullA).Merge(fullB));
        Assert.All(new[] { fullA, fullB, fullC }, replica =>
        {
            Assert.True(replica.ContainsKey("newcomer"));
            Assert.False(replica.ContainsKey("idle"));
        });

        // A full-state removal for the address pair of StateCrdtTests' record: the first merge keeps the entry, the
        // rounds after remove it.
        var p = new UniqueAddress(new Address("akka.tcp", "sys", "127.0.0.1", 4190), 1452056222);
        var q = new UniqueAddress(new Address("akka.tcp", "sys", "127.0.0.1", 5645), 791022284);
        var start = LWWDictionary<string, PlayerPosition>.Empty.SetItem(p, "idle", old).ResetDelta();
        var onQ = start.SetItem(q, "other", old).ResetDelta().RemoveAsFullState(q, "idle");
        var onP = start.SetItem(p, "shield", old).ResetDelta();
        onP = onP.Merge(onQ);
        Assert.True(onP.ContainsKey("idle"), "the first merge keeps the removed entry");
        for (var round = 0; round < 3; round++)
            (onP, onQ) = (onP.Merge(onQ), onQ.Merge(onP));
        Assert.False(onP.ContainsKey("idle"));
        Assert.False(onQ.ContainsKey("idle"));
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
            // Moved once, long ago by the end, but heard from all along: not idle, so the position stays. Heard on both
            // nodes, so neither waits for the other's heartbeats to arrive (on a loaded machine that took longer than
            // the test's 3 s retention, and a node then rightly forgot the player).
            async Task HearRegular()
            {
                foreach (var node in nodes) await node.State.HeartbeatAsync("regular", "moor");
            }
            await b.State.UpdatePositionAsync("regular", "moor", 5, 6);
            await AwaitAssertAsync(async () =>
            {
                await HearRegular();
                Assert.NotNull((await b.State.GetPlayerAsync("drifter"))?.Position);
                Assert.NotNull((await b.State.GetPlayerAsync("collector"))?.Position);
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

            await AwaitAssertAsync(async () =>
            {
                await HearRegular();
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
