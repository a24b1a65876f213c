using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

/// <summary>
/// Content ids are the SHA-256 of the canonical JSON and are persisted, so the hand-written canonical writer
/// must produce exactly the bytes <see cref="JsonSerializer"/> produces with <see cref="ContentJson.Options"/>
/// (the implementation it replaced) — or fail the same way.
/// </summary>
public sealed class CanonicalJsonTests
{
    public static TheoryData<ContentType> Types => new(AllTypes);

    private static void AssertIdentical(GameContent content)
    {
        byte[]? expected = null;
        Exception? expectedError = null;
        try
        {
            expected = JsonSerializer.SerializeToUtf8Bytes(content, ContentJson.Options);
        }
        catch (Exception e)
        {
            expectedError = e;
        }
        if (expectedError is not null)
        {
            var actualError = Record.Exception(() => ContentJson.SerializeUtf8(content));
            Assert.NotNull(actualError);
            Assert.Equal(expectedError.GetType(), actualError.GetType());
            Assert.Equal(expectedError.Message, actualError.Message);
            return;
        }
        Assert.Equal(Encoding.UTF8.GetString(expected!), Encoding.UTF8.GetString(ContentJson.SerializeUtf8(content)));
        Assert.Equal(expected!, ContentJson.SerializeUtf8(content));
        Assert.Equal(JsonSerializer.Serialize(content, ContentJson.Options), ContentJson.Serialize(content));

        var body = JsonSerializer.SerializeToUtf8Bytes(content with { Id = null }, ContentJson.Options);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), ContentJson.ComputeId(content, out var length));
        Assert.Equal(body.Length, length);
    }

    /// <summary>Parameters each type takes, so the comparison covers levels, rarities, difficulties and tree depths.</summary>
    private static Gen<Dictionary<string, string>> Parameters(ContentType type) => type switch
    {
        ContentType.Character => Gen.Int[1, 50].Select(level => P(("level", level))),
        ContentType.Item => Gen.Select(Gen.Int[1, 50], Gen.Enum<Rarity>(), (level, rarity) => P(("level", level), ("rarity", rarity))),
        ContentType.Quest => Gen.Enum<Difficulty>().Select(difficulty => P(("difficulty", difficulty))),
        ContentType.Dialog => Gen.Int[1, 4].Select(depth => P(("depth", depth))),
        _ => Gen.Int[8, 40].Select(side => P(("width", side), ("height", side))),
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Generated_content_serialises_byte_identically(ContentType type) =>
        Gen.Select(Seed, Gen.OneOf(Gen.Const(P()), Parameters(type))).Sample((seed, parameters) =>
        {
            var content = ContentFactory.Generate(type, parameters, seed);
            AssertIdentical(content);
            AssertIdentical(content with { Id = null });
        }, iter: type == ContentType.Map ? 300 : 3000);

    /// <summary>Strings a hostile peer might send: quotes, escapes, controls, HTML, emoji, lone surrogates.</summary>
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char["\"\\/\b\f\n\r\t\u0000\u001f<>&'+`\u007f\u0080\u00e9\u2028\u2029\u202e\ufeff\uffff\ud800\udc00\ud83d\ude00a"], 0, 20],
        Gen.Const(""));

    private static readonly Gen<int> AnyInt = Gen.OneOf(Gen.Int, Gen.Const(int.MinValue), Gen.Const(int.MaxValue), Gen.Int[-3, 10]);

    [Fact]
    public void Odd_content_serialises_byte_identically_or_fails_the_same_way()
    {
        var character = (Character)ContentFactory.Generate(ContentType.Character, NoParams, 1);
        var item = (Item)ContentFactory.Generate(ContentType.Item, NoParams, 1);
        var quest = (Quest)ContentFactory.Generate(ContentType.Quest, NoParams, 1);
        var map = (GameMap)ContentFactory.Generate(ContentType.Map, P(("width", 16), ("height", 16)), 1);
        var dialog = (Dialog)ContentFactory.Generate(ContentType.Dialog, NoParams, 1);

        Gen.Select(Text, Text, AnyInt, Gen.Long, Gen.Int[0, 14]).Sample((a, b, n, seed, variant) =>
        {
            GameContent content = variant switch
            {
                0 => character with { Name = a, Backstory = b, Level = n, Seed = seed, Id = a },
                1 => character with { Class = (CharacterClass)n, Appearance = character.Appearance with { Palette = [a, b], Features = [b] } },
                2 => character with { Stats = new Stats(n, n, n, n, n, n, n), Appearance = character.Appearance with { BodyType = (BodyType)(n % 8) } },
                3 => item with { Name = a, Description = b, Kind = (ItemKind)(n % 6), Rarity = (Rarity)(n % 8), LevelRequirement = n },
                4 => quest with { Title = a, Description = b, Objectives = [new Objective((ObjectiveType)(n % 7), a, n)], Difficulty = (Difficulty)(n % 5) },
                5 => quest with { Rewards = new Rewards(n, n, [new RewardItem(a, (ItemKind)(n % 5), (Rarity)(n % 7)), new RewardItem(b, ItemKind.Armor, Rarity.Epic)]) },
                6 => map with { Name = a, Rows = [a, b], Spawns = [new Spawn((SpawnKind)(n % 6), n, n)], Width = n, Generator = (MapGenerator)(n % 3) },
                7 => dialog with { NpcName = a, Start = b, Tone = (DialogTone)(n % 7) },
                8 => dialog with { Lines = [new DialogLine(a, b, a, [new DialogChoice(b, null), new DialogChoice(a, b)])] },
                9 => character with { Name = null!, Backstory = null!, Appearance = character.Appearance with { Features = [null!, a] } },
                10 => character with { Stats = null!, Appearance = null! },
                11 => quest with { Objectives = null!, Rewards = quest.Rewards with { Items = [null!] } },
                12 => map with { Rows = null!, Spawns = [null!] },
                13 => dialog with { Lines = [null!], Start = null! },
                _ => dialog with { Lines = [new DialogLine(null!, a, null!, null!)] },
            };
            AssertIdentical(content);
        }, iter: 5000);
    }
}
