using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation.Reference;


/// <summary>
/// THE TEST ORACLE: a verbatim copy of the profanity filter before it was rewritten for speed (dictionary
/// lookups per candidate substring). Never used by src; the differential tests compare the shipped filter with it.
/// Word-boundary-aware profanity filter over a word list shipped as data (<c>Data/profanity.txt</c>,
/// embedded) or loaded from a file. Text is normalised first (case, accents, look-alike letters,
/// leetspeak; see <see cref="TextNormalizer"/>); each word is then compared with the list so that
/// repeated letters still match ("fuuuck") but a blocked word inside an innocent one does not ("class",
/// "Scunthorpe"). Separators are undone in two bounded ways only: words joined by punctuation without
/// spaces ("b.a.d", "b-a-d") and runs of single letters ("b a d") — never two ordinary words, which is
/// what would turn "as said" into a false positive.
/// </summary>
internal sealed class ReferenceProfanityFilter
{
    public const string EmbeddedWordList = "profanity.txt";

    private static readonly string[] Endings = ["s", "es", "ed", "er", "ers", "ing", "in", "y", "ies", "ier", "iest"];

    private static readonly Lazy<ReferenceProfanityFilter> DefaultFilter = new(() => FromLines(ProfanityFilter.Default.Entries));

    private readonly PatternIndex _whole = new();
    private readonly PatternIndex _prefix = new();
    private readonly PatternIndex _contained = new();
    private readonly int _longestPattern;

    private ReferenceProfanityFilter(IReadOnlyList<string> entries)
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
    public static ReferenceProfanityFilter Default => DefaultFilter.Value;

    /// <summary>The entries of the list, as written (with their <c>+</c>, <c>*</c> markers).</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>Builds a filter from word-list lines (same syntax as the data file; comments and blanks skipped).</summary>
    public static ReferenceProfanityFilter FromLines(IEnumerable<string> lines) => new(ParseLines(lines));

    /// <summary>This filter extended with more word-list lines.</summary>
    public ReferenceProfanityFilter With(IEnumerable<string> lines) => new([.. Entries, .. ParseLines(lines)]);

    public bool IsClean(string? text) => FindMatches(text).Count == 0;

    /// <summary>Every distinct list entry the text contains, in order of first appearance.</summary>
    public IReadOnlyList<ProfanityMatch> FindMatches(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        var tokens = ReferenceTextNormalizer.Tokenize(ReferenceTextNormalizer.Fold(text));
        var found = new List<ProfanityMatch>();

        foreach (var token in tokens)
        {
            if (!token.IsNumber)
                Check(token.Text, found);
        }

        // Words glued by punctuation only: "b.a.d", "b-a-d", "sh.it".
        for (var start = 0; start < tokens.Count;)
        {
            var end = start + 1;
            while (end < tokens.Count && !tokens[end].SpaceBefore)
                end++;
            if (end - start > 1)
            {
                var glued = tokens.GetRange(start, end - start);
                if (glued.Exists(t => !t.IsNumber))
                    Check(ReferenceTextNormalizer.ReadLeet(string.Concat(glued.Select(t => t.Raw))), found);
            }
            start = end;
        }

        // Runs of single letters, whatever separates them: "b a d", "f . u . c . k", "5 h 1 t", "ff . u . qq".
        // Only words of one (possibly repeated) letter join, so an ordinary neighbouring word never merges
        // with them ("as said" stays two words).
        for (var start = 0; start < tokens.Count;)
        {
            if (!IsSpelledLetter(tokens[start]))
            {
                start++;
                continue;
            }
            var end = start + 1;
            while (end < tokens.Count && IsSpelledLetter(tokens[end]))
                end++;
            // Digits alone ("1 2 3") are numbers; one letter or leet symbol among them makes it a spelled word.
            if (end - start > 1 && Enumerable.Range(start, end - start).Any(i => !tokens[i].IsNumber))
            {
                var letters = string.Concat(Enumerable.Range(start, end - start).Select(i => ReferenceTextNormalizer.ReadLeet(tokens[i].Raw)));
                for (var from = 0; from < letters.Length - 1; from++)
                {
                    // Grow the candidate while it has no more distinct runs than the longest pattern,
                    // so "f u u u u c k" is still tried whole but a long run costs linear work per start.
                    var runs = 1;
                    for (var to = from + 1; to < letters.Length; to++)
                    {
                        if (letters[to] != letters[to - 1] && ++runs > _longestPattern)
                            break;
                        Check(letters[from..(to + 1)], found);
                    }
                }
            }
            start = end;
        }
        return found;
    }

    private static bool IsSpelledLetter(ReferenceTextToken token)
    {
        var first = ReferenceTextNormalizer.ReadLeet(token.Raw[0]);
        foreach (var c in token.Raw)
        {
            if (ReferenceTextNormalizer.ReadLeet(c) != first)
                return false;
        }
        return true;
    }

    private void Check(string candidate, List<ProfanityMatch> found)
    {
        Span<char> letters = candidate.Length <= 256 ? stackalloc char[candidate.Length] : new char[candidate.Length];
        Span<int> counts = candidate.Length <= 256 ? stackalloc int[candidate.Length] : new int[candidate.Length];
        var runs = RunLength(candidate, letters, counts);
        letters = letters[..runs];
        counts = counts[..runs];

        Report(_whole.Find(letters, counts, 0), candidate, found);
        foreach (var length in _prefix.Lengths)
        {
            if (length <= runs)
                Report(_prefix.Find(letters[..length], counts, 0), candidate, found);
        }
        foreach (var length in _contained.Lengths)
        {
            for (var start = 0; start + length <= runs; start++)
                Report(_contained.Find(letters.Slice(start, length), counts, start), candidate, found);
        }
    }

    private static void Report(string? entry, string candidate, List<ProfanityMatch> found)
    {
        if (entry is not null && !found.Exists(m => m.Entry == entry))
            found.Add(new ProfanityMatch(entry, candidate));
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
            var folded = ReferenceTextNormalizer.Fold(word);
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
        var word = ReferenceTextNormalizer.Fold(entry.Trim('*', '+'));
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

    /// <summary>Patterns keyed by their collapsed letters; a text run matches when it repeats each letter at least as often.</summary>
    private sealed class PatternIndex
    {
        private readonly Dictionary<string, List<(int[] Counts, string Entry)>> _byLetters = new(StringComparer.Ordinal);
        private readonly SortedSet<int> _lengths = [];

        /// <summary>The distinct pattern lengths (in runs), as an array so matching enumerates without allocating.</summary>
        public int[] Lengths { get; private set; } = [];

        public int Longest => _lengths.Count == 0 ? 0 : _lengths.Max;

        public void Freeze() => Lengths = [.. _lengths];

        public void Add(string word, string entry)
        {
            var letters = new char[word.Length];
            var counts = new int[word.Length];
            var runs = RunLength(word, letters, counts);
            var key = new string(letters, 0, runs);
            if (!_byLetters.TryGetValue(key, out var list))
                _byLetters[key] = list = [];
            list.Add((counts[..runs], entry));
            _lengths.Add(runs);
        }

        public string? Find(ReadOnlySpan<char> letters, ReadOnlySpan<int> counts, int offset)
        {
            if (!_byLetters.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(letters, out var list))
                return null;
            foreach (var (patternCounts, entry) in list)
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
