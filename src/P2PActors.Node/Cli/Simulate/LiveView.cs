using System.Globalization;
using P2PActors.Cluster.Consensus;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>How <c>simulate</c> shows its progress: <c>--view auto|live|lines</c>.</summary>
public enum SimulateView
{
    /// <summary>The live dashboard in an interactive terminal, one line per second otherwise.</summary>
    Auto,
    Live,
    Lines,
}

/// <summary>A node as the live view shows it: its label (<c>n4[equivocate]</c>), address, and last scraped point (null before the second scrape).</summary>
public sealed record LiveNode(string Label, Uri Url, NodePoint? Last);

/// <summary>Everything the live view shows at one moment, taken from the recorder and the scraper once per second.</summary>
public sealed record LiveSnapshot(
    double ElapsedSeconds, double DurationSeconds, long AnswersLastSecond, long TotalAnswers, bool Stopping,
    IReadOnlyList<OperationFigures> Operations, IReadOnlyDictionary<string, long> Errors, ConsensusFigures Consensus, ReachFigures Reach,
    IReadOnlyList<LiveNode> Nodes)
{
    public double AverageAnswersPerSecond => ElapsedSeconds <= 0 ? 0 : TotalAnswers / ElapsedSeconds;

    public static LiveSnapshot Take(SimulationRecorder recorder, NodeMetricsScraper scraper, SimulateOptions options, double atSeconds, long answersLastSecond, bool stopping) =>
        new(atSeconds, options.Duration.TotalSeconds, answersLastSecond, recorder.TotalCompleted, stopping,
            recorder.Operations(TimeSpan.FromSeconds(atSeconds)), recorder.Errors, recorder.Consensus, recorder.Reach(),
            scraper.Nodes.Select((url, i) => new LiveNode(LiveView.NodeLabel(options, i), url, scraper.Series(i).LastOrDefault())).ToList());
}

