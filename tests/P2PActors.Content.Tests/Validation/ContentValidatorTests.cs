using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation;

public class ContentValidatorTests
{
    private static readonly Dictionary<string, string> NoParameters = [];

    private static T Generate<T>(ContentType type, long seed, Dictionary<string, string>? parameters = null) where T : GameContent =>
        (T)ContentFactory.Generate(type, parameters ?? NoParameters, seed);

    private static Character ACharacter() => Generate<Character>(ContentType.Character, 11, new() { ["level"] = "10" });

    private static Item AnItem() => Generate<Item>(ContentType.Item, 12, new() { ["kind"] = "weapon", ["rarity"] = "rare", ["level"] = "10" });

    private static Quest AQuest() => Generate<Quest>(ContentType.Quest, 13, new() { ["difficulty"] = "medium", ["objectives"] = "2" });

    private static GameMap AMap() => Generate<GameMap>(ContentType.Map, 14, new() { ["width"] = "24", ["height"] = "16" });

    private static Dialog ADialog() => Generate<Dialog>(ContentType.Dialog, 15, new() { ["depth"] = "3" });

    /// <summary>Validates the content with a correct id, so only the crafted breakage shows.</summary>
    private static ValidationResult Validate(GameContent content) => ContentValidator.Validate(ContentJson.WithId(content));

    private static void Broken(GameContent content, string rule, string? field = null)
    {
        var result = Validate(content);
        Assert.False(result.IsValid, $"expected {rule}, got valid");
        Assert.Contains(result.Violations, v => v.Rule == rule && (field is null || v.Field == field));
        Assert.Contains(rule, Rules.All);
    }

    [Theory]
    [InlineData(ContentType.Character, 400)]
    [InlineData(ContentType.Item, 400)]
    [InlineData(ContentType.Quest, 400)]
    [InlineData(ContentType.Dialog, 300)]
    [InlineData(ContentType.Map, 60)]
    public void Generated_content_passes(ContentType type, int seeds)
    {
        for (var seed = 0L; seed < seeds; seed++)
        {
            var content = ContentFactory.Generate(type, NoParameters, seed * 7919 + 3);
            var result = ContentValidator.Validate(content);
            Assert.True(result.IsValid, $"{type} seed {content.Seed}: {result}");
        }
    }

