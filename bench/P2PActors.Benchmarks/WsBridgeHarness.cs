using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// The browser bridge (<c>/ws</c>) on real node processes started from the built DLL, all traffic on 127.0.0.1:
/// <list type="bullet">
/// <item><c>ws-roundtrip [--samples 1000] [--warmup 200]</c>: generating a character over <c>/ws</c> next to the same
/// over HTTP, interleaved on one node in one run, with fresh seeds (generation included) and one repeated seed (cache hit).</item>
/// <item><c>ws-fanout [--clients 500] [--nodes 3] [--hz 5] [--zones 10] [--duration 20] [--warmup 5] [--drain 20]</c>: clients spread
/// over the nodes, each moving at <c>hz</c> in one of <c>zones</c> shared maps and subscribed to its positions;
/// delivery latency and reach (docs/benchmarks.md, "Browser bridge").</item>
/// </list>
/// </summary>
internal static class WsBridgeHarness
{
    private const long MaxMicros = 120_000_000;

    public static async Task<int> RoundTripAsync(string[] args)
    {
        var samples = IntOption(args, "--samples", 1000);
        var warmup = IntOption(args, "--warmup", 200);
        var dll = BenchNodes.NodeDll(args);
        if (!File.Exists(dll))
            return Usage($"--node-dll: '{dll}' does not exist; build it with dotnet build src/P2PActors.Node -c Release");
        Console.WriteLine($"# ws-roundtrip on {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        // Back-to-back cache hits exceed the per-connection limit of 50 messages/s; this measures the transport, not the limiter.
        await using var nodes = await BenchNodes.StartAsync(dll, 1, timeout.Token, "--ws-rate", "100000", "--ws-burst", "100000");
        await using var ws = await BenchWsClient.ConnectAsync(nodes.HttpUrls[0], timeout.Token);
        Expect(await ws.RequestAsync("hello", new Dictionary<string, object?> { ["playerId"] = "rtt-ws" }, timeout.Token), "welcome");
        using var http = new HttpClient { BaseAddress = nodes.HttpUrls[0] };

        foreach (var cached in new[] { false, true })
        {
            var viaWs = new LongHistogram(MaxMicros, 3);
            var viaHttp = new LongHistogram(MaxMicros, 3);
            for (var i = 0; i < warmup + samples; i++)
            {
                // Fresh seeds make both paths generate; one repeated seed measures the transport around a cache hit.
                var seed = cached ? 7 : 1_000_000 + 2 * i;
                var start = Stopwatch.GetTimestamp();
                Expect(await ws.RequestAsync("generate", new Dictionary<string, object?> { ["contentType"] = "character", ["seed"] = seed }, timeout.Token), "generated");
                var wsMicros = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/api/content/character", new { playerId = "rtt-http", seed = cached ? 7 : seed + 1 }, timeout.Token);
                await response.Content.ReadAsByteArrayAsync(timeout.Token);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"HTTP generate answered {(int)response.StatusCode}");
                var httpMicros = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (i < warmup)
                    continue;
                viaWs.RecordValue(wsMicros);
                viaHttp.RecordValue(httpMicros);
            }
            var what = cached ? "cache hit (same seed)" : "fresh seed (generates)";
            Console.WriteLine($"## generate character, {what}, {samples} samples each after {warmup} warm-up, interleaved, load {LoadAverage()}");
            Console.WriteLine($"  /ws  {Percentiles(viaWs)}");
            Console.WriteLine($"  HTTP {Percentiles(viaHttp)}");
        }
        Console.WriteLine($"# load average {LoadAverage()} at end");
        return 0;
    }

