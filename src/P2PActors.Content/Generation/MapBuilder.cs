using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

/// <summary>
/// Builds overworld (value-noise height and moisture → biomes) and dungeon (rooms joined by corridors) maps,
/// then places every spawn inside the walkable region that holds the player, so all are reachable on foot.
/// </summary>
internal static class MapBuilder
{
    public static readonly string[] GeneratorKeys = Preference.Keys<MapGenerator>("generator");
    public static readonly string[] SizeKeys = ["size:small", "size:medium", "size:large"];
    // Inside the preference size buckets (larger side ≤48 small, ≤128 medium, else large).
    public static readonly IntRange[] SizeRanges = [new(16, 48), new(56, 120), new(136, 176)];
    public static readonly string[] BiomeKeys = MapTools.BiomeNames.Select(b => "biome:" + b).ToArray();

    private static readonly Grammar.Rule[] NameRules =
        Enum.GetValues<MapGenerator>().Select(g => ContentData.Grammar.Get("mapName." + g.ToString().ToLowerInvariant())).ToArray();

    private const int MaxAttempts = 4;

    public static GameMap Generate(Rng rng, long seed, int? requestedWidth, int? requestedHeight, MapGenerator? requestedGenerator, LearnedPatterns? patterns)
    {
        var generator = requestedGenerator ?? (MapGenerator)Preference.Pick(rng, patterns, GeneratorKeys);
        int width, height;
        if (requestedWidth is { } w && requestedHeight is { } h)
        {
            (width, height) = (w, h);
        }
        else
        {
            var size = SizeRanges[Preference.Pick(rng, patterns, SizeKeys)];
            width = requestedWidth ?? rng.Range(size.Min, size.Max);
            height = requestedHeight ?? rng.Range(size.Min, size.Max);
        }
        var biome = generator == MapGenerator.Overworld ? Preference.Pick(rng, patterns, BiomeKeys) : -1;

        var area = width * height;
        var enemies = Math.Clamp(area / 200, 1, 60);
        var npcs = Math.Clamp(area / 800, 1, 12);
        var treasure = Math.Clamp(area / 500, 1, 30);
        var needed = 1 + enemies + npcs + treasure;

        var scratch = Scratch.For(area);
        var (grid, mark, stack, region) = (scratch.Grid, scratch.Mark, scratch.Stack, scratch.Region);
        for (var attempt = 0; ; attempt++)
        {
            if (generator == MapGenerator.Overworld) Overworld(rng, scratch, width, height, biome);
            else Dungeon(rng, grid, width, height);
            LargestRegion(grid, width, height, mark, stack, region);
            // Enough room that spawns are not packed shoulder to shoulder; otherwise try a fresh layout.
            if (region.Count >= needed * 3) break;
            if (attempt == MaxAttempts - 1)
            {
                Carve(rng, grid, width, height, generator, needed * 3, mark, stack, region);
                break;
            }
        }

        var spawns = new List<Spawn>(needed);
        Array.Clear(mark, 0, area);
        var player = Place(rng, region, mark);
        spawns.Add(new Spawn(SpawnKind.Player, player % width, player / width));
        AddSpawns(rng, region, mark, width, spawns, SpawnKind.Enemy, enemies);
        AddSpawns(rng, region, mark, width, spawns, SpawnKind.Npc, npcs);
        AddSpawns(rng, region, mark, width, spawns, SpawnKind.Treasure, treasure);

        var rows = new string[height];
        for (var y = 0; y < height; y++) rows[y] = new string(grid, y * width, width);
        var name = ContentData.Grammar.Expand(NameRules[(int)generator], rng);
        return new GameMap(name, generator, width, height, rows, spawns) { Seed = seed };
    }

