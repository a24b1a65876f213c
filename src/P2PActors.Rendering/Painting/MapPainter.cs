using System.Runtime.InteropServices;
using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// Tile maps. Each tile type is painted once per render into a small atlas (a few textured variants at the
/// tile size), then tiles are copied straight into the bitmap's memory: a 128×128 map is 16k tiles, far too many
/// for one Skia draw call each within the 20 ms budget. Spawn markers and the grid are drawn on top with Skia.
/// </summary>
internal static class MapPainter
{
    private const int Variants = 4;
    private const int TextureMinTile = 6;
    private const int SmoothTile = 16;

    public static readonly SKColor Unknown = new(0xff, 0x00, 0xff);

    /// <summary>The colour that fills most of each tile of this type (textures only add details on top).</summary>
    public static SKColor TileColor(char tile) => tile switch
    {
        Tiles.Grass => new SKColor(0x5b, 0x9e, 0x3e),
        Tiles.Forest => new SKColor(0x2f, 0x6b, 0x2a),
        Tiles.Water => new SKColor(0x2e, 0x6f, 0xb5),
        Tiles.Mountain => new SKColor(0x84, 0x7a, 0x6a),
        Tiles.Desert => new SKColor(0xdc, 0xc2, 0x7e),
        Tiles.Floor => new SKColor(0x9a, 0x8e, 0x7a),
        Tiles.Wall => new SKColor(0x33, 0x2e, 0x36),
        _ => Unknown,
    };

    /// <summary>The fill colour of a spawn marker; the marker's centre pixel is exactly this colour.</summary>
    public static SKColor SpawnColor(SpawnKind kind) => kind switch
    {
        SpawnKind.Player => new SKColor(0x3f, 0xd0, 0xff),
        SpawnKind.Enemy => new SKColor(0xe8, 0x38, 0x3d),
        SpawnKind.Npc => new SKColor(0xff, 0xe1, 0x4d),
        SpawnKind.Treasure => new SKColor(0xff, 0x9e, 0x1a),
        _ => SKColors.White,
    };

    /// <summary>Pixel layout of a map render: tile edges along each axis (edges[i] is where tile i starts).</summary>
    public sealed record Layout(int Width, int Height, int[] ColumnEdges, int[] RowEdges, float TilePixels)
    {
        public SKPoint Centre(int x, int y) =>
            new((ColumnEdges[x] + ColumnEdges[x + 1]) / 2f, (RowEdges[y] + RowEdges[y + 1]) / 2f);
    }

    /// <summary>
    /// With a tile size, every tile is that many pixels. Otherwise the longest side is <paramref name="size"/>
    /// pixels and tile edges fall on whole pixels (i * size / tiles), so there are no seams between tiles.
    /// </summary>
    public static Layout LayoutFor(int mapWidth, int mapHeight, int size, int? tileSize)
    {
        if (tileSize is { } t)
        {
            return new Layout(mapWidth * t, mapHeight * t, Edges(mapWidth, t, 1), Edges(mapHeight, t, 1), t);
        }
        var longest = Math.Max(mapWidth, mapHeight);
        return new Layout(
            Math.Max(1, (int)((long)mapWidth * size / longest)),
            Math.Max(1, (int)((long)mapHeight * size / longest)),
            Edges(mapWidth, size, longest), Edges(mapHeight, size, longest), size / (float)longest);
    }

    private static int[] Edges(int tiles, int numerator, int denominator)
    {
        var edges = new int[tiles + 1];
        for (var i = 0; i <= tiles; i++)
        {
            edges[i] = (int)((long)i * numerator / denominator);
        }
        return edges;
    }

