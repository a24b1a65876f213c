using System.Buffers;
using P2PActors.Content.Model;

namespace P2PActors.Content.Validation;

/// <summary>
/// The walkable tiles 4-connected to a start tile, as a bitset (bit y * width + x), by scanline fill straight over
/// the rows: a validator checks the spawns of every proposed map, and a fill that copies the grid and pushes every
/// tile costs several times more than one that marks whole runs of a row at once.
/// </summary>
internal static class MapReach
{
    public static bool IsSet(ReadOnlySpan<ulong> bits, int index) => (bits[index >> 6] & (1UL << (index & 63))) != 0;

    private static void Set(Span<ulong> bits, int index) => bits[index >> 6] |= 1UL << (index & 63);

    /// <summary>Fills <paramref name="reached"/> (cleared first) from a walkable start; every row must be <paramref name="width"/> long.</summary>
    public static void Fill(IReadOnlyList<string> rows, int width, int height, int x, int y, Span<ulong> reached)
    {
        var tiles = width * height;
        reached[..((tiles + 63) >> 6)].Clear();
        // Every push is the first tile of a walkable run next to a marked run: at most two per tile.
        var stack = ArrayPool<int>.Shared.Rent(2 * tiles + 2);
        try
        {
            var top = 0;
            stack[top++] = y * width + x;
            while (top > 0)
            {
                var seed = stack[--top];
                if (IsSet(reached, seed))
                    continue;
                var row = seed / width;
                var line = rows[row].AsSpan(0, width);
                var left = seed - row * width;
                var right = left;
                while (left > 0 && Tiles.IsWalkable(line[left - 1]))
                    left--;
                while (right < width - 1 && Tiles.IsWalkable(line[right + 1]))
                    right++;
                var offset = row * width;
                for (var i = left; i <= right; i++)
                    Set(reached, offset + i);
                if (row > 0)
                    PushRuns(rows[row - 1].AsSpan(0, width), offset - width, left, right, reached, stack, ref top);
                if (row < height - 1)
                    PushRuns(rows[row + 1].AsSpan(0, width), offset + width, left, right, reached, stack, ref top);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(stack);
        }
    }

    /// <summary>Pushes the first tile of every walkable, unreached run of <paramref name="line"/> within left..right.</summary>
    private static void PushRuns(ReadOnlySpan<char> line, int offset, int left, int right, ReadOnlySpan<ulong> reached, int[] stack, ref int top)
    {
        var inRun = false;
        for (var i = left; i <= right; i++)
        {
            var open = Tiles.IsWalkable(line[i]) && !IsSet(reached, offset + i);
            if (open && !inRun)
                stack[top++] = offset + i;
            inRun = open;
        }
    }
}
