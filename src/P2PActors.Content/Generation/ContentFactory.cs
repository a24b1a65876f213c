using System.Globalization;
using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

/// <summary>The one entry point for generating content: parameter specs, validation, and seeded generation.</summary>
public static class ContentFactory
{
    private sealed record Definition(ParameterSpec Spec, IntRange? Range, string[]? Values)
    {
        public static Definition Int(string name, string description, IntRange range) =>
            new(new ParameterSpec(name, description, range.ToString(), null), range, null);

        public static Definition Enum<T>(string name, string description) where T : struct, System.Enum
        {
            var values = System.Enum.GetValues<T>().Select(v => v.ToString().ToLowerInvariant()).ToArray();
            return new(new ParameterSpec(name, description, null, values), null, values);
        }
    }

    private static readonly Definition[][] Definitions =
    [
        // character
        [
            Definition.Enum<CharacterClass>("class", "The character's class."),
            Definition.Int("level", "The character's level; the stat budget grows with it.", Balance.Levels),
        ],
        // item
        [
            Definition.Enum<ItemKind>("kind", "What sort of item."),
            Definition.Enum<Rarity>("rarity", "How rare; stat caps grow with rarity."),
            Definition.Int("level", "The level required to use the item; stat caps grow with it.", Balance.Levels),
        ],
        // quest
        [
            Definition.Enum<Difficulty>("difficulty", "Sets objective sizes and the reward ranges."),
            Definition.Int("objectives", "How many objectives the quest has.", Balance.ObjectiveCount),
        ],
        // map
        [
            Definition.Int("width", "Map width in tiles.", Balance.MapSide),
            Definition.Int("height", "Map height in tiles.", Balance.MapSide),
            Definition.Enum<MapGenerator>("generator", "Overworld (noise biomes) or dungeon (rooms and corridors)."),
        ],
        // dialog
        [
            Definition.Enum<DialogTone>("tone", "The NPC's manner of speaking."),
            Definition.Int("depth", $"How many levels of lines the tree has (at most {DialogGenerator.MaxLines} lines in all).", Balance.DialogDepth),
        ],
    ];

    private static readonly IReadOnlyList<ParameterSpec>[] Specs = Definitions.Select(d => (IReadOnlyList<ParameterSpec>)d.Select(x => x.Spec).ToArray()).ToArray();

    public static IReadOnlyList<ParameterSpec> Parameters(ContentType type) => Specs[Index(type)];

    public static IReadOnlyList<ParameterProblem> ValidateParameters(ContentType type, IReadOnlyDictionary<string, string> parameters)
    {
        var problems = new List<ParameterProblem>();
        Parse(type, parameters, problems);
        return problems;
    }

    /// <summary>
    /// Generates content of <paramref name="type"/> from <paramref name="seed"/>; the same arguments always give
    /// byte-identical canonical JSON. Parameters left out are drawn from the seed (biased by <paramref name="patterns"/>).
    /// </summary>
    /// <exception cref="ContentParameterException">A parameter is unknown, malformed or out of range, or the seed is invalid.</exception>
    public static GameContent Generate(ContentType type, IReadOnlyDictionary<string, string> parameters, long seed, LearnedPatterns? patterns = null)
    {
        var problems = new List<ParameterProblem>();
        var values = Parse(type, parameters, problems);
        if (!Seeds.IsValid(seed)) problems.Add(new ParameterProblem("seed", $"must be between 0 and {Seeds.Max}"));
        if (problems.Count > 0) throw new ContentParameterException(problems);

        var rng = new Rng(Mix(seed, type));
        GameContent content = type switch
        {
            ContentType.Character => CharacterGenerator.Generate(rng, seed, AsEnum<CharacterClass>(values[0]), values[1], patterns),
            ContentType.Item => ItemGenerator.Generate(rng, seed, AsEnum<ItemKind>(values[0]), AsEnum<Rarity>(values[1]), values[2], patterns),
            ContentType.Quest => QuestGenerator.Generate(rng, seed, AsEnum<Difficulty>(values[0]), values[1], patterns),
            ContentType.Map => MapBuilder.Generate(rng, seed, values[0], values[1], AsEnum<MapGenerator>(values[2]), patterns),
            ContentType.Dialog => DialogGenerator.Generate(rng, seed, AsEnum<DialogTone>(values[0]), values[1], patterns),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        return ContentJson.WithId(content);
    }

    /// <summary>Separate streams per type, so a character and an item from the same seed do not share draws.</summary>
    private static long Mix(long seed, ContentType type) => seed ^ ((long)type + 1) * 0x5DEECE66DL;

    private static T? AsEnum<T>(int? value) where T : struct, Enum => value is { } v ? (T)(object)v : null;

    private static int Index(ContentType type) =>
        (uint)type < (uint)Definitions.Length ? (int)type : throw new ArgumentOutOfRangeException(nameof(type), type, "unknown content type");

    /// <summary>Parsed values in definition order: the integer, or the enum's ordinal; null when not given.</summary>
    private static int?[] Parse(ContentType type, IReadOnlyDictionary<string, string> parameters, List<ParameterProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var definitions = Definitions[Index(type)];
        var values = new int?[definitions.Length];
        foreach (var (name, raw) in parameters)
        {
            var index = Array.FindIndex(definitions, d => string.Equals(d.Spec.Name, name, StringComparison.Ordinal));
            if (index < 0)
            {
                var allowed = string.Join(", ", definitions.Select(d => d.Spec.Name));
                problems.Add(new ParameterProblem(name, $"unknown parameter for {ContentTypes.WireName(type)}; allowed: {allowed}"));
                continue;
            }
            var definition = definitions[index];
            var text = raw?.Trim() ?? "";
            if (definition.Range is { } range)
            {
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    problems.Add(new ParameterProblem(name, $"must be a whole number in {range}, got '{raw}'"));
                else if (!range.Contains(number))
                    problems.Add(new ParameterProblem(name, $"must be between {range.Min} and {range.Max}, got {number}"));
                else
                    values[index] = number;
            }
            else
            {
                var ordinal = Array.FindIndex(definition.Values!, v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase));
                if (ordinal < 0)
                    problems.Add(new ParameterProblem(name, $"must be one of {string.Join(", ", definition.Values!)}, got '{raw}'"));
                else
                    values[index] = ordinal;
            }
        }
        return values;
    }
}
