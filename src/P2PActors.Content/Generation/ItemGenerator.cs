using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

internal static class ItemGenerator
{
    public static readonly string[] KindKeys = Preference.Keys<ItemKind>("kind");
    public static readonly string[] RarityKeys = Preference.Keys<Rarity>("rarity");

    /// <summary>Unbiased rarity odds: common things are common.</summary>
    public static readonly double[] RarityOdds = [40, 25, 16, 10, 6, 3];

    private static readonly Grammar.Rule[] NameRules =
        Enum.GetValues<Rarity>().Select(r => ContentData.Grammar.Get("itemName." + r.ToString().ToLowerInvariant())).ToArray();

    private static readonly Grammar.Rule[] BaseRules =
        Enum.GetValues<ItemKind>().Select(k => ContentData.Grammar.Get("base." + k.ToString().ToLowerInvariant())).ToArray();

    private static readonly Grammar.Rule Description = ContentData.Grammar.Get("itemDescription");

    // Profile weights per kind over Hp, Atk, Def, Spd, Mp, Int, Lck; zero where the kind carries no stat.
    private static readonly double[][] KindProfiles = Enum.GetValues<ItemKind>().Select(BuildProfile).ToArray();

    private static double[] BuildProfile(ItemKind kind)
    {
        var profile = new double[7];
        var allowed = Balance.ItemStats(kind);
        for (var i = 0; i < allowed.Count; i++) profile[(int)allowed[i]] = i == 0 ? 3.0 : 1.0;
        return profile;
    }

    public static Item Generate(Rng rng, long seed, ItemKind? requestedKind, Rarity? requestedRarity, int? requestedLevel, LearnedPatterns? patterns)
    {
        var kind = requestedKind ?? (ItemKind)Preference.Pick(rng, patterns, KindKeys);
        var rarity = requestedRarity ?? (Rarity)Preference.Pick(rng, patterns, RarityKeys, RarityOdds);
        var level = requestedLevel ?? rng.Range(Balance.Levels.Min, Balance.Levels.Max);

        var range = Balance.ItemStatTotal(rarity, level);
        var cap = Balance.ItemStatCap(rarity, level);
        Span<int> stats = stackalloc int[7];
        StatAllocator.Distribute(rng, rng.Range(range.Min, range.Max), KindProfiles[(int)kind], 0, cap, stats);

        var name = Name(rng, kind, rarity);
        var description = ContentData.Grammar.Expand(Description, rng);
        return new Item(name, kind, rarity, level, Balance.ToStats(stats), description) { Seed = seed };
    }

    /// <summary>A name for an item of this kind and rarity; quests reuse it for reward items.</summary>
    public static string Name(Rng rng, ItemKind kind, Rarity rarity)
    {
        var baseWord = ContentData.Grammar.Expand(BaseRules[(int)kind], rng);
        return ContentData.Grammar.Expand(NameRules[(int)rarity], rng, [("base", baseWord)]);
    }
}
