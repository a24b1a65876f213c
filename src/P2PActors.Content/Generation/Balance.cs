using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

/// <summary>Inclusive integer bounds.</summary>
public readonly record struct IntRange(int Min, int Max)
{
    public bool Contains(int value) => value >= Min && value <= Max;

    public override string ToString() => $"{Min}..{Max}";
}

/// <summary>
/// The balance rules as pure functions. Generators draw inside them; validators re-check content against them
/// (<see cref="Check(GameContent)"/> returns the names of the broken rules, empty when the content is sound).
/// </summary>
public static class Balance
{
    public static readonly IntRange Levels = new(1, 50);
    public static readonly IntRange ObjectiveCount = new(1, 5);
    public static readonly IntRange MapSide = new(8, 256);
    public static readonly IntRange DialogDepth = new(1, 6);

    // Rule names returned by Check: stable strings other components may match on.
    public const string LevelRange = "level-range";
    public const string NameMissing = "name-missing";
    public const string TextMissing = "text-missing";
    public const string StatTotal = "stat-total";
    public const string StatBounds = "stat-bounds";
    public const string ItemStatKind = "item-stat-kind";
    public const string ObjectiveCountRule = "objective-count";
    public const string ObjectiveAmountRule = "objective-amount";
    public const string RewardGold = "reward-gold";
    public const string RewardXp = "reward-xp";
    public const string RewardItemCount = "reward-item-count";
    public const string RewardItemRarity = "reward-item-rarity";
    public const string MapSize = "map-size";
    public const string MapTiles = "map-tiles";
    public const string PlayerSpawn = "player-spawn";
    public const string SpawnWalkable = "spawn-walkable";
    public const string SpawnReachable = "spawn-reachable";
    public const string SpawnOverlap = "spawn-overlap";
    public const string DialogStart = "dialog-start";
    public const string DialogDuplicateLine = "dialog-duplicate-line";
    public const string DialogDanglingChoice = "dialog-dangling-choice";
    public const string DialogUnreachableLine = "dialog-unreachable-line";
    public const string DialogNoEnding = "dialog-no-ending";
    public const string DialogEmptyLine = "dialog-no-choices";

    // ---- characters ----

    /// <summary>The sum of a character's seven stats must fall in this range.</summary>
    public static IntRange CharacterStatTotal(int level) => new(40 + 10 * level, 60 + 14 * level);

    /// <summary>Every single stat of a character must fall in this range (no stat above 35% of the maximum budget).</summary>
    public static IntRange CharacterStatBounds(int level) => new(1, (CharacterStatTotal(level).Max * 35 + 99) / 100);

    // ---- items ----

    private static readonly int[] RarityPercent = [100, 130, 170, 220, 280, 350];

    /// <summary>No single stat of an item may exceed this cap.</summary>
    public static int ItemStatCap(Rarity rarity, int level) => (6 + 2 * level) * RarityPercent[(int)rarity] / 100;

    /// <summary>The sum of an item's stats must fall in this range: rarer and higher-level items are stronger.</summary>
    public static IntRange ItemStatTotal(Rarity rarity, int level)
    {
        var max = ItemStatCap(rarity, level) * 2;
        return new IntRange(max / 3, max);
    }

    /// <summary>Which stats an item of a kind may carry (the others must be 0): Hp, Atk, Def, Spd, Mp, Int, Lck order.</summary>
    public static IReadOnlyList<StatKind> ItemStats(ItemKind kind) => ItemStatsByKind[(int)kind];

    private static readonly StatKind[][] ItemStatsByKind =
    [
        [StatKind.Atk, StatKind.Spd, StatKind.Lck],
        [StatKind.Def, StatKind.Hp, StatKind.Spd],
        [StatKind.Int, StatKind.Mp, StatKind.Lck, StatKind.Spd],
        [StatKind.Hp, StatKind.Mp],
    ];

    // ---- quests ----

    public static IntRange QuestGold(Difficulty difficulty) => difficulty switch
    {
        Difficulty.Easy => new(10, 100),
        Difficulty.Medium => new(80, 400),
        Difficulty.Hard => new(300, 1500),
        _ => new(1200, 6000),
    };

    public static IntRange QuestXp(Difficulty difficulty) => difficulty switch
    {
        Difficulty.Easy => new(50, 300),
        Difficulty.Medium => new(250, 1000),
        Difficulty.Hard => new(900, 4000),
        _ => new(3500, 15000),
    };

