using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Rendering.Painting;
using SkiaSharp;

namespace P2PActors.Rendering.Tests;

public class PngTests
{
    private static void AssertSamePixels(SKBitmap expected, SKBitmap actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                if (expected.GetPixel(x, y) != actual.GetPixel(x, y))
                {
                    Assert.Fail($"pixel ({x}, {y}) is {actual.GetPixel(x, y)}, expected {expected.GetPixel(x, y)}");
                }
            }
        }
    }

    [Theory]
    [InlineData("overworld", 8)]
    [InlineData("dungeon", 4)]
    public void Small_tile_maps_are_written_as_palette_pngs_that_decode_to_the_rendered_pixels(string generator, int tile)
    {
        var map = ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["generator"] = generator, ["width"] = "60", ["height"] = "40" }, 8);
        var options = new PreviewOptions(TileSize: tile, Grid: true);
        using var rendered = PreviewRenderer.Render(map, options);
        var png = PreviewRenderer.RenderPng(map, options);

        Assert.Equal(3, png[25]); // IHDR colour type 3: palette
        using var decoded = Pixels.Decode(png);
        AssertSamePixels(rendered, decoded);
    }

    [Fact]
    public void Images_with_many_colours_fall_back_to_skias_encoder_losslessly()
    {
        using var rendered = PreviewRenderer.Render(Samples.Character(), new PreviewOptions(128));
        Assert.Null(IndexedPng.TryEncode(rendered));
        var png = Png.Encode(rendered);

        Assert.Equal(6, png[25]); // RGBA
        using var decoded = Pixels.Decode(png);
        // Premultiplied pixels round-trip exactly only where they are opaque; compare those.
        for (var y = 0; y < rendered.Height; y += 3)
        {
            for (var x = 0; x < rendered.Width; x += 3)
            {
                var p = rendered.GetPixel(x, y);
                if (p.Alpha == 255)
                {
                    Assert.Equal(p, decoded.GetPixel(x, y));
                }
            }
        }
    }

    [Fact]
    public void A_map_with_more_than_256_colours_is_still_encoded()
    {
        var map = ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["generator"] = "overworld", ["width"] = "40", ["height"] = "40" }, 8);
        var png = PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: 24));
        Assert.Equal(2, png[25]); // RGB: anti-aliased 24 px tiles have too many colours for a palette
        using var decoded = Pixels.Decode(png);
        Assert.Equal((960, 960), (decoded.Width, decoded.Height));
    }
}
