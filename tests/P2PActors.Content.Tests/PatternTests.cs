using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class PatternTests
{
    private static LearnedPatterns Likes(params (string Key, double Weight)[] weights) =>
        new(weights.ToDictionary(w => w.Key, w => w.Weight));

    private static double Share<T>(ContentType type, LearnedPatterns patterns, Func<GameContent, T> pick, T value, int count = 2000,
        IReadOnlyDictionary<string, string>? parameters = null)
    {
        var hits = 0;
        for (long seed = 0; seed < count; seed++)
            if (EqualityComparer<T>.Default.Equals(pick(ContentFactory.Generate(type, parameters ?? NoParams, seed, patterns)), value)) hits++;
        return hits / (double)count;
    }

    [Fact]
    public void Without_patterns_classes_are_drawn_evenly()
    {
        var share = Share(ContentType.Character, LearnedPatterns.Empty, c => ((Character)c).Class, CharacterClass.Mage);
        Assert.InRange(share, 0.12, 0.22);
    }

    [Fact]
    public void Learned_weights_bias_open_choices_but_leave_room_to_explore()
    {
        var likesMages = Likes(("class:mage", 5.0), ("class:rogue", 0.5));
        var mage = Share(ContentType.Character, likesMages, c => ((Character)c).Class, CharacterClass.Mage);
        var warrior = Share(ContentType.Character, likesMages, c => ((Character)c).Class, CharacterClass.Warrior);
        Assert.InRange(mage, 0.65, 0.92);
        Assert.InRange(warrior, 0.01, 0.08); // only the exploration share reaches classes the player never liked

        var dungeons = Share(ContentType.Map, Likes(("generator:dungeon", 1.0)), m => ((GameMap)m).Generator, MapGenerator.Dungeon, 400,
            P(("width", 12), ("height", 12)));
        Assert.InRange(dungeons, 0.8, 0.97);

        var epic = Share(ContentType.Item, Likes(("rarity:epic", 3.0)), i => ((Item)i).Rarity, Rarity.Epic);
        Assert.True(epic > 0.6, $"epic share {epic}");

        var hostile = Share(ContentType.Dialog, Likes(("tone:hostile", 2.0), ("tone:formal", 1.0)), d => ((Dialog)d).Tone, DialogTone.Hostile);
        Assert.InRange(hostile, 0.45, 0.7);
    }

    [Fact]
    public void Objective_and_size_preferences_shape_quests_and_maps()
    {
        var kills = Enumerable.Range(0, 500)
            .SelectMany(s => ((Quest)ContentFactory.Generate(ContentType.Quest, NoParams, s, Likes(("objective:kill", 1.0)))).Objectives)
            .ToList();
        Assert.True(kills.Count(o => o.Type == ObjectiveType.Kill) > 0.75 * kills.Count);

        var small = Enumerable.Range(0, 200)
            .Select(s => (GameMap)ContentFactory.Generate(ContentType.Map, NoParams, s, Likes(("size:small", 1.0))))
            .Count(m => Math.Max(m.Width, m.Height) <= 48);
        Assert.True(small > 150, $"{small} of 200 maps were small");
    }

    [Fact]
    public void Explicit_parameters_beat_learned_patterns()
    {
        var likesMages = Likes(("class:mage", 100.0));
        for (long seed = 0; seed < 500; seed++)
        {
            var c = (Character)ContentFactory.Generate(ContentType.Character, P(("class", "warrior")), seed, likesMages);
            Assert.Equal(CharacterClass.Warrior, c.Class);
        }
        var map = (GameMap)ContentFactory.Generate(ContentType.Map, P(("generator", "overworld"), ("width", 20), ("height", 20)), 1,
            Likes(("generator:dungeon", 100.0), ("size:large", 100.0)));
        Assert.Equal((MapGenerator.Overworld, 20, 20), (map.Generator, map.Width, map.Height));
    }

    [Fact]
    public void Patterns_keep_generation_deterministic_and_balanced()
    {
        var patterns = Likes(("class:mage", 2.0), ("rarity:mythic", 4.0), ("difficulty:legendary", 1.0), ("biome:water", 3.0));
        foreach (var type in AllTypes)
        {
            for (long seed = 0; seed < 100; seed++)
            {
                var a = ContentFactory.Generate(type, NoParams, seed, patterns);
                var b = ContentFactory.Generate(type, NoParams, seed, patterns);
                Assert.Equal(ContentJson.Serialize(a), ContentJson.Serialize(b));
                Assert.Empty(Balance.Check(a));
            }
        }
    }

    [Fact]
    public void Worthless_weights_are_ignored()
    {
        var junk = Likes(("class:mage", -5.0), ("class:rogue", double.NaN), ("class:bard", 9.0), ("nonsense", 1.0));
        var share = Share(ContentType.Character, junk, c => ((Character)c).Class, CharacterClass.Mage);
        Assert.InRange(share, 0.12, 0.22);
    }
}
