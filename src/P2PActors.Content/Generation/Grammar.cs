using System.Text;

namespace P2PActors.Content.Generation;

/// <summary>
/// Tracery-style grammar compiled once into token arrays: "#symbol#" expands a rule, "#symbol.cap#" capitalises the
/// expansion, "#@person#"/"#@place#" draw from a Markov chain and "#$name#" inserts a value bound by the generator.
/// </summary>
internal sealed class Grammar
{
    internal enum PartKind : byte { Literal, Rule, Generator, Variable }

    internal readonly record struct Part(PartKind Kind, string Text, Rule? Rule, Func<Rng, string>? Generator, bool Capitalize);

    internal sealed class Rule(string name)
    {
        public string Name { get; } = name;
        public Part[][] Alternatives { get; set; } = [];
    }

    private readonly Dictionary<string, Rule> _rules = new(StringComparer.Ordinal);

    [ThreadStatic] private static StringBuilder? s_builder;

    public Grammar(IEnumerable<(string Source, string Text)> files, IReadOnlyDictionary<string, Func<Rng, string>> generators)
    {
        var raw = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (source, text) in files)
        {
            var lineNumber = 0;
            foreach (var rawLine in text.Split('\n'))
            {
                lineNumber++;
                var line = rawLine.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var eq = line.IndexOf(" = ", StringComparison.Ordinal);
                if (eq <= 0) throw new InvalidDataException($"{source}:{lineNumber}: expected 'symbol = a | b'");
                var name = line[..eq].Trim();
                if (!raw.TryGetValue(name, out var alternatives)) raw[name] = alternatives = [];
                foreach (var alternative in line[(eq + 3)..].Split('|'))
                    alternatives.Add(alternative.Trim());
            }
        }
        foreach (var name in raw.Keys) _rules[name] = new Rule(name);
        foreach (var (name, alternatives) in raw)
            _rules[name].Alternatives = alternatives.Select(a => Compile(name, a, generators)).ToArray();
    }

    private Part[] Compile(string ruleName, string text, IReadOnlyDictionary<string, Func<Rng, string>> generators)
    {
        var parts = new List<Part>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('#', i);
            if (open < 0)
            {
                parts.Add(new Part(PartKind.Literal, text[i..], null, null, false));
                break;
            }
            if (open > i) parts.Add(new Part(PartKind.Literal, text[i..open], null, null, false));
            var close = text.IndexOf('#', open + 1);
            if (close < 0) throw new InvalidDataException($"rule '{ruleName}': unclosed '#' in '{text}'");
            var reference = text[(open + 1)..close];
            var capitalize = reference.EndsWith(".cap", StringComparison.Ordinal);
            if (capitalize) reference = reference[..^4];
            if (reference.StartsWith('@'))
            {
                if (!generators.TryGetValue(reference[1..], out var generator))
                    throw new InvalidDataException($"rule '{ruleName}': unknown generator '{reference}'");
                parts.Add(new Part(PartKind.Generator, reference, null, generator, capitalize));
            }
            else if (reference.StartsWith('$'))
            {
                parts.Add(new Part(PartKind.Variable, reference[1..], null, null, capitalize));
            }
            else
            {
                if (!_rules.TryGetValue(reference, out var rule))
                    throw new InvalidDataException($"rule '{ruleName}': unknown symbol '{reference}'");
                parts.Add(new Part(PartKind.Rule, reference, rule, null, capitalize));
            }
            i = close + 1;
        }
        return parts.ToArray();
    }

    public Rule Get(string name) =>
        _rules.TryGetValue(name, out var rule) ? rule : throw new KeyNotFoundException($"grammar has no rule '{name}'");

    public bool Has(string name) => _rules.ContainsKey(name);

    public IEnumerable<string> RuleNames => _rules.Keys;

    public string Expand(Rule rule, Rng rng, ReadOnlySpan<(string Name, string Value)> variables = default)
    {
        var builder = s_builder ??= new StringBuilder(256);
        builder.Clear();
        ExpandInto(builder, rule, rng, variables, depth: 0);
        // Templates write "a #adjective# god"; the article is settled once the word after it is known.
        return Text.Articles.Fix(builder.ToString());
    }

    private static void ExpandInto(StringBuilder builder, Rule rule, Rng rng, ReadOnlySpan<(string Name, string Value)> variables, int depth)
    {
        if (depth > 24) throw new InvalidOperationException($"grammar recursion too deep at '{rule.Name}'");
        var parts = rule.Alternatives[rng.Next(rule.Alternatives.Length)];
        foreach (var part in parts)
        {
            var start = builder.Length;
            switch (part.Kind)
            {
                case PartKind.Literal:
                    builder.Append(part.Text);
                    break;
                case PartKind.Rule:
                    ExpandInto(builder, part.Rule!, rng, variables, depth + 1);
                    break;
                case PartKind.Generator:
                    builder.Append(part.Generator!(rng));
                    break;
                case PartKind.Variable:
                    builder.Append(Lookup(variables, part.Text));
                    break;
            }
            if (part.Capitalize && builder.Length > start)
                builder[start] = char.ToUpperInvariant(builder[start]);
        }
    }

    private static string Lookup(ReadOnlySpan<(string Name, string Value)> variables, string name)
    {
        foreach (var (key, value) in variables)
            if (string.Equals(key, name, StringComparison.Ordinal)) return value;
        throw new InvalidOperationException($"grammar variable '${name}' was not bound");
    }
}
