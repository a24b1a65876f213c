using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// Writes a browser sends for another site's page are refused before they act; the node's own page, clients without
/// <c>Origin</c> and reads are served as before. One real node (Kestrel, the actor system).
/// </summary>
public sealed class CrossSiteWriteTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? origin, string mediaType = "text/plain")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return await node.Http.SendAsync(request);
    }

    private async Task<string[]> InventoryAsync(string player)
    {
        using var response = await node.Http.GetAsync($"/api/players/{player}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return [];
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        return view.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()!).ToArray();
    }

    [Fact]
    public async Task Another_sites_page_cannot_write_and_nothing_is_done()
    {
        // What a page on evil.example can make a visitor's browser send with no preflight: a bodyless POST, and a
        // text/plain body (a form, or fetch in no-cors mode), both with its Origin; and the "null" origin of a sandbox.
        foreach (var origin in new[] { "https://evil.example", "null" })
        {
            using var add = await SendAsync(HttpMethod.Post, "/api/players/csrf-victim/inventory/stolen-gem", null, origin);
            Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
            Assert.Equal("application/problem+json", add.Content.Headers.ContentType?.MediaType);
            using var move = await SendAsync(HttpMethod.Put, "/api/players/csrf-victim/position", """{ "zone": "trap", "x": 1, "y": 1 }""", origin);
            Assert.Equal(HttpStatusCode.Forbidden, move.StatusCode);
        }
        Assert.Empty(await InventoryAsync("csrf-victim"));
        using var player = await node.Http.GetAsync("/api/players/csrf-victim");
        Assert.Equal(HttpStatusCode.NotFound, player.StatusCode);
    }

    [Fact]
    public async Task The_nodes_own_page_clients_without_origin_and_reads_are_served()
    {
        var own = node.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        using (var add = await SendAsync(HttpMethod.Post, "/api/players/csrf-friend/inventory/gem", null, own))
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        using (var add = await SendAsync(HttpMethod.Post, "/api/players/csrf-friend/inventory/ruby", null, origin: null))
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        Assert.Equal(["gem", "ruby"], (await InventoryAsync("csrf-friend")).Order().ToArray());
        // A read from anywhere is still a read: the answer goes to the browser, which keeps it from the other site.
        using var read = await SendAsync(HttpMethod.Get, "/api/players/csrf-friend", null, "https://evil.example");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }
}
