using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace P2PActors.Node.Tests;

/// <summary>
/// <c>GET /metrics</c> of a real node (docs/operations.md, "Metrics"). The metric names are the documented ones; every
/// expected count is worked out from what the test itself did to its own node (one node per class, its tests in turn).
/// </summary>
public sealed class MetricsTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Metrics_answers_prometheus_text_with_the_process_and_gc_figures()
    {
        using var response = await node.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE process_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_working_set_bytes gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_collection_count_total counter", text, StringComparison.Ordinal);
        var samples = Parse(text);
        // The node has started an actor system and served requests: it has used CPU and holds memory.
        Assert.True(samples["process_cpu_seconds_total"] > 0, text);
        Assert.True(samples["process_working_set_bytes"] > 1024 * 1024, text);
        Assert.True(samples.ContainsKey("dotnet_collection_count_total{generation=\"0\"}"), text);
        Assert.True(samples["dotnet_threadpool_threads"] >= 1, text);
        // Every decision has its series from the start, so a rate over it has a beginning.
        foreach (var decision in new[] { "accepted", "rejected", "undecided" })
            Assert.True(samples.ContainsKey($"p2pactors_consensus_outcomes_total{{decision=\"{decision}\"}}"), text);
        // A node alone has no peer to send it forgeries.
        Assert.Equal(0, samples["p2pactors_catalog_variants_refuted_total"]);
    }

    [Fact]
    public async Task The_ws_gauge_is_1_while_a_page_is_connected_and_0_after_it_closed_and_its_messages_are_counted()
    {
        var before = await ScrapeAsync();
        Assert.Equal(0, before["p2pactors_ws_connections"]);

        var client = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await using (client)
        {
            await WaitForAsync(s => s["p2pactors_ws_connections"] == 1, "the open connection counted");
            var pong = await client.RequestAsync("ping");
            Assert.Equal("pong", pong.GetProperty("type").GetString());
            // One message read (the ping), one frame written (the pong); nothing else went either way.
            var after = await WaitForAsync(s => s["p2pactors_ws_messages_sent_total"] == before["p2pactors_ws_messages_sent_total"] + 1,
                "the pong counted as sent");
            Assert.Equal(before["p2pactors_ws_messages_received_total"] + 1, after["p2pactors_ws_messages_received_total"]);

            using var timeout = new CancellationTokenSource(WsClient.Patience);
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        await WaitForAsync(s => s["p2pactors_ws_connections"] == 0, "the closed connection no longer counted");
    }

    [Fact]
    public async Task Sharing_content_through_the_http_api_counts_one_accepted_outcome()
    {
        var before = await ScrapeAsync();
        using var generated = await node.PostJsonAsync("/api/content/character", """{ "playerId": "metered", "seed": 1234 }""");
        generated.EnsureSuccessStatusCode();
        var id = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{id}}" }""");
        Assert.True(share.StatusCode == HttpStatusCode.Created, await share.Content.ReadAsStringAsync());

        const string accepted = "p2pactors_consensus_outcomes_total{decision=\"accepted\"}";
        var after = await WaitForAsync(s => s[accepted] == before[accepted] + 1, "the accepted share counted");
        const string rejected = "p2pactors_consensus_outcomes_total{decision=\"rejected\"}";
        const string undecided = "p2pactors_consensus_outcomes_total{decision=\"undecided\"}";
        Assert.Equal(before[rejected], after[rejected]);
        Assert.Equal(before[undecided], after[undecided]);
        // The proposal went through actors (coordinator, validator, catalog): their messages were counted.
        Assert.True(after["p2pactors_akka_messages_total"] > before["p2pactors_akka_messages_total"], $"{before["p2pactors_akka_messages_total"]} -> {after["p2pactors_akka_messages_total"]}");
        // The request itself, by its route template.
        Assert.Contains(after.Keys, k => k.StartsWith("http_requests_received_total{", StringComparison.Ordinal)
            && k.Contains("code=\"201\"", StringComparison.Ordinal) && k.Contains("method=\"POST\"", StringComparison.Ordinal)
            && k.Contains("endpoint=\"/api/catalog\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_paths_route_values_and_invented_methods_add_no_series()
    {
        // One of each kind first, so every series these requests can make exists before the count.
        await SendAsync(HttpMethod.Get, "/no-such-path-warm-up");
        await SendAsync(HttpMethod.Get, $"/api/content/{new string('0', 64)}");
        await SendAsync(new HttpMethod("BREW"), "/warm-up");
        var before = await ScrapeAsync();

        for (var i = 0; i < 5; i++)
        {
            await SendAsync(HttpMethod.Get, $"/no-such-path-{Guid.NewGuid():N}/deeper/{i}");
            await SendAsync(HttpMethod.Get, $"/api/content/{Guid.NewGuid():N}{Guid.NewGuid():N}");
            await SendAsync(new HttpMethod($"BREW{i}"), $"/coffee-{i}");
        }
        var after = await ScrapeAsync();

        // Series never go away, so none new means the same set.
        Assert.Empty(HttpSeries(after).Except(HttpSeries(before)));
        Assert.DoesNotContain(after.Keys, k => k.Contains("no-such-path", StringComparison.Ordinal) || k.Contains("BREW", StringComparison.Ordinal)
            || k.Contains("coffee", StringComparison.Ordinal));
        // They were counted all the same: five unmatched paths under the empty endpoint, five lookups under the template.
        var unmatched = Single(after, "code=\"404\"", "method=\"GET\"", "endpoint=\"\"");
        Assert.Equal(before[unmatched] + 5, after[unmatched]);
        var lookups = Single(after, "code=\"404\"", "method=\"GET\"", "endpoint=\"/api/content/{id}\"");
        Assert.Equal(before[lookups] + 5, after[lookups]);
    }

    private async Task SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await node.Http.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed,
            $"{method} {path}: {(int)response.StatusCode}");
    }

    private static SortedSet<string> HttpSeries(Dictionary<string, double> samples) =>
        new(samples.Keys.Where(k => k.StartsWith("http_", StringComparison.Ordinal)), StringComparer.Ordinal);

    private static string Single(Dictionary<string, double> samples, params string[] labels) =>
        Assert.Single(samples.Keys, k => k.StartsWith("http_requests_received_total{", StringComparison.Ordinal)
            && labels.All(l => k.Contains(l, StringComparison.Ordinal)));

    private async Task<Dictionary<string, double>> WaitForAsync(Func<Dictionary<string, double>, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var samples = await ScrapeAsync();
            if (done(samples))
                return samples;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Not within {Deadline}: {what}.");
            await Task.Delay(50);
        }
    }

    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var response = await node.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The samples of Prometheus text format 0.0.4: <c>name{labels} value</c> per line, comments skipped.</summary>
    internal static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
                continue;
            var space = line.LastIndexOf(' ');
            samples.Add(line[..space], double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return samples;
    }
}

