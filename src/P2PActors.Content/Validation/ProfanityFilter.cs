using System.Buffers;
using System.Text;

namespace P2PActors.Content.Validation;

/// <summary>A blocked word found in a text: the word-list entry and the normalised text that matched it.</summary>
public sealed record ProfanityMatch(string Entry, string Matched);

/// <summary>
/// Word-boundary-aware profanity filter over a word list shipped as data (<c>Data/profanity.txt</c>,
/// embedded) or loaded from a file. Text is normalised first (case, accents, look-alike letters,
/// leetspeak; see <see cref="TextNormalizer"/>); each word is then compared with the list so that
/// repeated letters still match ("fuuuck") but a blocked word inside an innocent one does not ("class",
/// "Scunthorpe"). Separators are undone in two bounded ways only: words joined by punctuation without
/// spaces ("b.a.d", "b-a-d") and runs of single letters ("b a d") — never two ordinary words, which is
/// what would turn "as said" into a false positive.
/// </summary>
public sealed class ProfanityFilter
{
    public const string EmbeddedWordList = "profanity.txt";

    private static readonly string[] Endings = ["s", "es", "ed", "er", "ers", "ing", "in", "y", "ies", "ier", "iest"];

    private static readonly Lazy<ProfanityFilter> DefaultFilter = new(() => FromLines(EmbeddedData.ReadLines(EmbeddedWordList)));

    private readonly PatternTrie _whole = new();
    private readonly PatternTrie _prefix = new();
    private readonly PatternTrie _contained = new();
    private readonly int _longestPattern;

    private ProfanityFilter(IReadOnlyList<string> entries)
    {
        Entries = entries;
        foreach (var entry in entries)
            AddEntry(entry);
        _whole.Freeze();
        _prefix.Freeze();
        _contained.Freeze();
        _longestPattern = Math.Max(_whole.Longest, Math.Max(_prefix.Longest, _contained.Longest));
    }

    /// <summary>The filter over the word list this project ships.</summary>
    public static ProfanityFilter Default => DefaultFilter.Value;

    /// <summary>The entries of the list, as written (with their <c>+</c>, <c>*</c> markers).</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The shipped list when <paramref name="path"/> is null or empty, else the list in that file.</summary>
    public static ProfanityFilter Load(string? path, bool includeEmbedded = false)
    {
        if (string.IsNullOrWhiteSpace(path))
            return Default;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Profanity word list '{path}' does not exist.", path);
        var lines = File.ReadAllLines(path);
        return includeEmbedded ? Default.With(lines) : FromLines(lines);
    }

    /// <summary>Builds a filter from word-list lines (same syntax as the data file; comments and blanks skipped).</summary>
    public static ProfanityFilter FromLines(IEnumerable<string> lines) => new(ParseLines(lines));

    /// <summary>This filter extended with more word-list lines.</summary>
    public ProfanityFilter With(IEnumerable<string> lines) => new([.. Entries, .. ParseLines(lines)]);

    public bool IsClean(string? text) => FindMatches(text).Count == 0;

