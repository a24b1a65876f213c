using System.Text.RegularExpressions;

namespace P2PActors.Content.Text;

/// <summary>
/// English indefinite articles by sound, not by letter: "an" before a vowel sound (an ebony sword, an hour), "a" before
/// a consonant sound (a sword, a unicorn, a one-eyed troll). The exceptions are the usual ones: a silent h, and u/eu/o
/// words that start with a "y" or "w" sound.
/// </summary>
public static partial class Articles
{
    private static readonly string[] SilentH = ["hour", "honest", "honor", "honour", "heir"];

    /// <summary>Vowel letters that sound like a consonant ("yoo", "w").</summary>
    private static readonly string[] ConsonantSound = ["uni", "use", "usu", "uti", "ure", "eu", "ewe", "one", "once", "ubiq", "ukul", "uran"];

    /// <summary>"un-" words that merely start with "uni": an uninvited guest, an unimportant detail.</summary>
    private static readonly string[] UnPrefixed = ["unin", "unim", "unid", "unil"];

    [GeneratedRegex(@"\b([Aa]n?) ([A-Za-z][\w'-]*)")]
    private static partial Regex ArticleAndWord();

    /// <summary>"a" or "an" for the word that follows.</summary>
    public static string For(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var w = word.TrimStart().ToLowerInvariant();
        if (w.Length == 0)
            return "a";
        if (char.IsAsciiDigit(w[0]))
            return NumberTakesAn(new string(w.TakeWhile(char.IsAsciiDigit).ToArray())) ? "an" : "a";
        if (SilentH.Any(h => w.StartsWith(h, StringComparison.Ordinal)))
            return "an";
        if (ConsonantSound.Any(p => w.StartsWith(p, StringComparison.Ordinal)) && !UnPrefixed.Any(p => w.StartsWith(p, StringComparison.Ordinal)))
            return "a";
        return w[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a";
    }

    /// <summary>Said aloud: an 8, an 80, an 11, an 18, an 11,000 (eleven thousand); a 64, a 110, a 1,800.</summary>
    private static bool NumberTakesAn(string digits) =>
        digits.StartsWith('8') || (digits.Length % 3 == 2 && (digits.StartsWith("11", StringComparison.Ordinal) || digits.StartsWith("18", StringComparison.Ordinal)));

    /// <summary>The word with its article: "an ebony", "a sword".</summary>
    public static string With(string word) => $"{For(word)} {word}";

    /// <summary>Every stand-alone "a"/"an" in <paramref name="text"/> made to agree with the word after it, keeping its case.</summary>
    public static string Fix(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ArticleAndWord().Replace(text, m =>
        {
            var article = For(m.Groups[2].Value);
            if (char.IsUpper(m.Groups[1].Value[0]))
                article = char.ToUpperInvariant(article[0]) + article[1..];
            return $"{article} {m.Groups[2].Value}";
        });
    }
}
