using System.Globalization;
using System.Text;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Cluster.Chaos;

/// <summary>Why a workload item is invalid; <see cref="None"/> for generated, valid content.</summary>
public enum ChaosFlaw
{
    None,
    /// <summary>Stats or rewards beyond the <see cref="Balance"/> budgets, caps and ranges.</summary>
    Overpowered,
    /// <summary>A blocked word from the shipped list in a text field, usually disguised.</summary>
    Profanity,
    /// <summary>A map with a spawn walled off from the player spawn.</summary>
    UnreachableSpawn,
    /// <summary>A dialog tree with a dangling choice, an unreachable line or no ending.</summary>
    BrokenDialog,
}

/// <summary>
/// One piece of content the chaos run proposes. <see cref="Content"/> always carries its correct content id
/// (the SHA-256 of its canonical JSON), so an invalid item is refused for what it says, never for a bad id.
/// </summary>
/// <param name="Label">What was done to it, e.g. "profanity: leetspeak 'sh1t' in description".</param>
/// <param name="ExpectedRule">The <see cref="Rules"/> name a validator must report (null when valid).</param>
public sealed record ChaosItem(int Index, GameContent Content, ChaosFlaw Flaw, string Label, string? ExpectedRule)
{
    public string ContentId => Content.Id!;

    public bool IsValid => Flaw == ChaosFlaw.None;
}

/// <summary>
/// The chaos run's content: deterministic from a seed, a mix of valid generated content and content broken on
/// purpose in the ways a hostile or buggy peer would break it. Pure — no actors — so it can be unit-tested
/// against <see cref="ContentValidator"/> directly.
/// </summary>
public static class ChaosWorkload
{
    /// <summary>The ways a blocked word is disguised; each must still be caught by the profanity filter.</summary>
    public enum Evasion { Plain, MixedCase, Leetspeak, DotSeparated, DashSeparated, SpaceSeparated, LookAlike, RepeatedLetters, LeetAndDots }

    private static readonly ContentType[] Types = Enum.GetValues<ContentType>();
    private static readonly ChaosFlaw[] Flaws = [ChaosFlaw.Overpowered, ChaosFlaw.Profanity, ChaosFlaw.UnreachableSpawn, ChaosFlaw.BrokenDialog];
    private static readonly Evasion[] Evasions = Enum.GetValues<Evasion>();

    /// <summary>The blocked words of the shipped list, without their matching markers.</summary>
    public static IReadOnlyList<string> BlockedWords { get; } = ProfanityFilter.Default.Entries
        .Select(e => e.Trim('*', '+'))
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// <paramref name="count"/> items; about <paramref name="invalidShare"/> of them invalid (spread over the four
    /// flaws), the rest valid. The same arguments always give the same items, with distinct content ids.
    /// </summary>
    public static IReadOnlyList<ChaosItem> Create(int count, long seed, double invalidShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (double.IsNaN(invalidShare) || invalidShare is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(invalidShare), invalidShare, "must be between 0 and 1");
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var items = new List<ChaosItem>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Exactly round(count × share) invalid items, at deterministic positions.
        var invalid = (int)Math.Round(count * invalidShare, MidpointRounding.AwayFromZero);
        var positions = Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(invalid).ToHashSet();
        var flaw = 0;
        for (var index = 0; index < count; index++)
        {
            ChaosItem item;
            do
            {
                var contentSeed = random.NextInt64(0, Seeds.Max + 1);
                item = positions.Contains(index)
                    ? Invalid(index, Flaws[flaw % Flaws.Length], contentSeed, random)
                    : Valid(index, Types[random.Next(Types.Length)], contentSeed);
            }
            while (!seen.Add(item.ContentId));
            if (positions.Contains(index))
                flaw++;
            items.Add(item);
        }
        return items;
    }

    /// <summary>
    /// The warm-up of a run with <paramref name="workload"/>: <paramref name="count"/> items of the same mix from a seed
    /// of their own, without any item whose content is in the workload (proposing it first would change its outcome).
    /// </summary>
    public static IReadOnlyList<ChaosItem> CreateWarmup(int count, long seed, double invalidShare, IReadOnlyList<ChaosItem> workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var taken = workload.Select(i => i.ContentId).ToHashSet(StringComparer.Ordinal);
        // Any other seed in range gives other content; the workload's ids are left out all the same.
        var warmupSeed = seed == Seeds.Max ? 0 : seed + 1;
        return Create(count, warmupSeed, invalidShare).Where(i => !taken.Contains(i.ContentId)).ToList();
    }

