using P2PActors.Content.Preferences;
using static P2PActors.Content.Tests.Preferences.PlayerRatingsTests;

namespace P2PActors.Content.Tests.Preferences;

public class PreferenceProfileTests
{
    [Fact]
    public void No_profile_until_the_minimum_number_of_ratings()
    {
        var ratings = PlayerRatings.Empty;
        for (var i = 0; i < 4; i++)
        {
            ratings = ratings.Apply(R($"c{i}", 5, i, "class:mage"));
            Assert.Null(PreferenceProfile.Learn(ratings));
            Assert.Equal(4 - i, PreferenceProfile.RatingsNeeded(ratings));
        }
        // Re-rating does not count as a new rating.
        Assert.Null(PreferenceProfile.Learn(ratings.Apply(R("c0", 4, 9, "class:mage"))));

        ratings = ratings.Apply(R("c4", 5, 4, "class:mage"));
        Assert.NotNull(PreferenceProfile.Learn(ratings));
        Assert.Equal(0, PreferenceProfile.RatingsNeeded(ratings));
    }

    [Fact]
    public void The_minimum_is_configurable()
    {
        var ratings = PlayerRatings.From([R("a", 5, 0, "class:mage"), R("b", 1, 1, "class:warrior")]);
        var options = new PreferenceOptions(MinimumRatings: 2);

        Assert.NotNull(PreferenceProfile.Learn(ratings, options));
        Assert.Null(PreferenceProfile.Learn(ratings));
        Assert.Equal(1, PreferenceProfile.RatingsNeeded(ratings, new PreferenceOptions(MinimumRatings: 3)));
    }

    [Fact]
    public void Weights_follow_the_exponentially_weighted_average_of_centred_stars()
    {
        // α = 0.5; x = (stars − 3) / 2.
        // mage:    5★ → x = 1:    0 + 0.5·(1 − 0) = 0.5;     then 1★ → x = −1: 0.5 + 0.5·(−1 − 0.5) = −0.25
        // epic:    5★ → 0.5;      then 4★ → x = 0.5: 0.5 + 0.5·(0.5 − 0.5) = 0.5
        // weapon:  4★ → x = 0.5:  0 + 0.5·(0.5 − 0) = 0.25 (its first rating, together with the second epic)
        // rogue:   3★ → x = 0:    0
        var ratings = PlayerRatings.From([
            R("m1", 5, 0, "class:mage"),
            R("i1", 5, 1, "rarity:epic"),
            R("m2", 1, 2, "class:mage"),
            R("i2", 4, 3, "rarity:epic", "kind:weapon"),
            R("r1", 3, 4, "class:rogue"),
        ]);
        var profile = PreferenceProfile.Learn(ratings, new PreferenceOptions(LearningRate: 0.5))!;

        Assert.Equal(-0.25, profile.WeightOf("class:mage"), 12);
        Assert.Equal(0.5, profile.WeightOf("rarity:epic"), 12);
        Assert.Equal(0.25, profile.WeightOf("kind:weapon"), 12);
        Assert.Equal(0.0, profile.WeightOf("class:rogue"), 12);
        Assert.Equal(0.0, profile.WeightOf("class:cleric"), 12);
        Assert.Equal(2, profile.Attributes["class:mage"].Ratings);
        Assert.Equal(5, profile.RatingCount);
        Assert.Equal("rarity:epic", profile.Ranked().First().Key);
    }

    [Fact]
    public void Twenty_consistent_ratings_approach_full_weight()
    {
        var ratings = PlayerRatings.From(Enumerable.Range(0, 20).Select(i => R($"m{i}", 5, i, "class:mage")));
        var profile = PreferenceProfile.Learn(ratings)!;

        // 1 − (1 − 0.2)^20
        Assert.Equal(1 - Math.Pow(0.8, 20), profile.WeightOf("class:mage"), 12);
    }

    [Fact]
    public void Re_rating_gives_the_profile_of_the_ratings_as_they_now_stand()
    {
        var ratings = PlayerRatings.From([
            R("a", 5, 0, "class:mage"), R("b", 1, 1, "class:warrior"), R("c", 4, 2, "class:mage"),
            R("d", 2, 3, "class:rogue"), R("e", 5, 4, "class:cleric"),
        ]);
        var rerated = ratings.Apply(R("a", 1, 5, "class:mage"));
        var direct = PlayerRatings.From([
            R("b", 1, 1, "class:warrior"), R("c", 4, 2, "class:mage"), R("d", 2, 3, "class:rogue"),
            R("e", 5, 4, "class:cleric"), R("a", 1, 5, "class:mage"),
        ]);

        var fromRerated = PreferenceProfile.Learn(rerated)!;
        var fromDirect = PreferenceProfile.Learn(direct)!;
        Assert.Equal(fromDirect.Attributes, fromRerated.Attributes);
        Assert.True(fromRerated.WeightOf("class:mage") < 0);
        Assert.True(PreferenceProfile.Learn(ratings)!.WeightOf("class:mage") > 0);
    }

    [Fact]
    public void Generator_weights_are_exp_of_sharpness_times_weight_and_neutral_keys_are_one()
    {
        var ratings = PlayerRatings.From(
            Enumerable.Range(0, 5).Select(i => R($"m{i}", 5, i, "class:mage"))
            .Concat(Enumerable.Range(0, 5).Select(i => R($"w{i}", 1, 10 + i, "class:warrior"))));
        var profile = PreferenceProfile.Learn(ratings, new PreferenceOptions(Sharpness: 3))!;
        var weights = profile.ToGeneratorWeights();

        var wm = 1 - Math.Pow(0.8, 5);
        Assert.Equal(Math.Exp(3 * wm), weights["class:mage"], 12);
        Assert.Equal(Math.Exp(-3 * wm), weights["class:warrior"], 12);
        Assert.Equal(1.0, weights["class:rogue"]);
        Assert.Equal(1.0, weights["tone:friendly"]);
        Assert.All(ContentAttributes.AllKeys, k => Assert.True(weights.ContainsKey(k)));
    }

    [Theory]
    [InlineData(0.0, 5, 2.0)]
    [InlineData(1.5, 5, 2.0)]
    [InlineData(0.2, 0, 2.0)]
    [InlineData(0.2, 5, -1.0)]
    public void Nonsense_options_are_refused(double alpha, int minimum, double sharpness)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            PreferenceProfile.Learn(PlayerRatings.Empty, new PreferenceOptions(alpha, minimum, sharpness)));
    }
}