    [Fact]
    public void Generated_content_at_the_edges_of_the_parameters_passes()
    {
        foreach (var level in new[] { "1", "50" })
        {
            foreach (var rarity in Enum.GetNames<Rarity>())
            {
                foreach (var kind in Enum.GetNames<ItemKind>())
                {
                    var item = ContentFactory.Generate(ContentType.Item, new Dictionary<string, string> { ["kind"] = kind, ["rarity"] = rarity, ["level"] = level }, 5);
                    Assert.True(ContentValidator.Validate(item).IsValid, ContentValidator.Validate(item).ToString());
                }
            }
            var character = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string> { ["level"] = level }, 5);
            Assert.True(ContentValidator.Validate(character).IsValid, ContentValidator.Validate(character).ToString());
        }
        foreach (var difficulty in Enum.GetNames<Difficulty>())
        {
            var quest = ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string> { ["difficulty"] = difficulty, ["objectives"] = "5" }, 5);
            Assert.True(ContentValidator.Validate(quest).IsValid, ContentValidator.Validate(quest).ToString());
        }
        foreach (var (w, h) in new[] { ("8", "8"), ("256", "256"), ("8", "256") })
        {
            foreach (var generator in Enum.GetNames<MapGenerator>())
            {
                var map = ContentFactory.Generate(ContentType.Map, new Dictionary<string, string> { ["width"] = w, ["height"] = h, ["generator"] = generator }, 5);
                Assert.True(ContentValidator.Validate(map).IsValid, ContentValidator.Validate(map).ToString());
            }
        }
        var deep = ContentFactory.Generate(ContentType.Dialog, new Dictionary<string, string> { ["depth"] = "6" }, 5);
        Assert.True(ContentValidator.Validate(deep).IsValid, ContentValidator.Validate(deep).ToString());
    }

    // ---- envelope ----

    [Fact]
    public void Id_must_match_the_canonical_json()
    {
        var item = AnItem();
        Assert.True(ContentValidator.Validate(item).IsValid);
        var tampered = item with { Name = "Blade of Tampering" };
        var violation = Assert.Single(ContentValidator.Validate(tampered).Violations);
        Assert.Equal(Rules.IdMismatch, violation.Rule);
        Assert.Equal("id", violation.Field);
        Assert.Contains(ContentValidator.Validate(item with { Id = null }).Violations, v => v.Rule == Rules.IdMissing);
        Assert.Contains(ContentValidator.Validate(null).Violations, v => v.Rule == Rules.ContentMissing);
    }

    [Fact]
    public void Seed_must_be_browser_safe() => Broken(AnItem() with { Seed = -1 }, Rules.SeedRange, "seed");

    [Fact]
    public void Content_size_is_bounded()
    {
        var item = ContentJson.WithId(AnItem());
        var result = ContentValidator.Validate(item, new ValidationLimits { MaxContentBytes = 100 });
        Assert.Contains(result.Violations, v => v.Rule == Rules.TooLarge);
    }

    [Fact]
    public void Missing_fields_are_violations_not_exceptions()
    {
        Broken(ACharacter() with { Name = null! }, Rules.FieldMissing, "name");
        Broken(ACharacter() with { Stats = null! }, Rules.FieldMissing, "stats");
        Broken(ACharacter() with { Appearance = ACharacter().Appearance with { Features = [null!] } }, Rules.FieldMissing, "appearance.features[0]");
        Broken(AQuest() with { Objectives = null! }, Rules.FieldMissing, "objectives");
        Broken(AQuest() with { Rewards = AQuest().Rewards with { Items = [null!] } }, Rules.FieldMissing, "rewards.items[0]");
        Broken(AMap() with { Rows = [.. AMap().Rows.Take(3), null!] }, Rules.FieldMissing, "rows[3]");
        Broken(AMap() with { Spawns = null! }, Rules.FieldMissing, "spawns");
        var dialog = ADialog();
        Broken(dialog with { Lines = [dialog.Lines[0] with { Choices = null! }, .. dialog.Lines.Skip(1)] }, Rules.FieldMissing, "lines[0].choices");
        Broken(dialog with { Start = null! }, Rules.FieldMissing, "start");
        Broken(AnItem() with { Description = null! }, Rules.FieldMissing, "description");
    }

    [Fact]
    public void Undefined_enum_values_are_reported()
    {
        // Such content has no canonical JSON (enums are written by name), so it cannot carry a valid id either.
        void Undefined(GameContent content, string field) =>
            Assert.Contains(ContentValidator.Validate(content).Violations, v => v.Rule == Rules.EnumRange && v.Field == field);
        Undefined(AnItem() with { Rarity = (Rarity)42 }, "rarity");
        Undefined(ACharacter() with { Class = (CharacterClass)(-1) }, "class");
        Undefined(AMap() with { Spawns = [.. AMap().Spawns.Select((s, i) => i == 1 ? s with { Kind = (SpawnKind)9 } : s)] }, "spawns[1].kind");
    }

    // ---- text ----

    [Fact]
    public void Text_must_not_be_empty_or_too_long()
    {
        Broken(ACharacter() with { Name = "   " }, Rules.TextEmpty, "name");
        Broken(ACharacter() with { Name = new string('a', 65) }, Rules.TextTooLong, "name");
        Broken(AQuest() with { Title = new string('q', 500) }, Rules.TextTooLong, "title");
        Broken(ACharacter() with { Backstory = new string('b', 5000) }, Rules.TextTooLong, "backstory");
    }

    [Fact]
    public void Control_and_bidi_override_characters_are_refused()
    {
        Broken(AnItem() with { Name = "Sword\u0007" }, Rules.TextInvalidCharacters, "name");
        Broken(AnItem() with { Name = "Sword\nof Lines" }, Rules.TextInvalidCharacters, "name");
        Broken(AnItem() with { Name = "\u202Edrows" }, Rules.TextInvalidCharacters, "name");
        Broken(AnItem() with { Name = "Half \uD800 surrogate" }, Rules.TextInvalidCharacters, "name");
        Assert.True(Validate(AnItem() with { Description = "Two\nlines, and an emoji 🗡️ too." }).IsValid);
    }

    [Fact]
    public void Profanity_is_caught_in_every_text_field_of_every_type()
    {
        const string bad = "Sh1t";
        var character = ACharacter();
        Broken(character with { Name = bad }, Rules.Profanity, "name");
        Broken(character with { Backstory = $"Raised by {bad} wolves." }, Rules.Profanity, "backstory");
        Broken(character with { Appearance = character.Appearance with { Features = ["a f.u.c.k tattoo"] } }, Rules.Profanity, "appearance.features[0]");

        var item = AnItem();
        Broken(item with { Name = "Blade of @sshole" }, Rules.Profanity, "name");
        Broken(item with { Description = "Forged by a b i t c h." }, Rules.Profanity, "description");

        var quest = AQuest();
        Broken(quest with { Title = "The ｆｕｃｋ Quest" }, Rules.Profanity, "title");
        Broken(quest with { Description = "Go fuuuuck up the goblins." }, Rules.Profanity, "description");
        Broken(quest with { Objectives = [quest.Objectives[0] with { Target = "c.u.n.t" }, .. quest.Objectives.Skip(1)] }, Rules.Profanity, "objectives[0].target");
        var withReward = quest with { Rewards = quest.Rewards with { Items = [new RewardItem("Wh0re's Ring", ItemKind.Accessory, Rarity.Common)] } };
        Broken(withReward, Rules.Profanity, "rewards.items[0].name");

        Broken(AMap() with { Name = "Bullsh!t Valley" }, Rules.Profanity, "name");

        var dialog = ADialog();
        Broken(dialog with { NpcName = "Dickhead Dan" }, Rules.Profanity, "npcName");
        var line = dialog.Lines[0];
        Broken(dialog with { Lines = [line with { Text = "Piss off." }, .. dialog.Lines.Skip(1)] }, Rules.Profanity, "lines[0].text");
        Broken(dialog with { Lines = [line with { Speaker = "Motherfucker" }, .. dialog.Lines.Skip(1)] }, Rules.Profanity, "lines[0].speaker");
        var choices = line.Choices.Select((c, i) => i == 0 ? c with { Text = "Fück you" } : c).ToList();
        Broken(dialog with { Lines = [line with { Choices = choices }, .. dialog.Lines.Skip(1)] }, Rules.Profanity, "lines[0].choices[0].text");
    }

    [Fact]
    public void Profanity_messages_do_not_repeat_the_word()
    {
        var violation = Validate(AnItem() with { Name = "Shit Sword" }).Violations.Single(v => v.Rule == Rules.Profanity);
        Assert.DoesNotContain("shit", violation.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("s***", violation.Message);
    }

    [Fact]
    public void Innocent_names_pass()
    {
        Assert.True(Validate(AnItem() with { Name = "Assassin's Bass Blade", Description = "Forged in Scunthorpe for a therapist with class." }).IsValid);
    }

    [Fact]
    public void A_custom_word_list_is_used_when_given()
    {
        var validator = new ContentValidator(ProfanityFilter.FromLines(["grobnak"]));
        Assert.Contains(validator.Check(ContentJson.WithId(AnItem() with { Name = "Gr0bn4k Axe" })).Violations, v => v.Rule == Rules.Profanity);
        Assert.True(validator.Check(ContentJson.WithId(AnItem() with { Name = "Shit Axe" })).IsValid);
    }

    // ---- balance ----

    [Fact]
    public void Character_stats_follow_the_level_budget()
    {
        var character = ACharacter();
        var budget = Balance.CharacterStatTotal(character.Level);
        var bounds = Balance.CharacterStatBounds(character.Level);
        Broken(character with { Level = 0 }, Rules.LevelRange, "level");
        Broken(character with { Level = 51 }, Rules.LevelRange, "level");
        Broken(character with { Stats = new Stats(bounds.Max + 1, 1, 1, 1, 1, 1, 1) }, Rules.CharacterStatBounds, "stats.hp");
        Broken(character with { Stats = new Stats(1, 1, 1, 1, 1, 1, 1) }, Rules.CharacterStatBudget, "stats");
        Broken(character with { Stats = character.Stats with { Atk = 0 } }, Rules.CharacterStatBounds, "stats.atk");
        var overpowered = new Stats(bounds.Max, bounds.Max, bounds.Max, bounds.Max, bounds.Max, bounds.Max, bounds.Max);
        Assert.True(overpowered.Total > budget.Max);
        Broken(character with { Stats = overpowered }, Rules.CharacterStatBudget, "stats");
        Broken(character with { Stats = new Stats(int.MaxValue, int.MaxValue, 2, 1, 1, 1, 1) }, Rules.CharacterStatBounds, "stats.hp");
    }

    [Fact]
    public void Item_stats_follow_rarity_caps()
    {
        var item = AnItem();
        var cap = Balance.ItemStatCap(item.Rarity, item.LevelRequirement);
        Broken(item with { Stats = item.Stats with { Atk = cap + 1 } }, Rules.ItemStatCap, "stats.atk");
        Broken(item with { Stats = item.Stats with { Spd = -3 } }, Rules.ItemStatCap, "stats.spd");
        Broken(item with { Stats = item.Stats with { Def = 1 } }, Rules.ItemStatKind, "stats.def");
        Broken(item with { Stats = new Stats(0, 1, 0, 0, 0, 0, 0) }, Rules.ItemStatTotal, "stats");
        Broken(item with { LevelRequirement = 99 }, Rules.LevelRange, "levelRequirement");
        Broken(item with { Rarity = Rarity.Common, Stats = item.Stats with { Atk = cap } }, Rules.ItemStatCap, "stats.atk");
    }

    [Fact]
    public void Quest_rewards_follow_difficulty()
    {
        var quest = AQuest();
        Broken(quest with { Rewards = quest.Rewards with { Gold = 1_000_000 } }, Rules.QuestRewardGold, "rewards.gold");
        Broken(quest with { Rewards = quest.Rewards with { Xp = 1 } }, Rules.QuestRewardXp, "rewards.xp");
        var mythic = new RewardItem("Crown of Ages", ItemKind.Accessory, Rarity.Mythic);
        Broken(quest with { Rewards = quest.Rewards with { Items = [mythic] } }, Rules.QuestRewardItemRarity, "rewards.items[0].rarity");
        Broken(quest with { Rewards = quest.Rewards with { Items = [mythic, mythic, mythic, mythic, mythic] } }, Rules.QuestRewardItemCount, "rewards.items");
        Broken(quest with { Objectives = [] }, Rules.QuestObjectiveCount, "objectives");
        Broken(quest with { Objectives = Enumerable.Repeat(quest.Objectives[0], 6).ToList() }, Rules.QuestObjectiveCount, "objectives");
        Broken(quest with { Objectives = [quest.Objectives[0] with { Count = 10_000 }] }, Rules.QuestObjectiveAmount, "objectives[0].count");
        Broken(quest with { Objectives = Enumerable.Repeat(quest.Objectives[0], 11).ToList() }, Rules.TooManyEntries, "objectives");
    }

    // ---- maps ----

    private static GameMap OpenMap(params Spawn[] spawns) => new(
        "Test Field", MapGenerator.Overworld, 8, 8,
        ["gggggggg", "gggggggg", "gggggggg", "ggwwwwgg", "ggwggwgg", "ggwwwwgg", "gggggggg", "gggggggg"],
        spawns);

    [Fact]
    public void A_crafted_valid_map_passes()
    {
        var map = OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Enemy, 7, 7));
        Assert.True(Validate(map).IsValid, Validate(map).ToString());
    }

    [Fact]
    public void Map_size_and_rows_are_checked()
    {
        var map = OpenMap(new Spawn(SpawnKind.Player, 0, 0));
        Broken(map with { Width = 7 }, Rules.MapSize, "width");
        Broken(map with { Height = 300 }, Rules.MapSize, "width");
        Broken(map with { Rows = map.Rows.Take(7).ToList() }, Rules.MapRowsMismatch, "rows");
        Broken(map with { Rows = [.. map.Rows.Take(7), "ggggggggg"] }, Rules.MapRowsMismatch, "rows[7]");
        Broken(map with { Rows = [.. map.Rows.Take(7), "gggggggX"] }, Rules.MapUnknownTile, "rows[7]");
    }

    [Fact]
    public void Spawns_must_be_in_bounds_walkable_distinct_and_reachable_from_one_player_spawn()
    {
        Broken(OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Enemy, 8, 0)), Rules.MapSpawnOutOfBounds, "spawns[1]");
        Broken(OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Enemy, 2, 3)), Rules.MapSpawnNotWalkable, "spawns[1]");
        Broken(OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Npc, 0, 0)), Rules.MapSpawnOverlap, "spawns[1]");
        // (3, 4) is grass enclosed by water: walkable but cut off.
        Broken(OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Treasure, 3, 4)), Rules.MapSpawnUnreachable, "spawns[1]");
        Broken(OpenMap(new Spawn(SpawnKind.Enemy, 0, 0)), Rules.MapPlayerSpawnCount, "spawns");
        Broken(OpenMap(new Spawn(SpawnKind.Player, 0, 0), new Spawn(SpawnKind.Player, 7, 7)), Rules.MapPlayerSpawnCount, "spawns");
    }

    [Fact]
    public void Generated_map_with_an_enclosed_spawn_is_caught()
    {
        var map = AMap();
        var enemy = map.Spawns.Select((s, i) => (s, i)).First(p => p.s.Kind == SpawnKind.Enemy);
        // Wall in the enemy's tile on all four sides.
        var rows = map.Rows.Select(r => r.ToCharArray()).ToArray();
        foreach (var (dx, dy) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
        {
            var (x, y) = (enemy.s.X + dx, enemy.s.Y + dy);
            if (x >= 0 && y >= 0 && x < map.Width && y < map.Height)
                rows[y][x] = map.Generator == MapGenerator.Dungeon ? Tiles.Wall : Tiles.Water;
        }
        var walled = map with { Rows = rows.Select(r => new string(r)).ToList() };
        var spawns = walled.Spawns.Where(s => !(Math.Abs(s.X - enemy.s.X) + Math.Abs(s.Y - enemy.s.Y) == 1)).ToList();
        var result = Validate(walled with { Spawns = spawns });
        Assert.Contains(result.Violations, v => v.Rule == Rules.MapSpawnUnreachable && v.Message.Contains("Enemy"));
    }

    // ---- dialog ----

    private const string? End = null;

    private static Dialog Tree(string start, params DialogLine[] lines) => new("Old Tom", DialogTone.Friendly, start, lines);

    private static DialogLine Line(string id, params string?[] next) =>
        new(id, "Old Tom", $"Line {id}.", next.Select((n, i) => new DialogChoice($"Choice {i}", n)).ToList());

    [Fact]
    public void A_crafted_valid_dialog_passes()
    {
        var dialog = Tree("a", Line("a", "b", "c"), Line("b", "a", End), Line("c", End));
        Assert.True(Validate(dialog).IsValid, Validate(dialog).ToString());
    }

    [Fact]
    public void Dialog_structure_is_checked()
    {
        Broken(Tree("x", Line("a", End)), Rules.DialogStartMissing, "start");
        Broken(Tree("a", Line("a", "b"), Line("b", End), Line("b", End)), Rules.DialogDuplicateId, "lines[2].id");
        Broken(Tree("a", Line("a", "nowhere", End)), Rules.DialogDanglingChoice, "lines[0].choices[0].next");
        Broken(Tree("a", Line("a", End), Line("orphan", End)), Rules.DialogUnreachableLine, "lines[1]");
        Broken(Tree("a", Line("a", "b"), Line("b", "a")), Rules.DialogNoEnding, "lines");
        Broken(Tree("a", Line("a", "b", End), Line("b", "c"), Line("c", "b")), Rules.DialogTrap, "lines[1]");
        Broken(Tree("a", Line("a", "b", End), Line("b")), Rules.DialogLineWithoutChoices, "lines[1].choices");
        Broken(Tree("a"), Rules.DialogNoLines, "lines");
    }

    [Fact]
    public void Every_broken_rule_is_reported_not_just_the_first()
    {
        var character = ACharacter();
        var broken = character with
        {
            Name = "F.U.C.K",
            Backstory = new string('x', 3000),
            Stats = new Stats(500, 500, 500, 500, 500, 500, 500),
            Appearance = character.Appearance with { Palette = ["not-a-colour"] },
        };
        var rules = ContentValidator.Validate(broken).Rules;
        Assert.Contains(Rules.IdMismatch, rules);
        Assert.Contains(Rules.Profanity, rules);
        Assert.Contains(Rules.TextTooLong, rules);
        Assert.Contains(Rules.CharacterStatBudget, rules);
        Assert.Contains(Rules.CharacterStatBounds, rules);
        Assert.Contains(Rules.PaletteColor, rules);
        Assert.Equal(7, ContentValidator.Validate(broken).Violations.Count(v => v.Rule == Rules.CharacterStatBounds));

        var map = OpenMap(new Spawn(SpawnKind.Enemy, 2, 3), new Spawn(SpawnKind.Treasure, 3, 4), new Spawn(SpawnKind.Npc, 9, 9)) with { Name = "Sh!thole" };
        var mapRules = Validate(map).Rules;
        Assert.Equal([Rules.Profanity, Rules.MapSpawnNotWalkable, Rules.MapSpawnOutOfBounds, Rules.MapPlayerSpawnCount], mapRules);
    }

    [Fact]
    public void Rule_names_are_unique_and_stable()
    {
        Assert.Equal(Rules.All.Count, Rules.All.Distinct().Count());
        Assert.Contains("map.spawn-unreachable", Rules.All);
        Assert.Contains("dialog.dangling-choice", Rules.All);
        Assert.Contains("balance.character.stat-budget", Rules.All);
        Assert.Contains("content.id-mismatch", Rules.All);
        Assert.Contains("profanity", Rules.All);
    }

    [Fact]
    public void Balance_and_the_validator_agree_on_broken_content()
    {
        // The generator's own Balance.Check and this validator must never disagree about a broken body.
        var rng = new Random(1234);
        for (var i = 0; i < 300; i++)
        {
            var character = Generate<Character>(ContentType.Character, i);
            var mutated = character with
            {
                Level = rng.Next(-2, 55),
                Stats = new Stats(rng.Next(-5, 200), rng.Next(-5, 200), rng.Next(-5, 200), rng.Next(-5, 200), rng.Next(-5, 200), rng.Next(-5, 200), rng.Next(-5, 200)),
            };
            Assert.Equal(Balance.Check(mutated).Count == 0, Validate(mutated).IsValid);

            var item = Generate<Item>(ContentType.Item, i);
            var mutatedItem = item with { Stats = item.Stats with { Atk = item.Stats.Atk + rng.Next(-20, 40), Def = rng.Next(0, 2) * rng.Next(0, 30) } };
            Assert.Equal(Balance.Check(mutatedItem).Count == 0, Validate(mutatedItem).IsValid);
        }
    }
}
