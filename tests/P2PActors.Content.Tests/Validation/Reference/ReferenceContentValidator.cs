using System.Security.Cryptography;
using System.Text.Json;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation.Reference;

/// <summary>
/// The validator as it was before the validation-cost work (kept verbatim as an oracle; only its name changed):
/// ContentValidator must give exactly its results, violation for violation. Its summary then read:
/// The strict local check every validator runs before it votes: the id matches the canonical JSON, the
/// numbers respect <see cref="Balance"/>, maps and dialog trees are well-formed, sizes are bounded, and no
/// text field holds a blocked word. Content may come from a hostile peer, so nothing is assumed — null
/// fields, undefined enum values and absurd sizes are reported as violations, never thrown — and every
/// broken rule is reported, not just the first.
/// </summary>
public sealed class ReferenceContentValidator(ProfanityFilter? profanity = null, ValidationLimits? limits = null)
{
    private static readonly ReferenceContentValidator DefaultValidator = new();

    private readonly ProfanityFilter _profanity = profanity ?? ProfanityFilter.Default;
    private readonly ValidationLimits _limits = limits ?? ValidationLimits.Default;

    /// <summary>Validates with the shipped word list and the given (or default) limits.</summary>
    public static ValidationResult Validate(GameContent? content, ValidationLimits? limits = null) =>
        (limits is null ? DefaultValidator : new ReferenceContentValidator(null, limits)).Check(content);

    public ValidationResult Check(GameContent? content)
    {
        if (content is null)
            return ValidationResult.From([new RuleViolation(Rules.ContentMissing, "$", "no content")]);

        var found = new Findings();
        // Everything else dereferences fields, and content with an undefined enum value has no canonical
        // JSON (enums are written by name), so those two checks come first and stop the rest.
        CheckRequiredFields(content, found);
        if (found.Any(Rules.FieldMissing))
        {
            CheckEnvelope(content, found);
            return found.Result();
        }
        CheckEnums(content, found);
        if (found.Any(Rules.EnumRange))
            return found.Result();

        CheckEnvelope(content, found);
        CheckTexts(content, found);
        switch (content)
        {
            case Character character:
                CheckCharacter(character, found);
                break;
            case Item item:
                CheckItem(item, found);
                break;
            case Quest quest:
                CheckQuest(quest, found);
                break;
            case GameMap map:
                CheckMap(map, found);
                break;
            case Dialog dialog:
                CheckDialog(dialog, found);
                break;
        }
        return found.Result();
    }

    private void CheckEnvelope(GameContent content, Findings found)
    {
        // Serialised once for both the size and the id check.
        var id = ContentJson.ComputeId(content, out var canonicalLength);
        if (canonicalLength > _limits.MaxContentBytes)
            found.Add(Rules.TooLarge, "$", $"canonical JSON is {canonicalLength} bytes; at most {_limits.MaxContentBytes}");
        if (string.IsNullOrEmpty(content.Id))
            found.Add(Rules.IdMissing, "id", "content has no id");
        else if (!string.Equals(content.Id, id, StringComparison.Ordinal))
            found.Add(Rules.IdMismatch, "id", "id is not the SHA-256 of the canonical JSON");
        if (!Seeds.IsValid(content.Seed))
            found.Add(Rules.SeedRange, "seed", $"seed {content.Seed} is outside 0..{Seeds.Max}");
    }

