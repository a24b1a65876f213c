using System.Diagnostics;
using System.Globalization;
using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Benchmarks;

/// <summary>
/// Consensus on real nodes: N full nodes (production hosting, ephemeral keys) in this process, remoting over TCP on
/// 127.0.0.1, all honest. Decision latency is a distribution and throughput needs concurrency, neither of which
/// BenchmarkDotNet reports, so this is a harness:
/// <c>dotnet run -c Release --project bench/P2PActors.Benchmarks -- consensus [options]</c>.
/// Options: <c>--samples N</c> (sequential proposals per cluster size, default 2000), <c>--nodes 4,7</c>,
/// <c>--items N</c> (throughput workload, default 10000), <c>--concurrency 16,64,256</c>, <c>--invalid-share 0.5</c>.
/// The workload is <see cref="ChaosWorkload"/>: generated content, half of it deliberately invalid.
/// </summary>
public static class ConsensusHarness
{
    private const int Warmup = 200;

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = IntOption(args, "--samples", 2000);
        var sizes = ListOption(args, "--nodes", [4, 7]);
        var items = IntOption(args, "--items", 10_000);
        var concurrencies = ListOption(args, "--concurrency", [16, 64, 256]);
        var invalidShare = double.Parse(StringOption(args, "--invalid-share", "0.5"), CultureInfo.InvariantCulture);

        Console.WriteLine($"# consensus on {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
        foreach (var size in sizes)
        {
            await using var cluster = await StartAsync(size);
            await LatencyAsync(cluster, samples, invalidShare);
        }

        await using (var cluster = await StartAsync(4))
        {
            foreach (var concurrency in concurrencies)
                await ThroughputAsync(cluster, items, concurrency, invalidShare);
        }
        Console.WriteLine($"# load average {LoadAverage()} at end");
        return 0;
    }

    private static async Task<ChaosCluster> StartAsync(int nodes)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var cluster = await ChaosCluster.StartAsync(new ChaosOptions { Nodes = nodes, Byzantine = 0 }, timeout.Token);
        Console.WriteLine($"# {nodes} nodes formed in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: {QuorumMath.Describe(nodes)}");
        return cluster;
    }

    /// <summary>One proposal at a time, proposers round-robin: the decision latency of an idle cluster.</summary>
    private static async Task LatencyAsync(ChaosCluster cluster, int samples, double invalidShare)
    {
        var workload = ChaosWorkload.Create(Warmup + samples, seed: 1000 + cluster.Nodes.Count, invalidShare);
        var decided = new List<double>(samples);
        var roundTrips = new List<double>(samples);
        var accepted = new List<double>();
        var rejected = new List<double>();
        var undecided = 0;
        for (var i = 0; i < workload.Count; i++)
        {
            var node = cluster.Nodes[i % cluster.Nodes.Count];
            var start = Stopwatch.GetTimestamp();
            var outcome = await ConsensusClient.For(node.System).ProposeAsync(workload[i].Content, CancellationToken.None);
            var roundTrip = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i < Warmup)
                continue;
            if (outcome.Decision == ProposalDecision.Undecided)
            {
                undecided++;
                continue;
            }
            decided.Add(outcome.Elapsed.TotalMilliseconds);
            roundTrips.Add(roundTrip);
            (outcome.Decision == ProposalDecision.Accepted ? accepted : rejected).Add(outcome.Elapsed.TotalMilliseconds);
        }
        var n = cluster.Nodes.Count;
        Console.WriteLine($"## decision latency, {n} nodes, sequential, {samples} samples after {Warmup} warm-up (undecided: {undecided}), load {LoadAverage()}");
        Report("decision (coordinator: proposal sent → quorum)", decided);
        Report("  accepted", accepted);
        Report("  rejected", rejected);
        Report("round trip (ProposeAsync call → outcome)", roundTrips);
    }

    /// <summary>Many proposals in flight over all four proposers: decided items per second.</summary>
    private static async Task ThroughputAsync(ChaosCluster cluster, int count, int concurrency, double invalidShare)
    {
        var workload = ChaosWorkload.Create(count, seed: 5000 + concurrency, invalidShare);
        var outcomes = new ProposalOutcome[count];
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
            outcomes[i] = await ConsensusClient.For(cluster.Nodes[i % cluster.Nodes.Count].System).ProposeAsync(workload[i].Content, ct));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var decided = outcomes.Count(o => o.Decision != ProposalDecision.Undecided);
        var wrong = outcomes.Where((o, i) => o.Decision == ProposalDecision.Accepted != workload[i].IsValid && o.Decision != ProposalDecision.Undecided).Count();
        var latencies = outcomes.Where(o => o.Decision != ProposalDecision.Undecided).Select(o => o.Elapsed.TotalMilliseconds).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## throughput, {cluster.Nodes.Count} nodes, concurrency {concurrency}: {count} items in {elapsed.TotalSeconds:0.00} s = {decided / elapsed.TotalSeconds:0} decided items/s (undecided {count - decided}, wrong decisions {wrong}), load {LoadAverage()}"));
        Report("  decision latency under load", latencies);
    }

    private static void Report(string label, List<double> values)
    {
        if (values.Count == 0)
        {
            Console.WriteLine($"{label}: no samples");
            return;
        }
        values.Sort();
        double P(double q) => values[Math.Clamp((int)Math.Ceiling(q * values.Count) - 1, 0, values.Count - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: n={values.Count} p50 {P(0.50):0.00} ms, p90 {P(0.90):0.00} ms, p99 {P(0.99):0.00} ms, max {values[^1]:0.00} ms"));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static int IntOption(string[] args, string name, int fallback) =>
        int.Parse(StringOption(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static string StringOption(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int[] ListOption(string[] args, string name, int[] fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length
            ? args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
    }
}
