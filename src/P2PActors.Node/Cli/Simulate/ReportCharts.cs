using ScottPlot;
using SkiaSharp;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>The report's PNG charts, drawn with ScottPlot: throughput over time, latency per operation, CPU and memory per node.</summary>
public static class ReportCharts
{
    private const int Width = 900;
    private const int Height = 500;

    public static IReadOnlyList<string> Write(SimulationReport report, string directory)
    {
        EmbeddedFont.Install();
        var written = new List<string>();

        var throughput = new Plot();
        var perSecond = report.CompletedPerSecond.ToArray();
        if (perSecond.Length > 0)
            throughput.Add.Scatter(Enumerable.Range(0, perSecond.Length).Select(s => (double)s).ToArray(), perSecond);
        throughput.Title("Operations answered per second");
        throughput.XLabel("seconds since the bots started");
        throughput.YLabel("answers / s");
        written.Add(Save(throughput, directory, "ops-per-second.png"));

        var latency = new Plot();
        var operations = report.Operations.Where(o => o.Latency is not null).ToList();
        var positions = Enumerable.Range(0, operations.Count).Select(i => (double)i).ToArray();
        foreach (var (name, pick) in new (string, Func<LatencyFigures, double>)[] { ("p50", l => l.P50Ms), ("p95", l => l.P95Ms), ("p99", l => l.P99Ms) })
        {
            if (operations.Count == 0)
                break;
            var series = latency.Add.Scatter(positions, operations.Select(o => pick(o.Latency!)).ToArray());
            series.LegendText = name;
        }
        if (operations.Count > 0)
        {
            latency.Axes.Bottom.SetTicks(positions, operations.Select(o => o.Operation).ToArray());
            latency.Axes.Bottom.TickLabelStyle.Rotation = 45;
            latency.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            // Room for the rotated operation names, which are longer than the axis' default band.
            latency.Axes.Bottom.MinimumSize = 130;
            latency.ShowLegend();
        }
        latency.Title("Latency per operation (ms)");
        latency.YLabel("ms");
        written.Add(Save(latency, directory, "latency.png"));

        written.Add(Save(NodeSeries(report, "CPU per node (% of one core)", "%", p => p.CpuPercent), directory, "node-cpu.png"));
        written.Add(Save(NodeSeries(report, "Working set per node (MB)", "MB", p => p.WorkingSetMb), directory, "node-memory.png"));
        return written;
    }

    private static Plot NodeSeries(SimulationReport report, string title, string unit, Func<NodePoint, double> pick)
    {
        var plot = new Plot();
        for (var i = 0; i < report.Nodes.Count; i++)
        {
            var points = report.Nodes[i].Series.Where(p => double.IsFinite(pick(p))).ToList();
            if (points.Count == 0)
                continue;
            var series = plot.Add.Scatter(points.Select(p => p.AtSeconds).ToArray(), points.Select(pick).ToArray());
            series.LegendText = $"node {i + 1}";
        }
        plot.Title(title);
        plot.XLabel("seconds since the bots started");
        plot.YLabel(unit);
        plot.ShowLegend();
        return plot;
    }

    private static string Save(Plot plot, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>
    /// The previews' embedded PT Sans Narrow for every chart text: the NoDependencies Skia build the node ships sees
    /// no system fonts, so without it the charts come out without a single label.
    /// </summary>
    private sealed class EmbeddedFont : IFontResolver
    {
        private const string Name = "PT Sans Narrow";
        private static readonly object Gate = new();
        private static bool _installed;
        private static readonly SKTypeface Regular = Load("PTSansNarrow_400Regular.ttf");
        private static readonly SKTypeface Bold = Load("PTSansNarrow_700Bold.ttf");

        public static void Install()
        {
            lock (Gate)
            {
                if (_installed)
                    return;
                Fonts.FontResolvers.Add(new EmbeddedFont());
                Fonts.Default = Name;
                _installed = true;
            }
        }

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => bold ? Bold : Regular;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            weight >= FontWeight.SemiBold ? Bold : Regular;

        private static SKTypeface Load(string file)
        {
            var name = $"P2PActors.Rendering.Fonts.{file}";
            using var stream = typeof(P2PActors.Rendering.PreviewRenderer).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"embedded font {name} is missing");
            return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"embedded font {name} did not load");
        }
    }
}