    /// <summary>Generated content of <paramref name="type"/>; maps are kept small so a run measures consensus, not map size.</summary>
    public static ChaosItem Valid(int index, ContentType type, long seed)
    {
        var parameters = type == ContentType.Map
            ? new Dictionary<string, string>
            {
                ["width"] = (16 + (int)(seed % 33)).ToString(CultureInfo.InvariantCulture),
                ["height"] = (16 + (int)(seed / 33 % 33)).ToString(CultureInfo.InvariantCulture),
            }
            : new Dictionary<string, string>();
        var content = ContentFactory.Generate(type, parameters, seed);
        return new ChaosItem(index, content, ChaosFlaw.None, $"valid {ContentTypes.WireName(type)}", null);
    }

    public static ChaosItem Invalid(int index, ChaosFlaw flaw, long seed, Random random) => flaw switch
    {
        ChaosFlaw.Overpowered => Overpowered(index, seed, random.Next(4)),
        ChaosFlaw.Profanity => Profane(index, seed, BlockedWords[random.Next(BlockedWords.Count)], Evasions[random.Next(Evasions.Length)], random.Next(5)),
        ChaosFlaw.UnreachableSpawn => UnreachableSpawn(index, seed),
        ChaosFlaw.BrokenDialog => BrokenDialog(index, seed, random.Next(3)),
        _ => throw new ArgumentOutOfRangeException(nameof(flaw), flaw, "not an invalid flaw"),
    };