/// <summary>
/// The dashboard <c>simulate</c> redraws each second in a terminal. A pure function of a <see cref="LiveSnapshot"/>,
/// so a test can render it into a plain console and read the figures back.
/// </summary>
public static class LiveView
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>
    /// Auto draws the dashboard only when the output is this process's console and that console is a terminal: a
    /// redirected output (CI, tests, <c>&gt; file</c>) would otherwise fill with cursor movements instead of lines.
    /// </summary>
    public static bool UsesLive(SimulateView view, bool outputIsConsole, bool outputRedirected) => view switch
    {
        SimulateView.Live => true,
        SimulateView.Lines => false,
        _ => outputIsConsole && !outputRedirected,
    };

    /// <summary>"n1", or "n4[equivocate]" for a Byzantine node; the live line and the dashboard say the same.</summary>
    public static string NodeLabel(SimulateOptions options, int index)
    {
        var mode = options.ModeOf(index);
        return mode == ByzantineMode.Honest ? $"n{index + 1}" : $"n{index + 1}[{ByzantineModes.WireName(mode)}]";
    }

    public static IRenderable Render(LiveSnapshot snapshot)
    {
        var side = new List<IRenderable> { ConsensusTable(snapshot.Consensus), ReachTable(snapshot.Reach) };
        if (snapshot.Errors.Count > 0)
            side.Add(ErrorTable(snapshot.Errors));
        var middle = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().NoWrap());
        middle.AddRow(OperationTable(snapshot.Operations), new Rows(side));
        // Nodes above the operations: a short terminal crops the bottom, and the operation list is the longest and
        // the least urgent part.
        return new Rows(Header(snapshot), NodeTable(snapshot.Nodes), middle);
    }

    private static Markup Header(LiveSnapshot s)
    {
        var errors = s.Errors.Values.Sum();
        var state = s.Stopping
            ? "[yellow]stopping (Ctrl+C)[/]"
            : "[grey]Ctrl+C stops early[/]";
        return new Markup(string.Create(C,
            $"[bold]{s.ElapsedSeconds:0} s / {s.DurationSeconds:0} s[/]  [bold]{s.AnswersLastSecond}[/] ops/s (average {s.AverageAnswersPerSecond:0.0})  {(errors > 0 ? $"[yellow]{errors} errors[/]" : "0 errors")}  {state}"));
    }

    private static Table OperationTable(IReadOnlyList<OperationFigures> operations)
    {
        var table = Compact().AddColumn(Left("operation")).AddColumn(Right("count")).AddColumn(Right("errors")).AddColumn(Right("p50 ms")).AddColumn(Right("p99 ms"));
        foreach (var o in operations)
        {
            table.AddRow(new Text(o.Operation), Number(o.Count), o.Errors > 0 ? new Markup($"[yellow]{o.Errors}[/]") : Number(o.Errors),
                Ms(o.Latency?.P50Ms), Ms(o.Latency?.P99Ms));
        }
        if (operations.Count == 0)
            table.AddRow(new Text("(no answer yet)"), Text.Empty, Text.Empty, Text.Empty, Text.Empty);
        return table;
    }

    private static Table ConsensusTable(ConsensusFigures k)
    {
        var table = KeyValueTable("shares");
        table.AddRow(new Text("accepted"), Number(k.Accepted));
        table.AddRow(new Text("rejected"), Number(k.Rejected));
        table.AddRow(new Text("undecided"), Number(k.Undecided));
        table.AddRow(new Text("failed"), Number(k.Failed));
        table.AddRow(new Text("invalid attempted"), Number(k.InvalidAttempted));
        table.AddRow(new Text("invalid refused"), Number(k.InvalidRefused));
        // Must stay 0: anything else is a broken guarantee, so it stands out.
        table.AddRow(new Markup("[bold]invalid admitted[/]"),
            k.InvalidAdmitted == 0 ? Number(0) : new Markup(string.Create(C, $"[bold red]{k.InvalidAdmitted}[/]")));
        return table;
    }

    private static Table ReachTable(ReachFigures reach)
    {
        var table = KeyValueTable("websocket reach");
        table.AddRow(new Text("delivered / due"), new Text(string.Create(C, $"{reach.Delivered}/{reach.Due}")));
        table.AddRow(new Text("reach"), new Text(reach.Due == 0 ? "-" : reach.Ratio.ToString("0.###", C)));
        table.AddRow(new Text("push p99 ms"), Ms(reach.Latency?.P99Ms));
        return table;
    }

    private static Table ErrorTable(IReadOnlyDictionary<string, long> errors)
    {
        var table = KeyValueTable("errors by code");
        foreach (var (code, count) in errors.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal))
            table.AddRow(new Text(code), Number(count));
        return table;
    }

    private static Table NodeTable(IReadOnlyList<LiveNode> nodes)
    {
        var table = Compact().AddColumn(Left("node")).AddColumn(Left("address")).AddColumn(Right("CPU %")).AddColumn(Right("working set MB"))
            .AddColumn(Right("managed MB")).AddColumn(Right("GC gen0/1/2")).AddColumn(Right("ws"));
        foreach (var node in nodes)
        {
            var address = new Text(node.Url.Authority);
            if (node.Last is not { } p)
            {
                table.AddRow(new Text(node.Label), address, new Text("-"), new Text("-"), new Text("-"), new Text("-"), new Text("-"));
                continue;
            }
            table.AddRow(new Text(node.Label), address, Figure(p.CpuPercent, "0"), Figure(p.WorkingSetMb, "0"), Figure(p.ManagedMb, "0"),
                new Text($"{Count(p.Gen0)}/{Count(p.Gen1)}/{Count(p.Gen2)}"), Figure(p.WsConnections, "0"));
        }
        return table;
    }

    /// <summary>
    /// No border: any visible border costs a line above and below each table (blank ones too), and the dashboard has
    /// to fit a terminal's height; bold headers mark the columns instead.
    /// </summary>
    private static Table Compact() => new Table().Border(TableBorder.None);

    private static Table KeyValueTable(string title) =>
        Compact().Title(title, new Style(decoration: Decoration.Bold)).HideHeaders().AddColumn(Left("what")).AddColumn(Right("value"));

    /// <summary>Two spaces after each column: without rules between them, one space would run figures together.</summary>
    private static TableColumn Left(string header) => new TableColumn($"[bold]{header}[/]").Padding(0, 0, 2, 0);

    private static TableColumn Right(string header) => Left(header).RightAligned();

    private static Text Number(long value) => new(value.ToString(C));

    private static Text Ms(double? ms) => new(ms is { } v ? v.ToString("0.0", C) : "-");

    /// <summary>A scraped figure; NaN (the node does not export that metric) shows as "-".</summary>
    private static Text Figure(double value, string format) => new(double.IsFinite(value) ? value.ToString(format, C) : "-");

    private static string Count(double value) => double.IsFinite(value) ? value.ToString("0", C) : "-";
}
