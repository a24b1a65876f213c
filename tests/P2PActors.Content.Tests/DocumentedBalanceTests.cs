using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

/// <summary>
/// The balance numbers docs/content.md promises ("Balance" under "Content types"), worked out by hand from its formulas and tables
/// — never taken from <see cref="Balance"/> — and checked both on the numbers and at the validator's boundaries, so a
/// wrong formula fails here even when the generator and the validator agree with each other.
/// </summary>
public sealed class DocumentedBalanceTests
{
    // The formulas and tables the theories below are worked out from, as docs/content.md states them: if the
    // documentation changes, this fails until the numbers here are worked out again.
    [Theory]
    [InlineData("a character's stat total lies in `40+10·level .. 60+14·level` with every stat in `1 .. ⌈35% of that maximum⌉`")]
    [InlineData("an item stat never exceeds `(6+2·level)·rarity factor` (1.0, 1.3, 1.7, 2.2, 2.8, 3.5 from common to mythic), rounded down")]
    [InlineData("the total lies in `⅔ .. 2×` that cap (rounded down; e.g. a rare level-10 item: cap 44, total 29–88)")]
    [InlineData("gold 10–100 / 80–400 / 300–1,500 / 1,200–6,000, xp 50–300 / 250–1,000 / 900–4,000 / 3,500–15,000, reward items 0–1 / 0–2 / 1–3 / 2–4 no rarer than uncommon / rare / epic / mythic")]
    public void The_documentation_states_the_rules_these_tests_pin(string rule)
    {
        var file = DocumentedFile("docs/content.md");
        var text = string.Join(' ', File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.True(text.Contains(rule, StringComparison.Ordinal), $"{file} no longer says: {rule}");
    }

    private static string DocumentedFile(string path)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, path);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"{path} not found above {AppContext.BaseDirectory}");
    }

    // docs/content.md: total in 40+10·level .. 60+14·level, every stat in 1 .. ⌈35 % of that maximum⌉.
    [Theory]
    [InlineData(1, 50, 74, 26)]      // 35 % of 74 = 25.9
    [InlineData(10, 140, 200, 70)]   // 35 % of 200 = 70
    [InlineData(25, 290, 410, 144)]  // 35 % of 410 = 143.5
    [InlineData(50, 540, 760, 266)]  // 35 % of 760 = 266
    public void A_characters_stat_budget_is_the_documented_one(int level, int minTotal, int maxTotal, int maxStat)
    {
        Assert.Equal(new IntRange(minTotal, maxTotal), Balance.CharacterStatTotal(level));
        Assert.Equal(new IntRange(1, maxStat), Balance.CharacterStatBounds(level));

        var character = Generate<Character>(level, ("level", level));
        Assert.Empty(Balance.Check(character with { Stats = Spread(maxTotal, maxStat) }));
        Assert.Empty(Balance.Check(character with { Stats = Spread(minTotal, maxStat) }));
        Assert.Contains(Balance.StatTotal, Balance.Check(character with { Stats = Spread(maxTotal + 1, maxStat) }));
        Assert.Contains(Balance.StatTotal, Balance.Check(character with { Stats = Spread(minTotal - 1, maxStat) }));
        var oneTooStrong = Spread(maxTotal - maxStat - 1, maxStat) with { Hp = maxStat + 1 };
        Assert.Contains(Balance.StatBounds, Balance.Check(character with { Stats = oneTooStrong }));
    }

    // docs/content.md: a stat never exceeds (6+2·level)·factor (1.0, 1.3, 1.7, 2.2, 2.8, 3.5), rounded down; the total lies in
    // ⅔ .. 2× that cap, rounded down.
    [Theory]
    [InlineData(Rarity.Common, 1, 8, 5, 16)]          // 8·1.0
    [InlineData(Rarity.Uncommon, 10, 33, 22, 66)]     // 26·1.3 = 33.8
    [InlineData(Rarity.Rare, 10, 44, 29, 88)]         // 26·1.7 = 44.2
    [InlineData(Rarity.Epic, 20, 101, 67, 202)]       // 46·2.2 = 101.2
    [InlineData(Rarity.Legendary, 30, 184, 122, 368)] // 66·2.8 = 184.8
    [InlineData(Rarity.Mythic, 50, 371, 247, 742)]    // 106·3.5
    public void An_items_caps_are_the_documented_ones(Rarity rarity, int level, int cap, int minTotal, int maxTotal)
    {
        Assert.Equal(cap, Balance.ItemStatCap(rarity, level));
        Assert.Equal(new IntRange(minTotal, maxTotal), Balance.ItemStatTotal(rarity, level));

        // A weapon carries attack, speed and luck.
        var weapon = Generate<Item>(level, ("kind", ItemKind.Weapon), ("rarity", rarity), ("level", level));
        Assert.Empty(Balance.Check(weapon with { Stats = new Stats(0, cap, 0, cap, 0, 0, 0) }));
        Assert.Contains(Balance.StatBounds, Balance.Check(weapon with { Stats = new Stats(0, cap + 1, 0, cap - 1, 0, 0, 0) }));
        Assert.Contains(Balance.StatTotal, Balance.Check(weapon with { Stats = new Stats(0, cap, 0, cap, 0, 0, 1) }));
        Assert.Empty(Balance.Check(weapon with { Stats = new Stats(0, minTotal, 0, 0, 0, 0, 0) }));
        Assert.Contains(Balance.StatTotal, Balance.Check(weapon with { Stats = new Stats(0, minTotal - 1, 0, 0, 0, 0, 0) }));
    }

    // docs/content.md: gold 10–100 / 80–400 / 300–1,500 / 1,200–6,000, xp 50–300 / 250–1,000 / 900–4,000 / 3,500–15,000,
    // reward items 0–1 / 0–2 / 1–3 / 2–4 no rarer than uncommon / rare / epic / mythic.
    [Theory]
    [InlineData(Difficulty.Easy, 10, 100, 50, 300, 0, 1, Rarity.Uncommon)]
    [InlineData(Difficulty.Medium, 80, 400, 250, 1000, 0, 2, Rarity.Rare)]
    [InlineData(Difficulty.Hard, 300, 1500, 900, 4000, 1, 3, Rarity.Epic)]
    [InlineData(Difficulty.Legendary, 1200, 6000, 3500, 15000, 2, 4, Rarity.Mythic)]
    public void A_quests_rewards_are_the_documented_ones(Difficulty difficulty, int minGold, int maxGold, int minXp, int maxXp,
        int minItems, int maxItems, Rarity rarest)
    {
        Assert.Equal(new IntRange(minGold, maxGold), Balance.QuestGold(difficulty));
        Assert.Equal(new IntRange(minXp, maxXp), Balance.QuestXp(difficulty));
        Assert.Equal(new IntRange(minItems, maxItems), Balance.QuestRewardItems(difficulty));
        Assert.Equal(rarest, Balance.QuestRewardMaxRarity(difficulty));

        var quest = Generate<Quest>(7, ("difficulty", difficulty));
        RewardItem Reward(Rarity r) => new("Token", ItemKind.Accessory, r);
        Rewards Paying(int gold, int xp, int items, Rarity rarity) => new(gold, xp, [.. Enumerable.Range(0, items).Select(_ => Reward(rarity))]);
        Assert.Empty(Balance.Check(quest with { Rewards = Paying(maxGold, maxXp, maxItems, rarest) }));
        Assert.Empty(Balance.Check(quest with { Rewards = Paying(minGold, minXp, minItems, Rarity.Common) }));
        Assert.Contains(Balance.RewardGold, Balance.Check(quest with { Rewards = Paying(maxGold + 1, maxXp, maxItems, rarest) }));
        Assert.Contains(Balance.RewardGold, Balance.Check(quest with { Rewards = Paying(minGold - 1, maxXp, maxItems, rarest) }));
        Assert.Contains(Balance.RewardXp, Balance.Check(quest with { Rewards = Paying(maxGold, maxXp + 1, maxItems, rarest) }));
        Assert.Contains(Balance.RewardItemCount, Balance.Check(quest with { Rewards = Paying(maxGold, maxXp, maxItems + 1, rarest) }));
        if (rarest < Rarity.Mythic)
            Assert.Contains(Balance.RewardItemRarity, Balance.Check(quest with { Rewards = Paying(maxGold, maxXp, Math.Max(1, minItems), rarest + 1) }));
    }

    /// <summary>Seven stats adding up to <paramref name="total"/>, none above <paramref name="max"/> and none below 1.</summary>
    private static Stats Spread(int total, int max)
    {
        var values = new int[7];
        Array.Fill(values, 1);
        var left = total - 7;
        for (var i = 0; i < 7 && left > 0; i++)
        {
            var add = Math.Min(max - 1, left);
            values[i] += add;
            left -= add;
        }
        return new Stats(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }
}
