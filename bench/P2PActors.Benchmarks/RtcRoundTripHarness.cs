using System.Globalization;
using System.Runtime.InteropServices;
using HdrHistogram;
using Microsoft.Playwright;
using P2PActors.Testing;
using P2PActors.Testing.Browser;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// <c>rtc-roundtrip [--samples 200] [--warmup 20] [--nodes 3] [--pause 20]</c>: the round trip between two pages over
/// their WebRTC data channel next to the same round trip relayed through their nodes (docs/benchmarks.md, "Browser
/// bridge"). Node processes from the built DLL serve HTTP on the host end of a network namespace of the run's own
/// (tests/Shared/Browser, as the browser tests do); Debian's Chromium runs inside it, so ICE has only the namespace
/// address and the data channel never leaves the machine. Page 1 on node 1 and page 2 on node 2 join one room; once the
/// channel is open page 1 sends the page's own ping to page 2 on one path and then the other (the order swapped every
/// sample, so drift in the machine's load hits both alike), one ping in flight at a time, <c>--pause</c> ms apart. The
/// round trip is taken inside the page (<c>rtc.probe</c>, performance.now), so Playwright's own latency is not in it.
/// Needs root, iproute2 and /usr/bin/chromium; the namespace, the wrapper, Chromium and the nodes are removed on every
/// exit, Ctrl+C and SIGTERM included.
/// </summary>
internal static class RtcRoundTripHarness
{
    private const long MaxMicros = 60_000_000;
    private const string Room = "rtc-roundtrip";

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = IntOption(args, "--samples", 200);
        var warmup = IntOption(args, "--warmup", 20);
        var nodeCount = IntOption(args, "--nodes", 3);
        var pause = IntOption(args, "--pause", 20);
        var dll = BenchNodes.NodeDll(args);
        if (samples is < 1 or > 100_000) return Usage($"--samples: {samples} must be between 1 and 100000");
        if (warmup is < 0 or > 10_000) return Usage($"--warmup: {warmup} must be between 0 and 10000");
        if (nodeCount is < 2 or > 7) return Usage($"--nodes: {nodeCount} must be between 2 and 7 (the two pages use nodes 1 and 2)");
        // The relayed path sends one signal per ping from each page; 20 ms apart keeps it under the node's default
        // limit of 50 WebSocket messages per second per connection, so the nodes run with their defaults.
        if (pause is < 0 or > 10_000) return Usage($"--pause: {pause} must be between 0 and 10000 ms");
        if (!File.Exists(dll)) return Usage($"--node-dll: '{dll}' does not exist; build it with dotnet build src/P2PActors.Node -c Release");
        if ((Components.MissingChromium ?? Components.MissingNetworkNamespaces) is { } missing) return Usage(missing);

