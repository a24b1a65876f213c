using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace P2PActors.Node.Tests.Fuzz;

/// <summary>
/// Issue 14 §1's fuzz: more than 10,000 hostile requests from a fixed seed over every HTTP endpoint and every /ws
/// request type, against the node executable as a user starts it. No answer may be a 5xx (on /ws: an
/// <c>internal</c> error or a 1011 close), the node must be healthy afterwards, what was written before (content,
/// ratings, position, inventory, catalog) must read back byte for byte, and the node's log must hold no error and no
/// stack trace.
/// </summary>
public sealed partial class HostileFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 14;
    private const int BodyCases = 4_000;
    private const int PathCases = 2_400;
    private const int RawCases = 500;
    private const int WsConnections = 44;
    private const int FramesPerConnection = 80; // under the default burst of 100, so few answers are rate-limited
    private const int WsFramingCases = 24;
    private const int StalledBodies = 3;
    private const string Keeper = "keeper";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The whole fuzz must end within this; a node that hangs on some request fails the test rather than the run.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (ERR|FTL)\]|\[ERROR\]|^\s+at \S")]
    private static partial Regex ErrorOrStackLine();

    private sealed record Outcome(string Case, int Status, string? Detail = null);

    private sealed record Protected(string Content, string Unshared);

    /// <summary>
    /// The fuzz's path cases (the same seed and count as the run above, generated without a node) reach the paged
    /// <c>GET /api/state</c> with hostile skip and take, and <c>GET /api/players/{id}</c> with hostile ids (the
    /// protected player's among them) and queries; and the generator gives the same cases every time.
    /// </summary>
    [Fact]
    public void The_path_cases_page_the_state_and_read_single_players_with_hostile_ids_and_queries()
    {
        var content = new string('c', 64);
        var cases = PathCasesOf(new HostileRequests(Seed, Keeper, content, new string('d', 64)));
        // Bodies are arrays (compared by reference); the description shows method, path, mutation and body.
        Assert.Equal(cases.Select(c => c.ToString()), PathCasesOf(new HostileRequests(Seed, Keeper, content, new string('d', 64))).Select(c => c.ToString()));

        var state = cases.Where(c => c.Method == "GET" && c.Path.StartsWith("/api/state?", StringComparison.Ordinal)).ToList();
        Assert.True(state.Count >= 50, $"only {state.Count} paged state reads");
        Assert.Contains(state, c => c.Path.Contains("skip=-1", StringComparison.Ordinal));
        Assert.Contains(state, c => c.Path.Contains("take=99999999999999999999", StringComparison.Ordinal));
        Assert.Contains(state, c => c.Path.Contains("take=%ED%A0%80", StringComparison.Ordinal));
        Assert.Contains(state, c => c.Path.Contains("&take=1&take=2", StringComparison.Ordinal));

        var players = cases.Where(c => c.Method == "GET" && PlayerPath().IsMatch(c.Path)).ToList();
        Assert.True(players.Count >= 50, $"only {players.Count} single-player reads");
        Assert.Contains(players, c => c.Path.StartsWith($"/api/players/{Keeper}?", StringComparison.Ordinal));
        var ids = players.Select(c => PlayerPath().Match(c.Path).Groups[1].Value).ToHashSet();
        Assert.True(ids.Count >= 10, $"only {ids.Count} different ids: {string.Join(", ", ids)}");
        Assert.Contains(ids, id => id is "%ED%A0%80" or "%FF" or "%C0%AF"); // not UTF-8
        Assert.Contains(ids, id => id.Length > 64); // longer than a player id may be
        Assert.Contains(players, c => c.Path.Contains("?skip=", StringComparison.Ordinal));
    }

    private static List<HttpCase> PathCasesOf(HostileRequests generator)
    {
        // The run draws its body cases first from the same generator; so must this.
        for (var i = 0; i < BodyCases; i++)
            generator.NextBodyCase();
        return Enumerable.Range(0, PathCases).Select(_ => generator.NextPathCase()).ToList();
    }

    /// <summary><c>/api/players/{id}</c> with no further segment, with or without a query.</summary>
    [GeneratedRegex(@"^/api/players/([^/?]*)(\?.*)?$")]
    private static partial Regex PlayerPath();

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_and_change_nothing_written_before()
    {
        await using var node = NodeProcess.Start("fuzz", dataDirectory =>
            // No write budget: thousands of writes from one address would be 429s before their bodies are read, and
            // the fuzz is about what those bodies and paths do (WriteRateLimitTests covers the budget).
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory, "--request-timeout", "00:01:00", "--http-write-rate", "0"]);
        var listening = await node.LineAsync(line => ListeningOn().IsMatch(line)).WaitAsync(Patience);
        var baseUri = new Uri(ListeningOn().Match(listening).Groups[1].Value);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = baseUri, Timeout = Patience };
        // Healthy is this node Up (/health); its members push says so without polling.
        await NodeSignals.MembersUpAsync(baseUri, 1, Patience, () => node.Output);

        var written = await WriteAsync(http);
        var before = await ReadBackAsync(http, written);
        var generator = new HostileRequests(Seed, Keeper, written.Content, written.Unshared);
        var types = await WsTypesAsync(baseUri);
        var httpCases = Enumerable.Range(0, BodyCases).Select(_ => generator.NextBodyCase())
            .Concat(Enumerable.Range(0, PathCases).Select(_ => generator.NextPathCase()))
            .ToList();
        var rawCases = Enumerable.Range(0, RawCases).Select(_ => generator.NextRawCase()).ToList();
        var wsPlans = Enumerable.Range(0, WsConnections)
            .Select(c => Enumerable.Range(0, FramesPerConnection)
                .Select(f => generator.NextWsCase(types[(c + f) % types.Count], $"f{f}"))
                .ToList())
            .ToList();
        var framing = Enumerable.Range(0, WsFramingCases).Select(_ => generator.NextWsFramingCase()).ToList();

        var outcomes = new ConcurrentQueue<Outcome>();
        using var budget = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();
        // Clients that stall inside their body run alongside: Kestrel times each out after ~5 s (408).
        var stalled = Enumerable.Range(0, StalledBodies)
            .Select(_ => RawHttp.SendAsync(baseUri, "PUT", $"/api/players/{Keeper}/position", ["Content-Type: application/json", "Content-Length: 100"],
                "{"u8.ToArray(), halfClose: false, Budget))
            .ToList();
        await Task.WhenAll(
            RunHttpAsync(http, httpCases, outcomes, budget.Token),
            RunRawAsync(baseUri, rawCases, outcomes, budget.Token),
            RunWsAsync(baseUri, wsPlans, framing, outcomes, budget.Token));
        foreach (var answer in await Task.WhenAll(stalled))
            outcomes.Enqueue(new Outcome("stalled body", answer.Status, answer.ToString()));
        clock.Stop();

        var all = outcomes.ToList();
        output.WriteLine($"{all.Count} hostile requests in {clock.Elapsed.TotalSeconds:F1} s; statuses: " +
            string.Join(", ", all.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
        Assert.True(all.Count >= 10_000, $"only {all.Count} requests were sent");
        var serverErrors = all.Where(o => o.Status >= 500).ToList();
        var unanswered = all.Where(o => o.Status is -1).ToList();
        Assert.True(serverErrors.Count == 0 && unanswered.Count == 0,
            $"{serverErrors.Count} answers were 5xx and {unanswered.Count} requests got no answer, e.g.\n" +
            string.Join("\n", serverErrors.Take(8).Concat(unanswered.Take(8)).Select(o => $"{o.Status} {o.Case}\n  {o.Detail}")) +
            $"\nthe node's errors:\n{string.Join("\n", node.Lines.Where(line => ErrorOrStackLine().IsMatch(line)).Take(40))}");
        Assert.All(all.Where(o => o.Case == "stalled body"), o => Assert.Equal(408, o.Status));

        using (var health = await http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var after = await ReadBackAsync(http, written);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (what, bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[what]), $"{what} changed:\nbefore {Encoding.UTF8.GetString(bytes)}\nafter  {Encoding.UTF8.GetString(after[what])}");

        await AssertLogIsCleanAsync(node, baseUri);
    }

    /// <summary>What the fuzz must not change: content, a shared catalog entry, a rating, the opt-in, a position, an inventory.</summary>
    private static async Task<Protected> WriteAsync(HttpClient http)
    {
        var content = await ContentIdAsync(await PostAsync(http, "/api/content/character", $$"""{ "playerId": "{{Keeper}}", "seed": 1401, "params": { "class": "mage" } }"""));
        var unshared = await ContentIdAsync(await PostAsync(http, "/api/content/item", $$"""{ "playerId": "{{Keeper}}", "seed": 1402 }"""));
        await ExpectAsync(await PostAsync(http, "/api/catalog", $$"""{ "contentId": "{{content}}", "author": "{{Keeper}}" }"""), HttpStatusCode.Created);
        await ExpectAsync(await PostAsync(http, $"/api/content/{content}/ratings", $$"""{ "playerId": "{{Keeper}}", "stars": 4 }"""), HttpStatusCode.Created);
        await ExpectAsync(await SendAsync(http, "PUT", $"/api/players/{Keeper}/sharing", """{ "share": true }"""), HttpStatusCode.OK);
        foreach (var item in new[] { "relic-1", "map.fragment:2" })
            await ExpectAsync(await SendAsync(http, "POST", $"/api/players/{Keeper}/inventory/{item}", null), HttpStatusCode.OK, HttpStatusCode.Accepted);
        // Last, so the keeper's position is the newest write before the fuzz.
        await ExpectAsync(await SendAsync(http, "PUT", $"/api/players/{Keeper}/position", """{ "zone": "keep", "x": 7.25, "y": -8 }"""),
            HttpStatusCode.OK, HttpStatusCode.Accepted);
        return new Protected(content, unshared);
    }

    /// <summary>The protected data as the node answers it, byte for byte.</summary>
    private static async Task<SortedDictionary<string, byte[]>> ReadBackAsync(HttpClient http, Protected written)
    {
        var read = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in new[]
        {
            $"/api/content/{written.Content}", $"/api/content/{written.Unshared}", $"/api/players/{Keeper}/ratings",
            $"/api/players/{Keeper}/preferences", "/api/catalog?take=1000", "/api/catalog?type=character",
        })
        {
            using var response = await http.GetAsync(path);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
            read[path] = bytes;
        }
        // The keeper read back by id (online or not, whatever page /api/state would list it on): position and inventory must not move.
        using var player = JsonDocument.Parse(await http.GetByteArrayAsync($"/api/players/{Keeper}"));
        read["keeper.position"] = Encoding.UTF8.GetBytes(player.RootElement.GetProperty("position").GetRawText());
        read["keeper.inventory"] = Encoding.UTF8.GetBytes(player.RootElement.GetProperty("inventory").GetRawText());
        return read;
    }

    private static async Task RunHttpAsync(HttpClient http, List<HttpCase> cases, ConcurrentQueue<Outcome> outcomes, CancellationToken ct) =>
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (c, token) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
            if (c.Body is not null)
            {
                var content = new StreamContent(new MemoryStream(c.Body));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (!c.Chunked)
                    content.Headers.ContentLength = c.Body.Length;
                request.Content = content;
                request.Headers.TransferEncodingChunked = c.Chunked;
            }
            try
            {
                using var response = await http.SendAsync(request, token);
                var body = await response.Content.ReadAsStringAsync(token);
                outcomes.Enqueue(new Outcome(c.ToString(), (int)response.StatusCode, body.Length > 300 ? body[..300] : body));
            }
            catch (HttpRequestException e) when (c.Mutation.StartsWith("oversized", StringComparison.Ordinal))
            {
                // The node answers 413 as soon as it knows, and may close before the client has finished uploading.
                outcomes.Enqueue(new Outcome(c.ToString(), 413, $"connection closed during the upload: {e.Message}"));
            }
            catch (HttpRequestException e)
            {
                outcomes.Enqueue(new Outcome(c.ToString(), -1, e.ToString()));
            }
        });

    private static async Task RunRawAsync(Uri node, List<RawCase> cases, ConcurrentQueue<Outcome> outcomes, CancellationToken ct) =>
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (c, token) =>
        {
            var answer = await RawHttp.SendAsync(node, c.Method, c.Path, c.Head, c.Body, c.HalfClose, Patience);
            // A client that half-closes is taken as gone: Kestrel need not answer it.
            var status = answer.Status == 0 && !c.HalfClose ? -1 : answer.Status;
            outcomes.Enqueue(new Outcome(c.ToString(), status, answer.ToString()));
        });

    private static async Task RunWsAsync(Uri node, List<List<WsCase>> plans, List<WsCase> framing, ConcurrentQueue<Outcome> outcomes, CancellationToken ct)
    {
        var connection = 0;
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (plan, token) =>
        {
            var number = Interlocked.Increment(ref connection);
            await using var ws = await WsClient.ConnectAsync(node);
            // Most connections act as a player of their own, so the requests that need a session get past that check.
            if (number % 4 != 0)
                await ws.HelloAsync($"ws-player-{number}");
            foreach (var c in plan)
            {
                await ws.Socket.SendAsync(c.Frame, c.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, token);
                var (answer, problem) = await AnswerAsync(ws);
                outcomes.Enqueue(answer is { } frame ? new Outcome($"ws {c}", WsStatus(frame), frame.ToString()) : new Outcome($"ws {c}", -1, problem));
                if (answer is null)
                    return;
            }
        });
        // Frames no page sends, each on a connection of its own: the node may close on them, but never with 1011.
        await Parallel.ForEachAsync(framing, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (c, token) =>
        {
            await using var ws = await WsClient.ConnectAsync(node);
            await ws.Socket.SendAsync(c.Frame, c.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, token);
            try
            {
                var answer = await ws.ReceiveAsync();
                var status = answer is { } frame ? WsStatus(frame)
                    : ws.Socket.CloseStatus == WebSocketCloseStatus.InternalServerError ? 500 : 400;
                outcomes.Enqueue(new Outcome($"ws {c}", status, answer?.ToString() ?? $"closed {ws.Socket.CloseStatus} {ws.Socket.CloseStatusDescription}"));
            }
            catch (WebSocketException e)
            {
                // Text that is not UTF-8 breaks the WebSocket protocol itself; the node may drop such a connection outright.
                outcomes.Enqueue(new Outcome($"ws {c}", 400, $"dropped: {e.Message}"));
            }
        });
    }

    /// <summary>What the node pushes unasked (docs/protocol.md); everything else is an answer, with the request's id if it had a valid one.</summary>
    private static readonly HashSet<string> PushTypes =
    [
        "positions", "catalog-entry", "inventory-changed", "members", "validators", "consensus-outcome", "peer-joined", "peer-left",
        "signal", "signal-undelivered",
    ];

    /// <summary>The answer to the request just sent (pushes skipped), or why there is none.</summary>
    private static async Task<(JsonElement? Answer, string? Problem)> AnswerAsync(WsClient ws)
    {
        try
        {
            while (true)
            {
                if (await ws.ReceiveAsync() is not { } frame)
                    return (null, $"the node closed the connection ({ws.Socket.CloseStatus} {ws.Socket.CloseStatusDescription})");
                if (frame.TryGetProperty("id", out _) || !PushTypes.Contains(WsFrameAssert.Type(frame)))
                    return (frame, null);
            }
        }
        catch (OperationCanceledException)
        {
            return (null, $"no answer within {WsClient.Patience}");
        }
    }

    /// <summary>An /ws answer on the HTTP scale: <c>internal</c> is the node's own failure (a 500), any other error a 4xx.</summary>
    private static int WsStatus(JsonElement frame) =>
        WsFrameAssert.Type(frame) != "error" ? 200 : frame.GetProperty("code").GetString() == "internal" ? 500 : 400;

    /// <summary>Every request type the node serves, as it lists them when asked for one it does not know.</summary>
    private static async Task<List<string>> WsTypesAsync(Uri node)
    {
        await using var ws = await WsClient.ConnectAsync(node);
        var error = WsFrameAssert.Error(await ws.RequestAsync("no-such-type"), "unknown-type");
        var message = error.GetProperty("message").GetString()!;
        const string marker = "the types are ";
        var types = message[(message.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].TrimEnd('.').Split(", ").ToList();
        Assert.Contains("hello", types);
        Assert.Contains("move", types);
        return types;
    }

    /// <summary>
    /// No line of the node's log is an error or a stack frame. A last refused request whose warning names a marker
    /// shows that every line written during the fuzz has been read. Its path also carries an encoded line break and a
    /// forged error prefix before the marker, which must not open a line of their own that reads as an error.
    /// </summary>
    private static async Task AssertLogIsCleanAsync(NodeProcess node, Uri baseUri)
    {
        const string marker = "fuzz-log-marker";
        var answer = await RawHttp.SendAsync(baseUri, "PUT", $"/api/players/forged%0D%0A%5B00:00:00%20ERR%5D%20{marker}/position",
            ["Content-Type: application/json", "Transfer-Encoding: chunked"], "zz\r\n{}\r\n0\r\n\r\n"u8.ToArray(), halfClose: false, Patience);
        Assert.Equal(400, answer.Status);
        await node.LineAsync(line => line.Contains(marker, StringComparison.Ordinal)).WaitAsync(Patience);
        var bad = node.Lines.Where(line => ErrorOrStackLine().IsMatch(line)).ToList();
        Assert.True(bad.Count == 0, $"the node logged {bad.Count} error or stack trace lines, e.g.\n{string.Join("\n", bad.Take(20))}");
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json) => SendAsync(http, "POST", path, json);

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path, string? json)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return http.SendAsync(request);
    }

    private static async Task<string> ContentIdAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }
    }

    private static async Task ExpectAsync(HttpResponseMessage response, params HttpStatusCode[] expected)
    {
        using (response)
            Assert.True(expected.Contains(response.StatusCode), $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
