using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using P2PActors.Content.Model;
using P2PActors.Content.Tests.Validation.Reference;
using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation;

/// <summary>
/// The validator got cheaper (a strict canonical-JSON reader, the id hashed from the proposal's own bytes, rule checks
/// without per-tile or per-line allocations); its verdicts must not change. Every test here runs the current code and
/// the validator as it was (<see cref="ReferenceContentValidator"/>, behind <see cref="ContentJson.Deserialize(string)"/>
/// as a validator called it) over thousands of generated and deliberately broken contents and JSON texts, and asserts
/// the same outcome: parsed or not, and the same violations — rule, field and message — in the same order.
/// </summary>
public sealed partial class ValidatorDifferentialTests
{
    private static readonly ContentValidator Validator = new();
    private static readonly ReferenceContentValidator Oracle = new();

    private static readonly Gen<Random> Randoms = Gen.Int.Select(seed => new Random(seed));

    /// <summary>What a validator did before: parse with the serializer, check under the claimed id, compare ids.</summary>
    private static (GameContent? Content, ValidationResult? Result, bool IdMatches) OldJudge(string json, string claimedId)
    {
        GameContent content;
        try
        {
            content = ContentJson.Deserialize(json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return (null, null, false);
        }
        return (content, Oracle.Check(content with { Id = claimedId }), string.Equals(content.Id, claimedId, StringComparison.Ordinal));
    }

    private static void AssertSameVerdict(string json, string claimedId)
    {
        var expected = OldJudge(json, claimedId);
        var actual = Validator.CheckJson(json, claimedId);
        var context = $"claimed '{claimedId}', JSON {json[..Math.Min(json.Length, 400)]}";
        Assert.True(expected.Content is null == actual.Content is null, $"parsed {actual.Content is not null}, expected {expected.Content is not null}: {context}");
        if (expected.Content is null)
        {
            Assert.Null(actual.Result);
            Assert.False(actual.IsApproved);
            Assert.NotNull(actual.ParseError);
            return;
        }
        Assert.Equal(Describe(expected.Content), Describe(actual.Content!));
        Assert.Equal(expected.IdMatches, actual.IdMatches);
        AssertSameResult(expected.Result!, actual.Result!, context);
        Assert.Equal(expected.Result!.IsValid && expected.IdMatches, actual.IsApproved);
    }

    private static void AssertSameResult(ValidationResult expected, ValidationResult actual, string context)
    {
        Assert.True(expected.Violations.SequenceEqual(actual.Violations),
            $"expected [{string.Join("; ", expected.Violations)}]\nactual   [{string.Join("; ", actual.Violations)}]\n{context}");
        Assert.Equal(expected.IsValid, actual.IsValid);
        Assert.Equal(expected.Rules, actual.Rules);
    }

    /// <summary>Everything the content holds, as the serializer writes it (or why it cannot).</summary>
    private static string Describe(GameContent content)
    {
        try
        {
            return content.GetType().Name + JsonSerializer.Serialize(content, ContentJson.Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return content.GetType().Name + " unserialisable: " + e.Message;
        }
    }

    private static string? TrySerialize(GameContent content)
    {
        try
        {
            return ContentJson.Serialize(content);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string ClaimedId(GameContent content, string json, Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        2 => content.Id ?? "",
        _ => SafeComputeId(content) ?? content.Id ?? "",
    };

    private static string? SafeComputeId(GameContent content)
    {
        try
        {
            return ContentJson.ComputeId(content);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    [Fact]
    public void Check_gives_the_old_results_on_generated_and_broken_content() =>
        Randoms.Sample(random =>
        {
            var content = ContentBreaker.Break(ContentBreaker.Generate(random), random);
            AssertSameResult(Oracle.Check(content), Validator.Check(content), Describe(content));
        }, iter: 4000);

    [Fact]
    public void CheckJson_gives_the_old_verdict_on_the_json_of_generated_and_broken_content() =>
        Randoms.Sample(random =>
        {
            var content = ContentBreaker.Break(ContentBreaker.Generate(random), random);
            if (TrySerialize(content) is not { } json)
                return;
            AssertSameVerdict(json, ClaimedId(content, json, random));
        }, iter: 4000);

    [Fact]
    public void CheckJson_gives_the_old_verdict_on_altered_json() =>
        Randoms.Sample(random =>
        {
            var content = ContentBreaker.Generate(random);
            if (random.Next(2) == 0)
                content = ContentBreaker.Break(content, random);
            if (TrySerialize(content) is not { } json)
                return;
            var altered = AlterJson(json, random);
            AssertSameVerdict(altered, ClaimedId(content, altered, random));
        }, iter: 6000);

    [Fact]
    public void Honest_proposals_take_the_canonical_path()
    {
        Randoms.Sample(random =>
        {
            var json = ContentJson.Serialize(ContentBreaker.Generate(random));
            Assert.True(CanonicalJsonReader.TryRead(Encoding.UTF8.GetBytes(json), out _, out _, out _), json);
        }, iter: 500);
    }

    /// <summary>
    /// The canonical reader's promise, on which hashing the proposal's own bytes rests: whatever it accepts is
    /// exactly what the canonical writer writes for what it read.
    /// </summary>
    [Fact]
    public void Whatever_the_canonical_reader_accepts_is_the_canonical_json_of_what_it_read()
    {
        var accepted = 0;
        Randoms.Sample(random =>
        {
            var content = ContentBreaker.Generate(random);
            if (random.Next(2) == 0)
                content = ContentBreaker.Break(content, random);
            if (TrySerialize(content) is not { } json)
                return;
            var bytes = Encoding.UTF8.GetBytes(random.Next(3) == 0 ? json : AlterJson(json, random));
            if (!CanonicalJsonReader.TryRead(bytes, out var read, out var idStart, out var idEnd))
                return;
            Interlocked.Increment(ref accepted);
            Assert.Equal(Encoding.UTF8.GetString(bytes), ContentJson.Serialize(read!));
            var body = bytes.AsSpan(0, idStart).ToArray().Concat(bytes.AsSpan(idEnd).ToArray()).ToArray();
            Assert.Equal(Encoding.UTF8.GetString(body), ContentJson.Serialize(read! with { Id = null }));
        }, iter: 6000);
        Assert.True(accepted > 1000, $"only {accepted} inputs took the canonical path");
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"type\":\"unicorn\",\"seed\":1}")]
    [InlineData("{\"type\":\"item\"}")]
    [InlineData("{\"type\":\"item\",\"seed\":1}")]
    [InlineData("{\"seed\":1,\"type\":\"item\"}")]
    [InlineData("{\"type\":\"map\",\"seed\":1,\"name\":\"m\",\"generator\":\"dungeon\",\"width\":8,\"height\":8,\"rows\":null,\"spawns\":[null]}")]
    [InlineData("{\"type\":\"dialog\",\"seed\":1,\"npcName\":\"n\",\"tone\":\"formal\",\"start\":\"a\",\"lines\":[]}")]
    [InlineData("{\"type\":\"dialog\",\"seed\":1,\"npcName\":null,\"tone\":\"formal\",\"start\":null,\"lines\":[{\"id\":null,\"speaker\":null,\"text\":null,\"choices\":[]}]}")]
    [InlineData("{\"type\":\"dialog\",\"seed\":1,\"npcName\":\"n\",\"tone\":\"formal\",\"start\":\"a\",\"lines\":[{\"id\":\"a\",\"speaker\":\"s\",\"text\":\"t\",\"choices\":[{\"text\":\"c\",\"next\":\"a\"}]}]}")]
    [InlineData("{\"type\":\"quest\",\"seed\":1,\"title\":\"t\",\"description\":\"d\",\"objectives\":[],\"difficulty\":\"easy\",\"rewards\":{\"gold\":1,\"xp\":1,\"items\":[]}}")]
    [InlineData("{\"type\":\"item\",\"id\":\"x\",\"seed\":-0,\"name\":\"n\"}")]
    [InlineData("{\"type\":\"item\",\"seed\":1}trailing")]
    [InlineData("{\"type\":\"item\",\"seed\":1} ")]
    public void CheckJson_gives_the_old_verdict_on_odd_json(string json)
    {
        AssertSameVerdict(json, "");
        AssertSameVerdict(json, "x");
    }

    /// <summary>The ways JSON that means the same (or nearly) can differ from the canonical form, and ways it can be broken.</summary>
    private static string AlterJson(string json, Random random)
    {
        switch (random.Next(22))
        {
            case 0:
                return json;
            case 1:
            {
                // Whitespace somewhere between tokens (or, by chance, inside a string).
                var colon = Nth(json, ':', random);
                return colon < 0 ? json : json.Insert(colon + 1, random.Next(2) == 0 ? " " : "\n\t");
            }
            case 2:
            {
                // A letter written as an escape sequence: same value, not canonical; in a property name too.
                var letters = Enumerable.Range(0, json.Length).Where(i => char.IsAsciiLetter(json[i])).ToList();
                var at = letters[random.Next(letters.Count)];
                return json[..at] + $"\\u{(int)json[at]:x4}" + json[(at + 1)..];
            }
            case 3:
                return ReplaceNumber(json, random, n => n == "0" ? "-0" : n + ".0");
            case 4:
                return ReplaceNumber(json, random, n => random.Next(3) switch { 0 => n + "e0", 1 => "0" + n, _ => "\"" + n + "\"" });
            case 5:
                return ReplaceNumber(json, random, _ => random.Next(4) switch { 0 => "2147483648", 1 => "-2147483649", 2 => "99999999999999999999", _ => "1E2" });
            case 6:
                return IdMember().Replace(json, random.Next(3) switch { 0 => "", 1 => ",\"id\":null", _ => ",\"id\":\"\"" }, 1);
            case 7:
                return json[..^1] + (random.Next(2) == 0 ? ",\"seed\":5}" : ",\"extra\":[1,{\"a\":null}]}");
            case 8:
                return json[..random.Next(json.Length)];
            case 9:
            {
                // Members out of order: seed before the type discriminator or before the id.
                var seed = SeedMember().Match(json);
                if (!seed.Success)
                    return json;
                var without = json.Remove(seed.Index, seed.Length);
                return random.Next(2) == 0 ? "{" + seed.Value[1..] + "," + without[1..] : without.Insert(without.IndexOf(',', StringComparison.Ordinal), seed.Value);
            }
            case 10:
                return TotalMember().Replace(json, m => $"\"total\":{long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + random.Next(-2, 3)}", 1);
            case 11:
            {
                var types = new[] { "character", "item", "quest", "map", "dialog", "Item", "ITEM", "unicorn" };
                return TypeMember().Replace(json, $"\"type\":\"{types[random.Next(types.Length)]}\"", 1);
            }
            case 12:
                return EnumValue().Replace(json, m => random.Next(4) switch
                {
                    0 => $"\"{m.Groups[1].Value}\":\"{char.ToUpperInvariant(m.Groups[2].Value[0])}{m.Groups[2].Value[1..]}\"",
                    1 => $"\"{m.Groups[1].Value}\":\"{m.Groups[2].Value.ToUpperInvariant()}\"",
                    2 => $"\"{m.Groups[1].Value}\":{random.Next(-1, 9)}",
                    _ => $"\"{m.Groups[1].Value}\":\"{m.Groups[2].Value}x\"",
                }, 1, Math.Max(0, json.IndexOf(",\"seed\"", StringComparison.Ordinal)));
            case 13:
            {
                // A string value gets characters the encoder may or may not escape, written raw.
                var odd = new[] { "é", "ж", "😀", "\u202e", "\u007f", "<", "&", "+", "'", "`", "\u00a0", "\u2028", "\ufeff", "\uffff", "\u0378", "ｆ", "\ud800", "\u0001", "\"", "\\" };
                var quote = Nth(json, '"', random);
                return quote < 0 ? json : json.Insert(quote + 1, odd[random.Next(odd.Length)]);
            }
            case 14:
            {
                // An escape sequence the writer would also have used, or one it would not.
                var escapes = new[] { "\\\"", "\\\\", "\\n", "\\u0001", "\\u00e9", "\\u202e", "\\/", "\\ud83d\\ude00", "\\ud800", "\\u0041" };
                var quote = Nth(json, '"', random);
                return quote < 0 ? json : json.Insert(quote + 1, escapes[random.Next(escapes.Length)]);
            }
            case 15:
                return ObjectMember().Replace(json, m => $"\"{m.Groups[1].Value}\":null", 1);
            case 16:
                return json.Replace("\":[\"", random.Next(2) == 0 ? "\":[null,\"" : "\":[\"\",\"", StringComparison.Ordinal);
            case 17:
                return json.Replace(",\"next\":null", "", StringComparison.Ordinal);
            case 18:
                return json.Replace("\"next\":null", "\"next\":\"" + (random.Next(2) == 0 ? "start" : "") + "\"", StringComparison.Ordinal);
            case 19:
                return json.Replace("\"", "'", StringComparison.Ordinal);
            case 20:
                return json.Replace("\"choices\":[]", "\"choices\":[{\"text\":\"x\",\"next\":null}]", StringComparison.Ordinal)
                    .Replace(",\"total\":", random.Next(2) == 0 ? ",\"total\":1,\"total\":" : ",\"Total\":", StringComparison.Ordinal);
            default:
                return "  " + json + (random.Next(2) == 0 ? "\n" : " ");
        }
    }

    private static int Nth(string json, char c, Random random)
    {
        var positions = Enumerable.Range(0, json.Length).Where(i => json[i] == c).ToList();
        return positions.Count == 0 ? -1 : positions[random.Next(positions.Count)];
    }

    private static string ReplaceNumber(string json, Random random, Func<string, string> replace)
    {
        var numbers = Number().Matches(json);
        if (numbers.Count == 0)
            return json;
        var m = numbers[random.Next(numbers.Count)];
        var value = m.Groups[1];
        return json[..value.Index] + replace(value.Value) + json[(value.Index + value.Length)..];
    }

    [GeneratedRegex(@":(-?\d+)(?=[,}\]])")]
    private static partial Regex Number();

    [GeneratedRegex(@",""id"":""[^""]*""")]
    private static partial Regex IdMember();

    [GeneratedRegex(@",""seed"":-?\d+")]
    private static partial Regex SeedMember();

    [GeneratedRegex(@"""total"":(-?\d+)")]
    private static partial Regex TotalMember();

    [GeneratedRegex(@"""type"":""[a-z]+""")]
    private static partial Regex TypeMember();

    [GeneratedRegex(@"""(class|bodyType|kind|rarity|difficulty|generator|tone|type)"":""([a-z][a-zA-Z]*)""")]
    private static partial Regex EnumValue();

    [GeneratedRegex(@"""(stats|appearance|rewards)"":\{[^{}]*\}")]
    private static partial Regex ObjectMember();
}
