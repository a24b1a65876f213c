using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Content.Tests.Preferences;

public class ContentAttributesTests
{
    internal static Character Character(CharacterClass cls, long seed = 1) =>
        new Character($"Hero {seed}", cls, 1, Stats.Zero, new Appearance(["#000000"], BodyType.Average, []), "") { Seed = seed, Id = $"character-{cls}-{seed}" };

    internal static Item Item(ItemKind kind, Rarity rarity, long seed = 1) =>
        new Item($"Thing {seed}", kind, rarity, 1, Stats.Zero, "") { Seed = seed, Id = $"item-{kind}-{rarity}-{seed}" };

    [Fact]
    public void A_character_is_rated_by_its_class()
    {
        Assert.Equal(["class:mage"], ContentAttributes.Of(Character(CharacterClass.Mage)));
    }

    [Fact]
    public void An_item_is_rated_by_kind_and_rarity()
    {
        Assert.Equal(["kind:weapon", "rarity:epic"], ContentAttributes.Of(Item(ItemKind.Weapon, Rarity.Epic)));
    }

    [Fact]
    public void A_quest_is_rated_by_difficulty_and_each_objective_type_once()
    {
        var quest = new Quest("Q", "", [
            new Objective(ObjectiveType.Kill, "rats", 3),
            new Objective(ObjectiveType.Escort, "a merchant", 1),
            new Objective(ObjectiveType.Kill, "wolves", 2),
        ], Difficulty.Hard, new Rewards(1, 1, []));

        Assert.Equal(["difficulty:hard", "objective:kill", "objective:escort"], ContentAttributes.Of(quest));
    }

    [Fact]
    public void An_overworld_map_is_rated_by_generator_dominant_biome_and_size()
    {
        // 4×3 map: 6 forest, 4 grass, 2 water tiles → forest dominates.
        var map = new GameMap("M", MapGenerator.Overworld, 4, 3, ["ffgg", "ffgg", "ffww"], []);

        Assert.Equal(["generator:overworld", "biome:forest", "size:small"], ContentAttributes.Of(map));
    }

    [Fact]
    public void A_dungeon_has_no_biome()
    {
        var rows = Enumerable.Repeat(new string('#', 64) , 2).Concat(Enumerable.Repeat("#" + new string('.', 62) + "#", 62)).ToList();
        var map = new GameMap("D", MapGenerator.Dungeon, 64, 64, rows, []);

        Assert.Equal(["generator:dungeon", "size:medium"], ContentAttributes.Of(map));
    }

    [Theory]
    [InlineData(16, 16, "small")]
    [InlineData(48, 20, "small")]
    [InlineData(49, 20, "medium")]
    [InlineData(128, 128, "medium")]
    [InlineData(129, 64, "large")]
    [InlineData(256, 256, "large")]
    public void Size_buckets_follow_the_larger_side(int width, int height, string bucket)
    {
        Assert.Equal(bucket, ContentAttributes.SizeBucket(width, height));
    }

    [Fact]
    public void A_dialog_is_rated_by_its_tone()
    {
        var dialog = new Dialog("Npc", DialogTone.Mysterious, "a", [new DialogLine("a", "Npc", "Hm.", [])]);

        Assert.Equal(["tone:mysterious"], ContentAttributes.Of(dialog));
    }

    [Fact]
    public void Every_produced_key_is_in_the_vocabulary_and_the_vocabulary_has_no_duplicates()
    {
        Assert.Equal(ContentAttributes.AllKeys.Count, ContentAttributes.AllKeys.Distinct().Count());
        var produced = Enum.GetValues<CharacterClass>().Select(c => ContentAttributes.Of(Character(c)))
            .Concat(from k in Enum.GetValues<ItemKind>() from r in Enum.GetValues<Rarity>() select ContentAttributes.Of(Item(k, r)))
            .SelectMany(keys => keys);
        Assert.All(produced, key => Assert.Contains(key, ContentAttributes.AllKeys));
        Assert.Equal(6, ContentAttributes.AllKeys.Count(k => ContentAttributes.FamilyOf(k) == "class"));
    }
}
