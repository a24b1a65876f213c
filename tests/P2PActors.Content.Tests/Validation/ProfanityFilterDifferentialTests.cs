using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Tests.Validation.Reference;
using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation;

/// <summary>
/// The shipped filter (tries over pooled buffers) must find exactly what the original algorithm
/// (<see cref="ReferenceProfanityFilter"/>, dictionary lookups per candidate string) finds: the same entries,
/// in the same order, with the same matched text.
/// </summary>
public class ProfanityFilterDifferentialTests
{
    /// <summary>A list that exercises every kind of entry, including prefix, contained and non-ASCII ones.</summary>
    private static readonly string[] MixedList = ["grob*", "*zorp*", "*ass*", "sh*", "blarg+", "gloop", "жук+", "*ßig*", "aab", "abb+"];

    private static readonly (ProfanityFilter Fast, ReferenceProfanityFilter Oracle)[] Filters =
    [
        (ProfanityFilter.Default, ReferenceProfanityFilter.Default),
        (ProfanityFilter.FromLines(MixedList), ReferenceProfanityFilter.FromLines(MixedList)),
        (ProfanityFilter.Default.With(MixedList), ReferenceProfanityFilter.Default.With(MixedList)),
    ];

    private static readonly string[] Pieces =
    [
        .. ProfanityFilter.Default.Entries.Select(e => e.Trim('*', '+')),
        .. MixedList.Select(e => e.Trim('*', '+')),
        "class", "assassin", "as", "said", "a", "I", "b", "the", "of", "Ashwood", "grass", "Scunthorpe", "10", "3.5", "1337",
        "4", "@", "$", "!", "0", "1", "3", "5", "7", "8", "9", " ", " ", " ", ".", "-", "_", "*", " . ", "'", "`", "’", ",", "\n", "\t",
        "а", "е", "о", "р", "с", "і", "ѕ", "ƒ", "ｆ", "𝐟", "ü", "é", "\u0308", "\u200B", "\u00A0", "ж", "ß", "Ἀθῆναι", "Москва",
        "ff", "uu", "ss", "aa", "k", "c", "u", "f", "s", "h", "i", "t", "z", "o", "r", "p",
    ];

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Int[0, Pieces.Length - 1].Array[0, 30].Select(ix => string.Concat(ix.Select(i => Pieces[i]))),
        Gen.Int[0, Pieces.Length - 1].Array[0, 12].Select(ix => string.Join(' ', ix.Select(i => Pieces[i]))),
        Gen.Int[0, Pieces.Length - 1].Select(Gen.Int[0, 3], Gen.Bool).Array[0, 20].Select(parts => string.Concat(parts.Select(p =>
        {
            var piece = Pieces[p.Item1];
            var repeated = string.Concat(Enumerable.Repeat(piece, p.Item2 + 1));
            return p.Item3 ? repeated.ToUpperInvariant() : repeated;
        }))),
        Gen.String[Gen.Char["aAbcfFhiIkKpsStuUz0134578@$!.- '`"], 0, 40],
        Gen.String);

    private static void AssertSame(string text)
    {
        foreach (var (fast, oracle) in Filters)
        {
            var expected = oracle.FindMatches(text);
            var actual = fast.FindMatches(text);
            Assert.True(expected.SequenceEqual(actual),
                $"'{text}': expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
        }
    }

    [Fact]
    public void Random_texts_match_the_original_algorithm() => Text.Sample(AssertSame, iter: 20_000);

    [Fact]
    public void Long_texts_past_the_stack_buffers_match_the_original_algorithm() =>
        Text.Array[20, 60].Select(texts => string.Join(' ', texts)).Sample(AssertSame, iter: 500);

    [Fact]
    public void Every_generated_text_matches_the_original_algorithm()
    {
        var fields = 0;
        foreach (var type in TestSupport.AllTypes)
        {
            for (var seed = 0L; seed < 150; seed++)
            {
                var content = ContentFactory.Generate(type, TestSupport.NoParams, seed);
                foreach (var field in TextFields.Of(content, ValidationLimits.Default))
                {
                    AssertSame(field.Value);
                    fields++;
                }
            }
        }
        Assert.True(fields > 5_000, $"only {fields} text fields");
    }
}
