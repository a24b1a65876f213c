using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using P2PActors.Node.Api;

namespace P2PActors.Node.Tests;

/// <summary>A node with <c>--allowed-hosts game.example.com,*.lan.example</c>.</summary>
public sealed class AllowedHostsFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:AllowedHosts"] = "game.example.com, *.lan.example",
    };
}

/// <summary>
/// DNS rebinding: a page whose name was pointed at this machine reaches the node with that name in <c>Host</c>, and
/// its <c>Origin</c> matches it, so origin checks alone let it act and read. One real node (Kestrel, the actor system).
/// </summary>
public sealed class HostNameTests(AllowedHostsFixture node) : IClassFixture<AllowedHostsFixture>
{
    private const string Rebound = "rebind.attacker.example";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string host, string? json = null, bool withOrigin = false)
    {
        var port = node.Http.BaseAddress!.Port;
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = $"{host}:{port}";
        if (withOrigin)
            request.Headers.Add("Origin", $"http://{host}:{port}");
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await node.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_rebound_name_is_refused_for_reads_writes_and_the_websocket_and_nothing_is_done()
    {
        using (var read = await SendAsync(HttpMethod.Get, "/api/types", Rebound))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
            Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
            var problem = await read.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("--allowed-hosts rebind.attacker.example", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // Same origin as far as the browser knows: the write guard alone would let it through.
        using (var write = await SendAsync(HttpMethod.Post, "/api/players/rebind-victim/inventory/gem", Rebound, withOrigin: true))
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        using (var page = await SendAsync(HttpMethod.Get, "/", Rebound))
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        using (var ws = await SendAsync(HttpMethod.Get, "/ws", Rebound, withOrigin: true))
            Assert.Equal(HttpStatusCode.Forbidden, ws.StatusCode);
        // A name that merely ends like an allowed one is another name.
        using (var lookalike = await SendAsync(HttpMethod.Get, "/api/types", "evilgame.example.com"))
            Assert.Equal(HttpStatusCode.Forbidden, lookalike.StatusCode);

        using var player = await node.Http.GetAsync("/api/players/rebind-victim");
        Assert.Equal(HttpStatusCode.NotFound, player.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    [InlineData("node.localhost")]
    [InlineData("game.example.com")]
    [InlineData("GAME.example.com.")]
    [InlineData("box.lan.example")]
    public async Task Addresses_localhost_and_the_listed_names_are_served(string host)
    {
        using var read = await SendAsync(HttpMethod.Get, "/api/types", host);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var write = await SendAsync(HttpMethod.Post, "/api/players/host-friend/inventory/gem", host, withOrigin: true);
        Assert.True(write.IsSuccessStatusCode, await write.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_names_a_node_answers_to()
    {
        var names = new HostNames(["game.example.com", "*.lan.example"]);
        Assert.True(names.Allows("10.1.2.3"));
        Assert.True(names.Allows("[fe80::1]"));
        Assert.True(names.Allows("a.b.localhost"));
        Assert.True(names.Allows("x.y.lan.example"));
        Assert.False(names.Allows("lan.example"));
        Assert.False(names.Allows("localhost.attacker.example"));
        Assert.False(names.Allows("game.example.com.attacker.example"));
        Assert.False(names.Allows(""));
        Assert.True(new HostNames(["*"]).Allows("anything.example"));
        Assert.False(new HostNames([]).Allows("game.example.com"));
        // A browser sends an international name in its ASCII form; the list may hold either.
        Assert.True(new HostNames(["bücher.example"]).Allows("xn--bcher-kva.example"));
        Assert.True(new HostNames(["*.bücher.example"]).Allows("shop.xn--bcher-kva.example"));
        Assert.Null(HostNames.EntryProblem("p2pbench_node1_1"));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("a*b.example")]
    [InlineData("*.")]
    [InlineData("http://game.example.com")]
    public void An_unusable_entry_is_refused_naming_the_flag(string entry)
    {
        var problem = Assert.Single(new Configuration.NodeOptions { AllowedHosts = entry }.Validate());
        Assert.Contains("--allowed-hosts / P2PActors:AllowedHosts", problem, StringComparison.Ordinal);
    }
}
