using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// A node that comes up in a cluster reads every player bucket (positions, presence, inventories) from a peer, so the
/// players who were there before it are online, placed and equipped on it at once. Nothing else brings those to a
/// joiner but gossip: moves older than the resync horizon, heartbeats and inventories are never pushed to it.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class PlayerCatchUpTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_joiner_sees_the_players_presence_positions_and_inventories_without_any_gossip()
    {
        // Gossip (and so delta propagation, at a fifth of it) once an hour and no position resync: within the test only
        // the catch-up reads can bring the holder's player buckets to the joiner.
        var settings = new GameStateSettings
        {
            GossipInterval = TimeSpan.FromHours(1),
            PositionResyncInterval = TimeSpan.FromHours(1),
        };
        var keys = settings.CreateKeys();
        // One player per bucket, so every bucket holds a player and each first move is stored before it is answered.
        var players = Enumerable.Range(0, 10_000).Select(i => $"wanderer-{i}")
            .GroupBy(keys.PlayerBucket)
            .Select(g => g.First())
            .ToList();
        Assert.Equal(settings.PlayerBuckets, players.Count);

        var holder = TestCluster.StartNode(new StateNodeOptions { State = settings }, null);
        StateNode? joiner = null;
        try
        {
            await TestCluster.AllUpAsync(this, [holder], 1);
            for (var i = 0; i < players.Count; i++)
            {
                await holder.State.UpdatePositionAsync(players[i], "meadow", i, i + 0.5);
                await holder.State.HeartbeatAsync(players[i], "meadow");
                await holder.State.AddItemAsync(players[i], $"charm-{i}");
            }

            joiner = TestCluster.StartNode(new StateNodeOptions { State = settings }, holder.Address);
            await TestCluster.AllUpAsync(this, [holder, joiner], 2);

            await AwaitAssertAsync(async () =>
            {
                for (var i = 0; i < players.Count; i++)
                {
                    var seen = await joiner.State.GetPlayerAsync(players[i]);
                    Assert.NotNull(seen);
                    Assert.True(seen.Online, $"{players[i]} is not online on the joiner");
                    Assert.Equal(("meadow", (double)i, i + 0.5), (seen.Position?.Zone, seen.Position?.X ?? -1, seen.Position?.Y ?? -1));
                    Assert.Equal([$"charm-{i}"], seen.Inventory);
                }
            }, Patience, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await Task.WhenAll(new[] { holder, joiner }.OfType<StateNode>().Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