    public static async Task<int> FanOutAsync(string[] args)
    {
        var clients = IntOption(args, "--clients", 500);
        var nodeCount = IntOption(args, "--nodes", 3);
        var hz = double.Parse(StringOption(args, "--hz", "5"), CultureInfo.InvariantCulture);
        var zoneCount = IntOption(args, "--zones", 10);
        var duration = double.Parse(StringOption(args, "--duration", "20"), CultureInfo.InvariantCulture);
        var warmupSeconds = double.Parse(StringOption(args, "--warmup", "5"), CultureInfo.InvariantCulture);
        var drain = double.Parse(StringOption(args, "--drain", "20"), CultureInfo.InvariantCulture);
        var dll = BenchNodes.NodeDll(args);
        if (!double.IsFinite(drain) || drain is < 1 or > 600) return Usage($"--drain: {drain} must be between 1 and 600 seconds");
        if (clients is < 1 or > 5000) return Usage($"--clients: {clients} must be between 1 and 5000");
        if (nodeCount is < 1 or > 7) return Usage($"--nodes: {nodeCount} must be between 1 and 7");
        if (!double.IsFinite(hz) || hz is <= 0 or > 50) return Usage($"--hz: {hz} must be above 0 and at most 50 (the node's default rate limit)");
        if (zoneCount < 1 || zoneCount > clients) return Usage($"--zones: {zoneCount} must be between 1 and --clients");
        if (!double.IsFinite(duration) || duration is < 1 or > 600) return Usage($"--duration: {duration} must be between 1 and 600 seconds");
        if (!double.IsFinite(warmupSeconds) || warmupSeconds is < 0 or > 120) return Usage($"--warmup: {warmupSeconds} must be between 0 and 120 seconds");
        if (!File.Exists(dll)) return Usage($"--node-dll: '{dll}' does not exist; build it with dotnet build src/P2PActors.Node -c Release");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# ws-fanout on {Environment.ProcessorCount} cores: {clients} clients over {nodeCount} nodes, {hz} Hz, {zoneCount} zones, {duration} s after {warmupSeconds} s warm-up, load average {LoadAverage()} at start"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(duration + warmupSeconds + 600));
        var ct = timeout.Token;
        var started = Stopwatch.GetTimestamp();
        await using var nodes = await BenchNodes.StartAsync(dll, nodeCount, ct);
        Console.WriteLine($"# {nodeCount} nodes up in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, pids {string.Join(",", nodes.Processes.Select(p => p.Id))}");

        var zones = await ShareMapsAsync(nodes, zoneCount, ct);
        Console.WriteLine($"# {zoneCount} maps shared and accepted as zones by every node");

        var movesPerClient = (int)Math.Ceiling((duration + warmupSeconds) * hz) + 2;
        var run = new FanOutRun(clients, zoneCount, movesPerClient);
        var sockets = new BenchWsClient[clients];
        try
        {
            started = Stopwatch.GetTimestamp();
            // Connecting in small parallel batches: 500 handshakes at once would time out on a loaded machine.
            foreach (var batch in Enumerable.Range(0, clients).Chunk(25))
            {
                await Task.WhenAll(batch.Select(async i =>
                {
                    var socket = await BenchWsClient.ConnectAsync(nodes.HttpUrls[i % nodeCount], ct);
                    sockets[i] = socket;
                    Expect(await socket.RequestAsync("hello", new Dictionary<string, object?> { ["playerId"] = $"b{i}" }, ct), "welcome");
                    Expect(await socket.RequestAsync("subscribe", new Dictionary<string, object?> { ["topics"] = new[] { "positions" }, ["zone"] = zones[i % zoneCount].Id }, ct), "subscribed");
                    socket.OnPush = frame => run.OnFrame(i, frame.Span);
                }));
            }
            Console.WriteLine($"# {clients} clients connected and subscribed in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");

            var cpuBefore = nodes.Processes.Select(BenchNodes.CpuSeconds).ToArray();
            var threadsBefore = nodes.Processes.Select(p => ThreadCpu(p.Id.ToString(CultureInfo.InvariantCulture))).ToArray();
            using var self = Process.GetCurrentProcess();
            var selfBefore = self.TotalProcessorTime;
            var measureStart = 0L;
            var origin = Stopwatch.GetTimestamp();
            var warmupEnd = origin + (long)(warmupSeconds * Stopwatch.Frequency);
            var movesEnd = warmupEnd + (long)(duration * Stopwatch.Frequency);
            var measuring = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(warmupSeconds), ct);
                measureStart = Stopwatch.GetTimestamp();
                cpuBefore = nodes.Processes.Select(BenchNodes.CpuSeconds).ToArray();
                threadsBefore = nodes.Processes.Select(p => ThreadCpu(p.Id.ToString(CultureInfo.InvariantCulture))).ToArray();
                self.Refresh();
                selfBefore = self.TotalProcessorTime;
            }, ct);
            await Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
                run.MoveLoopAsync(i, sockets[i], zones[i % zoneCount], hz, origin, warmupEnd, movesEnd, ct)));
            await measuring;
            var wall = Stopwatch.GetElapsedTime(measureStart).TotalSeconds;
            var cpuAfter = nodes.Processes.Select(BenchNodes.CpuSeconds).ToArray();
            var threadsAfter = nodes.Processes.Select(p => ThreadCpu(p.Id.ToString(CultureInfo.InvariantCulture))).ToArray();
            self.Refresh();
            var selfCores = (self.TotalProcessorTime - selfBefore).TotalSeconds / wall;
            var loadAtEnd = LoadAverage();

            // Drain: every delivery still in flight, until no position arrived for a second (at most --drain seconds).
            var drainStart = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(run.LastDelivery).TotalSeconds < 1 && Stopwatch.GetElapsedTime(drainStart).TotalSeconds < drain)
                await Task.Delay(100, ct);

            run.Report(hz, wall, loadAtEnd, Stopwatch.GetElapsedTime(drainStart).TotalSeconds);
            for (var n = 0; n < nodeCount; n++)
            {
                var (rss, peak) = BenchNodes.Memory(nodes.Processes[n]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  node {n + 1} (pid {nodes.Processes[n].Id}): {(cpuAfter[n] - cpuBefore[n]) / wall:0.00} cores, RSS {rss:0} MiB (peak {peak:0} MiB); busiest threads:"));
                var byName = threadsAfter[n]
                    .Select(t => (Name: IdleHarness.Group(t.Value.Name), Ticks: t.Value.Ticks - (threadsBefore[n].TryGetValue(t.Key, out var b) ? b.Ticks : 0)))
                    .GroupBy(t => t.Name)
                    .Select(g => (Name: g.Key, Threads: g.Count(), Cores: g.Sum(t => t.Ticks) / 100.0 / wall))
                    .OrderByDescending(g => g.Cores)
                    .Take(6);
                foreach (var (name, threads, cores) in byName)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {name,-24} {cores:0.00} cores ({threads} threads)"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  harness (clients) process: {selfCores:0.00} cores"));
        }
        finally
        {
            await Task.WhenAll(sockets.Where(s => s is not null).Select(s => s.DisposeAsync().AsTask()));
        }
        Console.WriteLine($"# load average {LoadAverage()} at end");
        return 0;
    }

    /// <summary>Generates one map per zone, shares it through the vote, and waits until every node accepts moves on it.</summary>
    private static async Task<List<Zone>> ShareMapsAsync(BenchNodes nodes, int count, CancellationToken ct)
    {
        await using var setup = await BenchWsClient.ConnectAsync(nodes.HttpUrls[0], ct);
        Expect(await setup.RequestAsync("hello", new Dictionary<string, object?> { ["playerId"] = "bench-setup" }, ct), "welcome");
        var zones = new List<Zone>();
        for (var z = 0; z < count; z++)
        {
            var generated = Expect(await setup.RequestAsync("generate", new Dictionary<string, object?> { ["contentType"] = "map", ["seed"] = 5000 + z }, ct), "generated");
            var content = generated.GetProperty("content");
            var rows = content.GetProperty("rows").EnumerateArray().Select(r => r.GetString()!).ToArray();
            var walkable = new List<(int X, int Y)>();
            for (var y = 0; y < rows.Length; y++)
            for (var x = 0; x < rows[y].Length; x++)
            {
                // The zone check's own rule (ZoneMaps uses Tiles.IsWalkable), so every move is one the node accepts.
                if (P2PActors.Content.Model.Tiles.IsWalkable(rows[y][x]))
                    walkable.Add((x, y));
            }
            var id = content.GetProperty("id").GetString()!;
            // The first votes between fresh processes can be undecided; a client tries again.
            for (var attempt = 1; ; attempt++)
            {
                var shared = await setup.RequestAsync("share", new Dictionary<string, object?> { ["contentId"] = id }, ct);
                if (shared.GetProperty("type").GetString() == "shared")
                    break;
                if (attempt >= 10)
                    throw new InvalidOperationException($"sharing map {id} failed: {shared}");
                await Task.Delay(500, ct);
            }
            zones.Add(new Zone(id, [.. walkable]));
        }
        for (var n = 0; n < nodes.HttpUrls.Count; n++)
        {
            await using var probe = await BenchWsClient.ConnectAsync(nodes.HttpUrls[n], ct);
            Expect(await probe.RequestAsync("hello", new Dictionary<string, object?> { ["playerId"] = $"bench-probe-{n}" }, ct), "welcome");
            foreach (var zone in zones)
            {
                // The catalog reaches the other nodes by replication: wait until each node's zone check knows the map.
                var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
                while (true)
                {
                    var moved = await probe.RequestAsync("move", new Dictionary<string, object?> { ["zone"] = zone.Id, ["x"] = zone.Walkable[0].X + 0.5, ["y"] = zone.Walkable[0].Y + 0.5 }, ct);
                    if (moved.GetProperty("type").GetString() == "moved")
                        break;
                    if (Stopwatch.GetTimestamp() > deadline)
                        throw new InvalidOperationException($"node {n + 1} never accepted zone {zone.Id}: {moved}");
                    await Task.Delay(200, ct);
                }
            }
        }
        return zones;
    }

    internal sealed record Zone(string Id, (int X, int Y)[] Walkable);

    private static JsonElement Expect(JsonElement frame, string type) =>
        frame.GetProperty("type").GetString() == type ? frame : throw new InvalidOperationException($"expected '{type}', got {frame}");

    internal static string Percentiles(LongHistogram h) => string.Create(CultureInfo.InvariantCulture,
        $"n={h.TotalCount} p50 {h.GetValueAtPercentile(50) / 1000.0:0.00} ms, p90 {h.GetValueAtPercentile(90) / 1000.0:0.00} ms, p99 {h.GetValueAtPercentile(99) / 1000.0:0.00} ms, max {h.GetMaxValue() / 1000.0:0.00} ms");

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        return 2;
    }

    /// <summary>
    /// The bookkeeping of one fan-out run. Move <c>seq</c> of client <c>p</c> carries <c>seq</c> in the millionths of its
    /// x coordinate (the zone check only looks at the whole tile), so a receiver knows which move a push is and when it
    /// was sent (same process, same clock). Each receive loop writes only its own row, so no locks on the hot path.
    /// </summary>
    private sealed class FanOutRun(int clients, int zones, int movesPerClient)
    {
        private readonly long[][] _sentAt = [.. Enumerable.Range(0, clients).Select(_ => new long[movesPerClient + 1])];
        private readonly bool[][] _refused = [.. Enumerable.Range(0, clients).Select(_ => new bool[movesPerClient + 1])];
        private readonly int[] _lastSent = new int[clients];
        private readonly int[] _firstCounted = [.. Enumerable.Repeat(int.MaxValue, clients)];
        private readonly int[][] _delivered = [.. Enumerable.Range(0, clients).Select(_ => new int[clients])];
        private readonly int[][] _lastSeen = [.. Enumerable.Range(0, clients).Select(_ => new int[clients])];
        private readonly long[] _outOfOrder = new long[clients];
        private readonly LongHistogram[] _latency = [.. Enumerable.Range(0, clients).Select(_ => new LongHistogram(MaxMicros, 3))];
        private readonly LongHistogram[] _moveRtt = [.. Enumerable.Range(0, clients).Select(_ => new LongHistogram(MaxMicros, 3))];
        private readonly Dictionary<string, int>[] _errors = [.. Enumerable.Range(0, clients).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];
        private bool _frozen;
        private long _lateTicks;
        private long _skipped;
        private long _lastDelivery = Stopwatch.GetTimestamp();

        public long LastDelivery => Interlocked.Read(ref _lastDelivery);

        public async Task MoveLoopAsync(int i, BenchWsClient socket, Zone zone, double hz, long origin, long warmupEnd, long end, CancellationToken ct)
        {
            var period = (long)(Stopwatch.Frequency / hz);
            var random = new Random(i);
            // Spread the clients' ticks over the period so 2,500 moves/s arrive as a stream, not in bursts.
            var next = origin + random.NextInt64(period);
            var seq = 0;
            var body = new ArrayBufferWriterPool();
            while (true)
            {
                var wait = next - Stopwatch.GetTimestamp();
                if (wait > 0)
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                var now = Stopwatch.GetTimestamp();
                if (now >= end || seq >= movesPerClient)
                    break;
                seq++;
                if (now >= warmupEnd && _firstCounted[i] == int.MaxValue)
                    Volatile.Write(ref _firstCounted[i], seq);
                var (tx, ty) = zone.Walkable[random.Next(zone.Walkable.Length)];
                var frame = body.Move(seq, zone.Id, tx + seq * 1e-6, ty + 0.5);
                _sentAt[i][seq] = Stopwatch.GetTimestamp();
                Volatile.Write(ref _lastSent[i], seq);
                await socket.SendAsync(frame, ct);
                Interlocked.Add(ref _lateTicks, Math.Max(0, now - next));
                next += period;
                // A client that fell more than a period behind skips ahead instead of bursting to catch up.
                if (Stopwatch.GetTimestamp() - next > period)
                {
                    Interlocked.Increment(ref _skipped);
                    next = Stopwatch.GetTimestamp();
                }
            }
        }

        /// <summary>A frame without a waiting request: a positions push or the answer to a move.</summary>
        public void OnFrame(int receiver, ReadOnlySpan<byte> frame)
        {
            if (Volatile.Read(ref _frozen))
                return;
            var now = Stopwatch.GetTimestamp();
            var reader = new Utf8JsonReader(frame);
            reader.Read();
            string? type = null, id = null, code = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = reader.GetString(); }
                else if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = reader.GetString(); }
                else if (reader.ValueTextEquals("code"u8)) { reader.Read(); code = reader.GetString(); }
                else if (reader.ValueTextEquals("moves"u8))
                {
                    // Only a positions push has moves: each is one player's newest position.
                    reader.Read();
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        string? player = null;
                        var x = double.NaN;
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (reader.ValueTextEquals("playerId"u8)) { reader.Read(); player = reader.GetString(); }
                            else if (reader.ValueTextEquals("x"u8)) { reader.Read(); x = reader.GetDouble(); }
                            else { reader.Read(); reader.Skip(); }
                        }
                        OnMove(receiver, player, x, now);
                    }
                }
                else { reader.Read(); reader.Skip(); }
            }
            if (type == "positions")
                return;
            if (id is ['m', ..] && int.TryParse(id.AsSpan(1), CultureInfo.InvariantCulture, out var seq) && seq <= movesPerClient)
            {
                if (type == "moved")
                {
                    _moveRtt[receiver].RecordValue(Math.Max(0, (long)((now - _sentAt[receiver][seq]) * 1e6 / Stopwatch.Frequency)));
                }
                else
                {
                    // "unavailable" means the node did not answer in time, not that it refused: the write may still
                    // land (and be pushed), so such a move stays among those to deliver.
                    if (code != "unavailable")
                        _refused[receiver][seq] = true;
                    var key = code ?? type ?? "?";
                    _errors[receiver][key] = _errors[receiver].GetValueOrDefault(key) + 1;
                }
            }
        }

        private void OnMove(int receiver, string? player, double x, long now)
        {
            if (player is not ['b', ..] || !int.TryParse(player.AsSpan(1), CultureInfo.InvariantCulture, out var p) || p >= clients)
                return;
            var seq = (int)Math.Round((x - Math.Floor(x)) * 1e6);
            if (seq < 1 || seq > movesPerClient)
                return;
            Interlocked.Exchange(ref _lastDelivery, now);
            if (seq <= _lastSeen[receiver][p])
            {
                _outOfOrder[receiver]++;
                return;
            }
            _lastSeen[receiver][p] = seq;
            if (seq >= Volatile.Read(ref _firstCounted[p]))
            {
                _delivered[receiver][p]++;
                _latency[receiver].RecordValue(Math.Max(0, (long)((now - _sentAt[p][seq]) * 1e6 / Stopwatch.Frequency)));
            }
        }

        public void Report(double hz, double wall, string load, double drained)
        {
            // Frames still arriving after the drain are not counted, so every figure below describes the same moment.
            Volatile.Write(ref _frozen, true);

            var latency = new LongHistogram(MaxMicros, 3);
            var moveRtt = new LongHistogram(MaxMicros, 3);
            foreach (var h in _latency) latency.Add(h);
            foreach (var h in _moveRtt) moveRtt.Add(h);
            long sent = 0, refusedCounted = 0, expected = 0, delivered = 0, coalesced = 0, lost = 0, outOfOrder = _outOfOrder.Sum();
            for (var p = 0; p < clients; p++)
            {
                var first = _firstCounted[p];
                var last = _lastSent[p];
                if (first > last)
                    continue;
                sent += last - first + 1;
                // accepted[k] = counted moves of p with seq ≤ k that the node did not refuse.
                var acceptedUpTo = new int[last + 1];
                for (var s = 1; s <= last; s++)
                    acceptedUpTo[s] = acceptedUpTo[s - 1] + (s >= first && !_refused[p][s] ? 1 : 0);
                refusedCounted += last - first + 1 - acceptedUpTo[last];
                for (var r = p % zones; r < clients; r += zones)
                {
                    var seen = Math.Min(_lastSeen[r][p], last);
                    expected += acceptedUpTo[last];
                    delivered += _delivered[r][p];
                    coalesced += acceptedUpTo[seen] - _delivered[r][p];
                    lost += acceptedUpTo[last] - acceptedUpTo[seen];
                }
            }
            var errors = _errors.SelectMany(e => e).GroupBy(e => e.Key).Select(g => $"{g.Key} {g.Sum(e => e.Value)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"## fan-out: {sent} moves in {wall:0.0} s = {sent / wall:0} moves/s (target {clients * hz:0}/s; {Interlocked.Read(ref _skipped)} ticks skipped, mean send lateness {Interlocked.Read(ref _lateTicks) * 1000.0 / Stopwatch.Frequency / Math.Max(1, sent):0.0} ms), load {load}"));
            Console.WriteLine($"  refused moves {refusedCounted}, error answers: {(errors.Any() ? string.Join(", ", errors) : "none")}; move answer round trip {Percentiles(moveRtt)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  positions to deliver {expected}: delivered {delivered}, coalesced {coalesced} ({100.0 * coalesced / Math.Max(1, expected):0.00} %), lost (not delivered {drained:0.0} s after the last move) {lost}, out of order {outOfOrder}; reach {100.0 * delivered / Math.Max(1, delivered + lost):0.000} %"));
            Console.WriteLine($"  delivery latency (send → receiver) {Percentiles(latency)}");
        }
    }

    /// <summary>A move frame built into one buffer per client, so 2,500 moves/s allocate no strings.</summary>
    private sealed class ArrayBufferWriterPool
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(256);

        public ReadOnlyMemory<byte> Move(int seq, string zone, double x, double y)
        {
            _buffer.ResetWrittenCount();
            using var writer = new Utf8JsonWriter(_buffer);
            writer.WriteStartObject();
            writer.WriteString("type"u8, "move"u8);
            writer.WriteString("id"u8, string.Create(CultureInfo.InvariantCulture, $"m{seq}"));
            writer.WriteString("zone"u8, zone);
            writer.WriteNumber("x"u8, x);
            writer.WriteNumber("y"u8, y);
            writer.WriteEndObject();
            writer.Flush();
            return _buffer.WrittenMemory;
        }
    }
}
