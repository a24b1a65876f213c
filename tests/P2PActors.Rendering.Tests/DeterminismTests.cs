using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Rendering.Painting;

namespace P2PActors.Rendering.Tests;

public class DeterminismTests
{
    public static TheoryData<string, long> GeneratedContent()
    {
        var data = new TheoryData<string, long>();
        foreach (var type in Enum.GetValues<ContentType>())
        {
            foreach (var seed in new long[] { 1, 42, 9_007_199_254_740_991 })
            {
                data.Add(ContentTypes.WireName(type), seed);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GeneratedContent))]
    public void Same_content_gives_identical_bytes_even_after_a_json_round_trip(string type, long seed)
    {
        Assert.True(ContentTypes.TryParse(type, out var contentType));
        var content = ContentFactory.Generate(contentType, new Dictionary<string, string>(), seed);
        var copy = ContentJson.Deserialize(ContentJson.Serialize(content));
        var options = new PreviewOptions(200, Grid: true);

        var first = PreviewRenderer.RenderPng(content, options);
        var second = PreviewRenderer.RenderPng(copy, options);

        Assert.Equal(first, second);
        Assert.Equal(first, PreviewRenderer.RenderPng(content, options));
    }

    [Fact]
    public void Every_character_class_looks_different()
    {
        var images = Enum.GetValues<CharacterClass>()
            .Select(cls => PreviewRenderer.RenderPng(Samples.Character(cls), new PreviewOptions(128)))
            .ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            for (var j = i + 1; j < images.Length; j++)
            {
                Assert.False(Pixels.SameImage(images[i], images[j]), $"classes {i} and {j} rendered the same image");
            }
        }
    }

    [Fact]
    public void Body_type_palette_and_features_each_change_the_sprite()
    {
        var baseline = PreviewRenderer.RenderPng(Samples.Character(), new PreviewOptions(128));
        GameContent[] variants =
        [
            Samples.Character(body: BodyType.Hulking),
            Samples.Character(palette: ["#e0ac69", "#b55239", "#2e5e4e"]),
            Samples.Character(features: ["an eyepatch"]),
            Samples.Character(level: 13),
        ];
        foreach (var variant in variants)
        {
            Assert.False(Pixels.SameImage(baseline, PreviewRenderer.RenderPng(variant, new PreviewOptions(128))));
        }
    }

    [Fact]
    public void Every_rarity_looks_different()
    {
        var images = Enum.GetValues<Rarity>()
            .Select(r => PreviewRenderer.RenderPng(Samples.Item(r), new PreviewOptions(96)))
            .ToArray();
        Assert.Equal(images.Length, images.Select(Convert.ToBase64String).Distinct().Count());
        for (var i = 1; i < images.Length; i++)
        {
            Assert.False(Pixels.SameImage(images[i - 1], images[i]));
        }
    }

    [Fact]
    public void Text_uses_the_embedded_typeface_not_a_system_font()
    {
        Assert.Equal("PT Sans Narrow", Text.Regular.FamilyName);
        Assert.Equal("PT Sans Narrow", Text.Bold.FamilyName);
        Assert.True(Text.Bold.GlyphCount > 200);
    }
}