    /// <summary>Content stronger than the balance rules allow: what an "overpowered" Byzantine node proposes.</summary>
    /// <param name="variant">0 character over its stat budget, 1 item over its stat cap, 2 quest gold, 3 quest xp.</param>
    public static ChaosItem Overpowered(int index, long seed, int variant)
    {
        switch (variant % 4)
        {
            case 0:
            {
                var character = (Character)ContentFactory.Generate(ContentType.Character, new Dictionary<string, string>(), seed);
                var bound = Balance.CharacterStatBounds(character.Level).Max;
                var stats = new Stats(bound * 3, bound * 3, bound * 3, bound * 3, bound * 3, bound * 3, bound * 3);
                return Item(index, character with { Stats = stats }, ChaosFlaw.Overpowered,
                    $"overpowered: level {character.Level} character with stats total {stats.Total}", Rules.CharacterStatBudget);
            }
            case 1:
            {
                var item = (Item)ContentFactory.Generate(ContentType.Item, new Dictionary<string, string>(), seed);
                var cap = Balance.ItemStatCap(item.Rarity, item.LevelRequirement);
                var stat = Balance.ItemStats(item.Kind)[0];
                var values = new[] { item.Stats.Hp, item.Stats.Atk, item.Stats.Def, item.Stats.Spd, item.Stats.Mp, item.Stats.Int, item.Stats.Lck };
                values[(int)stat] = cap * 4;
                var stats = new Stats(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
                return Item(index, item with { Stats = stats }, ChaosFlaw.Overpowered,
                    $"overpowered: {item.Rarity} item with {stat} {cap * 4} (cap {cap})", Rules.ItemStatCap);
            }
            case 2:
            {
                var quest = (Quest)ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string>(), seed);
                var gold = Balance.QuestGold(quest.Difficulty).Max * 10;
                return Item(index, quest with { Rewards = quest.Rewards with { Gold = gold } }, ChaosFlaw.Overpowered,
                    $"overpowered: {quest.Difficulty} quest paying {gold} gold", Rules.QuestRewardGold);
            }
            default:
            {
                var quest = (Quest)ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string>(), seed);
                var xp = Balance.QuestXp(quest.Difficulty).Max * 10;
                return Item(index, quest with { Rewards = quest.Rewards with { Xp = xp } }, ChaosFlaw.Overpowered,
                    $"overpowered: {quest.Difficulty} quest giving {xp} xp", Rules.QuestRewardXp);
            }
        }
    }

    /// <summary>Valid content of some type with <paramref name="word"/>, disguised by <paramref name="evasion"/>, in one of its text fields.</summary>
    /// <param name="field">0 item description, 1 character backstory, 2 quest description, 3 dialog line, 4 quest title.</param>
    public static ChaosItem Profane(int index, long seed, string word, Evasion evasion, int field)
    {
        var disguised = Disguise(word, evasion);
        var phrase = $"They say {disguised} was carved here";
        var empty = new Dictionary<string, string>();
        GameContent content;
        string where;
        switch (field % 5)
        {
            case 0:
                var item = (Item)ContentFactory.Generate(ContentType.Item, empty, seed);
                (content, where) = (item with { Description = $"{item.Description} {phrase}." }, "item description");
                break;
            case 1:
                var character = (Character)ContentFactory.Generate(ContentType.Character, empty, seed);
                (content, where) = (character with { Backstory = $"{character.Backstory} {phrase}." }, "character backstory");
                break;
            case 2:
                var quest = (Quest)ContentFactory.Generate(ContentType.Quest, empty, seed);
                (content, where) = (quest with { Description = $"{quest.Description} {phrase}." }, "quest description");
                break;
            case 3:
                var dialog = (Dialog)ContentFactory.Generate(ContentType.Dialog, empty, seed);
                var first = dialog.Lines[0] with { Text = $"{dialog.Lines[0].Text} {phrase}." };
                (content, where) = (dialog with { Lines = [first, .. dialog.Lines.Skip(1)] }, "dialog line");
                break;
            default:
                var titled = (Quest)ContentFactory.Generate(ContentType.Quest, empty, seed);
                (content, where) = (titled with { Title = $"The {disguised} Road" }, "quest title");
                break;
        }
        return Item(index, content, ChaosFlaw.Profanity, $"profanity: {Describe(evasion)} in {where}", Rules.Profanity);
    }

    /// <summary>A generated map with an extra spawn in a one-tile pocket walled off from everything else.</summary>
    public static ChaosItem UnreachableSpawn(int index, long seed)
    {
        var map = (GameMap)Valid(index, ContentType.Map, seed).Content;
        var rows = map.Rows.Select(r => r.ToCharArray()).ToArray();
        var taken = map.Spawns.Select(s => (s.X, s.Y)).ToHashSet();
        var (floor, wall) = map.Generator == MapGenerator.Dungeon ? (Tiles.Floor, Tiles.Wall) : (Tiles.Grass, Tiles.Mountain);
        // The first interior tile, scanning from a seeded start, whose 3×3 block holds no spawn.
        var cells = (map.Width - 2) * (map.Height - 2);
        var start = (int)(seed % cells);
        for (var step = 0; step < cells; step++)
        {
            var cell = (start + step) % cells;
            int x = 1 + cell % (map.Width - 2), y = 1 + cell / (map.Width - 2);
            if (Enumerable.Range(-1, 3).Any(dy => Enumerable.Range(-1, 3).Any(dx => taken.Contains((x + dx, y + dy)))))
                continue;
            rows[y][x] = floor;
            rows[y - 1][x] = rows[y + 1][x] = rows[y][x - 1] = rows[y][x + 1] = wall;
            var broken = map with
            {
                Rows = rows.Select(r => new string(r)).ToArray(),
                Spawns = [.. map.Spawns, new Spawn(SpawnKind.Treasure, x, y)],
            };
            return Item(index, broken, ChaosFlaw.UnreachableSpawn,
                $"unreachable spawn: treasure walled in at ({x}, {y}) on {Content.Text.Articles.For(map.Width.ToString(System.Globalization.CultureInfo.InvariantCulture))} {map.Width}×{map.Height} {map.Generator.ToString().ToLowerInvariant()}",
                Rules.MapSpawnUnreachable);
        }
        throw new InvalidOperationException($"map of seed {seed} has no free interior tile");
    }

    /// <param name="variant">0 a choice pointing at no line, 1 a line nothing leads to, 2 no path ever ends.</param>
    public static ChaosItem BrokenDialog(int index, long seed, int variant)
    {
        var dialog = (Dialog)ContentFactory.Generate(ContentType.Dialog, new Dictionary<string, string>(), seed);
        switch (variant % 3)
        {
            case 0:
            {
                var first = dialog.Lines[0];
                var broken = dialog with { Lines = [first with { Choices = [.. first.Choices, new DialogChoice("Show me the way.", "gone")] }, .. dialog.Lines.Skip(1)] };
                return Item(index, broken, ChaosFlaw.BrokenDialog, "broken dialog: a choice leads to a missing line", Rules.DialogDanglingChoice);
            }
            case 1:
            {
                var orphan = new DialogLine("orphan", dialog.NpcName, "Nobody ever hears this.", [new DialogChoice("Farewell.", null)]);
                var broken = dialog with { Lines = [.. dialog.Lines, orphan] };
                return Item(index, broken, ChaosFlaw.BrokenDialog, "broken dialog: a line no choice leads to", Rules.DialogUnreachableLine);
            }
            default:
            {
                var lines = dialog.Lines
                    .Select(l => l with { Choices = l.Choices.Select(c => c.Next is null ? c with { Next = dialog.Start } : c).ToArray() })
                    .ToArray();
                return Item(index, dialog with { Lines = lines }, ChaosFlaw.BrokenDialog, "broken dialog: every ending loops back to the start", Rules.DialogNoEnding);
            }
        }
    }

    /// <summary>
    /// The overpowered twin of an item, for a Byzantine proposer that inflates what it proposes: same index and
    /// seed, stats or rewards far beyond the balance rules.
    /// </summary>
    public static ChaosItem Overpower(ChaosItem item) => Overpowered(item.Index, item.Content.Seed, item.Index);

    private static readonly (char Letter, string Leet)[] Leet = [('a', "4"), ('e', "3"), ('i', "1"), ('o', "0"), ('s', "$"), ('t', "7")];

    // Cyrillic letters that look like Latin ones.
    private static readonly (char Letter, char LookAlike)[] LookAlikes =
        [('a', 'а'), ('e', 'е'), ('o', 'о'), ('c', 'с'), ('p', 'р'), ('x', 'х'), ('y', 'у'), ('i', 'і'), ('k', 'к'), ('t', 'т')];

    /// <summary><paramref name="word"/> written the way someone slipping it past a filter would write it.</summary>
    public static string Disguise(string word, Evasion evasion)
    {
        ArgumentException.ThrowIfNullOrEmpty(word);
        return evasion switch
        {
            Evasion.Plain => word,
            Evasion.MixedCase => string.Concat(word.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c)),
            Evasion.Leetspeak => ToLeet(word),
            Evasion.DotSeparated => string.Join('.', word.ToCharArray()),
            Evasion.DashSeparated => string.Join('-', word.ToCharArray()),
            Evasion.SpaceSeparated => string.Join(' ', word.ToCharArray()),
            Evasion.LookAlike => ToLookAlikes(word),
            Evasion.RepeatedLetters => string.Concat(word.Select((c, i) => i == word.Length / 2 ? new string(c, 4) : c.ToString())),
            Evasion.LeetAndDots => string.Join('.', ToLeet(word).ToCharArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(evasion)),
        };
    }

    /// <summary>Leetspeak on every letter that has a leet form, but never on all of them: a word of digits alone is a number.</summary>
    private static string ToLeet(string word)
    {
        var builder = new StringBuilder(word.Length);
        var lettersLeft = word.Count(c => !Leet.Any(l => l.Letter == c));
        for (var i = 0; i < word.Length; i++)
        {
            var leet = Leet.FirstOrDefault(l => l.Letter == word[i]).Leet;
            if (leet is not null && (lettersLeft > 0 || i > 0))
                builder.Append(leet);
            else
                builder.Append(word[i]);
        }
        return builder.ToString();
    }

    private static string ToLookAlikes(string word) =>
        string.Concat(word.Select(c => LookAlikes.FirstOrDefault(l => l.Letter == c) is { LookAlike: not '\0' } l ? l.LookAlike : c));

    private static string Describe(Evasion evasion) => evasion switch
    {
        Evasion.Plain => "plain word",
        Evasion.MixedCase => "mixed case",
        Evasion.Leetspeak => "leetspeak",
        Evasion.DotSeparated => "dot separators",
        Evasion.DashSeparated => "dash separators",
        Evasion.SpaceSeparated => "spaced letters",
        Evasion.LookAlike => "Cyrillic look-alikes",
        Evasion.RepeatedLetters => "repeated letters",
        Evasion.LeetAndDots => "leetspeak with dots",
        _ => evasion.ToString(),
    };

    private static ChaosItem Item(int index, GameContent content, ChaosFlaw flaw, string label, string expectedRule) =>
        new(index, ContentJson.WithId(content with { Id = null }), flaw, label, expectedRule);
}
