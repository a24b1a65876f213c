using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Rendering.Tests;

public class ValidationTests
{
    private static void AssertRejected(GameContent content, PreviewOptions options, string field)
    {
        var errors = PreviewRenderer.Validate(content, options);
        Assert.Contains(errors, e => e.Field == field);
        var ex = Assert.Throws<PreviewRequestException>(() => PreviewRenderer.RenderPng(content, options));
        Assert.Equal(field, ex.Field);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(0)]
    [InlineData(-256)]
    [InlineData(4097)]
    [InlineData(int.MaxValue)]
    public void Sizes_outside_16_to_4096_are_refused(int size)
    {
        AssertRejected(Samples.Character(), new PreviewOptions(size), "size");
        AssertRejected(Samples.Quest(), new PreviewOptions(size), "size");
        AssertRejected(Samples.PatternMap(10, 10), new PreviewOptions(size), "size");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public void Tile_sizes_outside_1_to_64_are_refused(int tile) =>
        AssertRejected(Samples.PatternMap(4, 4), new PreviewOptions(TileSize: tile), "tileSize");

    [Fact]
    public void A_map_that_would_exceed_4096_pixels_is_refused_with_its_dimensions()
    {
        var map = Samples.PatternMap(256, 100);
        var errors = PreviewRenderer.Validate(map, new PreviewOptions(TileSize: 17));
        var error = Assert.Single(errors);
        Assert.Equal("tileSize", error.Field);
        Assert.Contains("4352", error.Message);
        Assert.Empty(PreviewRenderer.Validate(map, new PreviewOptions(TileSize: 16)));
    }

    [Fact]
    public void Tile_size_is_refused_for_content_that_is_not_a_map() =>
        AssertRejected(Samples.Item(), new PreviewOptions(TileSize: 8), "tileSize");

    [Fact]
    public void Malformed_maps_are_refused_as_content()
    {
        var map = Samples.PatternMap(6, 4);
        AssertRejected(map with { Rows = map.Rows.Take(3).ToArray() }, PreviewOptions.Default, "content");
        AssertRejected(map with { Rows = [.. map.Rows.Take(3), "gg"] }, PreviewOptions.Default, "content");
        AssertRejected(map with { Spawns = [new Spawn(SpawnKind.Enemy, 6, 0)] }, PreviewOptions.Default, "content");
        AssertRejected(map with { Width = 0, Rows = ["", "", "", ""] }, PreviewOptions.Default, "content");
        AssertRejected(Samples.PatternMap(257, 2), PreviewOptions.Default, "content");
    }

    [Fact]
    public void A_dialog_without_lines_is_refused() =>
        AssertRejected(Samples.Dialog() with { Lines = [] }, PreviewOptions.Default, "content");

    [Fact]
    public void Missing_options_are_refused() =>
        AssertRejected(Samples.Character(), null!, "options");

    [Fact]
    public void The_smallest_and_largest_allowed_requests_render()
    {
        using var tiny = Pixels.Decode(PreviewRenderer.RenderPng(Samples.Character(), new PreviewOptions(16)));
        Assert.Equal((16, 16), (tiny.Width, tiny.Height));
        Assert.Empty(PreviewRenderer.Validate(Samples.PatternMap(256, 256), new PreviewOptions(TileSize: 16)));
        using var big = Pixels.Decode(PreviewRenderer.RenderPng(Samples.PatternMap(256, 256), new PreviewOptions(TileSize: 4)));
        Assert.Equal((1024, 1024), (big.Width, big.Height));
    }

    public static TheoryData<string> Types()
    {
        var data = new TheoryData<string>();
        foreach (var type in Enum.GetValues<ContentType>())
        {
            data.Add(ContentTypes.WireName(type));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_content_type_renders_with_its_longest_side_at_the_requested_size(string type)
    {
        Assert.True(ContentTypes.TryParse(type, out var contentType));
        foreach (var seed in new long[] { 3, 77, 1234 })
        {
            var content = ContentFactory.Generate(contentType, new Dictionary<string, string>(), seed);
            foreach (var size in new[] { 16, 64, 300 })
            {
                using var image = Pixels.Decode(PreviewRenderer.RenderPng(content, new PreviewOptions(size)));
                Assert.Equal(size, Math.Max(image.Width, image.Height));
                if (contentType is ContentType.Character or ContentType.Item)
                {
                    Assert.Equal(image.Width, image.Height);
                }
            }
        }
    }

    [Fact]
    public void Content_with_missing_parts_still_renders()
    {
        var character = Samples.Character() with { Appearance = new Appearance([], BodyType.Average, []), Name = "" };
        var dialog = Samples.Dialog() with { Start = "nowhere", Lines = [new DialogLine("a", "X", "Hi", [new DialogChoice("Go", "missing")])] };
        var quest = Samples.Quest() with { Objectives = [], Rewards = new Rewards(0, 0, []) };
        var map = Samples.PatternMap(3, 3) with { Rows = ["g?g", "ggg", "ggg"] };
        foreach (GameContent content in new GameContent[] { character, dialog, quest, map })
        {
            using var image = Pixels.Decode(PreviewRenderer.RenderPng(content, new PreviewOptions(64)));
            Assert.Equal(64, Math.Max(image.Width, image.Height));
        }
    }
}
