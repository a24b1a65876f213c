using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation;

/// <summary>
/// Generated content, then broken on purpose the ways a faulty or hostile peer would break it — stats over budget,
/// blocked words and their disguises, walled-in spawns, dangling dialog choices, missing fields, odd characters —
/// for the differential tests of the validator. Deterministic from the <see cref="Random"/> it is given.
/// </summary>
internal static class ContentBreaker
{
    private static readonly string[] Words = ProfanityFilter.Default.Entries.Select(e => e.Trim('*', '+')).Distinct().ToArray();

    private static readonly string[] OddTexts =
    [
        "", " ", "   ", "\t", "é", "ж", "Ünïcödé", "\u202eevil", "a\u0001b", "line\nbreak", "emoji 😀 here", "\ud800", "<b>&amp;</b>", "quote \" and \\",
        "a+b 'c' `d`", "\u00a0nbsp", "ｆｕｌｌ", "\u200bzero", "caf\u0065\u0301", new string('x', 70), new string('y', 2100), "class assassin Scunthorpe",
    ];

    public static GameContent Generate(Random random)
    {
        var type = (ContentType)random.Next(5);
        var parameters = new Dictionary<string, string>();
        switch (type)
        {
            case ContentType.Character when random.Next(2) == 0:
                parameters["level"] = random.Next(1, 51).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case ContentType.Item when random.Next(2) == 0:
                parameters["level"] = random.Next(1, 51).ToString(System.Globalization.CultureInfo.InvariantCulture);
                parameters["rarity"] = Enum.GetNames<Rarity>()[random.Next(6)];
                break;
            case ContentType.Quest when random.Next(2) == 0:
                parameters["difficulty"] = Enum.GetNames<Difficulty>()[random.Next(4)];
                break;
            case ContentType.Dialog:
                parameters["depth"] = random.Next(1, 5).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case ContentType.Map:
                parameters["width"] = random.Next(8, 49).ToString(System.Globalization.CultureInfo.InvariantCulture);
                parameters["height"] = random.Next(8, 49).ToString(System.Globalization.CultureInfo.InvariantCulture);
                parameters["generator"] = random.Next(2) == 0 ? "overworld" : "dungeon";
                break;
        }
        return ContentFactory.Generate(type, parameters, random.NextInt64(0, Seeds.Max + 1));
    }

    /// <summary>The content with 0 to 3 breakages, and its id recomputed (or left wrong) as a proposer might.</summary>
    public static GameContent Break(GameContent content, Random random)
    {
        var breakages = random.Next(4);
        for (var i = 0; i < breakages; i++)
            content = BreakOnce(content, random);
        return random.Next(10) switch
        {
            0 => content with { Id = null },
            1 => content with { Id = "not-an-id" },
            2 => content with { Seed = random.Next(2) == 0 ? -1 : Seeds.Max + 1 },
            _ => SafeWithId(content),
        };
    }

    private static GameContent SafeWithId(GameContent content)
    {
        try
        {
            return ContentJson.WithId(content with { Id = null });
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return content;
        }
    }

    public static string Text(Random random) => random.Next(3) switch
    {
        0 => OddTexts[random.Next(OddTexts.Length)],
        _ => $"They say {Disguise(Words[random.Next(Words.Length)], random)} was here",
    };

    public static string Disguise(string word, Random random) => random.Next(8) switch
    {
        0 => word,
        1 => word.ToUpperInvariant(),
        2 => string.Concat(word.Select(c => c switch { 'a' => '4', 'e' => '3', 'i' => '1', 'o' => '0', 's' => '$', _ => c })),
        3 => string.Join('.', word.ToCharArray()),
        4 => string.Join(' ', word.ToCharArray()),
        5 => string.Concat(word.Select(c => c switch { 'a' => 'а', 'e' => 'е', 'o' => 'о', 'c' => 'с', 'p' => 'р', 'i' => 'і', _ => c })),
        6 => string.Concat(word.Select((c, i) => i == word.Length / 2 ? new string(c, 4) : c.ToString())),
        _ => "in" + word + "ish",
    };

    private static string Mutate(string text, Random random) => random.Next(4) switch
    {
        0 => Text(random),
        1 => text + " " + Text(random),
        2 => random.Next(2) == 0 ? "" : null!,
        _ => Text(random) + text,
    };

    private static int Number(int value, Random random) => random.Next(6) switch
    {
        0 => value * random.Next(2, 10),
        1 => -value,
        2 => value + random.Next(-3, 4),
        3 => random.Next(2) == 0 ? int.MaxValue : int.MinValue,
        4 => 0,
        _ => random.Next(-5, 120),
    };

