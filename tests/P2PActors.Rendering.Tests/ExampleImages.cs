using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Tests;

/// <summary>
/// Renders the README's example images. Every example must render and decode; with
/// P2P_WRITE_PREVIEW_EXAMPLES=1 they are also written to docs/images.
/// </summary>
public class ExampleImages
{
    public static IEnumerable<(string File, GameContent Content, PreviewOptions Options)> Examples()
    {
        yield return ("character-warrior.png", Samples.Character(CharacterClass.Warrior, BodyType.Hulking), new PreviewOptions(192));
        yield return ("character-mage.png", Samples.Character(CharacterClass.Mage, BodyType.Tall, "Ilvara Moonwhisper", 27,
            ["#ffdbac", "#dcd0ba", "#5b4a8b"], ["long silver hair", "freckles", "a jeweled circlet"]), new PreviewOptions(192));
        yield return ("character-rogue.png", Samples.Character(CharacterClass.Rogue, BodyType.Slim, "Sable Quickfingers", 8,
            ["#c68642", "#090806", "#3b3b3b"], ["an eyepatch", "a silver earring"]), new PreviewOptions(192));
        yield return ("character-cleric.png", Samples.Character(CharacterClass.Cleric, BodyType.Stocky, "Brother Aldous", 15,
            ["#8d5524", "#2c1b18", "#c0a060"], ["a shaved head", "a crooked nose"]), new PreviewOptions(192));
        yield return ("character-ranger.png", Samples.Character(CharacterClass.Ranger, BodyType.Average, "Wren Fenwhisper", 21,
            ["#f1c27d", "#b55239", "#6b8e23"], ["a tattered cloak", "green eyes"]), new PreviewOptions(192));
        yield return ("character-paladin.png", Samples.Character(CharacterClass.Paladin, BodyType.Tall, "Dame Corrin of the Vale", 33,
            ["#d4a373", "#e6cea8", "#1f4e79"], ["long golden hair"]), new PreviewOptions(192));
        foreach (var (rarity, kind, name) in new[]
                 {
                     (Rarity.Common, ItemKind.Weapon, "Worn Iron Dagger"),
                     (Rarity.Uncommon, ItemKind.Armor, "Reinforced Steel Helm"),
                     (Rarity.Rare, ItemKind.Weapon, "Runed Longbow of the Fox"),
                     (Rarity.Epic, ItemKind.Accessory, "Celestial Amulet of Dusk"),
                     (Rarity.Legendary, ItemKind.Weapon, "Dawnbringer Warhammer"),
                     (Rarity.Mythic, ItemKind.Consumable, "Star-born Elixir of Embers"),
                 })
        {
            yield return ($"item-{rarity.ToString().ToLowerInvariant()}.png", Samples.Item(rarity, kind, name), new PreviewOptions(128));
        }
        yield return ("map-island.png", Samples.Island(), new PreviewOptions(TileSize: 12, Grid: true));
        yield return ("map-overworld.png", ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["generator"] = "overworld", ["width"] = "64", ["height"] = "40" }, 2024), new PreviewOptions(TileSize: 6));
        yield return ("map-dungeon.png", ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["generator"] = "dungeon", ["width"] = "48", ["height"] = "30" }, 2024), new PreviewOptions(TileSize: 8, Grid: true));
        yield return ("quest-card.png", Samples.Quest(), new PreviewOptions(360));
        yield return ("dialog-tree.png", Samples.Dialog(), new PreviewOptions(720));
    }

    [Fact]
    public void Every_example_renders_and_decodes()
    {
        var write = Environment.GetEnvironmentVariable("P2P_WRITE_PREVIEW_EXAMPLES") == "1";
        var directory = write ? Path.Combine(RepoRoot(), "docs", "images") : null;
        foreach (var (file, content, options) in Examples())
        {
            var png = PreviewRenderer.RenderPng(content, options);
            using var bitmap = SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.True(Math.Max(bitmap.Width, bitmap.Height) > 0, file);
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllBytes(Path.Combine(directory, file), png);
            }
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "P2PActors.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
