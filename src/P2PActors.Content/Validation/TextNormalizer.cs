using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace P2PActors.Content.Validation;

/// <summary>One word of folded text, as the profanity filter sees it: where it is, not a copy.</summary>
/// <param name="Start">Index of its first character in the folded text.</param>
/// <param name="End">Index just past its last character.</param>
/// <param name="SpaceBefore">Whether whitespace (not just punctuation) separates it from the previous word.</param>
/// <param name="IsNumber">Digits without any letter: a number such as "10" or "3.5", not leetspeak.</param>
internal readonly record struct TextSpan(int Start, int End, bool SpaceBefore, bool IsNumber);

/// <summary>
/// Undoes the usual tricks for slipping a word past a filter: folds case, accents, look-alike letters
/// (Cyrillic, Greek, fullwidth, mathematical alphabets) and invisible characters, then splits the text
/// into words and reads leetspeak. Repeated letters and separators are handled by the matcher.
/// </summary>
internal static class TextNormalizer
{
    private static readonly FrozenDictionary<int, string> Confusables = LoadConfusables();

    private static FrozenDictionary<int, string> LoadConfusables()
    {
        var map = new Dictionary<int, string>();
        foreach (var line in EmbeddedData.ReadLines("confusables.txt"))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
                continue;
            var parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            map[int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = parts[1];
        }
        return map.ToFrozenDictionary();
    }

    /// <summary>Lower-cases and folds every character to its plain-letter reading; drops marks, apostrophes and invisible characters.</summary>
    public static string Fold(string text)
    {
        if (Ascii.IsValid(text))
        {
            var lower = text.ToLowerInvariant();
            return lower.AsSpan().IndexOfAny('\'', '`') < 0 ? lower : lower.Replace("'", "").Replace("`", "");
        }

        // With ICU this splits accented letters into base + mark (the marks are dropped below); under
        // invariant globalization it is a no-op and the shipped confusables table does the folding.
        try
        {
            text = text.Normalize(NormalizationForm.FormD);
        }
        catch (ArgumentException)
        {
            // Unpaired surrogates cannot be normalised; fold what is there.
        }

        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.NonSpacingMark:
                case UnicodeCategory.EnclosingMark:
                case UnicodeCategory.SpacingCombiningMark:
                case UnicodeCategory.Format:
                    continue;
            }
            if (IsApostrophe(rune.Value))
                continue;
            if (rune.IsAscii)
                builder.Append(char.ToLowerInvariant((char)rune.Value));
            else if (Confusables.TryGetValue(rune.Value, out var folded) ||
                     Confusables.TryGetValue(Rune.ToLowerInvariant(rune).Value, out folded))
                builder.Append(folded);
            else
                builder.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        return builder.ToString();
    }

    private static bool IsApostrophe(int c) => c is '\'' or '`' or 0x2018 or 0x2019 or 0x02BC or 0x00B4;

    private static bool IsLeetSymbol(char c) => c is '@' or '$' or '!';

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || IsLeetSymbol(c);

    public static char ReadLeet(char c) => c switch
    {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => c,
    };

    private const byte Dropped = 0, Word = 1, Space = 2, Punctuation = 3;

    /// <summary>
    /// Per ASCII character: how <see cref="Fold"/> and <see cref="Tokenize"/> treat it, worked out once from the same
    /// predicates they use, so <see cref="ScanAscii"/> gives exactly their answer in one pass.
    /// </summary>
    private static readonly byte[] AsciiKind = CreateAsciiKinds();

    private static byte[] CreateAsciiKinds()
    {
        var kinds = new byte[128];
        for (var c = (char)0; c < 128; c++)
        {
            var folded = char.ToLowerInvariant(c);
            kinds[c] = IsApostrophe(c) ? Dropped
                : IsWordChar(folded) ? Word
                : char.IsWhiteSpace(folded) || char.IsSeparator(folded) ? Space
                : Punctuation;
        }
        return kinds;
    }

    /// <summary>
    /// <see cref="Fold"/>, <see cref="ReadLeet"/> over the result and <see cref="Tokenize"/> in one pass over ASCII
    /// text: <paramref name="folded"/> and <paramref name="leet"/> get the folded text and its leet reading,
    /// <paramref name="tokens"/> its words. Returns the folded length.
    /// </summary>
    public static int ScanAscii(ReadOnlySpan<char> text, Span<char> folded, Span<char> leet, Span<TextSpan> tokens, out int tokenCount)
    {
        var kinds = AsciiKind;
        var count = 0;
        var spaceBefore = true;
        var start = -1;
        var length = 0;
        foreach (var c in text)
        {
            var kind = kinds[c & 0x7F];
            if (kind == Dropped)
                continue;
            var lower = (char)(c is >= 'A' and <= 'Z' ? c | 0x20 : c);
            folded[length] = lower;
            leet[length] = ReadLeet(lower);
            if (kind == Word)
            {
                if (start < 0)
                    start = length;
            }
            else
            {
                if (start >= 0)
                {
                    Emit(folded, start, length, tokens, ref count, ref spaceBefore);
                    start = -1;
                }
                if (kind == Space)
                    spaceBefore = true;
            }
            length++;
        }
        if (start >= 0)
            Emit(folded, start, length, tokens, ref count, ref spaceBefore);
        tokenCount = count;
        return length;
    }

    /// <summary>The word folded[start..end], as <see cref="Tokenize"/> records it.</summary>
    private static void Emit(ReadOnlySpan<char> folded, int start, int end, Span<TextSpan> tokens, ref int count, ref bool spaceBefore)
    {
        while (end > start && folded[end - 1] == '!')
            end--;
        if (end == start)
            return;
        var allDigits = folded[start..end].IndexOfAnyExceptInRange('0', '9') < 0;
        tokens[count++] = new TextSpan(start, end, spaceBefore, allDigits);
        spaceBefore = false;
    }

    /// <summary>
    /// Splits folded text into words, written to <paramref name="into"/> (at least as long as the text);
    /// every other character is a separator. Returns the number of words.
    /// </summary>
    public static int Tokenize(ReadOnlySpan<char> folded, Span<TextSpan> into)
    {
        var count = 0;
        var spaceBefore = true;
        var i = 0;
        while (i < folded.Length)
        {
            if (!IsWordChar(folded[i]))
            {
                if (char.IsWhiteSpace(folded[i]) || char.IsSeparator(folded[i]))
                    spaceBefore = true;
                i++;
                continue;
            }
            var start = i;
            while (i < folded.Length && IsWordChar(folded[i]))
                i++;
            // A '!' that ends a word is punctuation ("hello!"); inside a word it is leet ("sh!t").
            var end = i;
            while (end > start && folded[end - 1] == '!')
                end--;
            if (end == start)
                continue;
            var allDigits = true;
            foreach (var c in folded[start..end])
                allDigits &= char.IsDigit(c);
            // A leet symbol makes it a word: "4$$" reads "ass", while "1337" stays a number.
            into[count++] = new TextSpan(start, end, spaceBefore, allDigits);
            spaceBefore = false;
        }
        return count;
    }
}