        Console.WriteLine($"# rtc-roundtrip on {Environment.ProcessorCount} cores: {samples} samples per path after {warmup} warm-up, " +
                          $"{nodeCount} nodes, {pause} ms between samples, load average {LoadAverage()} at start");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var ct = stop.Token;
        try
        {
            // Disposed in reverse order on every way out: pages and Chromium, nodes, then the namespace and wrapper.
            await using var network = await BrowserNetwork.CreateAsync().WaitAsync(ct);
            Console.WriteLine($"# network namespace {network.Name}: nodes on {network.HostAddress}, Chromium on {network.NamespaceAddress}");
            await using var nodes = await BenchNodes.StartAsync(dll, nodeCount, network.HostAddress, ct);
            Console.WriteLine($"# {nodeCount} nodes up: {string.Join(", ", nodes.HttpUrls)}");
            await using var pages = await BrowserPages.LaunchAsync(network).WaitAsync(ct);
            var first = await pages.OpenAsync(nodes.HttpUrls[0], "on node 1").WaitAsync(ct);
            var second = await pages.OpenAsync(nodes.HttpUrls[1], "on node 2").WaitAsync(ct);
            foreach (var (page, player) in new[] { (first, "rtc-a"), (second, "rtc-b") })
            {
                await BrowserPages.JoinAsync(page, player).WaitAsync(ct);
                await page.EvaluateAsync("room => window.p2p.rtc.join(room)", Room).WaitAsync(ct);
            }
            await pages.WaitForChannelAsync(first, "rtc-a", second, "rtc-b").WaitAsync(ct);
            if (!await InsideAsync(network, first, second, "at start", ct))
                return 1;

            var peer = await BrowserPages.PeerIdAsync(second).WaitAsync(ct);
            // The second page answers every relayed probe: a page answers at most 10 relayed pings a second by default.
            await second.EvaluateAsync("() => Object.assign(window.p2p.rtc.relayedReplies, { rate: 1e6, burst: 1e6, tokens: 1e6 })").WaitAsync(ct);
            var channel = new LongHistogram(MaxMicros, 3);
            var relayed = new LongHistogram(MaxMicros, 3);
            for (var i = 0; i < warmup + samples; i++)
            {
                ct.ThrowIfCancellationRequested();
                foreach (var path in i % 2 == 0 ? new[] { "channel", "relayed" } : ["relayed", "channel"])
                {
                    var ms = await first.EvaluateAsync<double>("([id, path]) => window.p2p.rtc.probe(id, path)", new object[] { peer, path }).WaitAsync(ct);
                    if (i >= warmup)
                        (path == "channel" ? channel : relayed).RecordValue((long)Math.Round(ms * 1000));
                }
                if (pause > 0)
                    await Task.Delay(pause, ct);
            }
            // ICE may switch pairs while it runs; the figures count only if the traffic was inside at the end too.
            if (!await InsideAsync(network, first, second, "at end", ct))
                return 1;
            Console.WriteLine($"## round trip page 1 (node 1) -> page 2 (node 2) -> page 1, the same ping {{t, n, ts}} on both paths, alternated, load {LoadAverage()}");
            Console.WriteLine($"  data channel        {Percentiles(channel)}");
            Console.WriteLine($"  relayed (2 nodes)   {Percentiles(relayed)}");
            Console.WriteLine($"# load average {LoadAverage()} at end");
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("rtc-roundtrip: stopped (Ctrl+C, SIGTERM or the 30-minute limit); namespace, Chromium and nodes removed");
            return 130;
        }

        void Stop(PosixSignalContext context)
        {
            // The first signal unwinds through the disposals above; a second one ends the process at once.
            if (stop.IsCancellationRequested)
                return;
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>Prints both pages' selected ICE pair; false (and why) unless both run on the namespace's own address.</summary>
    private static async Task<bool> InsideAsync(BrowserNetwork network, IPage first, IPage second, string when, CancellationToken ct)
    {
        var inside = true;
        foreach (var (name, page, other) in new[] { ("page 1", first, second), ("page 2", second, first) })
        {
            var pair = await BrowserPages.SelectedPairAsync(page, other).WaitAsync(ct);
            var problem = pair.OutsideOf(network.NamespaceAddress);
            Console.WriteLine($"# selected ICE pair {when}, {name}: {pair} — {problem ?? $"inside the namespace ({network.NamespaceAddress})"}");
            inside &= problem is null;
        }
        if (!inside)
            Console.Error.WriteLine("rtc-roundtrip: the data channel does not run on the namespace address; no figures");
        return inside;
    }

    private static string Percentiles(LongHistogram h) => string.Create(CultureInfo.InvariantCulture,
        $"n={h.TotalCount} p50 {h.GetValueAtPercentile(50) / 1000.0:0.00} ms, p95 {h.GetValueAtPercentile(95) / 1000.0:0.00} ms, p99 {h.GetValueAtPercentile(99) / 1000.0:0.00} ms, max {h.GetMaxValue() / 1000.0:0.00} ms");

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        return 2;
    }
}
