using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>
/// The attribute keys a piece of content is rated by, in the key scheme the generators read from
/// <c>LearnedPatterns</c>: "family:value", both lower case ("class:mage", "kind:weapon", "rarity:epic",
/// "difficulty:hard", "objective:kill", "generator:dungeon", "biome:forest", "size:small", "tone:friendly").
/// A rating teaches the profile about exactly these keys, so what a player rates is what the generator biases.
/// </summary>
public static class ContentAttributes
{
    public const string ClassFamily = "class";
    public const string KindFamily = "kind";
    public const string RarityFamily = "rarity";
    public const string DifficultyFamily = "difficulty";
    public const string ObjectiveFamily = "objective";
    public const string GeneratorFamily = "generator";
    public const string BiomeFamily = "biome";
    public const string SizeFamily = "size";
    public const string ToneFamily = "tone";

    public const string Small = "small";
    public const string Medium = "medium";
    public const string Large = "large";

    /// <summary>Maps whose larger side is at most this many tiles are "small".</summary>
    public const int SmallMaxSide = 48;

    /// <summary>Maps whose larger side is at most this many tiles (and more than <see cref="SmallMaxSide"/>) are "medium".</summary>
    public const int MediumMaxSide = 128;

    /// <summary>
    /// Overworld biomes by the terrain tile that dominates the map. Dungeons have no biome: their floor and
    /// walls say nothing about taste beyond "generator:dungeon".
    /// </summary>
    public static readonly IReadOnlyDictionary<char, string> BiomeByTile = new Dictionary<char, string>
    {
        [Tiles.Grass] = "grassland",
        [Tiles.Forest] = "forest",
        [Tiles.Water] = "water",
        [Tiles.Mountain] = "mountain",
        [Tiles.Desert] = "desert",
    };

    /// <summary>Every key the scheme can produce, in a stable order.</summary>
    public static readonly IReadOnlyList<string> AllKeys = BuildAllKeys();

    public static string Key(string family, string value) => family + ":" + value;

    public static string Of(CharacterClass value) => Key(ClassFamily, Lower(value));

    public static string Of(ItemKind value) => Key(KindFamily, Lower(value));

    public static string Of(Rarity value) => Key(RarityFamily, Lower(value));

    public static string Of(Difficulty value) => Key(DifficultyFamily, Lower(value));

    public static string Of(ObjectiveType value) => Key(ObjectiveFamily, Lower(value));

    public static string Of(MapGenerator value) => Key(GeneratorFamily, Lower(value));

    public static string Of(DialogTone value) => Key(ToneFamily, Lower(value));

    public static string Biome(string biome) => Key(BiomeFamily, biome);

    public static string Size(string bucket) => Key(SizeFamily, bucket);

    /// <summary>The family part of a key ("class" for "class:mage").</summary>
    public static string FamilyOf(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? key : key[..colon];
    }

    public static string SizeBucket(int width, int height)
    {
        var side = Math.Max(width, height);
        return side <= SmallMaxSide ? Small : side <= MediumMaxSide ? Medium : Large;
    }

    /// <summary>The attribute keys of <paramref name="content"/>, without duplicates, in a stable order.</summary>
    public static IReadOnlyList<string> Of(GameContent content) => content switch
    {
        Character c => [Of(c.Class)],
        Item i => [Of(i.Kind), Of(i.Rarity)],
        Quest q => [Of(q.Difficulty), .. q.Objectives.Select(o => o.Type).Distinct().Order().Select(Of)],
        GameMap m => MapAttributes(m),
        Dialog d => [Of(d.Tone)],
        _ => throw new ArgumentException($"unknown content type {content.GetType().Name}", nameof(content)),
    };

    /// <summary>The dominant terrain of an overworld map, or null for dungeons and maps without terrain tiles.</summary>
    public static string? BiomeOf(GameMap map)
    {
        if (map.Generator != MapGenerator.Overworld)
        {
            return null;
        }
        // Tiles are ASCII; anything else is not terrain.
        Span<int> counts = stackalloc int[128];
        foreach (var row in map.Rows)
        {
            foreach (var tile in row)
            {
                if (tile < counts.Length)
                {
                    counts[tile]++;
                }
            }
        }
        string? best = null;
        var bestCount = 0;
        // BiomeByTile's insertion order breaks ties deterministically.
        foreach (var (tile, biome) in BiomeByTile)
        {
            if (counts[tile] > bestCount)
            {
                best = biome;
                bestCount = counts[tile];
            }
        }
        return best;
    }

    private static IReadOnlyList<string> MapAttributes(GameMap map)
    {
        var keys = new List<string>(3) { Of(map.Generator) };
        if (BiomeOf(map) is { } biome)
        {
            keys.Add(Biome(biome));
        }
        keys.Add(Size(SizeBucket(map.Width, map.Height)));
        return keys;
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static List<string> BuildAllKeys()
    {
        var keys = new List<string>();
        keys.AddRange(Enum.GetValues<CharacterClass>().Select(Of));
        keys.AddRange(Enum.GetValues<ItemKind>().Select(Of));
        keys.AddRange(Enum.GetValues<Rarity>().Select(Of));
        keys.AddRange(Enum.GetValues<Difficulty>().Select(Of));
        keys.AddRange(Enum.GetValues<ObjectiveType>().Select(Of));
        keys.AddRange(Enum.GetValues<MapGenerator>().Select(Of));
        keys.AddRange(BiomeByTile.Values.Select(Biome));
        keys.AddRange(new[] { Small, Medium, Large }.Select(Size));
        keys.AddRange(Enum.GetValues<DialogTone>().Select(Of));
        return keys;
    }
}
