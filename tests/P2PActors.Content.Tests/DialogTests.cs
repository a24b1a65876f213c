using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Content.Tests.TestSupport;

namespace P2PActors.Content.Tests;

public sealed class DialogTests
{
    [Fact]
    public void Every_dialog_is_a_well_formed_tree() =>
        Gen.Select(Seed, Gen.Int[0, 5], Gen.Int[0, 6]).Sample((seed, tone, depth) =>
        {
            var parameters = new List<(string, object)>();
            if (tone < 5) parameters.Add(("tone", (DialogTone)tone));
            if (depth > 0) parameters.Add(("depth", depth));
            var dialog = Generate<Dialog>(seed, [.. parameters]);

            var byId = dialog.Lines.ToDictionary(l => l.Id);
            Assert.Equal(dialog.Lines.Count, byId.Count);
            Assert.True(byId.ContainsKey(dialog.Start));
            Assert.InRange(dialog.Lines.Count, 1, DialogGenerator.MaxLines);
            Assert.All(dialog.Lines, line =>
            {
                Assert.NotEmpty(line.Choices);
                Assert.False(string.IsNullOrWhiteSpace(line.Text));
                Assert.Equal(dialog.NpcName, line.Speaker);
                Assert.All(line.Choices, c => Assert.True(c.Next is null || byId.ContainsKey(c.Next), $"choice '{c.Text}' points at missing line {c.Next}"));
            });

            // Breadth-first from the start: every line reached, some choice ends, no line deeper than asked.
            var distance = new Dictionary<string, int> { [dialog.Start] = 0 };
            var queue = new Queue<string>([dialog.Start]);
            var ends = false;
            while (queue.Count > 0)
            {
                var id = queue.Dequeue();
                foreach (var choice in byId[id].Choices)
                {
                    if (choice.Next is null) ends = true;
                    else if (distance.TryAdd(choice.Next, distance[id] + 1)) queue.Enqueue(choice.Next);
                }
            }
            Assert.Equal(byId.Keys.Order(), distance.Keys.Order());
            Assert.True(ends, "no path through the dialog ends");
            if (depth > 0) Assert.True(distance.Values.Max() <= depth - 1, $"a line sits deeper than depth {depth}");
            Assert.Empty(Balance.Check(dialog));
        }, iter: 3000);

    [Fact]
    public void Deeper_dialogs_branch_further()
    {
        var shallow = Enumerable.Range(0, 200).Average(s => Generate<Dialog>(s, ("depth", 1)).Lines.Count);
        var deep = Enumerable.Range(0, 200).Average(s => Generate<Dialog>(s, ("depth", 5)).Lines.Count);
        Assert.Equal(1, shallow);
        Assert.True(deep > 5, $"depth 5 averaged only {deep} lines");
    }

    [Fact]
    public void Check_flags_dangling_unreachable_and_endless_dialogs()
    {
        var d = Generate<Dialog>(11, ("depth", 3));
        var lines = d.Lines.ToList();
        var dangling = d with { Lines = [lines[0] with { Choices = [new DialogChoice("go", "nowhere")] }, .. lines.Skip(1)] };
        Assert.Contains(Balance.DialogDanglingChoice, Balance.Check(dangling));

        var orphan = d with { Lines = [.. lines, new DialogLine("orphan", d.NpcName, "Nobody hears me.", [new DialogChoice("Bye.", null)])] };
        Assert.Contains(Balance.DialogUnreachableLine, Balance.Check(orphan));

        var loop = d with { Start = "a", Lines = [new DialogLine("a", d.NpcName, "Again?", [new DialogChoice("Again.", "a")])] };
        Assert.Contains(Balance.DialogNoEnding, Balance.Check(loop));
        Assert.Contains(Balance.DialogStart, Balance.Check(d with { Start = "missing" }));
    }
}
