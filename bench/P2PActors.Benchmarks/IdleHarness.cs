using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using P2PActors.Cluster.Chaos;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// What formed nodes cost while doing nothing: N full nodes (production hosting) in this process, left alone for a
/// settling period, then process CPU over a measuring window and a breakdown by thread name:
/// <c>dotnet bench/P2PActors.Benchmarks/bin/Release/net10.0/P2PActors.Benchmarks.dll idle [--nodes 4,7] [--seconds 10] [--settle 5]</c>.
/// </summary>
public static partial class IdleHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = (StringOption(args, "--nodes", "4,7")).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var seconds = double.Parse(StringOption(args, "--seconds", "10"), CultureInfo.InvariantCulture);
        var settle = double.Parse(StringOption(args, "--settle", "5"), CultureInfo.InvariantCulture);
        Console.WriteLine($"# idle on {Environment.ProcessorCount} cores, load average {LoadAverage()} at start, GC server={System.Runtime.GCSettings.IsServerGC}");
        foreach (var size in sizes)
        {
            var started = Stopwatch.GetTimestamp();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await using var cluster = await ChaosCluster.StartAsync(new ChaosOptions { Nodes = size, Byzantine = 0 }, timeout.Token);
            Console.WriteLine($"# {size} nodes formed in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            await Task.Delay(TimeSpan.FromSeconds(settle));

            using var process = Process.GetCurrentProcess();
            var threadsBefore = ThreadCpu();
            var cpuBefore = process.TotalProcessorTime;
            var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            var cores = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall;
            var threadsAfter = ThreadCpu();
            var allocated = (GC.GetTotalAllocatedBytes() - allocatedBefore) / wall;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"## idle: {size} formed nodes doing nothing use {cores:0.000} cores over {wall:0.0} s, load {LoadAverage()}, threads {threadsAfter.Count}, " +
                $"allocated {allocated / 1024:0} KiB/s, GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}"));

            var ticksPerSecond = 100.0; // USER_HZ on Linux
            var byName = threadsAfter
                .Select(t =>
                {
                    var known = threadsBefore.TryGetValue(t.Key, out var b);
                    return (Name: Group(t.Value.Name), Ticks: t.Value.Ticks - (known ? b.Ticks : 0), Switches: t.Value.Switches - (known ? b.Switches : 0));
                })
                .GroupBy(t => t.Name)
                .Select(g => (Name: g.Key, Threads: g.Count(), Active: g.Count(t => t.Switches > 0), Cores: g.Sum(t => t.Ticks) / ticksPerSecond / wall, Wakes: g.Sum(t => t.Switches) / wall))
                .Where(g => g.Cores > 0 || g.Wakes > 0)
                .OrderByDescending(g => g.Cores).ThenByDescending(g => g.Wakes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  total voluntary context switches (sleeps) {byName.Sum(g => g.Wakes):0}/s"));
            foreach (var (name, threads, active, share, wakes) in byName)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-28} {share:0.000} cores, {wakes,6:0} sleeps/s ({active}/{threads} threads woke)"));
        }
        Console.WriteLine($"# load average {LoadAverage()} at end");
        return 0;
    }

    /// <summary>Thread names without their numbers, so the 4 nodes' copies of a dispatcher thread add up.</summary>
    internal static string Group(string name) => Digits().Replace(name, "#");

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
