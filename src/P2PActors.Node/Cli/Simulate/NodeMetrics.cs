using System.Globalization;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>One scrape of a node's <c>/metrics</c>, the figures the report follows over time.</summary>
public sealed record MetricsSample(double AtSeconds, double CpuSeconds, double WorkingSetBytes, double ManagedBytes, double Gen0, double Gen1, double Gen2,
    double GcPauseSeconds, double Accepted, double Rejected, double Undecided, double WsConnections)
{
    /// <summary>Reads the samples this report needs from Prometheus text format; absent metrics read as NaN.</summary>
    public static MetricsSample Parse(double atSeconds, string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                continue;
            values[line[..space].Trim()] = value;
        }
        double Get(string name) => values.TryGetValue(name, out var v) ? v : double.NaN;
        return new MetricsSample(atSeconds,
            Get("process_cpu_seconds_total"), Get("process_working_set_bytes"), Get("dotnet_total_memory_bytes"),
            Get("dotnet_collection_count_total{generation=\"0\"}"), Get("dotnet_collection_count_total{generation=\"1\"}"),
            Get("dotnet_collection_count_total{generation=\"2\"}"), Get("dotnet_gc_pause_seconds_total"),
            Get("p2pactors_consensus_outcomes_total{decision=\"accepted\"}"), Get("p2pactors_consensus_outcomes_total{decision=\"rejected\"}"),
            Get("p2pactors_consensus_outcomes_total{decision=\"undecided\"}"), Get("p2pactors_ws_connections"));
    }
}

/// <summary>A node's figures at one moment: CPU as a share of one core since the previous scrape.</summary>
public sealed record NodePoint(double AtSeconds, double CpuPercent, double WorkingSetMb, double ManagedMb, double Gen0, double Gen1, double Gen2, double WsConnections);

/// <summary>
/// Scrapes every node's <c>/metrics</c> (so it works as well with <c>--targets</c>) and keeps the series per node.
/// A node that does not answer a scrape just has no point for that second.
/// </summary>
public sealed class NodeMetricsScraper(IReadOnlyList<Uri> nodes, HttpClient http)
{
    private readonly List<MetricsSample>[] _samples = nodes.Select(_ => new List<MetricsSample>()).ToArray();

    public IReadOnlyList<Uri> Nodes => nodes;

    public async Task ScrapeAsync(double atSeconds, CancellationToken ct)
    {
        await Task.WhenAll(nodes.Select(async (node, i) =>
        {
            try
            {
                var text = await http.GetStringAsync(new Uri(node, "/metrics"), ct);
                var sample = MetricsSample.Parse(atSeconds, text);
                lock (_samples[i])
                    _samples[i].Add(sample);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // No point for this node this time.
            }
        }));
    }

    /// <summary>Forgets every sample: the series start again with the next scrape (the end of a warm-up).</summary>
    public void Restart()
    {
        foreach (var samples in _samples)
        {
            lock (samples)
                samples.Clear();
        }
    }

    /// <summary>The points of node <paramref name="index"/> (from the second scrape on: CPU needs two).</summary>
    public IReadOnlyList<NodePoint> Series(int index)
    {
        List<MetricsSample> samples;
        lock (_samples[index])
            samples = [.. _samples[index]];
        var points = new List<NodePoint>();
        for (var i = 1; i < samples.Count; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            var cpu = b.AtSeconds > a.AtSeconds ? (b.CpuSeconds - a.CpuSeconds) / (b.AtSeconds - a.AtSeconds) * 100 : double.NaN;
            points.Add(new NodePoint(Math.Round(b.AtSeconds, 2), Math.Round(cpu, 1), Math.Round(b.WorkingSetBytes / 1048576, 1), Math.Round(b.ManagedBytes / 1048576, 1),
                b.Gen0, b.Gen1, b.Gen2, b.WsConnections));
        }
        return points;
    }

    public MetricsSample? First(int index)
    {
        lock (_samples[index])
            return _samples[index].FirstOrDefault();
    }

    public MetricsSample? Last(int index)
    {
        lock (_samples[index])
            return _samples[index].LastOrDefault();
    }
}