    /// <summary>Every distinct list entry the text contains, in order of first appearance.</summary>
    public IReadOnlyList<ProfanityMatch> FindMatches(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return [];

        // Validators run this on every text field of every proposal, so the common case — clean ASCII text —
        // allocates nothing: the text is folded, tokenised and read as leetspeak into pooled buffers, and
        // candidates are matched by walking tries over their collapsed letters instead of hashing substrings.
        string? foldedText = null;
        var length = text.Length;
        if (!Ascii.IsValid(text))
        {
            foldedText = TextNormalizer.Fold(text);
            length = foldedText.Length;
        }
        if (length == 0)
            return [];

        char[]? rentedChars = null;
        int[]? rentedInts = null;
        TextSpan[]? rentedTokens = null;
        const int StackLimit = 256;
        var chars = length <= StackLimit ? stackalloc char[4 * length] : (rentedChars = ArrayPool<char>.Shared.Rent(4 * length));
        var counts = length <= StackLimit ? stackalloc int[length] : (rentedInts = ArrayPool<int>.Shared.Rent(length));
        var tokenBuffer = length <= StackLimit ? stackalloc TextSpan[length] : (rentedTokens = ArrayPool<TextSpan>.Shared.Rent(length));
        try
        {
            var folded = chars.Slice(0, length);
            var leet = chars.Slice(length, length);
            var scratch = new Scratch(chars.Slice(2 * length, length), chars.Slice(3 * length, length), counts[..length]);
            int tokenCount;
            if (foldedText is null)
            {
                TextNormalizer.ScanAscii(text, folded, leet, tokenBuffer, out tokenCount);
            }
            else
            {
                foldedText.AsSpan().CopyTo(folded);
                for (var i = 0; i < length; i++)
                    leet[i] = TextNormalizer.ReadLeet(folded[i]);
                tokenCount = TextNormalizer.Tokenize(folded, tokenBuffer);
            }
            return FindMatches(tokenBuffer[..tokenCount], leet, scratch);
        }
        finally
        {
            if (rentedChars is not null)
                ArrayPool<char>.Shared.Return(rentedChars);
            if (rentedInts is not null)
                ArrayPool<int>.Shared.Return(rentedInts);
            if (rentedTokens is not null)
                ArrayPool<TextSpan>.Shared.Return(rentedTokens);
        }
    }

    /// <summary>Work buffers, each as long as the folded text: a joined candidate, its run letters and run counts.</summary>
    private readonly ref struct Scratch(Span<char> joined, Span<char> letters, Span<int> counts)
    {
        public readonly Span<char> Joined = joined;
        public readonly Span<char> Letters = letters;
        public readonly Span<int> Counts = counts;
    }

    private IReadOnlyList<ProfanityMatch> FindMatches(ReadOnlySpan<TextSpan> tokens, ReadOnlySpan<char> leet, Scratch scratch)
    {
        List<ProfanityMatch>? found = null;

        foreach (var token in tokens)
        {
            if (!token.IsNumber)
                Check(leet[token.Start..token.End], scratch, ref found);
        }

        // Words glued by punctuation only: "b.a.d", "b-a-d", "sh.it".
        for (var start = 0; start < tokens.Length;)
        {
            var end = start + 1;
            var anyWord = !tokens[start].IsNumber;
            while (end < tokens.Length && !tokens[end].SpaceBefore)
                anyWord |= !tokens[end++].IsNumber;
            if (end - start > 1 && anyWord)
                Check(Join(tokens[start..end], leet, scratch.Joined), scratch, ref found);
            start = end;
        }

        // Runs of single letters, whatever separates them: "b a d", "f . u . c . k", "5 h 1 t", "ff . u . qq".
        // Only words of one (possibly repeated) letter join, so an ordinary neighbouring word never merges
        // with them ("as said" stays two words).
        for (var start = 0; start < tokens.Length;)
        {
            if (!IsSpelledLetter(leet[tokens[start].Start..tokens[start].End]))
            {
                start++;
                continue;
            }
            var end = start + 1;
            var anyWord = !tokens[start].IsNumber;
            while (end < tokens.Length && IsSpelledLetter(leet[tokens[end].Start..tokens[end].End]))
                anyWord |= !tokens[end++].IsNumber;
            // Digits alone ("1 2 3") are numbers; one letter or leet symbol among them makes it a spelled word.
            if (end - start > 1 && anyWord)
            {
                ReadOnlySpan<char> letters = Join(tokens[start..end], leet, scratch.Joined);
                for (var from = 0; from < letters.Length - 1; from++)
                {
                    // Grow the candidate while it has no more distinct runs than the longest pattern,
                    // so "f u u u u c k" is still tried whole but a long run costs linear work per start.
                    var runs = 1;
                    for (var to = from + 1; to < letters.Length; to++)
                    {
                        if (letters[to] != letters[to - 1] && ++runs > _longestPattern)
                            break;
                        Check(letters[from..(to + 1)], scratch, ref found);
                    }
                }
            }
            start = end;
        }
        return found ?? (IReadOnlyList<ProfanityMatch>)[];
    }

