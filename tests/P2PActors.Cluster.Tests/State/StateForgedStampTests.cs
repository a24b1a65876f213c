using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// Positions and heartbeats stamped far in the future, written straight into the replicated buckets (as any peer can):
/// a node does not let them pin a player's position or keep anyone online, on one real node (its replicator and view).
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class StateForgedStampTests : TestKit
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();

    private static string SameBucketAs(string player, string prefix) =>
        Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(p => Keys.PlayerBucket(p) == Keys.PlayerBucket(player));

    [Fact]
    public async Task A_bucket_entry_stamped_a_day_ahead_neither_hides_later_moves_nor_keeps_a_player_online()
    {
        using var data = new TempDataDirectory();
        await using var node = await TestNode.StartAsync(data.Settings() with { Admission = AdmitAll.Instance });
        var state = GameState.For(node.System);
        var replicator = DistributedData.Get(node.System).Replicator;
        var self = Akka.Cluster.Cluster.Get(node.System).SelfUniqueAddress;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const long day = 86_400_000;

        // A forger's writes, each beside an honest-looking witness in the same bucket: once the witness shows, the
        // node has read the bucket with the forgery in it.
        const string victim = "forged-victim";
        var witness = SameBucketAs(victim, "forged-witness");
        var positions = LWWDictionary<string, PlayerPosition>.Empty
            .SetItem(self, victim, new PlayerPosition("nowhere", 9, 9, now + day))
            .SetItem(self, witness, new PlayerPosition("meadow", 1, 1, now));
        const string phantom = "forged-phantom";
        var seen = SameBucketAs(phantom, "forged-seen");
        var presence = LWWDictionary<string, PresenceEntry>.Empty
            .SetItem(self, phantom, new PresenceEntry("meadow", now + day, "forger"))
            .SetItem(self, seen, new PresenceEntry("meadow", now, "forger"));
        var writes = new object[]
        {
            Dsl.Update(Keys.Positions[Keys.PlayerBucket(victim)], LWWDictionary<string, PlayerPosition>.Empty, WriteLocal.Instance, d => d.Merge(positions)),
            Dsl.Update(Keys.Presence[Keys.PlayerBucket(phantom)], LWWDictionary<string, PresenceEntry>.Empty, WriteLocal.Instance, d => d.Merge(presence)),
        };
        foreach (var write in writes)
            Assert.IsType<UpdateSuccess>(await replicator.Ask<IUpdateResponse>(write, TimeSpan.FromSeconds(10)));
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal("meadow", (await state.GetPlayerAsync(witness))?.Position?.Zone);
            Assert.True((await state.GetPlayerAsync(seen))?.Online);
        }, TimeSpan.FromSeconds(30));

        // The forged position was not taken. Taken, it would still lose to the victim's next move here, but only because a
        // move is stamped after the position held: a day ahead, which every other node refuses from a peer, so there the
        // victim would stay where the forger put them.
        await state.UpdatePositionAsync(victim, "forest", 2, 3);
        var moved = (await state.GetPlayerAsync(victim))?.Position;
        Assert.Equal("forest", moved?.Zone);
        Assert.InRange(moved!.UpdatedAtMs, now, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // The phantom's heartbeat from tomorrow does not make it online; and once it moves, its own move does, the
        // forged heartbeat being set aside rather than taken as its latest sign of life.
        Assert.False((await state.GetPlayerAsync(phantom))?.Online);
        await state.UpdatePositionAsync(phantom, "forest", 1, 1);
        Assert.True((await state.GetPlayerAsync(phantom))?.Online);
    }
}
