using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

/// <summary>Flood fills over tile grids, shared by the map generator and the map checks.</summary>
public static class MapTools
{
    /// <summary>Tiles reachable on foot (4-neighbour steps over walkable tiles) from (x, y); indexed y * width + x.</summary>
    public static bool[] Reachable(GameMap map, int x, int y)
    {
        var grid = new char[map.Width * map.Height];
        for (var row = 0; row < map.Height; row++) map.Rows[row].CopyTo(0, grid, row * map.Width, map.Width);
        var reached = new bool[grid.Length];
        if (x < 0 || y < 0 || x >= map.Width || y >= map.Height) return reached;
        var stack = new int[grid.Length];
        Fill(grid, map.Width, map.Height, y * map.Width + x, reached, stack, null);
        return reached;
    }

    /// <summary>
    /// Marks the walkable tiles connected to <paramref name="start"/> in <paramref name="mark"/> and, when given,
    /// appends them to <paramref name="members"/>. Returns the component size (0 when start is not walkable).
    /// </summary>
    internal static int Fill(char[] grid, int width, int height, int start, bool[] mark, int[] stack, List<int>? members)
    {
        if (mark[start] || !Tiles.IsWalkable(grid[start])) return 0;
        var top = 0;
        stack[top++] = start;
        mark[start] = true;
        var size = 0;
        while (top > 0)
        {
            var i = stack[--top];
            size++;
            members?.Add(i);
            var x = i % width;
            if (x > 0) Push(i - 1);
            if (x < width - 1) Push(i + 1);
            if (i >= width) Push(i - width);
            if (i < width * (height - 1)) Push(i + width);
        }
        return size;

        void Push(int n)
        {
            if (!mark[n] && Tiles.IsWalkable(grid[n]))
            {
                mark[n] = true;
                stack[top++] = n;
            }
        }
    }

    internal static readonly char[] Biomes = [Tiles.Grass, Tiles.Forest, Tiles.Water, Tiles.Mountain, Tiles.Desert];
    /// <summary>Biome names as the preference attribute keys spell them ("biome:grassland").</summary>
    internal static readonly string[] BiomeNames = ["grassland", "forest", "water", "mountain", "desert"];
}
