using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Tests.State;
using P2PActors.Cluster.Zones;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Zones;

[Collection(MultiNode.Collection)]
public sealed class ZoneMapsTests : TestKit
{
    private static GameMap Map(string generator, long seed) => (GameMap)ContentFactory.Generate(ContentType.Map,
        new Dictionary<string, string> { ["generator"] = generator, ["width"] = "32", ["height"] = "24" }, seed);

    /// <summary>The first tile holding <paramref name="tile"/>, found by reading the rows.</summary>
    private static (int X, int Y) First(GameMap map, char tile)
    {
        for (var y = 0; y < map.Height; y++)
        {
            var x = map.Rows[y].IndexOf(tile);
            if (x >= 0) return (x, y);
        }
        throw new InvalidOperationException($"map {map.Id} has no '{tile}' tile");
    }

    [Fact]
    public async Task A_load_whose_caller_gave_up_is_not_the_answer_for_the_next_move()
    {
        // Prevents: the finished load was forgotten only by a caller that saw it finish, so one whose caller was
        // cancelled (a closed socket) answered the next move into the zone with its stale "no map".
        var map = Map("dungeon", 9);
        var firstFetch = new TaskCompletionSource<GameContent?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = 0;
        var zones = new ZoneMaps((_, _) => Interlocked.Increment(ref fetches) == 1 ? firstFetch.Task : Task.FromResult<GameContent?>(map));
        using var gaveUp = new CancellationTokenSource();
        var waiting = zones.GetMapAsync(map.Id, gaveUp.Token);
        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        // The holder did not answer that first fetch: no map then. A caller that stays sees that answer, and only once
        // the load has ended (and forgotten itself, in its finally). The body can be read now.
        var stayed = zones.GetMapAsync(map.Id);
        firstFetch.SetResult(null);
        Assert.Null(await stayed);

        Assert.Equal(map.Id, (await zones.GetMapAsync(map.Id))?.Id);
        Assert.Equal(2, fetches);
    }

    [Fact]
    public async Task A_zone_is_a_shared_map_whose_body_is_fetched_from_the_node_that_holds_it()
    {
        var nodes = await TestCluster.StartAsync(this, 2, _ => new StateNodeOptions());
        try
        {
            var (holder, other) = (nodes[0], nodes[1]);
            var dungeon = Map("dungeon", 7);
            var overworld = Enumerable.Range(1, 50).Select(s => Map("overworld", s)).First(m => m.Rows.Any(r => r.Contains(Tiles.Water)));
            var item = TestCluster.SampleItem(3);
            await holder.State.ShareAsync(dungeon, "tester");
            await holder.State.ShareAsync(overworld, "tester");
            await holder.State.ShareAsync(item, "tester");
            await AwaitAssertAsync(async () =>
            {
                Assert.NotNull(await other.State.FindCatalogEntryAsync(dungeon.Id!));
                Assert.NotNull(await other.State.FindCatalogEntryAsync(overworld.Id!));
                Assert.NotNull(await other.State.FindCatalogEntryAsync(item.Id!));
            }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

            // The other node holds no body: checking a move makes it fetch the map from the holder.
            var zones = ZoneMaps.For(other.System);
            var spawn = dungeon.Spawns[0];
            Assert.Equal(ZoneVerdict.Ok, await zones.CheckAsync(dungeon.Id, spawn.X, spawn.Y));
            var wall = First(dungeon, Tiles.Wall);
            Assert.Equal(ZoneVerdict.NotWalkable, await zones.CheckAsync(dungeon.Id, wall.X, wall.Y));
            var water = First(overworld, Tiles.Water);
            Assert.Equal(ZoneVerdict.NotWalkable, await zones.CheckAsync(overworld.Id, water.X, water.Y));
            Assert.Equal(ZoneVerdict.Ok, await zones.CheckAsync(overworld.Id, overworld.Spawns[0].X, overworld.Spawns[0].Y));

            Assert.Equal(ZoneVerdict.OutOfBounds, await zones.CheckAsync(dungeon.Id, -1, 0));
            Assert.Equal(ZoneVerdict.OutOfBounds, await zones.CheckAsync(dungeon.Id, 32, 0));
            Assert.Equal(ZoneVerdict.OutOfBounds, await zones.CheckAsync(dungeon.Id, 0, 24));

            // Not a map, not in the catalog, not a content id at all.
            Assert.Equal(ZoneVerdict.UnknownZone, await zones.CheckAsync(item.Id, 0, 0));
            Assert.Equal(ZoneVerdict.UnknownZone, await zones.CheckAsync(new string('a', 64), 1, 1));
            Assert.Equal(ZoneVerdict.UnknownZone, await zones.CheckAsync("plains", 1, 1));
            Assert.Equal(ZoneVerdict.UnknownZone, await zones.CheckAsync(null, 1, 1));

            // The same map, whole, on both nodes.
            Assert.Equal(dungeon.Rows, (await zones.GetMapAsync(dungeon.Id))!.Rows);
            Assert.Equal(dungeon.Rows, (await ZoneMaps.For(holder.System).GetMapAsync(dungeon.Id))!.Rows);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Parsed_maps_are_cached_within_the_capacity_and_misses_are_asked_again()
    {
        var fetches = new List<string>();
        var maps = Enumerable.Range(1, 3).Select(s => Map("dungeon", s)).ToDictionary(m => m.Id!);
        var zones = new ZoneMaps((id, _) =>
        {
            lock (fetches) fetches.Add(id);
            return Task.FromResult<GameContent?>(maps.GetValueOrDefault(id));
        }, capacity: 2);
        var ids = maps.Keys.ToArray();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => zones.GetMapAsync(ids[0])));
        await zones.GetMapAsync(ids[0]);
        await zones.GetMapAsync(ids[1]);
        await zones.GetMapAsync(ids[2]); // evicts ids[0]
        await zones.GetMapAsync(ids[0]);
        Assert.Equal([ids[0], ids[1], ids[2], ids[0]], fetches.Skip(fetches.Count - 4));
        Assert.Equal(4, fetches.Count);

        var missing = new string('b', 64);
        Assert.Null(await zones.GetMapAsync(missing));
        Assert.Null(await zones.GetMapAsync(missing));
        Assert.Equal(2, fetches.Count(f => f == missing));
    }
}
