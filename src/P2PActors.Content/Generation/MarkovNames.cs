namespace P2PActors.Content.Generation;

/// <summary>
/// An order-2 character Markov chain over a–z trained on a shipped word list. The transition counts live in one
/// flat table (27×27 states × 27 symbols, symbol 0 = word boundary) so drawing a name is a few array reads.
/// </summary>
internal sealed class MarkovNames
{
    private const int Symbols = 27;
    private readonly int[] _cumulative = new int[Symbols * Symbols * Symbols];
    private readonly int[] _totals = new int[Symbols * Symbols];
    private readonly int _minLength;
    private readonly int _maxLength;
    private readonly Func<string, bool> _accept;

    /// <param name="accept">Rejects invented words that must not be shown (the profanity filter): they are redrawn.</param>
    public MarkovNames(IEnumerable<string> words, int minLength, int maxLength, Func<string, bool>? accept = null)
    {
        _minLength = minLength;
        _maxLength = maxLength;
        _accept = accept ?? (_ => true);
        var counts = new int[_cumulative.Length];
        var trained = 0;
        foreach (var raw in words)
        {
            var word = raw.Trim().ToLowerInvariant();
            if (word.Length == 0 || word[0] == '#') continue;
            int a = 0, b = 0;
            foreach (var ch in word)
            {
                if (ch is < 'a' or > 'z') throw new InvalidDataException($"Markov training word '{word}' has a character outside a-z");
                var c = ch - 'a' + 1;
                counts[(a * Symbols + b) * Symbols + c]++;
                a = b;
                b = c;
            }
            counts[(a * Symbols + b) * Symbols]++;
            trained++;
        }
        if (trained == 0) throw new InvalidDataException("Markov chain has no training words");
        for (var state = 0; state < Symbols * Symbols; state++)
        {
            var sum = 0;
            for (var c = 0; c < Symbols; c++)
            {
                sum += counts[state * Symbols + c];
                _cumulative[state * Symbols + c] = sum;
            }
            _totals[state] = sum;
        }
    }

    public string Next(Rng rng)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var name = Draw(rng);
            if (_accept(name)) return name;
        }
        // Practically unreachable (a handful of draws in 100,000 are rejected); a fixed safe word keeps it total.
        return "Nameless";
    }

    private string Draw(Rng rng)
    {
        Span<char> buffer = stackalloc char[32];
        var length = 0;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            length = 0;
            int a = 0, b = 0;
            while (true)
            {
                var state = a * Symbols + b;
                var total = _totals[state];
                if (total == 0) break;
                var r = rng.Next(total);
                var c = 0;
                var row = state * Symbols;
                while (_cumulative[row + c] <= r) c++;
                if (c == 0 || length == _maxLength) break;
                buffer[length++] = (char)('a' + c - 1);
                a = b;
                b = c;
            }
            if (length >= _minLength && length <= _maxLength) break;
        }
        if (length == 0) buffer[length++] = 'a';
        buffer[0] = char.ToUpperInvariant(buffer[0]);
        return new string(buffer[..length]);
    }
}
