using P2PActors.Content.Model;

namespace P2PActors.Content.Generation;

/// <summary>
/// Builds a dialog tree breadth-first: every line except the start is created as the target of a choice on an
/// earlier line (so all lines are reachable), loops only point back to existing lines, and every line on the
/// deepest level offers a way out (so at least one path ends).
/// </summary>
internal static class DialogGenerator
{
    public static readonly string[] ToneKeys = Preference.Keys<DialogTone>("tone");

    /// <summary>Upper bound on lines, which keeps generation and previews small whatever the depth.</summary>
    public const int MaxLines = 20;

    private static readonly string[] ToneNames = Enum.GetValues<DialogTone>().Select(t => t.ToString().ToLowerInvariant()).ToArray();
    private static readonly Grammar.Rule[] Greetings = ToneNames.Select(t => ContentData.Grammar.Get("greeting." + t)).ToArray();
    private static readonly Grammar.Rule[] Topics = ToneNames.Select(t => ContentData.Grammar.Get("topic." + t)).ToArray();
    private static readonly Grammar.Rule[] Asks = ToneNames.Select(t => ContentData.Grammar.Get("ask." + t)).ToArray();
    private static readonly Grammar.Rule[] Farewells = ToneNames.Select(t => ContentData.Grammar.Get("farewell." + t)).ToArray();
    private static readonly Grammar.Rule Leave = ContentData.Grammar.Get("leave");
    private static readonly Grammar.Rule Back = ContentData.Grammar.Get("back");
    private static readonly Grammar.Rule Person = ContentData.Grammar.Get("person");

    private sealed class Node(string id, int level, string text)
    {
        public string Id { get; } = id;
        public int Level { get; } = level;
        public string Text { get; } = text;
        public List<DialogChoice> Choices { get; } = new(4);
    }

    public static Dialog Generate(Rng rng, long seed, DialogTone? requestedTone, int? requestedDepth, LearnedPatterns? patterns)
    {
        var tone = requestedTone ?? (DialogTone)Preference.Pick(rng, patterns, ToneKeys);
        var depth = requestedDepth ?? rng.Range(2, 4);
        var t = (int)tone;
        var grammar = ContentData.Grammar;

        var npc = grammar.Expand(Person, rng);
        var nodes = new List<Node>(MaxLines) { new("l0", 0, grammar.Expand(Greetings[t], rng)) };
        for (var current = 0; current < nodes.Count; current++)
        {
            var node = nodes[current];
            var childless = true;
            if (node.Level < depth - 1)
            {
                var branches = rng.Range(1, 3);
                for (var b = 0; b < branches && nodes.Count < MaxLines; b++)
                {
                    var isLast = node.Level + 1 == depth - 1;
                    var child = new Node("l" + nodes.Count, node.Level + 1,
                        grammar.Expand(isLast && rng.Chance(0.5) ? Farewells[t] : Topics[t], rng));
                    nodes.Add(child);
                    childless = false;
                    node.Choices.Add(new DialogChoice(grammar.Expand(Asks[t], rng), child.Id));
                }
                if (node.Level > 0 && rng.Chance(0.25))
                    node.Choices.Add(new DialogChoice(grammar.Expand(Back, rng), nodes[rng.Next(current)].Id));
            }
            else if (rng.Chance(0.3))
            {
                node.Choices.Add(new DialogChoice(grammar.Expand(Back, rng), "l0"));
            }
            // Lines without children always offer a way out (so some path ends); inner lines sometimes do.
            if (childless || rng.Chance(0.4))
                node.Choices.Add(new DialogChoice(grammar.Expand(Leave, rng), null));
        }

        var lines = new DialogLine[nodes.Count];
        for (var i = 0; i < lines.Length; i++) lines[i] = new DialogLine(nodes[i].Id, npc, nodes[i].Text, nodes[i].Choices);
        return new Dialog(npc, tone, "l0", lines) { Seed = seed };
    }
}