    public static SKBitmap Paint(GameMap map, PreviewOptions options)
    {
        var layout = LayoutFor(map.Width, map.Height, options.Size, options.TileSize);
        SKBitmap bitmap;
        if (layout.TilePixels >= 1)
        {
            bitmap = Png.NewBitmap(layout.Width, layout.Height, opaque: true);
            BlitTiles(bitmap, map, layout);
        }
        else
        {
            // Fewer pixels than tiles: paint one pixel per tile, then filter down so every tile still counts.
            using var full = Png.NewBitmap(map.Width, map.Height, opaque: true);
            BlitTiles(full, map, LayoutFor(map.Width, map.Height, Math.Max(map.Width, map.Height), 1));
            bitmap = Png.NewBitmap(layout.Width, layout.Height, opaque: true);
            full.ScalePixels(bitmap, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        using var canvas = new SKCanvas(bitmap);
        if (options.Grid && layout.TilePixels >= 3)
        {
            DrawGrid(canvas, layout);
        }
        DrawSpawns(canvas, map, layout);
        return bitmap;
    }

    /// <summary>Atlas column of a wall with open ground below it: the same stone, drawn as a brick face.</summary>
    private static readonly int WallFace = Tiles.All.Count + 1;
    private const char WallFaceMarker = '|';

    private static int TileIndex(char tile)
    {
        for (var i = 0; i < Tiles.All.Count; i++)
        {
            if (Tiles.All[i] == tile)
            {
                return i;
            }
        }
        return Tiles.All.Count;
    }

    private static void BlitTiles(SKBitmap bitmap, GameMap map, Layout layout)
    {
        var tile = (int)MathF.Ceiling(layout.TilePixels);
        using var atlas = BuildAtlas(tile, map.Seed);
        var atlasPixels = MemoryMarshal.Cast<byte, uint>(atlas.GetPixelSpan());
        var atlasStride = atlas.RowBytes / 4;
        var pixels = MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        var stride = bitmap.RowBytes / 4;
        var seed = unchecked((ulong)map.Seed);
        for (var y = 0; y < map.Height; y++)
        {
            var row = map.Rows[y];
            var top = layout.RowEdges[y];
            var h = layout.RowEdges[y + 1] - top;
            for (var x = 0; x < map.Width; x++)
            {
                var left = layout.ColumnEdges[x];
                var w = layout.ColumnEdges[x + 1] - left;
                if (w == 0 || h == 0)
                {
                    continue;
                }
                var type = TileIndex(row[x]);
                if (row[x] == Tiles.Wall && y + 1 < map.Height && map.Rows[y + 1][x] != Tiles.Wall)
                {
                    type = WallFace;
                }
                var variant = (int)(StableHash.Mix(seed ^ ((ulong)(uint)x << 32 | (uint)y)) % Variants);
                var srcX = type * tile;
                var srcY = variant * tile;
                for (var dy = 0; dy < h; dy++)
                {
                    atlasPixels.Slice((srcY + dy) * atlasStride + srcX, w)
                        .CopyTo(pixels.Slice((top + dy) * stride + left, w));
                }
            }
        }
    }

    /// <summary>One column per tile type, then "unknown" and the wall face; one row per variant; tile×tile cells.</summary>
    private static SKBitmap BuildAtlas(int tile, long seed)
    {
        var atlas = Png.NewBitmap(tile * (WallFace + 1), tile * Variants, opaque: true);
        using var canvas = new SKCanvas(atlas);
        for (var type = 0; type <= WallFace; type++)
        {
            var tileChar = type < Tiles.All.Count ? Tiles.All[type] : type == WallFace ? WallFaceMarker : '?';
            for (var v = 0; v < Variants; v++)
            {
                canvas.Save();
                canvas.ClipRect(new SKRect(type * tile, v * tile, (type + 1) * tile, (v + 1) * tile));
                canvas.Translate(type * tile, v * tile);
                PaintTile(canvas, tileChar, tile, StableHash.Combine(StableHash.Combine((ulong)tileChar, v), seed));
                canvas.Restore();
            }
        }
        return atlas;
    }

    private static void PaintTile(SKCanvas canvas, char tile, int t, ulong hash)
    {
        var baseColor = TileColor(tile == WallFaceMarker ? Tiles.Wall : tile);
        canvas.DrawColor(baseColor);
        if (t < TextureMinTile)
        {
            return;
        }
        float U(int slot) => StableHash.Unit(hash, slot);
        // Small tiles are drawn as crisp pixel art: it reads better at 4-12 px, and it keeps a map within a
        // 256-colour palette so it can be written as a one-byte-per-pixel PNG (see IndexedPng).
        var smooth = t >= SmoothTile;
        SKPaint Fill(SKColor c)
        {
            var paint = Ink.Fill(c);
            paint.IsAntialias = smooth;
            return paint;
        }
        SKPaint Stroke(SKColor c, float width)
        {
            var paint = Ink.Stroke(c, width);
            paint.IsAntialias = smooth;
            return paint;
        }
        var line = MathF.Max(1, t / 10f);
        switch (tile)
        {
            case Tiles.Grass:
            {
                using var dark = Stroke(Ink.Darker(baseColor, 0.2f), line);
                using var light = Fill(Ink.Lighter(baseColor, 0.25f));
                for (var i = 0; i < 2; i++)
                {
                    var x = t * (0.2f + 0.6f * U(i));
                    var y = t * (0.3f + 0.55f * U(i + 10));
                    canvas.DrawLine(x - t * 0.08f, y - t * 0.14f, x, y, dark);
                    canvas.DrawLine(x + t * 0.08f, y - t * 0.14f, x, y, dark);
                }
                canvas.DrawCircle(t * (0.15f + 0.7f * U(20)), t * (0.15f + 0.7f * U(21)), MathF.Max(0.6f, t * 0.06f), light);
                break;
            }
            case Tiles.Forest:
            {
                var cx = t * (0.42f + 0.16f * U(1));
                var cy = t * (0.42f + 0.12f * U(2));
                var r = t * 0.3f;
                using var trunk = Fill(new SKColor(0x4a, 0x33, 0x1e));
                canvas.DrawRect(cx - t * 0.05f, cy + r * 0.5f, t * 0.1f, t * 0.2f, trunk);
                using var canopy = Fill(new SKColor(0x1d, 0x4c, 0x1f));
                canvas.DrawCircle(cx, cy, r, canopy);
                using var highlight = Fill(new SKColor(0x43, 0x8c, 0x38));
                canvas.DrawCircle(cx - r * 0.3f, cy - r * 0.3f, r * 0.45f, highlight);
                break;
            }
            case Tiles.Water:
            {
                using var wave = Stroke(Ink.Lighter(baseColor, 0.3f), line);
                wave.Style = SKPaintStyle.Stroke;
                for (var i = 0; i < 2; i++)
                {
                    var x = t * (0.1f + 0.45f * U(i));
                    var y = t * (0.3f + 0.45f * i + 0.1f * U(i + 5));
                    Ink.Path(canvas, wave, p =>
                    {
                        p.MoveTo(x, y);
                        p.QuadTo(x + t * 0.1f, y - t * 0.1f, x + t * 0.2f, y);
                        p.QuadTo(x + t * 0.3f, y + t * 0.1f, x + t * 0.4f, y);
                    });
                }
                break;
            }
            case Tiles.Mountain:
            {
                var peak = new SKPoint(t * (0.42f + 0.16f * U(1)), t * (0.18f + 0.1f * U(2)));
                using var shade = Fill(Ink.Darker(baseColor, 0.28f));
                Ink.Polygon(canvas, shade, new SKPoint(t * 0.12f, t * 0.84f), peak, new SKPoint(t * 0.88f, t * 0.84f));
                using var lit = Fill(Ink.Lighter(baseColor, 0.18f));
                Ink.Polygon(canvas, lit, new SKPoint(t * 0.12f, t * 0.84f), peak, new SKPoint(peak.X, t * 0.84f));
                if (U(3) < 0.6f)
                {
                    using var snow = Fill(new SKColor(0xf2, 0xf4, 0xf6));
                    var k = 0.3f;
                    Ink.Polygon(canvas, snow, peak,
                        new SKPoint(peak.X + (t * 0.88f - peak.X) * k, peak.Y + (t * 0.84f - peak.Y) * k),
                        new SKPoint(peak.X + (t * 0.12f - peak.X) * k, peak.Y + (t * 0.84f - peak.Y) * k));
                }
                break;
            }
            case Tiles.Desert:
            {
                using var dune = Stroke(Ink.Darker(baseColor, 0.12f), line);
                var y = t * (0.35f + 0.3f * U(1));
                Ink.Path(canvas, dune, p =>
                {
                    p.MoveTo(t * 0.05f, y + t * 0.1f);
                    p.QuadTo(t * 0.45f, y - t * 0.18f, t * 0.95f, y + t * 0.05f);
                });
                using var grain = Fill(Ink.Darker(baseColor, 0.2f));
                for (var i = 0; i < 3; i++)
                {
                    canvas.DrawCircle(t * (0.1f + 0.8f * U(10 + i)), t * (0.1f + 0.8f * U(20 + i)), MathF.Max(0.5f, t * 0.04f), grain);
                }
                break;
            }
            case Tiles.Floor:
            {
                using var grout = new SKPaint { Color = Ink.Darker(baseColor, 0.22f), IsAntialias = false };
                canvas.DrawRect(0, t - line, t, line, grout);
                canvas.DrawRect(t - line, 0, line, t, grout);
                using var edge = new SKPaint { Color = Ink.Lighter(baseColor, 0.1f), IsAntialias = false };
                canvas.DrawRect(0, 0, t - line, line, edge);
                if (U(1) < 0.35f)
                {
                    using var crack = Stroke(Ink.Darker(baseColor, 0.3f), MathF.Max(0.8f, line * 0.7f));
                    var x = t * (0.2f + 0.4f * U(2));
                    canvas.DrawLine(x, t * 0.3f, x + t * 0.2f, t * 0.55f, crack);
                }
                break;
            }
            case Tiles.Wall:
            {
                // Solid rock between rooms: a few specks only, so rooms and corridors stand out.
                using var speck = Fill(Ink.Lighter(baseColor, 0.08f));
                for (var i = 0; i < 2; i++)
                {
                    canvas.DrawCircle(t * (0.15f + 0.7f * U(10 + i)), t * (0.15f + 0.7f * U(20 + i)), MathF.Max(0.6f, t * 0.07f), speck);
                }
                break;
            }
            case WallFaceMarker:
            {
                using var mortar = new SKPaint { Color = Ink.Darker(baseColor, 0.4f), IsAntialias = false };
                using var brick = new SKPaint { Color = Ink.Lighter(baseColor, 0.12f), IsAntialias = false };
                var half = t / 2f;
                canvas.DrawRect(0, 0, t, line, brick);
                canvas.DrawRect(0, half - line / 2, t, line, mortar);
                canvas.DrawRect(0, t - line, t, line, mortar);
                var offset = t * (0.3f + 0.4f * U(1));
                canvas.DrawRect(offset, 0, line, half, mortar);
                canvas.DrawRect((offset + half) % t, half, line, half, mortar);
                break;
            }
            default:
            {
                using var cross = Stroke(SKColors.Black, line);
                canvas.DrawLine(t * 0.25f, t * 0.25f, t * 0.75f, t * 0.75f, cross);
                canvas.DrawLine(t * 0.75f, t * 0.25f, t * 0.25f, t * 0.75f, cross);
                break;
            }
        }
    }

    private static void DrawGrid(SKCanvas canvas, Layout layout)
    {
        using var paint = new SKPaint { Color = new SKColor(0, 0, 0, 64), IsAntialias = false, BlendMode = SKBlendMode.SrcOver };
        for (var i = 1; i < layout.ColumnEdges.Length - 1; i++)
        {
            canvas.DrawRect(layout.ColumnEdges[i], 0, 1, layout.Height, paint);
        }
        for (var i = 1; i < layout.RowEdges.Length - 1; i++)
        {
            canvas.DrawRect(0, layout.RowEdges[i], layout.Width, 1, paint);
        }
    }

    private static void DrawSpawns(SKCanvas canvas, GameMap map, Layout layout)
    {
        var r = MathF.Max(2.6f, layout.TilePixels * 0.42f);
        var smooth = layout.TilePixels >= SmoothTile;
        using var outline = Ink.Stroke(new SKColor(0x10, 0x10, 0x14), MathF.Max(1f, r * 0.22f));
        outline.IsAntialias = smooth;
        foreach (var spawn in map.Spawns ?? [])
        {
            var c = layout.TilePixels >= 1
                ? layout.Centre(spawn.X, spawn.Y)
                : new SKPoint((spawn.X + 0.5f) * layout.TilePixels, (spawn.Y + 0.5f) * layout.TilePixels);
            using var fill = Ink.Fill(SpawnColor(spawn.Kind));
            fill.IsAntialias = smooth;
            using var path = Ink.BuildPath(p => MarkerShape(p, spawn.Kind, c, r));
            canvas.DrawPath(path, outline);
            canvas.DrawPath(path, fill);
        }
    }

    /// <summary>Shapes differ by kind as well as colour so markers stay readable for colour-blind players.</summary>
    private static void MarkerShape(SKPathBuilder p, SpawnKind kind, SKPoint c, float r)
    {
        switch (kind)
        {
            case SpawnKind.Player:
                p.AddCircle(c.X, c.Y, r, SKPathDirection.Clockwise);
                break;
            case SpawnKind.Enemy:
                p.MoveTo(c.X, c.Y - r * 1.1f);
                p.LineTo(c.X + r * 1.1f, c.Y);
                p.LineTo(c.X, c.Y + r * 1.1f);
                p.LineTo(c.X - r * 1.1f, c.Y);
                p.Close();
                break;
            case SpawnKind.Npc:
                p.MoveTo(c.X, c.Y - r * 1.1f);
                p.LineTo(c.X + r * 1.05f, c.Y + r * 0.8f);
                p.LineTo(c.X - r * 1.05f, c.Y + r * 0.8f);
                p.Close();
                break;
            default:
                p.AddRect(new SKRect(c.X - r * 0.9f, c.Y - r * 0.75f, c.X + r * 0.9f, c.Y + r * 0.75f), SKPathDirection.Clockwise);
                break;
        }
    }
}
