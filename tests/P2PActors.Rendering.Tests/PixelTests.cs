using P2PActors.Content.Model;
using P2PActors.Rendering.Painting;
using SkiaSharp;

namespace P2PActors.Rendering.Tests;

public class PixelTests
{
    [Fact]
    public void Small_tiles_are_flat_tile_colours_at_every_tile()
    {
        var map = Samples.PatternMap(14, 10);
        using var image = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: 4)));

        Assert.Equal((56, 40), (image.Width, image.Height));
        for (var y = 0; y < map.Height; y++)
        {
            for (var x = 0; x < map.Width; x++)
            {
                Assert.Equal(MapPainter.TileColor(map.TileAt(x, y)), image.GetPixel(x * 4 + 2, y * 4 + 2));
            }
        }
    }

    [Fact]
    public void Textured_tiles_keep_their_tile_colour_as_the_main_colour()
    {
        var map = Samples.PatternMap(14, 10);
        using var image = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: 16)));

        var distinct = new HashSet<SKColor>();
        for (var y = 0; y < map.Height; y++)
        {
            for (var x = 0; x < map.Width; x++)
            {
                Assert.Equal(MapPainter.TileColor(map.TileAt(x, y)), Pixels.Dominant(image, x * 16, y * 16, 16, 16));
                distinct.Add(image.GetPixel(x * 16 + 8, y * 16 + 8));
            }
        }
        Assert.True(distinct.Count > Tiles.All.Count, "16 px tiles should carry texture, not only flat colours");
        Assert.Equal(7, Tiles.All.Select(MapPainter.TileColor).Distinct().Count());
    }

    [Fact]
    public void A_map_fitted_to_a_size_keeps_tiles_on_whole_pixels()
    {
        var map = Samples.PatternMap(30, 20);
        using var image = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(100)));
        var layout = MapPainter.LayoutFor(30, 20, 100, null);

        Assert.Equal((100, 66), (image.Width, image.Height));
        for (var y = 0; y < map.Height; y++)
        {
            for (var x = 0; x < map.Width; x++)
            {
                Assert.Equal(MapPainter.TileColor(map.TileAt(x, y)), image.GetPixel(layout.ColumnEdges[x], layout.RowEdges[y]));
            }
        }
    }

    [Fact]
    public void Spawn_markers_sit_on_their_tiles_in_their_kind_colour()
    {
        Spawn[] spawns = [new(SpawnKind.Player, 1, 1), new(SpawnKind.Enemy, 7, 3), new(SpawnKind.Npc, 12, 8), new(SpawnKind.Treasure, 4, 9)];
        var map = Samples.PatternMap(14, 10, spawns);
        foreach (var tile in new[] { 3, 8, 20 })
        {
            using var image = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: tile)));
            foreach (var spawn in spawns)
            {
                var centre = image.GetPixel(spawn.X * tile + tile / 2, spawn.Y * tile + tile / 2);
                Assert.Equal(MapPainter.SpawnColor(spawn.Kind), centre);
            }
            var empty = image.GetPixel(10 * tile + tile / 2, 1 * tile + tile / 2);
            Assert.DoesNotContain(empty, Enum.GetValues<SpawnKind>().Select(MapPainter.SpawnColor));
        }
    }

    [Fact]
    public void Spawn_markers_stay_visible_when_a_large_map_is_shrunk()
    {
        var map = Samples.PatternMap(256, 256, [new Spawn(SpawnKind.Enemy, 200, 40)]);
        using var image = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(128)));

        Assert.Equal((128, 128), (image.Width, image.Height));
        Assert.Equal(MapPainter.SpawnColor(SpawnKind.Enemy), image.GetPixel(100, 20));
    }

    [Fact]
    public void The_grid_darkens_tile_edges_only_when_asked()
    {
        var map = Samples.PatternMap(8, 8);
        using var plain = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: 10)));
        using var grid = Pixels.Decode(PreviewRenderer.RenderPng(map, new PreviewOptions(TileSize: 10, Grid: true)));

        var line = grid.GetPixel(30, 15);
        var under = plain.GetPixel(30, 15);
        Assert.True(line.Red + line.Green + line.Blue < under.Red + under.Green + under.Blue, "grid line should darken the tile edge");
        Assert.Equal(plain.GetPixel(35, 15), grid.GetPixel(35, 15));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(64)]
    public void Item_border_is_the_rarity_colour(int size)
    {
        foreach (var rarity in Enum.GetValues<Rarity>())
        {
            using var image = Pixels.Decode(PreviewRenderer.RenderPng(Samples.Item(rarity), new PreviewOptions(size)));
            var scale = size / 256f;
            var borderMiddle = (ItemPainter.FrameInset + ItemPainter.BorderWidth(rarity) / 2) * scale;
            var expected = ItemPainter.RarityColor(rarity);
            Assert.Equal(expected, Pixels.Opaque(image.GetPixel(size / 2, (int)borderMiddle)));
            Assert.Equal(expected, Pixels.Opaque(image.GetPixel((int)borderMiddle, size / 2)));
            Assert.Equal(0, image.GetPixel(0, 0).Alpha);
        }
    }

    [Fact]
    public void Higher_rarities_glow_more()
    {
        float Brightness(Rarity rarity)
        {
            using var image = Pixels.Decode(PreviewRenderer.RenderPng(Samples.Item(rarity, ItemKind.Consumable, "Plain Potion"), new PreviewOptions(128)));
            // A ring between the silhouette and the border, where only glow, rays and sparkles are drawn.
            var sum = 0f;
            for (var i = 0; i < 64; i++)
            {
                var a = i * MathF.PI * 2 / 64;
                var c = image.GetPixel((int)(64 + 46 * MathF.Cos(a)), (int)(58 + 46 * MathF.Sin(a)));
                sum += c.Red + c.Green + c.Blue;
            }
            return sum;
        }
        Assert.True(Brightness(Rarity.Legendary) > Brightness(Rarity.Rare));
        Assert.True(Brightness(Rarity.Rare) > Brightness(Rarity.Common));
    }

    [Fact]
    public void Character_palette_shows_in_the_sprite()
    {
        var green = Samples.Character(CharacterClass.Mage, palette: ["#e0ac69", "#b55239", "#00c000"]);
        var red = Samples.Character(CharacterClass.Mage, palette: ["#e0ac69", "#b55239", "#c00000"]);
        int Greenness(Character c)
        {
            using var image = Pixels.Decode(PreviewRenderer.RenderPng(c, new PreviewOptions(256)));
            var count = 0;
            for (var y = 150; y < 200; y++)
            {
                for (var x = 100; x < 156; x++)
                {
                    var p = image.GetPixel(x, y);
                    count += p.Green > p.Red + 40 ? 1 : 0;
                }
            }
            return count;
        }
        // The accent trim may be green for either robe; the robe itself covers far more of this area.
        var g = Greenness(green);
        var r = Greenness(red);
        Assert.True(g > 1000 && g > 4 * r, $"green pixels: {g} with a green robe, {r} with a red one");
    }
}