    private static GameContent BreakOnce(GameContent content, Random random)
    {
        try
        {
            return content switch
            {
                Character c => Break(c, random),
                Item i => Break(i, random),
                Quest q => Break(q, random),
                GameMap m => Break(m, random),
                Dialog d => Break(d, random),
                _ => content,
            };
        }
        catch (Exception e) when (e is NullReferenceException or ArgumentException)
        {
            // An earlier breakage took away what this one changes (a list, an object): it stays as broken as it is.
            return content;
        }
    }

    private static Stats Break(Stats s, Random random) => random.Next(8) switch
    {
        0 => new Stats(Number(s.Hp, random), s.Atk, s.Def, s.Spd, s.Mp, s.Int, s.Lck),
        1 => new Stats(s.Hp, Number(s.Atk, random), s.Def, s.Spd, s.Mp, s.Int, s.Lck),
        2 => new Stats(s.Hp, s.Atk, Number(s.Def, random), s.Spd, s.Mp, s.Int, s.Lck),
        3 => new Stats(s.Hp, s.Atk, s.Def, Number(s.Spd, random), s.Mp, s.Int, s.Lck),
        4 => new Stats(s.Hp, s.Atk, s.Def, s.Spd, Number(s.Mp, random), s.Int, s.Lck),
        5 => new Stats(s.Hp, s.Atk, s.Def, s.Spd, s.Mp, Number(s.Int, random), s.Lck),
        6 => new Stats(s.Hp, s.Atk, s.Def, s.Spd, s.Mp, s.Int, Number(s.Lck, random)),
        _ => new Stats(s.Hp * 3, s.Atk * 3, s.Def * 3, s.Spd * 3, s.Mp * 3, s.Int * 3, s.Lck * 3),
    };

    private static Character Break(Character c, Random random) => random.Next(9) switch
    {
        0 => c with { Stats = Break(c.Stats, random) },
        1 => c with { Level = Number(c.Level, random) },
        2 => c with { Name = Mutate(c.Name, random) },
        3 => c with { Backstory = Mutate(c.Backstory, random) },
        4 => c with { Appearance = c.Appearance with { Palette = [.. c.Appearance.Palette, random.Next(2) == 0 ? "#12345g" : Text(random)] } },
        5 => c with { Appearance = c.Appearance with { Features = [.. c.Appearance.Features, .. Enumerable.Repeat(Text(random), random.Next(1, 9))] } },
        6 => c with { Appearance = c.Appearance with { Palette = [.. c.Appearance.Palette, .. c.Appearance.Palette, .. c.Appearance.Palette] } },
        7 => c with { Stats = null! },
        _ => c with { Appearance = c.Appearance with { Features = [null!, .. c.Appearance.Features] } },
    };

    private static Item Break(Item i, Random random) => random.Next(6) switch
    {
        0 or 1 => i with { Stats = Break(i.Stats, random) },
        2 => i with { LevelRequirement = Number(i.LevelRequirement, random) },
        3 => i with { Name = Mutate(i.Name, random) },
        4 => i with { Description = Mutate(i.Description, random) },
        _ => i with { Kind = (ItemKind)((int)(i.Kind + 1) % 4), Rarity = (Rarity)random.Next(6) },
    };

