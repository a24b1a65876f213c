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
            ["#3b2f8f", "#c9b8ff", "#54e0ff"], ["long silver hair", "freckles", "a jeweled circlet"]), new PreviewOptions(192));
        yield return ("character-rogue.png", Samples.Character(CharacterClass.Rogue, BodyType.Slim, "Sable Quickfingers", 8,
            ["#2f3b3a", "#1c2424", "#c0392b"], ["an eyepatch", "a silver earring"]), new PreviewOptions(192));
        yield return ("character-cleric.png", Samples.Character(CharacterClass.Cleric, BodyType.Stocky, "Brother Aldous", 15,
            ["#e8e0cc", "#7a5a2a", "gold"], ["a shaved head", "a crooked nose"]), new PreviewOptions(192));
        yield return ("character-ranger.png", Samples.Character(CharacterClass.Ranger, BodyType.Average, "Wren Fenwhisper", 21,
            ["#4f6b2f", "#6a4a2a", "#e0d040"], ["a tattered cloak", "green eyes"]), new PreviewOptions(192));
        yield return ("character-paladin.png", Samples.Character(CharacterClass.Paladin, BodyType.Tall, "Dame Corrin of the Vale", 33,
            ["#2b4d94", "#e8e8f0", "#f0c048"], ["long golden hair"]), new PreviewOptions(192));
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
