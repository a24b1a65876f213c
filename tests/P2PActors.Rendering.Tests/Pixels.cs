using SkiaSharp;

namespace P2PActors.Rendering.Tests;

internal static class Pixels
{
    public static SKBitmap Decode(byte[] png)
    {
        Assert.True(png.Length > 8 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "not a PNG");
        return SKBitmap.Decode(png) ?? throw new Xunit.Sdk.XunitException("PNG did not decode");
    }

    public static SKColor Opaque(SKColor c) => c.WithAlpha(255);

    /// <summary>The most frequent colour in a rectangle: the tile's base colour once textures are drawn on it.</summary>
    public static SKColor Dominant(SKBitmap bitmap, int left, int top, int width, int height)
    {
        var counts = new Dictionary<SKColor, int>();
        for (var y = top; y < top + height; y++)
        {
            for (var x = left; x < left + width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }
        }
        return counts.OrderByDescending(kv => kv.Value).First().Key;
    }

    public static bool SameImage(byte[] a, byte[] b)
    {
        using var x = Decode(a);
        using var y = Decode(b);
        return x.Width == y.Width && x.Height == y.Height && x.GetPixelSpan().SequenceEqual(y.GetPixelSpan());
    }
}
