using System.Diagnostics;
using System.Globalization;
using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;
using static P2PActors.Benchmarks.HarnessProbe;

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

    /// <summary>
    /// Decide only, as documented: the vote is what is measured. (Until 2026-11-24 23:20 UTC the harness shared every
    /// accepted item — a majority catalog write and a content-store write on every node — which `--share` restores.)
    /// </summary>
    private static ProposalOptions Proposing = ProposalOptions.DecideOnly;

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = IntOption(args, "--samples", 2000);
        var sizes = ListOption(args, "--nodes", [4, 7]);
        var items = IntOption(args, "--items", 10_000);
        var concurrencies = ListOption(args, "--concurrency", [16, 64, 256]);
        var invalidShare = double.Parse(StringOption(args, "--invalid-share", "0.5"), CultureInfo.InvariantCulture);
        Proposing = args.Contains("--share") ? ProposalOptions.Default : ProposalOptions.DecideOnly;

        Console.WriteLine($"# consensus on {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
        foreach (var size in sizes)
        {
            await using var cluster = await StartAsync(size);
            await IdleAsync(cluster);
            if (size == sizes[0])
                Breakdown(cluster, invalidShare);
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
        using var process = Process.GetCurrentProcess();
        var cpuBefore = TimeSpan.Zero;
        var roundTrips = new List<double>(samples);
        var accepted = new List<double>();
        var rejected = new List<double>();
        var undecided = 0;
        for (var i = 0; i < workload.Count; i++)
        {
            var node = cluster.Nodes[i % cluster.Nodes.Count];
            var start = Stopwatch.GetTimestamp();
            var outcome = await ConsensusClient.For(node.System).ProposeAsync(workload[i].Content, Proposing, CancellationToken.None);
            var roundTrip = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i == Warmup - 1)
            {
                process.Refresh();
                cpuBefore = process.TotalProcessorTime;
            }
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
        process.Refresh();
        var cpuPerItem = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / samples;
        var n = cluster.Nodes.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## decision latency, {n} nodes, sequential, {samples} samples after {Warmup} warm-up (undecided: {undecided}), CPU {cpuPerItem:0.00} ms per item over all nodes, load {LoadAverage()}"));
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
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
            outcomes[i] = await ConsensusClient.For(cluster.Nodes[i % cluster.Nodes.Count].System).ProposeAsync(workload[i].Content, Proposing, ct));
        var elapsed = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        var cpuPerItem = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / count;
        var decided = outcomes.Count(o => o.Decision != ProposalDecision.Undecided);
        var wrong = outcomes.Where((o, i) => o.Decision == ProposalDecision.Accepted != workload[i].IsValid && o.Decision != ProposalDecision.Undecided).Count();
        var latencies = outcomes.Where(o => o.Decision != ProposalDecision.Undecided).Select(o => o.Elapsed.TotalMilliseconds).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## throughput, {cluster.Nodes.Count} nodes, concurrency {concurrency}: {count} items in {elapsed.TotalSeconds:0.00} s = {decided / elapsed.TotalSeconds:0} decided items/s (undecided {count - decided}, wrong decisions {wrong}), CPU {cpuPerItem:0.00} ms per item over all 4 nodes, load {LoadAverage()}"));
        Report("  decision latency under load", latencies);
    }

    /// <summary>What the nodes cost doing nothing (heartbeats, gossip, and whatever the dispatchers spin).</summary>
    private static async Task IdleAsync(ChaosCluster cluster)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(5));
        process.Refresh();
        var cores = (process.TotalProcessorTime - before).TotalSeconds / Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## idle: {cluster.Nodes.Count} formed nodes doing nothing use {cores:0.00} cores, load {LoadAverage()}"));
    }

    /// <summary>
    /// The CPU cost of each step one proposal takes, measured single-threaded on the workload mix, so the cluster's
    /// CPU per item can be split into "the work" and "the actor/remoting machinery around it".
    /// </summary>
    private static void Breakdown(ChaosCluster cluster, double invalidShare)
    {
        const int rounds = 3;
        var workload = ChaosWorkload.Create(1000, seed: 77, invalidShare);
        var serialization = cluster.Nodes[0].System.Serialization;
        using var identity = ValidatorIdentity.CreateEphemeral();
        var set = new ValidatorSet(Epochs.LegacyLimit + 1, [identity.ValidatorId]);
        var registry = ValidatorRegistry.Empty.With(set);
        var validator = new P2PActors.Content.Validation.ContentValidator();
        var jsons = workload.Select(i => P2PActors.Content.Model.ContentJson.Serialize(i.Content)).ToArray();
        // As the client proposes them: each with the catalog header the votes bind.
        var headers = workload.Select(item => new EntryHeader(item.Content.Type, item.Content.DisplayName, "bench", 1_764_000_000_000, "akka.tcp://p2pactors@127.0.0.1:1")).ToArray();
        var proposals = workload.Select((item, i) => new Proposal(jsons[i], item.ContentId, set.Epoch, set.Hash, "akka.tcp://p2pactors@127.0.0.1:1", Header: headers[i])).ToArray();
        var digests = workload.Select((item, i) => headers[i].Digest(item.ContentId)).ToArray();
        var votes = workload.Select((item, i) => identity.Vote(item.ContentId, set, item.IsValid, item.IsValid ? [] : [item.ExpectedRule!], digests[i])).ToArray();

        double Time(Action<int> step)
        {
            for (var i = 0; i < workload.Count; i++) step(i);
            var start = Stopwatch.GetTimestamp();
            for (var r = 0; r < rounds; r++)
                for (var i = 0; i < workload.Count; i++) step(i);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / (rounds * workload.Count);
        }
        object? sink = null;
        var serialize = Time(i => sink = P2PActors.Content.Model.ContentJson.Serialize(workload[i].Content));
        var proposalWire = Time(i =>
        {
            var serializer = serialization.FindSerializerFor(proposals[i]);
            sink = serialization.Deserialize(serializer.ToBinary(proposals[i]), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, proposals[i]));
        });
        var parse = Time(i => sink = P2PActors.Content.Model.ContentJson.Deserialize(jsons[i]));
        var judge = Time(i => sink = validator.Check(workload[i].Content));
        var sign = Time(i => sink = identity.Vote(workload[i].ContentId, set, true, [], headers[i].Digest(workload[i].ContentId)));
        var voteWire = Time(i =>
        {
            var serializer = serialization.FindSerializerFor(votes[i]);
            sink = serialization.Deserialize(serializer.ToBinary(votes[i]), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, votes[i]));
        });
        var verify = Time(i => sink = registry.IsValidVote(votes[i]));
        GC.KeepAlive(sink);
        var perValidator = proposalWire + parse + judge + sign + voteWire + verify;
        Console.WriteLine($"## cost per step (µs, single thread, {workload.Count} workload items × {rounds}, load {LoadAverage()})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"proposer: canonical JSON {serialize:0.0}; per validator: proposal wire (JSON, both ends) {proposalWire:0.0}, parse {parse:0.0}, validate {judge:0.0}, sign {sign:0.0}, vote wire {voteWire:0.0}, verify at proposer {verify:0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"work per item: 4 validators {(serialize + 4 * perValidator) / 1000:0.00} ms, 7 validators {(serialize + 7 * perValidator) / 1000:0.00} ms of CPU"));
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
}