    /// <summary>The leet reading of consecutive tokens with whatever separated them left out.</summary>
    private static Span<char> Join(ReadOnlySpan<TextSpan> tokens, ReadOnlySpan<char> leet, Span<char> into)
    {
        var length = 0;
        foreach (var token in tokens)
        {
            leet[token.Start..token.End].CopyTo(into[length..]);
            length += token.End - token.Start;
        }
        return into[..length];
    }

    /// <summary>One letter, possibly repeated, once leetspeak is read ("a", "ss", "$5").</summary>
    private static bool IsSpelledLetter(ReadOnlySpan<char> word) => word.IndexOfAnyExcept(word[0]) < 0;

    private void Check(ReadOnlySpan<char> candidate, Scratch scratch, ref List<ProfanityMatch>? found)
    {
        var runs = RunLength(candidate, scratch.Letters, scratch.Counts);
        ReadOnlySpan<char> letters = scratch.Letters[..runs];
        ReadOnlySpan<int> counts = scratch.Counts[..runs];

        // Same order as matching pattern by pattern: whole words, then prefixes by length, then contained
        // words by length and start — it decides which entry is reported first.
        var node = _whole.Walk(letters);
        if (node >= 0)
            Report(_whole.Find(node, counts, 0), candidate, ref found);
        if (!_prefix.IsEmpty)
        {
            node = PatternTrie.Root;
            for (var depth = 0; depth < runs && node >= 0; depth++)
            {
                node = _prefix.Step(node, letters[depth]);
                if (node >= 0)
                    Report(_prefix.Find(node, counts, 0), candidate, ref found);
            }
        }
        if (_contained.IsEmpty)
            return;

        List<(int Length, int Start, string Entry)>? contained = null;
        for (var start = 0; start < runs; start++)
        {
            node = PatternTrie.Root;
            for (var at = start; at < runs; at++)
            {
                node = _contained.Step(node, letters[at]);
                if (node < 0)
                    break;
                if (_contained.Find(node, counts, start) is { } entry)
                    (contained ??= []).Add((at - start + 1, start, entry));
            }
        }
        if (contained is null)
            return;
        contained.Sort((a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.Start.CompareTo(b.Start));
        foreach (var hit in contained)
            Report(hit.Entry, candidate, ref found);
    }

    private static void Report(string? entry, ReadOnlySpan<char> candidate, ref List<ProfanityMatch>? found)
    {
        if (entry is null)
            return;
        found ??= [];
        if (!found.Exists(m => m.Entry == entry))
            found.Add(new ProfanityMatch(entry, candidate.ToString()));
    }

    /// <summary>Collapses repeated letters into (letter, count) runs; returns the number of runs.</summary>
    private static int RunLength(ReadOnlySpan<char> text, Span<char> letters, Span<int> counts)
    {
        var runs = 0;
        foreach (var c in text)
        {
            if (runs > 0 && letters[runs - 1] == c)
            {
                counts[runs - 1]++;
                continue;
            }
            letters[runs] = c;
            counts[runs] = 1;
            runs++;
        }
        return runs;
    }

    private static List<string> ParseLines(IEnumerable<string> lines)
    {
        var entries = new List<string>();
        var lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            var hash = line.IndexOf('#');
            var entry = (hash >= 0 ? line[..hash] : line).Trim();
            if (entry.Length == 0)
                continue;
            var word = entry.Trim('*', '+');
            var folded = TextNormalizer.Fold(word);
            if (folded.Length < 2 || !folded.All(char.IsLetter) || (entry.StartsWith('*') && !entry.EndsWith('*')))
            {
                throw new FormatException(
                    $"Word list line {lineNumber}: '{entry}' is not a word, word+, word* or *word* entry of at least two letters.");
            }
            entries.Add(entry);
        }
        return entries;
    }

