using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Membership;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// Consensus on real nodes: N ActorSystems in this process with remoting over TCP on 127.0.0.1, every node a
/// validator, valid generated content (items and quests). Reports the decision latency distribution of one proposal
/// at a time, and the throughput of validated items with many proposals in flight from every node.
/// <c>dotnet run -c Release --project bench/P2PActors.Benchmarks -- vote-round [--nodes 4,7] [--samples 2000]
/// [--items 10000] [--inflight 64] [--batch 1]</c>. Before the measured throughput run, 3,000 items go through the
/// same loaded path unmeasured, so the tiered JIT has compiled it.
/// </summary>
public static class VoteRoundHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = ListOption(args, "--nodes", [4, 7]);
        var samples = IntOption(args, "--samples", 2000);
        var items = IntOption(args, "--items", 10_000);
        var inflight = IntOption(args, "--inflight", 64);
        var batch = IntOption(args, "--batch", 1);
        Console.WriteLine($"# vote-round on {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var content = Enumerable.Range(0, Math.Max(samples, items))
            .Select(i => ContentFactory.Generate(i % 2 == 0 ? ContentType.Item : ContentType.Quest, new Dictionary<string, string>(), 10_000 + i))
            .ToArray();
        foreach (var n in sizes)
        {
            var nodes = await StartAsync(n);
            try
            {
                var clients = nodes.Select(ConsensusClient.For).ToArray();
                for (var i = 0; i < 300; i++)
                    await clients[i % n].ProposeAsync(content[i], ProposalOptions.DecideOnly);
                await LatencyAsync(n, clients[0], content.Take(samples).ToArray());
                // Warm-up of the loaded path (tiered JIT still compiles it for a while): measured runs see steady state.
                await ThroughputAsync(n, clients, content.Take(Math.Min(items, 3000)).ToArray(), inflight, batch, report: false);
                await ThroughputAsync(n, clients, content.Take(items).ToArray(), inflight, batch);
            }
            finally
            {
                await Task.WhenAll(nodes.Select(s => s.Terminate()));
            }
        }
        return 0;
    }

    private static async Task LatencyAsync(int n, ConsensusClient client, GameContent[] content)
    {
        var caller = new List<double>(content.Length);
        var decision = new List<double>(content.Length);
        var undecided = 0;
        foreach (var item in content)
        {
            var start = Stopwatch.GetTimestamp();
            var outcome = await client.ProposeAsync(item, ProposalOptions.DecideOnly);
            caller.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            decision.Add(outcome.Elapsed.TotalMilliseconds);
            if (outcome.Decision != ProposalDecision.Accepted)
                undecided++;
        }
        Console.WriteLine($"{n} nodes, one proposal at a time ({content.Length} samples, load {LoadAverage()}): " +
                          $"decision p50 {P(decision, 50):F2} ms p99 {P(decision, 99):F2} ms; caller p50 {P(caller, 50):F2} ms p99 {P(caller, 99):F2} ms; not accepted {undecided}");
    }

    /// <summary>
    /// <paramref name="inflight"/> proposals outstanding at all times, spread over every proposer; with
    /// <paramref name="batch"/> &gt; 1 each caller hands its node that many at once (<see cref="ConsensusClient.ProposeManyAsync"/>),
    /// so the same number is in flight in fewer, larger calls.
    /// </summary>
    private static async Task ThroughputAsync(int n, ConsensusClient[] clients, GameContent[] content, int inflight, int batch, bool report = true)
    {
        batch = Math.Clamp(batch, 1, inflight);
        var window = new SemaphoreSlim(Math.Max(1, inflight / batch));
        var decision = new ConcurrentBag<double>();
        var counts = new ConcurrentDictionary<ProposalDecision, int>();
        var tasks = new List<Task>(content.Length);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < content.Length; i += batch)
        {
            await window.WaitAsync();
            var client = clients[i / batch % clients.Length];
            var chunk = content[i..Math.Min(content.Length, i + batch)];
            tasks.Add(Propose(client, chunk));
        }
        await Task.WhenAll(tasks);
        watch.Stop();
        process.Refresh();
        var cpuPerItem = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / content.Length;
        if (!report)
            return;
        var sorted = decision.ToList();
        var how = batch > 1 ? $"{inflight} in flight in calls of {batch}" : $"{inflight} in flight";
        Console.WriteLine($"{n} nodes, {how} across all proposers ({content.Length} items, load {LoadAverage()}): " +
                          $"{content.Length / watch.Elapsed.TotalSeconds:F0} validated items/s, CPU {cpuPerItem:F2} ms per item; decision p50 {P(sorted, 50):F2} ms p99 {P(sorted, 99):F2} ms; " +
                          string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key.ToString().ToLowerInvariant()} {c.Value}")));

        async Task Propose(ConsensusClient client, GameContent[] chunk)
        {
            try
            {
                var outcomes = chunk.Length == 1
                    ? [await client.ProposeAsync(chunk[0], ProposalOptions.DecideOnly)]
                    : await client.ProposeManyAsync(chunk, ProposalOptions.DecideOnly);
                foreach (var outcome in outcomes)
                {
                    decision.Add(outcome.Elapsed.TotalMilliseconds);
                    counts.AddOrUpdate(outcome.Decision, 1, (_, c) => c + 1);
                }
            }
            finally
            {
                window.Release();
            }
        }
    }

    private static async Task<ActorSystem[]> StartAsync(int n)
    {
        var systems = new List<ActorSystem>();
        Address? seed = null;
        for (var i = 0; i < n; i++)
        {
            var snapshot = new ConsensusSnapshot();
            var settings = new GameStateSettings { Admission = new CertificateAdmission(snapshot) };
            var config = ConfigurationFactory.ParseString(string.Join('\n', settings.ToHocon(), new MembershipSettings().ToHocon(), SerializationSetup.Hocon,
                    "akka.loglevel = WARNING\nakka.log-dead-letters = off\nakka.cluster.log-info = off\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off"))
                .WithFallback(DistributedData.DefaultConfig());
            var system = ActorSystem.Create(MembershipSettings.SystemName, config);
            GameState.Start(system, settings);
            var cluster = Akka.Cluster.Cluster.Get(system);
            seed ??= cluster.SelfAddress;
            cluster.Join(seed);
            ConsensusRuntime.Start(system, new ConsensusOptions(), snapshot);
            systems.Add(system);
        }
        var runtimes = systems.Select(ConsensusRuntime.For).ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (runtimes.Any(r => r.Snapshot.View.Current?.Count != n) || runtimes.Select(r => r.Snapshot.View.Current?.Hash).Distinct().Count() != 1)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the {n} nodes did not agree on a validator set");
            await Task.Delay(20);
        }
        return systems.ToArray();
    }

    private static double P(List<double> values, int percentile)
    {
        if (values.Count == 0)
            return double.NaN;
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(values.Count * percentile / 100.0) - 1)];
    }
}