    public static IntRange QuestRewardItems(Difficulty difficulty) => difficulty switch
    {
        Difficulty.Easy => new(0, 1),
        Difficulty.Medium => new(0, 2),
        Difficulty.Hard => new(1, 3),
        _ => new(2, 4),
    };

    /// <summary>The rarest reward item a quest of this difficulty may give.</summary>
    public static Rarity QuestRewardMaxRarity(Difficulty difficulty) => difficulty switch
    {
        Difficulty.Easy => Rarity.Uncommon,
        Difficulty.Medium => Rarity.Rare,
        Difficulty.Hard => Rarity.Epic,
        _ => Rarity.Mythic,
    };

    /// <summary>How many targets an objective may ask for (kill 12 wolves, escort 1 merchant...).</summary>
    public static IntRange ObjectiveAmount(ObjectiveType type, Difficulty difficulty)
    {
        var d = (int)difficulty;
        return type switch
        {
            ObjectiveType.Kill => new(2 + d, 6 + 6 * d),
            ObjectiveType.Fetch => new(1, 4 + 3 * d),
            ObjectiveType.Escort => new(1, 1 + d / 2),
            ObjectiveType.Explore => new(1, 1 + d),
            _ => new(1, 2 + d),
        };
    }

    // ---- checks ----

    public static IReadOnlyList<string> Check(GameContent content) => content switch
    {
        Character c => Check(c),
        Item i => Check(i),
        Quest q => Check(q),
        GameMap m => Check(m),
        Dialog d => Check(d),
        _ => throw new ArgumentException($"unknown content type {content.GetType().Name}", nameof(content)),
    };

    public static IReadOnlyList<string> Check(Character character)
    {
        var broken = new List<string>();
        if (string.IsNullOrWhiteSpace(character.Name)) broken.Add(NameMissing);
        if (string.IsNullOrWhiteSpace(character.Backstory)) broken.Add(TextMissing);
        if (!Levels.Contains(character.Level))
        {
            broken.Add(LevelRange);
            return broken;
        }
        if (!CharacterStatTotal(character.Level).Contains(character.Stats.Total)) broken.Add(StatTotal);
        var bounds = CharacterStatBounds(character.Level);
        foreach (var value in StatValues(character.Stats))
        {
            if (!bounds.Contains(value))
            {
                broken.Add(StatBounds);
                break;
            }
        }
        return broken;
    }

    public static IReadOnlyList<string> Check(Item item)
    {
        var broken = new List<string>();
        if (string.IsNullOrWhiteSpace(item.Name)) broken.Add(NameMissing);
        if (string.IsNullOrWhiteSpace(item.Description)) broken.Add(TextMissing);
        if (!Levels.Contains(item.LevelRequirement) || !Enum.IsDefined(item.Rarity) || !Enum.IsDefined(item.Kind))
        {
            broken.Add(LevelRange);
            return broken;
        }
        if (!ItemStatTotal(item.Rarity, item.LevelRequirement).Contains(item.Stats.Total)) broken.Add(StatTotal);
        var cap = ItemStatCap(item.Rarity, item.LevelRequirement);
        var allowed = ItemStats(item.Kind);
        var values = StatValues(item.Stats);
        bool outOfBounds = false, wrongKind = false;
        for (var s = 0; s < values.Length; s++)
        {
            if (values[s] < 0 || values[s] > cap) outOfBounds = true;
            if (values[s] != 0 && !allowed.Contains((StatKind)s)) wrongKind = true;
        }
        if (outOfBounds) broken.Add(StatBounds);
        if (wrongKind) broken.Add(ItemStatKind);
        return broken;
    }

    public static IReadOnlyList<string> Check(Quest quest)
    {
        var broken = new List<string>();
        if (string.IsNullOrWhiteSpace(quest.Title)) broken.Add(NameMissing);
        if (string.IsNullOrWhiteSpace(quest.Description)) broken.Add(TextMissing);
        if (!Enum.IsDefined(quest.Difficulty))
        {
            broken.Add(LevelRange);
            return broken;
        }
        if (!ObjectiveCount.Contains(quest.Objectives.Count)) broken.Add(ObjectiveCountRule);
        foreach (var objective in quest.Objectives)
        {
            if (!Enum.IsDefined(objective.Type) || !ObjectiveAmount(objective.Type, quest.Difficulty).Contains(objective.Count)
                || string.IsNullOrWhiteSpace(objective.Target))
            {
                broken.Add(ObjectiveAmountRule);
                break;
            }
        }
        if (!QuestGold(quest.Difficulty).Contains(quest.Rewards.Gold)) broken.Add(RewardGold);
        if (!QuestXp(quest.Difficulty).Contains(quest.Rewards.Xp)) broken.Add(RewardXp);
        if (!QuestRewardItems(quest.Difficulty).Contains(quest.Rewards.Items.Count)) broken.Add(RewardItemCount);
        var maxRarity = QuestRewardMaxRarity(quest.Difficulty);
        foreach (var item in quest.Rewards.Items)
        {
            if (item.Rarity > maxRarity || item.Rarity < Rarity.Common || string.IsNullOrWhiteSpace(item.Name))
            {
                broken.Add(RewardItemRarity);
                break;
            }
        }
        return broken;
    }

