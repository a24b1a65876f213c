using P2PActors.Content.Model;

namespace P2PActors.Rendering.Tests;

/// <summary>Hand-built content, so the renderer's tests do not depend on the generators' current output.</summary>
internal static class Samples
{
    public static Character Character(CharacterClass cls = CharacterClass.Warrior, BodyType body = BodyType.Average,
        string name = "Brannoc Ironhelm", int level = 12, string[]? palette = null, string[]? features = null, long seed = 7) =>
        ContentJson.WithId(new Character(name, cls, level, new Stats(120, 30, 25, 10, 5, 8, 6),
            new Appearance(palette ?? ["#e0ac69", "#b55239", "#7b2d26"], body, features ?? ["a scar across the cheek", "a braided red beard"]),
            "Raised in a border fort.") { Seed = seed });

    public static Item Item(Rarity rarity = Rarity.Rare, ItemKind kind = ItemKind.Weapon, string name = "Runed Longsword of Dawn", long seed = 11) =>
        ContentJson.WithId(new Item(name, kind, rarity, 10, new Stats(0, 14, 2, 0, 0, 0, 3), "It hums faintly at night.") { Seed = seed });

    public static Quest Quest() => ContentJson.WithId(new Quest(
        "The Drowned Lantern of Marrowgate",
        "Strange lights burn over the old harbour; the fishermen say the drowned lantern has been lit again.",
        [
            new Objective(ObjectiveType.Explore, "the flooded crypt", 1),
            new Objective(ObjectiveType.Kill, "bog lurkers", 6),
            new Objective(ObjectiveType.Fetch, "the drowned lantern", 1),
            new Objective(ObjectiveType.Deliver, "the lantern to Mother Ysolde", 1),
        ],
        Difficulty.Hard,
        new Rewards(450, 1200, [new RewardItem("Tidecaller Amulet", ItemKind.Accessory, Rarity.Epic), new RewardItem("Salted Ration", ItemKind.Consumable, Rarity.Common)]))
    { Seed = 3 });

    public static Dialog Dialog() => ContentJson.WithId(new Dialog("Mother Ysolde", DialogTone.Mysterious, "greet",
    [
        new DialogLine("greet", "Mother Ysolde", "You smell of salt and old graves. Have you come about the lantern?",
            [new DialogChoice("Tell me about the lantern.", "lore"), new DialogChoice("I want work.", "work"), new DialogChoice("Farewell.", null)]),
        new DialogLine("lore", "Mother Ysolde", "It guided the dead home, once. Now it calls them back up.",
            [new DialogChoice("How do I put it out?", "work"), new DialogChoice("Start over.", "greet")]),
        new DialogLine("work", "Mother Ysolde", "Bring it to me, unlit, and the harbour will sleep again.",
            [new DialogChoice("I'll do it.", "accept"), new DialogChoice("Not today.", null)]),
        new DialogLine("accept", "Mother Ysolde", "Go before the tide turns.", [new DialogChoice("Leave.", null)]),
    ]) { Seed = 5 });

    /// <summary>A map whose tile at (x, y) is known: row y repeats the tile alphabet shifted by y.</summary>
    public static GameMap PatternMap(int width, int height, IReadOnlyList<Spawn>? spawns = null, long seed = 1)
    {
        var rows = new string[height];
        for (var y = 0; y < height; y++)
        {
            var chars = new char[width];
            for (var x = 0; x < width; x++)
            {
                chars[x] = Tiles.All[(x / 2 + y / 2) % Tiles.All.Count];
            }
            rows[y] = new string(chars);
        }
        return ContentJson.WithId(new GameMap("Pattern", MapGenerator.Overworld, width, height, rows, spawns ?? []) { Seed = seed });
    }

    /// <summary>A small island overworld, drawn by hand, for looking at.</summary>
    public static GameMap Island()
    {
        const int size = 24;
        var rows = new string[size];
        for (var y = 0; y < size; y++)
        {
            var chars = new char[size];
            for (var x = 0; x < size; x++)
            {
                var dx = x - 11.5;
                var dy = y - 11.5;
                var d = Math.Sqrt(dx * dx + dy * dy * 1.2);
                chars[x] = d > 10.5 ? Tiles.Water
                    : d > 9.3 ? Tiles.Desert
                    : d < 2.5 ? Tiles.Mountain
                    : (x * 7 + y * 3) % 5 == 0 || (x > 12 && y < 10) ? Tiles.Forest
                    : Tiles.Grass;
            }
            rows[y] = new string(chars);
        }
        return ContentJson.WithId(new GameMap("Isle of Marrow", MapGenerator.Overworld, size, size, rows,
            [new Spawn(SpawnKind.Player, 6, 12), new Spawn(SpawnKind.Enemy, 16, 7), new Spawn(SpawnKind.Npc, 9, 16), new Spawn(SpawnKind.Treasure, 14, 15)])
        { Seed = 9 });
    }
}
