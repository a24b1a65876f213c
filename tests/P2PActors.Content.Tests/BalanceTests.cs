using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class BalanceTests
{
    private static int[] Values(Stats s) => [s.Hp, s.Atk, s.Def, s.Spd, s.Mp, s.Int, s.Lck];

    [Fact]
    public void Every_generated_character_fits_the_stat_budget_of_its_level() =>
        Gen.Select(Seed, Gen.Int[0, 6], Gen.Int[0, 50]).Sample((seed, cls, level) =>
        {
            // cls 6 / level 0 stand for "not given": the generator picks.
            var parameters = new List<(string, object)>();
            if (cls < 6) parameters.Add(("class", (CharacterClass)cls));
            if (level > 0) parameters.Add(("level", level));
            var c = Generate<Character>(seed, [.. parameters]);
            var budget = Balance.CharacterStatTotal(c.Level);
            var bounds = Balance.CharacterStatBounds(c.Level);
            Assert.InRange(c.Level, 1, 50);
            Assert.InRange(c.Stats.Total, budget.Min, budget.Max);
            Assert.All(Values(c.Stats), v => Assert.InRange(v, bounds.Min, bounds.Max));
            Assert.Empty(Balance.Check(c));
            Assert.False(string.IsNullOrWhiteSpace(c.Name));
            Assert.Equal(3, c.Appearance.Palette.Count);
            Assert.InRange(c.Appearance.Features.Count, 1, 3);
        }, iter: 5000);

    [Fact]
    public void Every_generated_item_stays_under_the_caps_of_its_rarity_and_level() =>
        Gen.Select(Seed, Gen.Int[0, 4], Gen.Int[0, 6], Gen.Int[0, 50]).Sample((seed, kind, rarity, level) =>
        {
            var parameters = new List<(string, object)>();
            if (kind < 4) parameters.Add(("kind", (ItemKind)kind));
            if (rarity < 6) parameters.Add(("rarity", (Rarity)rarity));
            if (level > 0) parameters.Add(("level", level));
            var item = Generate<Item>(seed, [.. parameters]);
            var cap = Balance.ItemStatCap(item.Rarity, item.LevelRequirement);
            var total = Balance.ItemStatTotal(item.Rarity, item.LevelRequirement);
            Assert.InRange(item.Stats.Total, total.Min, total.Max);
            var allowed = Balance.ItemStats(item.Kind);
            var values = Values(item.Stats);
            for (var s = 0; s < values.Length; s++)
            {
                Assert.InRange(values[s], 0, cap);
                if (!allowed.Contains((StatKind)s)) Assert.Equal(0, values[s]);
            }
            Assert.Empty(Balance.Check(item));
        }, iter: 5000);

    [Fact]
    public void Every_generated_quest_pays_within_the_ranges_of_its_difficulty() =>
        Gen.Select(Seed, Gen.Int[0, 4], Gen.Int[0, 5]).Sample((seed, difficulty, objectives) =>
        {
            var parameters = new List<(string, object)>();
            if (difficulty < 4) parameters.Add(("difficulty", (Difficulty)difficulty));
            if (objectives > 0) parameters.Add(("objectives", objectives));
            var q = Generate<Quest>(seed, [.. parameters]);
            Assert.InRange(q.Objectives.Count, 1, 5);
            Assert.InRange(q.Rewards.Gold, Balance.QuestGold(q.Difficulty).Min, Balance.QuestGold(q.Difficulty).Max);
            Assert.InRange(q.Rewards.Xp, Balance.QuestXp(q.Difficulty).Min, Balance.QuestXp(q.Difficulty).Max);
            Assert.InRange(q.Rewards.Items.Count, Balance.QuestRewardItems(q.Difficulty).Min, Balance.QuestRewardItems(q.Difficulty).Max);
            Assert.All(q.Rewards.Items, i => Assert.True(i.Rarity <= Balance.QuestRewardMaxRarity(q.Difficulty)));
            Assert.All(q.Objectives, o =>
            {
                var amount = Balance.ObjectiveAmount(o.Type, q.Difficulty);
                Assert.InRange(o.Count, amount.Min, amount.Max);
                Assert.False(string.IsNullOrWhiteSpace(o.Target));
            });
            Assert.Empty(Balance.Check(q));
        }, iter: 5000);

    [Fact]
    public void Budgets_grow_with_level_and_rarity_and_rewards_with_difficulty()
    {
        for (var level = 2; level <= 50; level++)
        {
            Assert.True(Balance.CharacterStatTotal(level).Min > Balance.CharacterStatTotal(level - 1).Min);
            Assert.True(Balance.CharacterStatTotal(level).Min <= Balance.CharacterStatTotal(level).Max);
            // The budget must be reachable under the per-stat bounds, or generation could not satisfy both.
            Assert.True(Balance.CharacterStatBounds(level).Max * 7 >= Balance.CharacterStatTotal(level).Max);
            foreach (var rarity in Enum.GetValues<Rarity>())
            {
                Assert.True(Balance.ItemStatCap(rarity, level) >= Balance.ItemStatCap(rarity, level - 1));
                if (rarity > Rarity.Common) Assert.True(Balance.ItemStatCap(rarity, level) > Balance.ItemStatCap(rarity - 1, level));
            }
        }
        foreach (var d in Enum.GetValues<Difficulty>().Skip(1))
        {
            Assert.True(Balance.QuestGold(d).Max > Balance.QuestGold(d - 1).Max);
            Assert.True(Balance.QuestXp(d).Min > Balance.QuestXp(d - 1).Min);
        }
    }

    [Fact]
    public void Check_names_the_rules_a_tampered_character_breaks()
    {
        var c = Generate<Character>(7, ("level", 10));
        Assert.Contains(Balance.StatTotal, Balance.Check(c with { Stats = c.Stats with { Hp = c.Stats.Hp + 500 } }));
        Assert.Contains(Balance.StatBounds, Balance.Check(c with { Stats = c.Stats with { Lck = 0 } }));
        Assert.Contains(Balance.LevelRange, Balance.Check(c with { Level = 51 }));
        Assert.Contains(Balance.NameMissing, Balance.Check(c with { Name = " " }));
    }

    [Fact]
    public void Check_names_the_rules_a_tampered_item_breaks()
    {
        var item = Generate<Item>(7, ("kind", "weapon"), ("rarity", "common"), ("level", 5));
        var cap = Balance.ItemStatCap(Rarity.Common, 5);
        Assert.Contains(Balance.StatBounds, Balance.Check(item with { Stats = item.Stats with { Atk = cap + 1 } }));
        Assert.Contains(Balance.ItemStatKind, Balance.Check(item with { Stats = item.Stats with { Def = 1 } }));
        Assert.Contains(Balance.StatTotal, Balance.Check(item with { Stats = Stats.Zero }));
    }

    [Fact]
    public void Check_names_the_rules_a_tampered_quest_breaks()
    {
        var q = Generate<Quest>(7, ("difficulty", "easy"));
        Assert.Contains(Balance.RewardGold, Balance.Check(q with { Rewards = q.Rewards with { Gold = 1_000_000 } }));
        Assert.Contains(Balance.RewardXp, Balance.Check(q with { Rewards = q.Rewards with { Xp = 0 } }));
        Assert.Contains(Balance.RewardItemRarity, Balance.Check(q with
        {
            Rewards = q.Rewards with { Items = [new RewardItem("Godslayer", ItemKind.Weapon, Rarity.Mythic)] },
        }));
        Assert.Contains(Balance.ObjectiveCountRule, Balance.Check(q with { Objectives = [] }));
        Assert.Contains(Balance.ObjectiveAmountRule, Balance.Check(q with { Objectives = [new Objective(ObjectiveType.Kill, "rats", 9999)] }));
    }
}