    private static void AddSpawns(Rng rng, List<int> region, bool[] taken, int width, List<Spawn> spawns, SpawnKind kind, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var tile = Place(rng, region, taken);
            spawns.Add(new Spawn(kind, tile % width, tile / width));
        }
    }

    /// <summary>A free tile of the region (the region always has at least three tiles per spawn).</summary>
    private static int Place(Rng rng, List<int> region, bool[] taken)
    {
        while (true)
        {
            var tile = region[rng.Next(region.Count)];
            if (taken[tile]) continue;
            taken[tile] = true;
            return tile;
        }
    }

    private static void LargestRegion(char[] grid, int width, int height, bool[] mark, int[] stack, List<int> region)
    {
        var area = width * height;
        Array.Clear(mark, 0, area);
        region.Clear();
        int bestStart = -1, bestSize = 0;
        for (var i = 0; i < area; i++)
        {
            var size = MapTools.Fill(grid, width, height, i, mark, stack, null);
            if (size > bestSize) (bestStart, bestSize) = (i, size);
        }
        if (bestStart < 0) return;
        Array.Clear(mark, 0, area);
        MapTools.Fill(grid, width, height, bestStart, mark, stack, region);
    }

    /// <summary>Last resort for layouts without enough connected ground: a random walk from the centre carves walkable tiles
    /// (all connected to each other) until the centre's region is big enough.</summary>
    private static void Carve(Rng rng, char[] grid, int width, int height, MapGenerator generator, int wanted, bool[] mark, int[] stack, List<int> region)
    {
        var ground = generator == MapGenerator.Overworld ? Tiles.Grass : Tiles.Floor;
        var margin = generator == MapGenerator.Dungeon ? 1 : 0;
        int x = width / 2, y = height / 2;
        var centre = y * width + x;
        while (true)
        {
            for (var step = 0; step < wanted; step++)
            {
                if (!Tiles.IsWalkable(grid[y * width + x])) grid[y * width + x] = ground;
                switch (rng.Next(4))
                {
                    case 0: x = Math.Max(margin, x - 1); break;
                    case 1: x = Math.Min(width - 1 - margin, x + 1); break;
                    case 2: y = Math.Max(margin, y - 1); break;
                    default: y = Math.Min(height - 1 - margin, y + 1); break;
                }
            }
            Array.Clear(mark, 0, width * height);
            region.Clear();
            MapTools.Fill(grid, width, height, centre, mark, stack, region);
            if (region.Count >= wanted) return;
        }
    }

    private static void Overworld(Rng rng, Scratch scratch, int width, int height, int favouredBiome)
    {
        var area = width * height;
        var (grid, elevation, moisture) = (scratch.Grid, scratch.Elevation, scratch.Moisture);
        Array.Clear(elevation, 0, area);
        Array.Clear(moisture, 0, area);
        var cell = Math.Clamp(Math.Min(width, height) / 3, 6, 32);
        Fractal(rng, elevation, width, height, cell);
        Fractal(rng, moisture, width, height, cell);

        double sea = 0.38, peaks = 0.66, dry = 0.38, wet = 0.60;
        switch (favouredBiome)
        {
            case 0: dry -= 0.06; wet += 0.06; break;
            case 1: wet -= 0.10; break;
            case 2: sea += 0.07; break;
            case 3: peaks -= 0.07; break;
            case 4: dry += 0.10; break;
        }
        for (var i = 0; i < area; i++)
        {
            var e = elevation[i];
            var m = moisture[i];
            grid[i] = e < sea ? Tiles.Water
                : e > peaks ? Tiles.Mountain
                : m < dry ? Tiles.Desert
                : m > wet ? Tiles.Forest
                : Tiles.Grass;
        }
    }

    /// <summary>Three octaves of value noise (random lattice values, smoothstep-bilinear between them) summed into [0, 1).</summary>
    private static void Fractal(Rng rng, double[] field, int width, int height, int baseCell)
    {
        Octave(rng, field, width, height, baseCell, 0.55);
        Octave(rng, field, width, height, Math.Max(2, baseCell / 2), 0.30);
        Octave(rng, field, width, height, Math.Max(2, baseCell / 4), 0.15);
    }

    private static void Octave(Rng rng, double[] field, int width, int height, int cell, double amplitude)
    {
        var gw = width / cell + 2;
        var gh = height / cell + 2;
        Span<double> lattice = gw * gh <= 2048 ? stackalloc double[gw * gh] : new double[gw * gh];
        for (var i = 0; i < lattice.Length; i++) lattice[i] = rng.NextDouble();
        var inv = 1.0 / cell;
        // Column lattice indices and weights are the same on every row: work them out once.
        Span<int> columns = width <= 512 ? stackalloc int[width] : new int[width];
        Span<double> weights = width <= 512 ? stackalloc double[width] : new double[width];
        for (var x = 0; x < width; x++)
        {
            var gx = x / cell;
            columns[x] = gx;
            weights[x] = Smooth((x - gx * cell) * inv);
        }
        for (var y = 0; y < height; y++)
        {
            var gy = y / cell;
            var ty = Smooth((y - gy * cell) * inv);
            var row0 = lattice.Slice(gy * gw, gw);
            var row1 = lattice.Slice(gy * gw + gw, gw);
            var output = field.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var gx = columns[x];
                var tx = weights[x];
                var top = row0[gx] + (row0[gx + 1] - row0[gx]) * tx;
                var bottom = row1[gx] + (row1[gx + 1] - row1[gx]) * tx;
                output[x] += amplitude * (top + (bottom - top) * ty);
            }
        }
    }

    /// <summary>Per-thread working buffers, grown to the largest map seen, so a map costs little more than its rows.</summary>
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? s_current;

        public char[] Grid = [];
        public bool[] Mark = [];
        public int[] Stack = [];
        public double[] Elevation = [];
        public double[] Moisture = [];
        public readonly List<int> Region = [];

        public static Scratch For(int area)
        {
            var scratch = s_current ??= new Scratch();
            if (scratch.Grid.Length < area)
            {
                scratch.Grid = new char[area];
                scratch.Mark = new bool[area];
                scratch.Stack = new int[area];
                scratch.Elevation = new double[area];
                scratch.Moisture = new double[area];
            }
            scratch.Region.Clear();
            return scratch;
        }
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    private static void Dungeon(Rng rng, char[] grid, int width, int height)
    {
        Array.Fill(grid, Tiles.Wall, 0, width * height);
        var maxRoom = Math.Clamp(Math.Min(width, height) / 3, 3, 12);
        var target = Math.Clamp(width * height / 120, 2, 48);
        var rooms = new List<(int X, int Y, int W, int H)>(target);
        for (var attempt = 0; attempt < target * 4 && rooms.Count < target; attempt++)
        {
            var rw = rng.Range(3, Math.Min(maxRoom, width - 2));
            var rh = rng.Range(3, Math.Min(maxRoom, height - 2));
            var rx = rng.Range(1, width - 1 - rw);
            var ry = rng.Range(1, height - 1 - rh);
            var overlaps = false;
            foreach (var r in rooms)
            {
                if (rx - 1 < r.X + r.W && r.X - 1 < rx + rw && ry - 1 < r.Y + r.H && r.Y - 1 < ry + rh)
                {
                    overlaps = true;
                    break;
                }
            }
            if (overlaps) continue;
            rooms.Add((rx, ry, rw, rh));
            for (var y = ry; y < ry + rh; y++)
                Array.Fill(grid, Tiles.Floor, y * width + rx, rw);
        }
        for (var i = 1; i < rooms.Count; i++) Corridor(rng, grid, width, rooms[i - 1], rooms[i]);
        // A few extra links make loops, so dungeons are not a single chain.
        for (var extra = rooms.Count / 4; extra > 0; extra--)
            Corridor(rng, grid, width, rooms[rng.Next(rooms.Count)], rooms[rng.Next(rooms.Count)]);
    }

    private static void Corridor(Rng rng, char[] grid, int width, (int X, int Y, int W, int H) a, (int X, int Y, int W, int H) b)
    {
        var (x0, y0) = (a.X + rng.Next(a.W), a.Y + rng.Next(a.H));
        var (x1, y1) = (b.X + rng.Next(b.W), b.Y + rng.Next(b.H));
        if (rng.Next(2) == 0)
        {
            HorizontalLine(grid, width, x0, x1, y0);
            VerticalLine(grid, width, y0, y1, x1);
        }
        else
        {
            VerticalLine(grid, width, y0, y1, x0);
            HorizontalLine(grid, width, x0, x1, y1);
        }
    }

    private static void HorizontalLine(char[] grid, int width, int x0, int x1, int y)
    {
        for (var x = Math.Min(x0, x1); x <= Math.Max(x0, x1); x++) grid[y * width + x] = Tiles.Floor;
    }

    private static void VerticalLine(char[] grid, int width, int y0, int y1, int x)
    {
        for (var y = Math.Min(y0, y1); y <= Math.Max(y0, y1); y++) grid[y * width + x] = Tiles.Floor;
    }
}