    private void AddEntry(string entry)
    {
        var word = TextNormalizer.Fold(entry.Trim('*', '+'));
        if (entry.StartsWith('*'))
            _contained.Add(word, entry);
        else if (entry.EndsWith('*'))
            _prefix.Add(word, entry);
        else
        {
            _whole.Add(word, entry);
            if (entry.EndsWith('+'))
            {
                foreach (var ending in Endings)
                    _whole.Add(word + ending, entry);
            }
        }
    }

    /// <summary>
    /// Patterns keyed by their collapsed letters, as a trie: a candidate's runs are walked letter by letter,
    /// and a node's patterns match when the text repeats each letter at least as often as the pattern does.
    /// </summary>
    private sealed class PatternTrie
    {
        public const int Root = 0;
        private const int Alphabet = 26;

        private readonly List<int> _next = [.. Enumerable.Repeat(-1, Alphabet)];
        private readonly Dictionary<(int Node, char Letter), int> _otherNext = [];
        private readonly List<List<(int[] Counts, string Entry)>?> _patterns = [null];
        private int[] _frozenNext = [];
        private (int[] Counts, string Entry)[]?[] _frozenPatterns = [];

        public int Longest { get; private set; }

        public bool IsEmpty => Longest == 0;

        public void Freeze()
        {
            _frozenNext = [.. _next];
            _frozenPatterns = [.. _patterns.Select(list => list?.ToArray())];
        }

        public void Add(string word, string entry)
        {
            var letters = new char[word.Length];
            var counts = new int[word.Length];
            var runs = RunLength(word, letters, counts);
            var node = Root;
            foreach (var letter in letters.AsSpan(0, runs))
            {
                var next = letter is >= 'a' and <= 'z' ? _next[node * Alphabet + letter - 'a'] : _otherNext.GetValueOrDefault((node, letter), -1);
                if (next < 0)
                {
                    next = _patterns.Count;
                    _patterns.Add(null);
                    _next.AddRange(Enumerable.Repeat(-1, Alphabet));
                    if (letter is >= 'a' and <= 'z')
                        _next[node * Alphabet + letter - 'a'] = next;
                    else
                        _otherNext[(node, letter)] = next;
                }
                node = next;
            }
            (_patterns[node] ??= []).Add((counts[..runs], entry));
            Longest = Math.Max(Longest, runs);
        }

        /// <summary>The node after <paramref name="letter"/>, or -1 when no pattern continues with it.</summary>
        public int Step(int node, char letter) => letter is >= 'a' and <= 'z'
            ? _frozenNext[node * Alphabet + letter - 'a']
            : _otherNext.GetValueOrDefault((node, letter), -1);

        /// <summary>The node the whole of <paramref name="letters"/> leads to, or -1.</summary>
        public int Walk(ReadOnlySpan<char> letters)
        {
            var node = Root;
            for (var i = 0; i < letters.Length && node >= 0; i++)
                node = Step(node, letters[i]);
            return node;
        }

        /// <summary>The first pattern ending at <paramref name="node"/> whose letter counts the text's runs (from <paramref name="offset"/>) reach.</summary>
        public string? Find(int node, ReadOnlySpan<int> counts, int offset)
        {
            if (_frozenPatterns[node] is not { } patterns)
                return null;
            foreach (var (patternCounts, entry) in patterns)
            {
                var matches = true;
                for (var i = 0; i < patternCounts.Length && matches; i++)
                    matches = counts[offset + i] >= patternCounts[i];
                if (matches)
                    return entry;
            }
            return null;
        }
    }
}