    public static IReadOnlyList<string> Check(GameMap map)
    {
        var broken = new List<string>();
        if (string.IsNullOrWhiteSpace(map.Name)) broken.Add(NameMissing);
        if (!MapSide.Contains(map.Width) || !MapSide.Contains(map.Height) || map.Rows.Count != map.Height)
        {
            broken.Add(MapSize);
            return broken;
        }
        foreach (var row in map.Rows)
        {
            if (row.Length != map.Width)
            {
                broken.Add(MapSize);
                return broken;
            }
            foreach (var tile in row)
            {
                if (!Tiles.All.Contains(tile))
                {
                    broken.Add(MapTiles);
                    return broken;
                }
            }
        }
        var players = map.Spawns.Where(s => s.Kind == SpawnKind.Player).ToList();
        if (players.Count != 1) broken.Add(PlayerSpawn);
        var occupied = new HashSet<(int, int)>();
        bool walkable = true, overlap = false;
        foreach (var spawn in map.Spawns)
        {
            if (spawn.X < 0 || spawn.Y < 0 || spawn.X >= map.Width || spawn.Y >= map.Height || !Tiles.IsWalkable(map.TileAt(spawn.X, spawn.Y)))
                walkable = false;
            if (!occupied.Add((spawn.X, spawn.Y))) overlap = true;
        }
        if (!walkable) broken.Add(SpawnWalkable);
        if (overlap) broken.Add(SpawnOverlap);
        if (players.Count == 1 && walkable)
        {
            var reached = MapTools.Reachable(map, players[0].X, players[0].Y);
            if (map.Spawns.Any(s => !reached[s.Y * map.Width + s.X])) broken.Add(SpawnReachable);
        }
        return broken;
    }

    public static IReadOnlyList<string> Check(Dialog dialog)
    {
        var broken = new List<string>();
        if (string.IsNullOrWhiteSpace(dialog.NpcName)) broken.Add(NameMissing);
        var byId = new Dictionary<string, DialogLine>(StringComparer.Ordinal);
        foreach (var line in dialog.Lines)
        {
            if (!byId.TryAdd(line.Id, line)) broken.Add(DialogDuplicateLine);
            if (string.IsNullOrWhiteSpace(line.Text) && !broken.Contains(TextMissing)) broken.Add(TextMissing);
        }
        if (!byId.ContainsKey(dialog.Start))
        {
            broken.Add(DialogStart);
            return broken;
        }
        if (dialog.Lines.Any(l => l.Choices.Count == 0)) broken.Add(DialogEmptyLine);
        if (dialog.Lines.Any(l => l.Choices.Any(c => c.Next is { } next && !byId.ContainsKey(next) || string.IsNullOrWhiteSpace(c.Text))))
            broken.Add(DialogDanglingChoice);
        var reached = new HashSet<string>(StringComparer.Ordinal) { dialog.Start };
        var pending = new Stack<string>();
        pending.Push(dialog.Start);
        var ends = false;
        while (pending.Count > 0)
        {
            foreach (var choice in byId[pending.Pop()].Choices)
            {
                if (choice.Next is null) ends = true;
                else if (byId.ContainsKey(choice.Next) && reached.Add(choice.Next)) pending.Push(choice.Next);
            }
        }
        if (reached.Count != byId.Count) broken.Add(DialogUnreachableLine);
        if (!ends) broken.Add(DialogNoEnding);
        return broken;
    }

    internal static int[] StatValues(Stats s) => [s.Hp, s.Atk, s.Def, s.Spd, s.Mp, s.Int, s.Lck];

    internal static Stats ToStats(ReadOnlySpan<int> v) => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/// <summary>The seven stats in the order of <see cref="Stats"/>.</summary>
public enum StatKind { Hp, Atk, Def, Spd, Mp, Int, Lck }
