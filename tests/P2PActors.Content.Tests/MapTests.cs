using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class MapTests
{
    /// <summary>An independent breadth-first search, so the test does not trust the generator's own flood fill.</summary>
    private static HashSet<(int, int)> Walk(GameMap map, int x, int y)
    {
        var seen = new HashSet<(int, int)> { (x, y) };
        var queue = new Queue<(int X, int Y)>();
        queue.Enqueue((x, y));
        while (queue.Count > 0)
        {
            var (cx, cy) = queue.Dequeue();
            foreach (var (nx, ny) in new[] { (cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1) })
            {
                if (nx < 0 || ny < 0 || nx >= map.Width || ny >= map.Height) continue;
                if (!Tiles.IsWalkable(map.Rows[ny][nx]) || !seen.Add((nx, ny))) continue;
                queue.Enqueue((nx, ny));
            }
        }
        return seen;
    }

    private static void AssertPlayable(GameMap map, int width, int height)
    {
        Assert.Equal(width, map.Width);
        Assert.Equal(height, map.Height);
        Assert.Equal(height, map.Rows.Count);
        Assert.All(map.Rows, row =>
        {
            Assert.Equal(width, row.Length);
            Assert.All(row, tile => Assert.Contains(tile, Tiles.All));
        });
        var player = Assert.Single(map.Spawns, s => s.Kind == SpawnKind.Player);
        Assert.Contains(map.Spawns, s => s.Kind == SpawnKind.Enemy);
        Assert.Contains(map.Spawns, s => s.Kind == SpawnKind.Npc);
        Assert.Contains(map.Spawns, s => s.Kind == SpawnKind.Treasure);
        Assert.Equal(map.Spawns.Count, map.Spawns.Select(s => (s.X, s.Y)).Distinct().Count());
        Assert.All(map.Spawns, s => Assert.True(Tiles.IsWalkable(map.TileAt(s.X, s.Y)), $"{s} stands on '{map.TileAt(s.X, s.Y)}'"));
        var reachable = Walk(map, player.X, player.Y);
        Assert.All(map.Spawns, s => Assert.True(reachable.Contains((s.X, s.Y)), $"{s} cannot be reached from the player at {player.X},{player.Y}"));
        Assert.Empty(Balance.Check(map));
    }

    [Theory]
    [InlineData("overworld")]
    [InlineData("dungeon")]
    public void Maps_of_any_size_have_walkable_reachable_spawns(string generator) =>
        Gen.Select(Seed, Gen.Int[8, 72], Gen.Int[8, 72]).Sample((seed, width, height) =>
        {
            var map = Generate<GameMap>(seed, ("width", width), ("height", height), ("generator", generator));
            Assert.Equal(generator, map.Generator.ToString().ToLowerInvariant());
            AssertPlayable(map, width, height);
        }, iter: 250);

    [Theory]
    [InlineData("overworld")]
    [InlineData("dungeon")]
    public void The_smallest_maps_still_connect_every_spawn(string generator)
    {
        for (long seed = 0; seed < 500; seed++)
            AssertPlayable(Generate<GameMap>(seed, ("width", 8), ("height", 8), ("generator", generator)), 8, 8);
    }

    [Theory]
    [InlineData("overworld")]
    [InlineData("dungeon")]
    public void The_largest_maps_are_playable(string generator)
    {
        for (long seed = 0; seed < 3; seed++)
            AssertPlayable(Generate<GameMap>(seed, ("width", 256), ("height", 256), ("generator", generator)), 256, 256);
    }

    [Fact]
    public void Unsized_maps_pick_a_size_in_range() =>
        Seed.Sample(seed =>
        {
            var map = Generate<GameMap>(seed);
            Assert.InRange(map.Width, 8, 256);
            Assert.InRange(map.Height, 8, 256);
            AssertPlayable(map, map.Width, map.Height);
        }, iter: 60);

    [Fact]
    public void Overworlds_mix_the_five_biomes_and_dungeons_are_walled_rooms()
    {
        var biomes = new HashSet<char>();
        for (long seed = 0; seed < 50; seed++)
        {
            var map = Generate<GameMap>(seed, ("width", 64), ("height", 64), ("generator", "overworld"));
            foreach (var row in map.Rows) biomes.UnionWith(row);
            Assert.True(map.Rows.SelectMany(r => r).Distinct().Count() >= 3, $"seed {seed} overworld is nearly uniform");
        }
        Assert.Equal(new HashSet<char> { Tiles.Grass, Tiles.Forest, Tiles.Water, Tiles.Mountain, Tiles.Desert }, biomes);

        for (long seed = 0; seed < 50; seed++)
        {
            var map = Generate<GameMap>(seed, ("width", 64), ("height", 64), ("generator", "dungeon"));
            Assert.All(map.Rows.SelectMany(r => r), t => Assert.True(t is Tiles.Floor or Tiles.Wall));
            Assert.All(map.Rows[0], t => Assert.Equal(Tiles.Wall, t));
            Assert.All(map.Rows[^1], t => Assert.Equal(Tiles.Wall, t));
            Assert.All(map.Rows, r => Assert.True(r[0] == Tiles.Wall && r[^1] == Tiles.Wall));
            var floor = map.Rows.Sum(r => r.Count(t => t == Tiles.Floor));
            Assert.InRange(floor, 64 * 64 / 8, 64 * 64 * 3 / 4);
        }
    }

    [Fact]
    public void Check_flags_a_spawn_cut_off_from_the_player()
    {
        var map = Generate<GameMap>(3, ("width", 16), ("height", 16), ("generator", "dungeon"));
        var rows = Enumerable.Repeat(new string(Tiles.Wall, 16), 16).ToArray();
        rows[2] = "#..#" + new string(Tiles.Wall, 12);
        var cut = map with
        {
            Rows = rows,
            Spawns = [new Spawn(SpawnKind.Player, 1, 2), new Spawn(SpawnKind.Enemy, 2, 2), new Spawn(SpawnKind.Treasure, 5, 2)],
        };
        var broken = Balance.Check(cut);
        Assert.Contains(Balance.SpawnWalkable, broken);
        rows[2] = "#..#.." + new string(Tiles.Wall, 10);
        broken = Balance.Check(cut with { Rows = rows });
        Assert.Contains(Balance.SpawnReachable, broken);
        Assert.DoesNotContain(Balance.SpawnWalkable, broken);
    }
}
