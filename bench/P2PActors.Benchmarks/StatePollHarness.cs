using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using HdrHistogram;
using P2PActors.Cluster.State;

namespace P2PActors.Benchmarks;

/// <summary>
/// What the world card's polls (<c>GET /api/state</c>, every 5 s from every open page) cost the players' moves on a node
/// that knows many players: one node, <c>--known</c> players with a position, of whom <c>--online</c> move all the time;
/// they move in turn, <c>--rate</c> moves a second in all, and the moves' latency is measured first alone, then with
/// <c>--polls</c> snapshots a second (the first 200 online, as the page asks).
/// <c>dotnet P2PActors.Benchmarks.dll state-poll [--known 100000] [--online 500] [--polls 4] [--seconds 8] [--rate 2000]</c>.
/// </summary>
internal static class StatePollHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var known = HarnessProbe.IntOption(args, "--known", 100_000);
        var online = HarnessProbe.IntOption(args, "--online", 500);
        var polls = HarnessProbe.IntOption(args, "--polls", 4);
        var seconds = HarnessProbe.IntOption(args, "--seconds", 8);
        var rate = HarnessProbe.IntOption(args, "--rate", 2_000);
        if (known < online || online < 1 || polls < 1 || seconds < 1 || rate < 1)
        {
            Console.Error.WriteLine("--known ≥ --online ≥ 1, --polls ≥ 1, --seconds ≥ 1, --rate ≥ 1");
            return 2;
        }
        // Long enough for the phases, short enough that the players moved while filling go offline before them.
        var presence = TimeSpan.FromSeconds(3 * seconds);
        var system = StateSyncHarness.StartNode(new GameStateSettings { PresenceTimeout = presence }, null, profileBuckets: false);
        try
        {
            while (Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < 1)
                await Task.Delay(50);
            var state = GameState.For(system);
            string Id(int i) => $"player-{i:D6}";

            var fill = Stopwatch.StartNew();
            for (var start = online; start < known; start += 1_000)
                await Task.WhenAll(Enumerable.Range(start, Math.Min(1_000, known - start))
                    .SelectMany(i => new[] { state.UpdatePositionAsync(Id(i), $"zone-{i % 7}", i % 50, i % 40), state.HeartbeatAsync(Id(i), $"zone-{i % 7}") }));
            Console.WriteLine($"# {known - online} players placed in {fill.Elapsed.TotalSeconds:0.0} s; waiting {presence.TotalSeconds:0} s for them to go offline");
            await Task.Delay(presence + TimeSpan.FromSeconds(1));

            var step = 0;
            // Open loop: moves are due at a fixed rate whether or not the last one was answered, as players' moves
            // are, and each is timed from when it was due; a mover that waited for each answer would see a blocked
            // actor once per block, however many players it kept waiting.
            async Task<LongHistogram> MoveAsync(TimeSpan duration)
            {
                var latency = new LongHistogram(10_000_000, 3);
                var inFlight = new List<Task>();
                var clock = Stopwatch.StartNew();
                long issued = 0;
                while (clock.Elapsed < duration)
                {
                    var due = (long)(clock.Elapsed.TotalSeconds * rate);
                    for (; issued < due; issued++)
                    {
                        var dueAt = issued / (double)rate;
                        var i = step++ % online;
                        inFlight.Add(state.UpdatePositionAsync(Id(i), "zone-live", step % 50, i % 40).ContinueWith(_ =>
                        {
                            var micros = (long)((clock.Elapsed.TotalSeconds - dueAt) * 1e6);
                            lock (latency) latency.RecordValue(Math.Max(0, micros));
                        }, TaskScheduler.Default));
                    }
                    await Task.Delay(1);
                }
                await Task.WhenAll(inFlight);
                return latency;
            }

            // Every online player moved once before measuring, so the snapshot lists them all.
            await MoveAsync(TimeSpan.FromSeconds(1));
            var check = await state.GetSnapshotAsync();
            Console.WriteLine($"# snapshot: {check.OnlineCount} online of {check.KnownPlayers} known");

            var alone = await MoveAsync(TimeSpan.FromSeconds(seconds));
            var pollLatency = new LongHistogram(10_000_000, 3);
            using var stop = new CancellationTokenSource();
            var pollers = Enumerable.Range(0, polls).Select(async p =>
            {
                // Each poller once a second, spread over the second as pages' timers are.
                await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * p / polls));
                while (!stop.IsCancellationRequested)
                {
                    var t = Stopwatch.GetTimestamp();
                    await state.GetSnapshotAsync();
                    lock (pollLatency) pollLatency.RecordValue((long)Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                    try { await Task.Delay(TimeSpan.FromSeconds(1) - Stopwatch.GetElapsedTime(t), stop.Token); }
                    catch (OperationCanceledException) { }
                    catch (ArgumentOutOfRangeException) { }
                }
            }).ToArray();
            var polled = await MoveAsync(TimeSpan.FromSeconds(seconds));
            await stop.CancelAsync();
            await Task.WhenAll(pollers);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {known} known, {online} online, {rate} moves a second, load {File.ReadAllText("/proc/loadavg").Trim()}"));
            Console.WriteLine($"moves, no polls          {WsBridgeHarness.Percentiles(alone)}");
            Console.WriteLine($"moves, {polls} polls a second {WsBridgeHarness.Percentiles(polled)}");
            Console.WriteLine($"the polls (snapshots)    {WsBridgeHarness.Percentiles(pollLatency)}");
            return 0;
        }
        finally
        {
            await system.Terminate();
        }
    }
}