    // The null checks run on every proposal, so paths are spelled out only for a field that is missing.
    private static void CheckRequiredFields(GameContent content, Findings found)
    {
        switch (content)
        {
            case Character c:
                Require(c.Name, "name", found);
                Require(c.Stats, "stats", found);
                Require(c.Backstory, "backstory", found);
                Require(c.Appearance, "appearance", found);
                if (c.Appearance is { } appearance)
                {
                    RequireElements(appearance.Palette, "appearance.palette", found);
                    RequireElements(appearance.Features, "appearance.features", found);
                }
                break;
            case Item i:
                Require(i.Name, "name", found);
                Require(i.Stats, "stats", found);
                Require(i.Description, "description", found);
                break;
            case Quest q:
                Require(q.Title, "title", found);
                Require(q.Description, "description", found);
                Require(q.Objectives, "objectives", found);
                for (var i = 0; i < (q.Objectives?.Count ?? 0); i++)
                {
                    if (q.Objectives![i] is not { } objective)
                        found.Add(Rules.FieldMissing, $"objectives[{i}]", MissingMessage);
                    else if (objective.Target is null)
                        found.Add(Rules.FieldMissing, $"objectives[{i}].target", MissingMessage);
                }
                Require(q.Rewards, "rewards", found);
                if (q.Rewards is { } rewards)
                {
                    Require(rewards.Items, "rewards.items", found);
                    for (var i = 0; i < (rewards.Items?.Count ?? 0); i++)
                    {
                        if (rewards.Items![i] is not { } reward)
                            found.Add(Rules.FieldMissing, $"rewards.items[{i}]", MissingMessage);
                        else if (reward.Name is null)
                            found.Add(Rules.FieldMissing, $"rewards.items[{i}].name", MissingMessage);
                    }
                }
                break;
            case GameMap m:
                Require(m.Name, "name", found);
                RequireElements(m.Rows, "rows", found);
                RequireElements(m.Spawns, "spawns", found);
                break;
            case Dialog d:
                Require(d.NpcName, "npcName", found);
                Require(d.Start, "start", found);
                Require(d.Lines, "lines", found);
                if (d.Lines is null)
                    break;
                for (var l = 0; l < d.Lines.Count; l++)
                {
                    if (d.Lines[l] is not { } line)
                    {
                        found.Add(Rules.FieldMissing, $"lines[{l}]", MissingMessage);
                        continue;
                    }
                    if (line.Id is null)
                        found.Add(Rules.FieldMissing, $"lines[{l}].id", MissingMessage);
                    if (line.Speaker is null)
                        found.Add(Rules.FieldMissing, $"lines[{l}].speaker", MissingMessage);
                    if (line.Text is null)
                        found.Add(Rules.FieldMissing, $"lines[{l}].text", MissingMessage);
                    if (line.Choices is null)
                    {
                        found.Add(Rules.FieldMissing, $"lines[{l}].choices", MissingMessage);
                        continue;
                    }
                    for (var c = 0; c < line.Choices.Count; c++)
                    {
                        if (line.Choices[c] is not { } choice)
                            found.Add(Rules.FieldMissing, $"lines[{l}].choices[{c}]", MissingMessage);
                        else if (choice.Text is null)
                            found.Add(Rules.FieldMissing, $"lines[{l}].choices[{c}].text", MissingMessage);
                    }
                }
                break;
        }
    }

    private const string MissingMessage = "required field is missing";

    private static void Require(object? value, string field, Findings found)
    {
        if (value is null)
            found.Add(Rules.FieldMissing, field, MissingMessage);
    }

