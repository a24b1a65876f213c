using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

internal static class CharacterGenerator
{
    public static readonly string[] ClassKeys = Preference.Keys<CharacterClass>("class");

    // Relative share of the stat budget per class, in Hp, Atk, Def, Spd, Mp, Int, Lck order.
    private static readonly double[][] ClassProfiles =
    [
        [3.0, 2.6, 2.4, 1.2, 0.4, 0.5, 0.9], // warrior
        [1.4, 0.6, 0.8, 1.0, 3.0, 3.0, 1.2], // mage
        [1.6, 2.0, 1.0, 3.0, 0.6, 1.0, 2.4], // rogue
        [2.2, 0.8, 1.8, 0.8, 2.6, 2.0, 1.0], // cleric
        [1.8, 2.4, 1.2, 2.4, 0.8, 1.2, 1.6], // ranger
        [2.8, 2.0, 2.8, 0.8, 1.4, 1.2, 0.8], // paladin
    ];

    private static readonly string[] BackstoryRules =
        Enum.GetValues<CharacterClass>().Select(c => "backstory." + c.ToString().ToLowerInvariant()).ToArray();

    private static readonly string[] ClassWords = Enum.GetValues<CharacterClass>().Select(c => c.ToString().ToLowerInvariant()).ToArray();

    private static readonly string[][] Palettes =
    [
        ["#f1c27d", "#e0ac69", "#c68642", "#8d5524", "#ffdbac", "#5c3a21", "#a1665e", "#d4a373"], // skin
        ["#2c1b18", "#71635a", "#b55239", "#e6cea8", "#dcd0ba", "#090806", "#8d4a43", "#4f1a00", "#a7856a"], // hair
        ["#1f4e79", "#7b2d26", "#2e5e4e", "#5b4a8b", "#8a6d3b", "#3b3b3b", "#9c2a2a", "#c0a060", "#2f6f8f", "#6b8e23"], // garb
    ];

    private static readonly Grammar.Rule Person = ContentData.Grammar.Get("person");
    private static readonly Grammar.Rule Feature = ContentData.Grammar.Get("feature");
    private static readonly Grammar.Rule[] Backstories = BackstoryRules.Select(ContentData.Grammar.Get).ToArray();

    public static Character Generate(Rng rng, long seed, CharacterClass? requestedClass, int? requestedLevel, LearnedPatterns? patterns)
    {
        var cls = requestedClass ?? (CharacterClass)Preference.Pick(rng, patterns, ClassKeys);
        var level = requestedLevel ?? rng.Range(Balance.Levels.Min, Balance.Levels.Max);

        var budget = Balance.CharacterStatTotal(level);
        var bounds = Balance.CharacterStatBounds(level);
        var total = rng.Range(budget.Min, budget.Max);
        Span<int> stats = stackalloc int[7];
        StatAllocator.Distribute(rng, total, ClassProfiles[(int)cls], bounds.Min, bounds.Max, stats);

        var name = ContentData.Grammar.Expand(Person, rng);
        var palette = new[] { rng.Pick(Palettes[0]), rng.Pick(Palettes[1]), rng.Pick(Palettes[2]) };
        var body = (BodyType)rng.Next(5);
        var featureCount = rng.Range(1, 3);
        var features = new List<string>(featureCount);
        for (var attempt = 0; features.Count < featureCount && attempt < 8; attempt++)
        {
            var feature = ContentData.Grammar.Expand(Feature, rng);
            if (!features.Contains(feature)) features.Add(feature);
        }
        var backstory = ContentData.Grammar.Expand(Backstories[(int)cls], rng, [("class", ClassWords[(int)cls])]);

        return new Character(name, cls, level, Balance.ToStats(stats), new Appearance(palette, body, features), backstory) { Seed = seed };
    }
}

internal static class StatAllocator
{
    /// <summary>
    /// Splits <paramref name="total"/> over the slots with non-zero profile weight, each in [min, max]
    /// (min applies to every slot; slots with weight 0 stay at min). Caller guarantees feasibility.
    /// </summary>
    public static void Distribute(Rng rng, int total, ReadOnlySpan<double> profile, int min, int max, Span<int> result)
    {
        var n = profile.Length;
        Span<double> share = stackalloc double[n];
        var shareSum = 0.0;
        for (var i = 0; i < n; i++)
        {
            result[i] = min;
            share[i] = profile[i] > 0 ? profile[i] * (0.75 + 0.5 * rng.NextDouble()) : 0;
            shareSum += share[i];
        }
        var remaining = total - min * n;
        var spend = remaining;
        for (var i = 0; i < n && shareSum > 0; i++)
        {
            var want = (int)(spend * share[i] / shareSum);
            var give = Math.Min(Math.Min(want, max - result[i]), remaining);
            result[i] += give;
            remaining -= give;
        }
        // Hand out what rounding and caps left over, starting at a random slot, never past a cap.
        var start = rng.Next(n);
        while (remaining > 0)
        {
            var progressed = false;
            for (var k = 0; k < n && remaining > 0; k++)
            {
                var i = (start + k) % n;
                if (share[i] <= 0 || result[i] >= max) continue;
                var give = Math.Min(Math.Max(1, remaining / n), Math.Min(max - result[i], remaining));
                result[i] += give;
                remaining -= give;
                progressed = true;
            }
            if (!progressed) throw new InvalidOperationException("stat budget does not fit under the caps");
        }
    }
}
