using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

internal static class QuestGenerator
{
    public static readonly string[] DifficultyKeys = Preference.Keys<Difficulty>("difficulty");
    public static readonly string[] ObjectiveKeys = Preference.Keys<ObjectiveType>("objective");
    public static readonly string[] KindKeys = ItemGenerator.KindKeys;

    private static readonly Grammar.Rule Title = ContentData.Grammar.Get("questTitle");
    private static readonly Grammar.Rule Description = ContentData.Grammar.Get("questDescription");

    private static readonly Grammar.Rule[] TargetRules =
        Enum.GetValues<ObjectiveType>().Select(t => ContentData.Grammar.Get("target." + t.ToString().ToLowerInvariant())).ToArray();

    public static Quest Generate(Rng rng, long seed, Difficulty? requestedDifficulty, int? requestedObjectives, LearnedPatterns? patterns)
    {
        var difficulty = requestedDifficulty ?? (Difficulty)Preference.Pick(rng, patterns, DifficultyKeys);
        var objectiveCount = requestedObjectives ?? rng.Range(1, 3);

        var title = ContentData.Grammar.Expand(Title, rng);
        var description = ContentData.Grammar.Expand(Description, rng);

        var objectives = new Objective[objectiveCount];
        for (var i = 0; i < objectiveCount; i++)
        {
            var type = (ObjectiveType)Preference.Pick(rng, patterns, ObjectiveKeys);
            var target = ContentData.Grammar.Expand(TargetRules[(int)type], rng);
            var amount = Balance.ObjectiveAmount(type, difficulty);
            objectives[i] = new Objective(type, target, rng.Range(amount.Min, amount.Max));
        }

        var gold = Balance.QuestGold(difficulty);
        var xp = Balance.QuestXp(difficulty);
        var itemCount = Balance.QuestRewardItems(difficulty);
        var items = new RewardItem[rng.Range(itemCount.Min, itemCount.Max)];
        var maxRarity = (int)Balance.QuestRewardMaxRarity(difficulty);
        for (var i = 0; i < items.Length; i++)
        {
            var kind = (ItemKind)Preference.Pick(rng, patterns, KindKeys);
            // Rewards lean toward the top of what the difficulty allows.
            var rarity = (Rarity)Math.Max(rng.Range(0, maxRarity), rng.Range(0, maxRarity));
            items[i] = new RewardItem(ItemGenerator.Name(rng, kind, rarity), kind, rarity);
        }
        var rewards = new Rewards(
            RoundTo(rng.Range(gold.Min, gold.Max), 5, gold),
            RoundTo(rng.Range(xp.Min, xp.Max), 10, xp),
            items);
        return new Quest(title, description, objectives, difficulty, rewards) { Seed = seed };
    }

    /// <summary>Round numbers read better in a quest log; stay inside the range.</summary>
    private static int RoundTo(int value, int step, IntRange range)
    {
        var rounded = value / step * step;
        return rounded < range.Min ? range.Min : rounded;
    }
}
