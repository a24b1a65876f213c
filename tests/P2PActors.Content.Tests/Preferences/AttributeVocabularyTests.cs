using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Content.Tests.Preferences;

/// <summary>
/// The contract between what a rating learns and what a generator reads: both must spell attribute keys
/// the same way, or a learned weight silently biases nothing.
/// </summary>
public class AttributeVocabularyTests
{
    public static TheoryData<string, string[]> GeneratorKeySets() => new()
    {
        { "character class", CharacterGenerator.ClassKeys },
        { "item kind", ItemGenerator.KindKeys },
        { "item rarity", ItemGenerator.RarityKeys },
        { "quest difficulty", QuestGenerator.DifficultyKeys },
        { "quest objective", QuestGenerator.ObjectiveKeys },
        { "map generator", MapBuilder.GeneratorKeys },
        { "map size", MapBuilder.SizeKeys },
        { "map biome", MapBuilder.BiomeKeys },
        { "dialog tone", DialogGenerator.ToneKeys },
    };

    [Theory]
    [MemberData(nameof(GeneratorKeySets))]
    public void Every_key_a_generator_reads_is_one_ratings_learn(string choice, string[] keys)
    {
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(ContentAttributes.AllKeys.Contains(key), $"{choice}: {key} is not in ContentAttributes.AllKeys"));
    }

    [Theory]
    [InlineData(ContentType.Character)]
    [InlineData(ContentType.Item)]
    [InlineData(ContentType.Quest)]
    [InlineData(ContentType.Map)]
    [InlineData(ContentType.Dialog)]
    public void Generated_content_is_described_by_keys_of_the_vocabulary(ContentType type)
    {
        var seen = new HashSet<string>();
        for (long seed = 0; seed < 60; seed++)
        {
            var keys = ContentAttributes.Of(ContentFactory.Generate(type, new Dictionary<string, string>(), seed));
            Assert.NotEmpty(keys);
            Assert.All(keys, key => Assert.Contains(key, ContentAttributes.AllKeys));
            seen.UnionWith(keys);
        }
        // More than one value per content type shows up, so the attributes do discriminate.
        Assert.True(seen.Count > 2, string.Join(", ", seen));
    }

    [Theory]
    [InlineData("small")]
    [InlineData("medium")]
    [InlineData("large")]
    public void A_map_drawn_for_a_size_bucket_is_rated_as_that_bucket(string bucket)
    {
        // Weight 50 against 1: 80% of draws biased → 50/52 of them, plus 20% exploring → 1/3: ≈ 84% expected.
        // Only if the generator's size ranges sit inside the rating's buckets do that many land there.
        var patterns = PreferenceProfileFor(ContentAttributes.Size(bucket));
        var inBucket = 0;
        for (long seed = 0; seed < 100; seed++)
        {
            var map = (GameMap)ContentFactory.Generate(ContentType.Map, new Dictionary<string, string> { ["generator"] = "dungeon" }, seed, patterns);
            inBucket += ContentAttributes.Of(map).Contains(ContentAttributes.Size(bucket)) ? 1 : 0;
        }
        Assert.True(inBucket > 70, $"{inBucket} of 100 maps were {bucket}");
    }

    private static LearnedPatterns PreferenceProfileFor(string key) =>
        new(ContentAttributes.AllKeys.ToDictionary(k => k, k => k == key ? 50.0 : 1.0));
}
