using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class ParameterTests
{
    [Theory]
    [InlineData(ContentType.Character, "class,level")]
    [InlineData(ContentType.Item, "kind,rarity,level")]
    [InlineData(ContentType.Quest, "difficulty,objectives")]
    [InlineData(ContentType.Map, "width,height,generator")]
    [InlineData(ContentType.Dialog, "tone,depth")]
    public void Each_type_lists_its_parameters(ContentType type, string names)
    {
        var specs = ContentFactory.Parameters(type);
        Assert.Equal(names.Split(','), specs.Select(s => s.Name));
        Assert.All(specs, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Description));
            Assert.True(s.Range is null != s.Allowed is null, $"{s.Name} must be either a range or an enumeration");
        });
    }

    [Fact]
    public void Ranges_and_allowed_values_are_published()
    {
        Assert.Equal("1..50", ContentFactory.Parameters(ContentType.Character).Single(s => s.Name == "level").Range);
        Assert.Equal("8..256", ContentFactory.Parameters(ContentType.Map).Single(s => s.Name == "width").Range);
        Assert.Equal("1..5", ContentFactory.Parameters(ContentType.Quest).Single(s => s.Name == "objectives").Range);
        Assert.Equal(["warrior", "mage", "rogue", "cleric", "ranger", "paladin"], ContentFactory.Parameters(ContentType.Character).Single(s => s.Name == "class").Allowed);
        Assert.Equal(["overworld", "dungeon"], ContentFactory.Parameters(ContentType.Map).Single(s => s.Name == "generator").Allowed);
    }

    [Theory]
    [InlineData(ContentType.Character, "level", "0")]
    [InlineData(ContentType.Character, "level", "51")]
    [InlineData(ContentType.Character, "level", "ten")]
    [InlineData(ContentType.Character, "level", "")]
    [InlineData(ContentType.Character, "level", "1.5")]
    [InlineData(ContentType.Character, "level", "99999999999999999999")]
    [InlineData(ContentType.Character, "class", "bard")]
    [InlineData(ContentType.Character, "class", "2")]
    [InlineData(ContentType.Item, "rarity", "ultra")]
    [InlineData(ContentType.Item, "level", "-3")]
    [InlineData(ContentType.Quest, "objectives", "6")]
    [InlineData(ContentType.Quest, "difficulty", "nightmare")]
    [InlineData(ContentType.Map, "width", "100000")]
    [InlineData(ContentType.Map, "height", "7")]
    [InlineData(ContentType.Map, "generator", "maze")]
    [InlineData(ContentType.Dialog, "depth", "7")]
    [InlineData(ContentType.Dialog, "tone", "sarcastic")]
    public void Bad_values_are_rejected_naming_the_field(ContentType type, string field, string value)
    {
        var parameters = new Dictionary<string, string> { [field] = value };
        var problem = Assert.Single(ContentFactory.ValidateParameters(type, parameters));
        Assert.Equal(field, problem.Field);
        Assert.False(string.IsNullOrWhiteSpace(problem.Message));
        var thrown = Assert.Throws<ContentParameterException>(() => ContentFactory.Generate(type, parameters, 1));
        Assert.Equal(field, Assert.Single(thrown.Problems).Field);
        Assert.Contains(field, thrown.Message);
    }

    [Theory]
    [InlineData(ContentType.Character, "colour")]
    [InlineData(ContentType.Character, "Level")]
    [InlineData(ContentType.Item, "class")]
    [InlineData(ContentType.Map, "size")]
    [InlineData(ContentType.Dialog, "seed")]
    public void Unknown_parameters_are_rejected_naming_them(ContentType type, string name)
    {
        var problem = Assert.Single(ContentFactory.ValidateParameters(type, new Dictionary<string, string> { [name] = "1" }));
        Assert.Equal(name, problem.Field);
        Assert.Contains("unknown", problem.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var parameters = new Dictionary<string, string> { ["width"] = "100000", ["height"] = "0", ["generator"] = "maze", ["colour"] = "red" };
        var thrown = Assert.Throws<ContentParameterException>(() => ContentFactory.Generate(ContentType.Map, parameters, -1));
        Assert.Equal(["colour", "generator", "height", "seed", "width"], thrown.Problems.Select(p => p.Field).Order());
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(Seeds.Max + 1)]
    [InlineData(long.MaxValue)]
    public void Seeds_outside_the_exact_browser_range_are_rejected(long seed)
    {
        Assert.False(Seeds.IsValid(seed));
        var thrown = Assert.Throws<ContentParameterException>(() => ContentFactory.Generate(ContentType.Item, NoParams, seed));
        Assert.Equal("seed", Assert.Single(thrown.Problems).Field);
    }

    [Fact]
    public void Fresh_seeds_are_valid_and_vary()
    {
        var seeds = Enumerable.Range(0, 100).Select(_ => Seeds.NewSeed()).ToList();
        Assert.All(seeds, s => Assert.True(Seeds.IsValid(s)));
        Assert.True(seeds.Distinct().Count() > 95);
        Assert.True(Seeds.IsValid(0) && Seeds.IsValid(Seeds.Max));
    }

    [Fact]
    public void Enum_values_are_case_insensitive_and_numbers_may_be_padded()
    {
        var c = (Character)ContentFactory.Generate(ContentType.Character, new Dictionary<string, string> { ["class"] = "MaGe", ["level"] = " 7 " }, 3);
        Assert.Equal(CharacterClass.Mage, c.Class);
        Assert.Equal(7, c.Level);
    }

    [Fact]
    public void Explicit_parameters_are_honoured() =>
        Gen.Select(Seed, Gen.Int[1, 50], Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[1, 5], Gen.Int[8, 40]).Sample((seed, level, rarity, difficulty, count, side) =>
        {
            var cls = (CharacterClass)(seed % 6);
            var c = Generate<Character>(seed, ("class", cls), ("level", level));
            Assert.Equal((cls, level), (c.Class, c.Level));

            var kind = (ItemKind)(seed % 4);
            var item = Generate<Item>(seed, ("kind", kind), ("rarity", (Rarity)rarity), ("level", level));
            Assert.Equal((kind, (Rarity)rarity, level), (item.Kind, item.Rarity, item.LevelRequirement));

            var q = Generate<Quest>(seed, ("difficulty", (Difficulty)difficulty), ("objectives", count));
            Assert.Equal(((Difficulty)difficulty, count), (q.Difficulty, q.Objectives.Count));

            var generator = (MapGenerator)(seed % 2);
            var map = Generate<GameMap>(seed, ("width", side), ("height", side + 3), ("generator", generator));
            Assert.Equal((side, side + 3, generator), (map.Width, map.Height, map.Generator));
            var onlyWidth = Generate<GameMap>(seed, ("width", side));
            Assert.Equal(side, onlyWidth.Width);

            var tone = (DialogTone)(seed % 5);
            var d = Generate<Dialog>(seed, ("tone", tone), ("depth", count));
            Assert.Equal(tone, d.Tone);
        }, iter: 300);
}