/// <summary>A node started with metrics off (<c>--metrics false</c>).</summary>
public sealed class MetricsOffFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:Metrics"] = "false",
    };
}

public sealed class MetricsOffTests(MetricsOffFixture node) : IClassFixture<MetricsOffFixture>
{
    [Fact]
    public async Task With_metrics_off_metrics_is_404_and_the_node_serves_as_before()
    {
        using var metrics = await node.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);

        using var health = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // WebSockets work without anything counting their messages.
        var client = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await using (client)
            Assert.Equal("pong", (await client.RequestAsync("ping")).GetProperty("type").GetString());
    }
}

/// <summary>The setting's layers, as for every other one: on by default, off from the environment, a flag wins. Builds hosts only.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class MetricsSettingTests
{
    private static bool Serves(Dictionary<string, string?> flags)
    {
        using var app = P2PActors.Node.Hosting.NodeHost.Build(flags);
        var enabled = app.Services.GetRequiredService<P2PActors.Node.Configuration.NodeOptions>().Metrics;
        // The setting and what the node wires up agree.
        Assert.Equal(enabled, app.Services.GetService<P2PActors.Node.Hosting.NodeMetrics>() is not null);
        return enabled;
    }

    [Fact]
    public void Metrics_are_on_by_default_off_from_the_environment_and_a_flag_overrides_that()
    {
        Assert.True(Serves([]));
        Environment.SetEnvironmentVariable("P2PActors__Metrics", "false");
        try
        {
            Assert.False(Serves([]));
            Assert.True(Serves(new() { ["P2PActors:Metrics"] = "true" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__Metrics", null);
        }
    }
}

/// <summary>The counting mailboxes on a bare actor system of the test's own (no cluster, so nothing else sends).</summary>
public sealed class AkkaMessageMetricsTests
{
    private sealed record Release;

    private sealed record HowMany;

    private sealed class Plain : ReceiveActor
    {
        private int _seen;

        public Plain()
        {
            Receive<HowMany>(_ => Sender.Tell(_seen));
            ReceiveAny(_ => _seen++);
        }
    }

    /// <summary>Stashes everything until <see cref="Release"/>, then handles it: a deque mailbox, and every message delivered twice.</summary>
    private sealed class Stashing : ReceiveActor, IWithUnboundedStash
    {
        private int _seen;

        public IStash Stash { get; set; } = null!;

        public Stashing()
        {
            Receive<Release>(_ =>
            {
                Become(() =>
                {
                    Receive<HowMany>(_ => Sender.Tell(_seen));
                    ReceiveAny(_ => _seen++);
                });
                Stash.UnstashAll();
            });
            Receive<HowMany>(_ => Sender.Tell(-1));
            ReceiveAny(_ => Stash.Stash());
        }
    }

    [Fact]
    public async Task Every_message_enqueued_is_counted_once_unstashing_included_and_per_system()
    {
        using var system = ActorSystem.Create("counting", P2PActors.Node.Hosting.AkkaMessageCount.Hocon);
        using var other = ActorSystem.Create("other", P2PActors.Node.Hosting.AkkaMessageCount.Hocon);
        var plain = system.ActorOf(Props.Create(() => new Plain()));
        var stashing = system.ActorOf(Props.Create(() => new Stashing()));
        // Created and started: whatever start-up sent is in the count before the test's own messages.
        Assert.Equal(0, await plain.Ask<int>(new HowMany(), TimeSpan.FromSeconds(10)));
        Assert.Equal(-1, await stashing.Ask<int>(new HowMany(), TimeSpan.FromSeconds(10)));
        var before = P2PActors.Node.Hosting.AkkaMessageCount.Read(system);
        Assert.True(before >= 2, $"the two asks: {before}");

        for (var i = 0; i < 100; i++)
        {
            plain.Tell(i);
            stashing.Tell(i);
        }
        stashing.Tell(new Release());
        Assert.Equal(100, await plain.Ask<int>(new HowMany(), TimeSpan.FromSeconds(10)));
        Assert.Equal(100, await stashing.Ask<int>(new HowMany(), TimeSpan.FromSeconds(10)));

        // 200 numbers, the release and two asks: 203. Unstashing the 100 again would make it 303.
        Assert.InRange(P2PActors.Node.Hosting.AkkaMessageCount.Read(system) - before, 203, 213);
        Assert.True(P2PActors.Node.Hosting.AkkaMessageCount.Read(other) < 50, "the other system's count is its own");
    }
}