    private static Quest Break(Quest q, Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                return q with { Title = Mutate(q.Title, random) };
            case 1:
                return q with { Description = Mutate(q.Description, random) };
            case 2:
                return q with { Objectives = q.Objectives.Select(o => o with { Count = Number(o.Count, random) }).ToList() };
            case 3:
                return q with { Objectives = random.Next(2) == 0 ? [] : [.. q.Objectives, .. q.Objectives, .. q.Objectives, .. q.Objectives] };
            case 4:
                return q with { Rewards = q.Rewards with { Gold = Number(q.Rewards.Gold, random), Xp = random.Next(2) == 0 ? q.Rewards.Xp : Number(q.Rewards.Xp, random) } };
            case 5:
                return q with { Rewards = q.Rewards with { Items = [.. q.Rewards.Items, new RewardItem(Text(random), (ItemKind)random.Next(4), (Rarity)random.Next(6))] } };
            case 6:
                return q with { Difficulty = (Difficulty)random.Next(4) };
            case 7:
                return q with { Objectives = [.. q.Objectives, new Objective((ObjectiveType)random.Next(5), random.Next(3) == 0 ? null! : Text(random), random.Next(-2, 40))] };
            case 8:
                return q with { Rewards = q.Rewards with { Items = [null!, .. q.Rewards.Items] } };
            default:
                return q with { Rewards = null! };
        }
    }

    private static GameMap Break(GameMap m, Random random)
    {
        var rows = m.Rows.ToList();
        var spawns = m.Spawns.ToList();
        switch (random.Next(12))
        {
            case 0:
            {
                // A tile changed: maybe walls a spawn in, maybe unknown, maybe under a spawn.
                var y = random.Next(rows.Count);
                var x = random.Next(rows[y].Length);
                var tile = "gfwmd.#x?"[random.Next(9)];
                rows[y] = rows[y][..x] + tile + rows[y][(x + 1)..];
                return m with { Rows = rows };
            }
            case 1:
            {
                // Wall around a random spawn (or the player).
                var s = spawns[random.Next(spawns.Count)];
                var grid = rows.Select(r => r.ToCharArray()).ToArray();
                foreach (var (dx, dy) in new[] { (0, 1), (1, 0), (0, -1), (-1, 0) })
                {
                    if (s.Y + dy >= 0 && s.Y + dy < grid.Length && s.X + dx >= 0 && s.X + dx < grid[s.Y + dy].Length)
                        grid[s.Y + dy][s.X + dx] = m.Generator == MapGenerator.Dungeon ? Tiles.Wall : Tiles.Water;
                }
                return m with { Rows = grid.Select(r => new string(r)).ToList() };
            }
            case 2:
                rows.RemoveAt(random.Next(rows.Count));
                return m with { Rows = rows };
            case 3:
            {
                var y = random.Next(rows.Count);
                rows[y] = random.Next(2) == 0 ? rows[y][1..] : rows[y] + "g";
                return m with { Rows = rows };
            }
            case 4:
                spawns.Add(new Spawn((SpawnKind)random.Next(4), random.Next(-2, m.Width + 2), random.Next(-2, m.Height + 2)));
                return m with { Spawns = spawns };
            case 5:
                spawns.Add(spawns[random.Next(spawns.Count)]);
                return m with { Spawns = spawns };
            case 6:
                spawns.RemoveAll(s => s.Kind == SpawnKind.Player);
                return m with { Spawns = spawns };
            case 7:
                spawns.Add(new Spawn(SpawnKind.Player, random.Next(m.Width), random.Next(m.Height)));
                return m with { Spawns = spawns };
            case 8:
                return m with { Width = random.Next(2) == 0 ? m.Width + 1 : random.Next(-1, 300), Height = random.Next(2) == 0 ? m.Height : m.Height - 1 };
            case 9:
                return m with { Name = Mutate(m.Name, random) };
            case 10:
            {
                var i = random.Next(spawns.Count);
                spawns[i] = spawns[i] with { X = random.Next(m.Width), Y = random.Next(m.Height) };
                return m with { Spawns = spawns };
            }
            default:
                return random.Next(2) == 0 ? m with { Rows = [.. rows, null!] } : m with { Spawns = [.. spawns, null!] };
        }
    }

    private static Dialog Break(Dialog d, Random random)
    {
        var lines = d.Lines.ToList();
        var l = random.Next(lines.Count);
        switch (random.Next(13))
        {
            case 0:
                lines[l] = lines[l] with { Choices = [.. lines[l].Choices, new DialogChoice("Show me the way.", "gone")] };
                break;
            case 1:
                lines.Add(new DialogLine("orphan", d.NpcName, "Nobody ever hears this.", [new DialogChoice("Farewell.", random.Next(2) == 0 ? null : d.Start)]));
                break;
            case 2:
                lines = lines.Select(line => line with { Choices = line.Choices.Select(c => c.Next is null ? c with { Next = d.Start } : c).ToList() }).ToList();
                break;
            case 3:
                lines.Add(lines[l]);
                break;
            case 4:
                lines[l] = lines[l] with { Choices = [] };
                break;
            case 5:
                return d with { Start = random.Next(2) == 0 ? "nowhere" : Mutate(d.Start, random) };
            case 6:
                return d with { Lines = [] };
            case 7:
                lines[l] = lines[l] with { Text = Mutate(lines[l].Text, random) };
                break;
            case 8:
                lines[l] = lines[l] with { Choices = lines[l].Choices.Select(c => c with { Text = Mutate(c.Text, random) }).ToList() };
                break;
            case 9:
                lines[l] = lines[l] with { Id = random.Next(2) == 0 ? lines[(l + 1) % lines.Count].Id : Mutate(lines[l].Id, random), Speaker = Mutate(lines[l].Speaker, random) };
                break;
            case 10:
                lines.AddRange(Enumerable.Range(0, random.Next(10, 70)).Select(i => new DialogLine($"extra{i}", d.NpcName, "More.", [new DialogChoice("On.", i % 7 == 6 ? null : $"extra{i + 1}")])));
                break;
            case 11:
                // A trap: a reachable line whose choices only loop among themselves.
                lines.Add(new DialogLine("trap", d.NpcName, "Round and round.", [new DialogChoice("Again.", "trap")]));
                lines[l] = lines[l] with { Choices = [.. lines[l].Choices, new DialogChoice("Step in.", "trap")] };
                break;
            default:
                lines[l] = random.Next(3) switch
                {
                    0 => null!,
                    1 => lines[l] with { Choices = null! },
                    _ => lines[l] with { Choices = [null!, .. lines[l].Choices] },
                };
                break;
        }
        return d with { Lines = lines };
    }
}
