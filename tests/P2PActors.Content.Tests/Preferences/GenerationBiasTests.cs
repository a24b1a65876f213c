using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using Xunit.Abstractions;

namespace P2PActors.Content.Tests.Preferences;

/// <summary>
/// Issue 5's measurable claim, with fixed seeds: ratings change what is generated for that player, and only
/// for that player. Characters are drawn from ContentFactory, rated, learned from, and generated again.
/// </summary>
public class GenerationBiasTests(ITestOutputHelper output)
{
    private const int Draws = 1000;
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> NoParameters = new();

    /// <summary>20 generated mages rated 5★, then 20 generated warriors rated 1★.</summary>
    private static PlayerRatings MageLover()
    {
        var ratings = PlayerRatings.Empty;
        for (var i = 0; i < 20; i++)
        {
            var mage = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string> { ["class"] = "mage" }, seed: 100 + i);
            ratings = ratings.Apply(Rating.Of(mage, 5, T0.AddMinutes(i)));
        }
        for (var i = 0; i < 20; i++)
        {
            var warrior = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string> { ["class"] = "warrior" }, seed: 200 + i);
            ratings = ratings.Apply(Rating.Of(warrior, 1, T0.AddMinutes(20 + i)));
        }
        return ratings;
    }

    private static Dictionary<CharacterClass, int> Classes(LearnedPatterns patterns, IReadOnlyDictionary<string, string>? parameters = null, long firstSeed = 10_000)
    {
        var counts = Enum.GetValues<CharacterClass>().ToDictionary(c => c, _ => 0);
        for (long seed = firstSeed; seed < firstSeed + Draws; seed++)
        {
            var character = (Character)ContentFactory.Generate(ContentType.Character, parameters ?? NoParameters, seed, patterns);
            counts[character.Class]++;
        }
        return counts;
    }

    [Fact]
    public void After_rating_mages_up_and_warriors_down_mages_dominate_and_warriors_are_rare()
    {
        var ratings = MageLover();
        Assert.Equal(40, ratings.Count);
        var patterns = PreferenceProfile.PatternsFor(ratings);
        Assert.False(patterns.IsEmpty);

        var counts = Classes(patterns);
        output.WriteLine(Describe(counts));

        // Without bias each class is Binomial(1000, 1/6): mean 166.7, sd √(1000·1/6·5/6) = 11.8.
        // 300 mages is 11 sd above that mean, fewer than 100 warriors 5.6 sd below: chance alone essentially
        // never gets there (P < 1e-8 each). The expected values under the bias are ~500 and ~42.
        Assert.True(counts[CharacterClass.Mage] > 300, Describe(counts));
        Assert.True(counts[CharacterClass.Warrior] < 100, Describe(counts));
        Assert.True(Z(counts[CharacterClass.Mage]) > 10, Describe(counts));
        Assert.True(Z(counts[CharacterClass.Warrior]) < -5, Describe(counts));
    }

    [Fact]
    public void Without_patterns_classes_stay_uniform()
    {
        var counts = Classes(LearnedPatterns.Empty);
        output.WriteLine(Describe(counts));

        // Pearson's χ² against 1/6 each, 5 degrees of freedom: 20.52 is the 0.1% critical value.
        var expected = Draws / 6.0;
        var chiSquare = counts.Values.Sum(o => (o - expected) * (o - expected) / expected);
        Assert.True(chiSquare < 20.52, $"χ² = {chiSquare:F1}; {Describe(counts)}");
    }

    [Fact]
    public void Too_few_ratings_leave_generation_exactly_as_for_anyone()
    {
        var fewRatings = PlayerRatings.From(MageLover().InOrder.Take(4));
        var patterns = PreferenceProfile.PatternsFor(fewRatings);

        Assert.True(patterns.IsEmpty);
        for (long seed = 0; seed < 50; seed++)
        {
            var plain = ContentFactory.Generate(ContentType.Character, NoParameters, seed);
            var withPatterns = ContentFactory.Generate(ContentType.Character, NoParameters, seed, patterns);
            Assert.Equal(ContentJson.Serialize(plain), ContentJson.Serialize(withPatterns));
        }
    }

    [Fact]
    public void An_explicit_class_always_wins_over_learned_preferences()
    {
        var patterns = PreferenceProfile.PatternsFor(MageLover());

        var counts = Classes(patterns, new Dictionary<string, string> { ["class"] = "warrior" });

        Assert.Equal(Draws, counts[CharacterClass.Warrior]);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(20.0)]
    public void Exploration_keeps_every_class_in_play_however_sharp_the_preference(double sharpness)
    {
        var patterns = PreferenceProfile.PatternsFor(MageLover(), new PreferenceOptions(Sharpness: sharpness));

        var counts = Classes(patterns);
        output.WriteLine(Describe(counts));

        // Even when the learned weights all but exclude warriors (e^−20 at sharpness 20), the exploration share
        // (20% of open choices drawn uniformly) keeps every class at ≥ 1000 · 0.2 / 6 ≈ 33 expected.
        Assert.All(counts, kv => Assert.True(kv.Value >= 10, Describe(counts)));
    }

    [Fact]
    public void Item_ratings_bias_item_kind_and_rarity()
    {
        var ratings = PlayerRatings.Empty;
        for (var i = 0; i < 10; i++)
        {
            var armor = ContentFactory.Generate(ContentType.Item, new Dictionary<string, string> { ["kind"] = "armor", ["rarity"] = "epic" }, seed: 300 + i);
            ratings = ratings.Apply(Rating.Of(armor, 5, T0.AddMinutes(i)));
        }
        var patterns = PreferenceProfile.PatternsFor(ratings);

        var armors = 0;
        var epics = 0;
        for (long seed = 0; seed < Draws; seed++)
        {
            var item = (Item)ContentFactory.Generate(ContentType.Item, NoParameters, seed, patterns);
            armors += item.Kind == ItemKind.Armor ? 1 : 0;
            epics += item.Rarity == Rarity.Epic ? 1 : 0;
        }
        var unbiasedEpics = Enumerable.Range(0, Draws).Count(seed =>
            ((Item)ContentFactory.Generate(ContentType.Item, NoParameters, seed)).Rarity == Rarity.Epic);

        output.WriteLine($"{armors} armors, {epics} epics with patterns; {unbiasedEpics} epics without");

        // Four kinds: unbiased 250 ± 13.7 (sd).
        Assert.True(armors > 400, $"{armors} armors");
        Assert.True(epics > 2 * unbiasedEpics, $"{epics} epics with patterns, {unbiasedEpics} without");
    }

    private static double Z(int count) => (count - Draws / 6.0) / Math.Sqrt(Draws * (1.0 / 6) * (5.0 / 6));

    private static string Describe(Dictionary<CharacterClass, int> counts) =>
        string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"));
}