    private static void RequireElements<T>(IReadOnlyList<T?>? list, string field, Findings found) where T : class
    {
        Require(list, field, found);
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            if (list![i] is null)
                found.Add(Rules.FieldMissing, $"{field}[{i}]", MissingMessage);
        }
    }

    private static void CheckEnums(GameContent content, Findings found)
    {
        void Defined<T>(T value, FieldPath field) where T : struct, Enum
        {
            if (!Enum.IsDefined(value))
                found.Add(Rules.EnumRange, field.ToString(), $"{value} is not {P2PActors.Content.Text.Articles.With(typeof(T).Name)}");
        }

        switch (content)
        {
            case Character c:
                Defined(c.Class, "class");
                Defined(c.Appearance.BodyType, "appearance.bodyType");
                break;
            case Item i:
                Defined(i.Kind, "kind");
                Defined(i.Rarity, "rarity");
                break;
            case Quest q:
                Defined(q.Difficulty, "difficulty");
                for (var i = 0; i < q.Objectives.Count; i++)
                    Defined(q.Objectives[i].Type, new("objectives[", i, "].type"));
                for (var i = 0; i < q.Rewards.Items.Count; i++)
                {
                    Defined(q.Rewards.Items[i].Kind, new("rewards.items[", i, "].kind"));
                    Defined(q.Rewards.Items[i].Rarity, new("rewards.items[", i, "].rarity"));
                }
                break;
            case GameMap m:
                Defined(m.Generator, "generator");
                for (var i = 0; i < m.Spawns.Count; i++)
                    Defined(m.Spawns[i].Kind, new("spawns[", i, "].kind"));
                break;
            case Dialog d:
                Defined(d.Tone, "tone");
                break;
        }
    }

    private void CheckTexts(GameContent content, Findings found)
    {
        Dictionary<string, IReadOnlyList<ProfanityMatch>>? seen = null;
        foreach (var field in TextFields.Of(content, _limits))
        {
            if (string.IsNullOrWhiteSpace(field.Value))
            {
                if (field.Required)
                    found.Add(Rules.TextEmpty, field.Path.ToString(), "must not be empty");
                continue;
            }
            if (field.Value.Length > field.MaxLength)
                found.Add(Rules.TextTooLong, field.Path.ToString(), $"{field.Value.Length} characters; at most {field.MaxLength}");
            if (TextFields.FindInvalidCharacter(field.Value, field.Multiline) is { } bad)
                found.Add(Rules.TextInvalidCharacters, field.Path.ToString(), $"contains U+{bad:X4}, which is not allowed in text");
            foreach (var match in FindMatches(field.Value, ref seen))
                found.Add(Rules.Profanity, field.Path.ToString(), $"contains the blocked word '{Mask(match.Entry)}'");
        }
    }

    /// <summary>
    /// The filter's matches, once per distinct text: a dialog repeats its speaker on every line and often
    /// the same choices, and the filter is a pure function of the text.
    /// </summary>
    private IReadOnlyList<ProfanityMatch> FindMatches(string text, ref Dictionary<string, IReadOnlyList<ProfanityMatch>>? seen)
    {
        if (seen is not null && seen.TryGetValue(text, out var known))
            return known;
        var matches = _profanity.FindMatches(text);
        (seen ??= new Dictionary<string, IReadOnlyList<ProfanityMatch>>(StringComparer.Ordinal))[text] = matches;
        return matches;
    }

    /// <summary>Names the blocked word without repeating it: first letter, then asterisks.</summary>
    private static string Mask(string entry)
    {
        var word = entry.Trim('*', '+');
        return word[0] + new string('*', word.Length - 1);
    }

    private static void CheckCount(int count, int max, FieldPath field, Findings found)
    {
        if (count > max)
            found.Add(Rules.TooManyEntries, field.ToString(), $"{count} entries; at most {max}");
    }

    private void CheckCharacter(Character character, Findings found)
    {
        CheckCount(character.Appearance.Palette.Count, _limits.MaxPaletteColors, "appearance.palette", found);
        CheckCount(character.Appearance.Features.Count, _limits.MaxFeatures, "appearance.features", found);
        for (var i = 0; i < character.Appearance.Palette.Count; i++)
        {
            if (!IsHexColor(character.Appearance.Palette[i]))
                found.Add(Rules.PaletteColor, $"appearance.palette[{i}]", "must be a colour like #a1b2c3");
        }

        if (!Balance.Levels.Contains(character.Level))
        {
            found.Add(Rules.LevelRange, "level", $"level {character.Level} is outside {Balance.Levels}");
            return;
        }
        var budget = Balance.CharacterStatTotal(character.Level);
        var total = StatValues(character.Stats).Sum(s => (long)s.Value);
        if (total < budget.Min || total > budget.Max)
            found.Add(Rules.CharacterStatBudget, "stats", $"stats total {total}; a level {character.Level} character has {budget}");
        var bounds = Balance.CharacterStatBounds(character.Level);
        foreach (var (name, value) in StatValues(character.Stats))
        {
            if (!bounds.Contains(value))
                found.Add(Rules.CharacterStatBounds, "stats." + name, $"{name} {value} is outside {bounds}");
        }
    }

    private static void CheckItem(Item item, Findings found)
    {
        if (!Balance.Levels.Contains(item.LevelRequirement))
        {
            found.Add(Rules.LevelRange, "levelRequirement", $"level {item.LevelRequirement} is outside {Balance.Levels}");
            return;
        }
        if (!Enum.IsDefined(item.Kind) || !Enum.IsDefined(item.Rarity))
            return;

        var cap = Balance.ItemStatCap(item.Rarity, item.LevelRequirement);
        var allowed = Balance.ItemStats(item.Kind);
        var index = 0;
        foreach (var (name, value) in StatValues(item.Stats))
        {
            if (value < 0 || value > cap)
                found.Add(Rules.ItemStatCap, "stats." + name, $"{name} {value} is outside 0..{cap} for {P2PActors.Content.Text.Articles.With(item.Rarity.ToString())} level {item.LevelRequirement} item");
            if (value != 0 && !allowed.Contains((StatKind)index))
                found.Add(Rules.ItemStatKind, "stats." + name, $"{P2PActors.Content.Text.Articles.With(item.Kind.ToString())} carries no {name}");
            index++;
        }
        var range = Balance.ItemStatTotal(item.Rarity, item.LevelRequirement);
        var total = StatValues(item.Stats).Sum(s => (long)s.Value);
        if (total < range.Min || total > range.Max)
            found.Add(Rules.ItemStatTotal, "stats", $"stats total {total}; {P2PActors.Content.Text.Articles.With(item.Rarity.ToString())} level {item.LevelRequirement} item has {range}");
    }

    private void CheckQuest(Quest quest, Findings found)
    {
        CheckCount(quest.Objectives.Count, _limits.MaxObjectives, "objectives", found);
        CheckCount(quest.Rewards.Items.Count, _limits.MaxRewardItems, "rewards.items", found);
        if (!Enum.IsDefined(quest.Difficulty))
            return;
        var difficulty = quest.Difficulty;

        if (!Balance.ObjectiveCount.Contains(quest.Objectives.Count))
            found.Add(Rules.QuestObjectiveCount, "objectives", $"{quest.Objectives.Count} objectives; a quest has {Balance.ObjectiveCount}");
        for (var i = 0; i < quest.Objectives.Count; i++)
        {
            var objective = quest.Objectives[i];
            if (!Enum.IsDefined(objective.Type))
                continue;
            var amount = Balance.ObjectiveAmount(objective.Type, difficulty);
            if (!amount.Contains(objective.Count))
                found.Add(Rules.QuestObjectiveAmount, $"objectives[{i}].count", $"{objective.Count} is outside {amount} for {P2PActors.Content.Text.Articles.With(difficulty.ToString())} {objective.Type} objective");
        }

        var gold = Balance.QuestGold(difficulty);
        if (!gold.Contains(quest.Rewards.Gold))
            found.Add(Rules.QuestRewardGold, "rewards.gold", $"{quest.Rewards.Gold} gold is outside {gold} for {P2PActors.Content.Text.Articles.With(difficulty.ToString())} quest");
        var xp = Balance.QuestXp(difficulty);
        if (!xp.Contains(quest.Rewards.Xp))
            found.Add(Rules.QuestRewardXp, "rewards.xp", $"{quest.Rewards.Xp} xp is outside {xp} for {P2PActors.Content.Text.Articles.With(difficulty.ToString())} quest");
        var itemCount = Balance.QuestRewardItems(difficulty);
        if (!itemCount.Contains(quest.Rewards.Items.Count))
            found.Add(Rules.QuestRewardItemCount, "rewards.items", $"{quest.Rewards.Items.Count} reward items; {P2PActors.Content.Text.Articles.With(difficulty.ToString())} quest gives {itemCount}");
        var maxRarity = Balance.QuestRewardMaxRarity(difficulty);
        for (var i = 0; i < quest.Rewards.Items.Count; i++)
        {
            var rarity = quest.Rewards.Items[i].Rarity;
            if (Enum.IsDefined(rarity) && rarity > maxRarity)
                found.Add(Rules.QuestRewardItemRarity, $"rewards.items[{i}].rarity", $"{rarity} is rarer than {P2PActors.Content.Text.Articles.With(difficulty.ToString())} quest may give ({maxRarity})");
        }
    }

    private void CheckMap(GameMap map, Findings found)
    {
        CheckCount(map.Spawns.Count, _limits.MaxSpawns, "spawns", found);
        if (!Balance.MapSide.Contains(map.Width) || !Balance.MapSide.Contains(map.Height))
        {
            found.Add(Rules.MapSize, "width", $"{map.Width}×{map.Height}; each side must be in {Balance.MapSide}");
            return;
        }

        var gridIntact = true;
        if (map.Rows.Count != map.Height)
        {
            found.Add(Rules.MapRowsMismatch, "rows", $"{map.Rows.Count} rows for a height of {map.Height}");
            gridIntact = false;
        }
        var badRows = Enumerable.Range(0, map.Rows.Count).Where(y => map.Rows[y].Length != map.Width).ToList();
        if (badRows.Count > 0)
        {
            found.Add(Rules.MapRowsMismatch, $"rows[{badRows[0]}]", $"{badRows.Count} row(s) are not {map.Width} tiles wide");
            gridIntact = false;
        }
        for (var y = 0; y < map.Rows.Count; y++)
        {
            var x = map.Rows[y].AsSpan().IndexOfAnyExcept(TileAlphabet);
            if (x >= 0)
            {
                found.Add(Rules.MapUnknownTile, $"rows[{y}]", $"'{map.Rows[y][x]}' at x={x} is not a tile ({string.Concat(Tiles.All)})");
                gridIntact = false;
                break;
            }
        }

        var players = new List<int>();
        var occupied = new Dictionary<(int, int), int>();
        var placed = new bool[map.Spawns.Count];
        for (var i = 0; i < map.Spawns.Count; i++)
        {
            var spawn = map.Spawns[i];
            if (spawn.Kind == SpawnKind.Player)
                players.Add(i);
            if (spawn.X < 0 || spawn.Y < 0 || spawn.X >= map.Width || spawn.Y >= map.Height)
            {
                found.Add(Rules.MapSpawnOutOfBounds, $"spawns[{i}]", $"({spawn.X}, {spawn.Y}) is outside the {map.Width}×{map.Height} map");
                continue;
            }
            if (!occupied.TryAdd((spawn.X, spawn.Y), i))
                found.Add(Rules.MapSpawnOverlap, $"spawns[{i}]", $"({spawn.X}, {spawn.Y}) is taken by spawns[{occupied[(spawn.X, spawn.Y)]}]");
            if (!gridIntact)
                continue;
            placed[i] = true;
            if (!Tiles.IsWalkable(map.TileAt(spawn.X, spawn.Y)))
                found.Add(Rules.MapSpawnNotWalkable, $"spawns[{i}]", $"({spawn.X}, {spawn.Y}) is '{map.TileAt(spawn.X, spawn.Y)}', not walkable");
        }
        if (players.Count != 1)
        {
            found.Add(Rules.MapPlayerSpawnCount, "spawns", $"{players.Count} player spawns; a map has exactly one");
            return;
        }

        var player = map.Spawns[players[0]];
        if (!gridIntact || !placed[players[0]] || !Tiles.IsWalkable(map.TileAt(player.X, player.Y)))
            return;
        var reached = MapTools.Reachable(map, player.X, player.Y);
        for (var i = 0; i < map.Spawns.Count; i++)
        {
            var spawn = map.Spawns[i];
            if (placed[i] && !reached[spawn.Y * map.Width + spawn.X])
                found.Add(Rules.MapSpawnUnreachable, $"spawns[{i}]", $"{spawn.Kind} at ({spawn.X}, {spawn.Y}) cannot be reached from the player spawn");
        }
    }

    private static readonly System.Buffers.SearchValues<char> TileAlphabet = System.Buffers.SearchValues.Create(string.Concat(Tiles.All));

    private void CheckDialog(Dialog dialog, Findings found)
    {
        CheckCount(dialog.Lines.Count, _limits.MaxDialogLines, "lines", found);
        if (dialog.Lines.Count == 0)
        {
            found.Add(Rules.DialogNoLines, "lines", "a dialog needs at least one line");
            return;
        }

        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < dialog.Lines.Count; i++)
        {
            var line = dialog.Lines[i];
            if (!byId.TryAdd(line.Id, i))
                found.Add(Rules.DialogDuplicateId, $"lines[{i}].id", $"'{line.Id}' is also the id of lines[{byId[line.Id]}]");
        }
        for (var i = 0; i < dialog.Lines.Count; i++)
        {
            var line = dialog.Lines[i];
            CheckCount(line.Choices.Count, _limits.MaxChoicesPerLine, new("lines[", i, "].choices"), found);
            if (line.Choices.Count == 0)
                found.Add(Rules.DialogLineWithoutChoices, $"lines[{i}].choices", "every line offers at least one choice (a choice without next ends the dialog)");
            for (var c = 0; c < line.Choices.Count; c++)
            {
                if (line.Choices[c].Next is { } next && !byId.ContainsKey(next))
                    found.Add(Rules.DialogDanglingChoice, $"lines[{i}].choices[{c}].next", $"no line has the id '{next}'");
            }
        }
        if (!byId.TryGetValue(dialog.Start, out var start))
        {
            found.Add(Rules.DialogStartMissing, "start", $"no line has the start id '{dialog.Start}'");
            return;
        }

        // Forward reachability from the start, and which lines can reach an ending (reverse search).
        var reached = new bool[dialog.Lines.Count];
        var pending = new Stack<int>();
        reached[start] = true;
        pending.Push(start);
        var incoming = new List<int>?[dialog.Lines.Count];
        var canEnd = new bool[dialog.Lines.Count];
        var ends = new Stack<int>();
        for (var i = 0; i < dialog.Lines.Count; i++)
        {
            foreach (var choice in dialog.Lines[i].Choices)
            {
                if (choice.Next is null)
                    canEnd[i] = true;
                else if (byId.TryGetValue(choice.Next, out var target))
                    (incoming[target] ??= []).Add(i);
            }
        }
        for (var i = 0; i < dialog.Lines.Count; i++)
        {
            if (canEnd[i])
                ends.Push(i);
        }
        while (pending.Count > 0)
        {
            foreach (var choice in dialog.Lines[pending.Pop()].Choices)
            {
                if (choice.Next is not null && byId.TryGetValue(choice.Next, out var target) && !reached[target])
                {
                    reached[target] = true;
                    pending.Push(target);
                }
            }
        }
        while (ends.Count > 0)
        {
            if (incoming[ends.Pop()] is not { } sources)
                continue;
            foreach (var source in sources)
            {
                if (!canEnd[source])
                {
                    canEnd[source] = true;
                    ends.Push(source);
                }
            }
        }

        for (var i = 0; i < dialog.Lines.Count; i++)
        {
            if (!reached[i] && byId[dialog.Lines[i].Id] == i)
                found.Add(Rules.DialogUnreachableLine, $"lines[{i}]", $"'{dialog.Lines[i].Id}' cannot be reached from the start");
        }
        if (!canEnd[start])
            found.Add(Rules.DialogNoEnding, "lines", "no path from the start ever ends the dialog");
        else
        {
            for (var i = 0; i < dialog.Lines.Count; i++)
            {
                if (reached[i] && !canEnd[i])
                    found.Add(Rules.DialogTrap, $"lines[{i}]", $"once at '{dialog.Lines[i].Id}' the dialog can never end");
            }
        }
    }

    private static bool IsHexColor(string value) =>
        value is { Length: 7 } && value[0] == '#' && value.AsSpan(1).IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;

    private static (string Name, int Value)[] StatValues(Stats s) =>
        [("hp", s.Hp), ("atk", s.Atk), ("def", s.Def), ("spd", s.Spd), ("mp", s.Mp), ("int", s.Int), ("lck", s.Lck)];

    private sealed class Findings
    {
        private readonly List<RuleViolation> _violations = [];

        public void Add(string rule, string field, string message) => _violations.Add(new RuleViolation(rule, field, message));

        public bool Any(string rule) => _violations.Exists(v => v.Rule == rule);

        public ValidationResult Result() => ValidationResult.From(_violations);
    }
}
