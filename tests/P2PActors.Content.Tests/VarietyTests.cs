using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using Xunit.Abstractions;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class VarietyTests(ITestOutputHelper output)
{
    [Fact]
    public void Ten_thousand_characters_have_at_least_95_percent_distinct_names()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long seed = 0; seed < 10_000; seed++) names.Add(Generate<Character>(seed * 104_729 + 17).Name);
        output.WriteLine($"{names.Count} distinct names in 10,000 characters");
        Assert.True(names.Count >= 9_500, $"only {names.Count} distinct names");
    }

    [Fact]
    public void Names_are_not_only_the_training_words()
    {
        // The Markov chain must invent names: most first names should not appear in the shipped word list.
        var invented = 0;
        var training = typeof(ContentFactory).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("people.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(typeof(ContentFactory).Assembly.GetManifestResourceStream(training)!);
        var words = reader.ReadToEnd().Split('\n').Select(w => w.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (long seed = 0; seed < 1000; seed++)
        {
            var first = Generate<Character>(seed).Name.Split(' ')[0];
            if (!words.Contains(first)) invented++;
        }
        output.WriteLine($"{invented} of 1,000 first names are not in the training list");
        Assert.True(invented >= 500);
    }

    [Fact]
    public void A_thousand_quests_have_at_least_90_percent_distinct_titles()
    {
        var titles = new HashSet<string>(StringComparer.Ordinal);
        for (long seed = 0; seed < 1_000; seed++) titles.Add(Generate<Quest>(seed * 7_919 + 3).Title);
        output.WriteLine($"{titles.Count} distinct titles in 1,000 quests");
        Assert.True(titles.Count >= 900, $"only {titles.Count} distinct titles");
    }

    [Fact]
    public void Items_dialogs_and_maps_are_named_with_variety()
    {
        var items = Enumerable.Range(0, 1000).Select(s => Generate<Item>(s).Name).Distinct().Count();
        var npcs = Enumerable.Range(0, 1000).Select(s => Generate<Dialog>(s).NpcName).Distinct().Count();
        var maps = Enumerable.Range(0, 200).Select(s => Generate<GameMap>(s, ("width", 16), ("height", 16)).Name).Distinct().Count();
        output.WriteLine($"distinct: {items}/1000 item names, {npcs}/1000 NPC names, {maps}/200 map names");
        Assert.True(items >= 900);
        Assert.True(npcs >= 950);
        Assert.True(maps >= 180);
    }

    [Fact]
    public void Unspecified_choices_cover_every_value()
    {
        var classes = Enumerable.Range(0, 600).Select(s => Generate<Character>(s).Class).Distinct().Count();
        var rarities = Enumerable.Range(0, 600).Select(s => Generate<Item>(s).Rarity).Distinct().Count();
        var objectiveTypes = Enumerable.Range(0, 300).SelectMany(s => Generate<Quest>(s).Objectives.Select(o => o.Type)).Distinct().Count();
        var tones = Enumerable.Range(0, 300).Select(s => Generate<Dialog>(s).Tone).Distinct().Count();
        var generators = Enumerable.Range(0, 100).Select(s => Generate<GameMap>(s, ("width", 16), ("height", 16)).Generator).Distinct().Count();
        Assert.Equal([6, 6, 5, 5, 2], new[] { classes, rarities, objectiveTypes, tones, generators });
    }
}

public sealed class ProfanitySafetyTests
{
    [Theory]
    // Seeds whose invented names once tripped the validators' profanity filter.
    [InlineData(ContentType.Character, 126020L)]
    [InlineData(ContentType.Character, 291684L)]
    [InlineData(ContentType.Character, 438934L)]
    [InlineData(ContentType.Item, 252841L)]
    [InlineData(ContentType.Quest, 107544L)]
    [InlineData(ContentType.Quest, 122207L)]
    [InlineData(ContentType.Dialog, 158663L)]
    [InlineData(ContentType.Dialog, 409143L)]
    public void Invented_names_never_carry_a_blocked_word(ContentType type, long seed)
    {
        var result = P2PActors.Content.Validation.ContentValidator.Validate(ContentFactory.Generate(type, NoParams, seed));
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Many_characters_pass_the_filter()
    {
        var filter = P2PActors.Content.Validation.ProfanityFilter.Default;
        for (long seed = 0; seed < 10_000; seed++)
        {
            var c = Generate<Character>(seed * 31 + 5);
            Assert.True(filter.IsClean(c.Name) && filter.IsClean(c.Backstory), $"seed {c.Seed}: {c.Name} / {c.Backstory}");
        }
    }
}
