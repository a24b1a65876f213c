using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Tests;

/// <summary>
/// Recommendations name what this node can open: a similar player on another node may have liked content that was
/// never shared, and only that node holds it. Two real nodes in this process (Kestrel, Akka remoting on 127.0.0.1).
/// </summary>
public sealed class RecommendationAvailabilityTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<JsonElement> SendAsync(Uri node, HttpMethod method, string path, string? json = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var http = new HttpClient { BaseAddress = node };
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<string> GenerateAsync(Uri node, string player, string type, int seed) =>
        ContentJson.Deserialize((await SendAsync(node, HttpMethod.Post, $"/api/content/{type}", $$"""{ "playerId": "{{player}}", "seed": {{seed}} }""")).GetRawText()).Id!;

    private static Task RateAsync(Uri node, string contentId, string player, int stars) =>
        SendAsync(node, HttpMethod.Post, $"/api/content/{contentId}/ratings", $$"""{ "playerId": "{{player}}", "stars": {{stars}} }""", HttpStatusCode.Created);

    private static async Task<JsonElement> RecommendationsUntilAsync(Uri node, string player, Func<JsonElement[], bool> until)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var answer = await SendAsync(node, HttpMethod.Get, $"/api/players/{player}/recommendations");
            if (answer.GetProperty("indexCurrent").GetBoolean() && until([.. answer.GetProperty("items").EnumerateArray()]))
                return answer;
            Assert.True(DateTime.UtcNow < deadline, $"the recommendations never came to the expected answer: {answer}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Content_liked_on_another_node_and_never_shared_is_recommended_as_unavailable_until_it_is_shared()
    {
        // Frank, on A, rates five contents made there and shares his ratings; Gina, on B, makes the first three herself
        // (same type and seed, same content, same id) and rates them as he did.
        var made = new List<string>();
        foreach (var (type, seed) in new[] { ("character", 801), ("character", 802), ("character", 803), ("item", 804), ("quest", 805) })
            made.Add(await GenerateAsync(nodes.A, "avail-frank", type, seed));
        foreach (var (content, stars) in made.Zip([5, 3, 4, 5, 2]))
            await RateAsync(nodes.A, content, "avail-frank", stars);
        await SendAsync(nodes.A, HttpMethod.Put, "/api/players/avail-frank/sharing", """{ "share": true }""");
        foreach (var (type, seed, stars) in new[] { ("character", 801, 5), ("character", 802, 3), ("character", 803, 4) })
            await RateAsync(nodes.B, await GenerateAsync(nodes.B, "avail-gina", type, seed), "avail-gina", stars);

        // B has neither the item nor the quest: they are recommended, but not offered as something to open.
        var unshared = await RecommendationsUntilAsync(nodes.B, "avail-gina", items => items.Length == 2);
        foreach (var item in unshared.GetProperty("items").EnumerateArray())
        {
            Assert.Contains(item.GetProperty("contentId").GetString(), made[3..]);
            Assert.False(item.GetProperty("available").GetBoolean(), item.ToString());
            Assert.Equal(JsonValueKind.Null, item.GetProperty("name").ValueKind);
        }
        // On A, where they were made, the same two are named.
        foreach (var (type, seed, stars) in new[] { ("character", 801, 5), ("character", 802, 3), ("character", 803, 4) })
            await RateAsync(nodes.A, await GenerateAsync(nodes.A, "avail-hugo", type, seed), "avail-hugo", stars);
        var onA = await RecommendationsUntilAsync(nodes.A, "avail-hugo", items => items.Length == 2);
        Assert.All(onA.GetProperty("items").EnumerateArray(), item =>
        {
            Assert.True(item.GetProperty("available").GetBoolean(), item.ToString());
            Assert.False(string.IsNullOrEmpty(item.GetProperty("name").GetString()));
        });

        // Shared from A, the item is in the catalog B reads: named and offered there, the quest still not.
        var shared = await SendAsync(nodes.A, HttpMethod.Post, "/api/catalog", $$"""{ "contentId": "{{made[3]}}" }""", HttpStatusCode.Created);
        var after = await RecommendationsUntilAsync(nodes.B, "avail-gina", items =>
            items.Any(i => i.GetProperty("contentId").GetString() == made[3] && i.GetProperty("available").GetBoolean()));
        var item4 = after.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("contentId").GetString() == made[3]);
        Assert.Equal(shared.GetProperty("name").GetString(), item4.GetProperty("name").GetString());
        var quest = after.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("contentId").GetString() == made[4]);
        Assert.False(quest.GetProperty("available").GetBoolean());
    }
}

/// <summary>Sharing, on another node, content already in the catalog: two real nodes in this process.</summary>
public sealed class SharedElsewhereTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(Uri node, HttpMethod method, string path, string? json = null)
    {
        using var http = new HttpClient { BaseAddress = node };
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Sharing_on_another_node_what_the_catalog_lists_is_already_shared_not_content_to_generate_first()
    {
        // Prevents: B asked only its generation store, so a share of an entry its catalog lists (the page offers Share
        // on every entry it shows) was answered 400 "generate it first", and the page said to try again.
        var (made, generated) = await SendAsync(nodes.A, HttpMethod.Post, "/api/content/item", """{ "playerId": "elsewhere-ann", "seed": 9001 }""");
        Assert.Equal(HttpStatusCode.OK, made);
        var id = generated.GetProperty("id").GetString()!;
        var (shared, _) = await SendAsync(nodes.A, HttpMethod.Post, "/api/catalog", $$"""{ "contentId": "{{id}}", "author": "elsewhere-ann" }""");
        Assert.Equal(HttpStatusCode.Created, shared);
        await NodeSignals.CatalogEntryAsync(nodes.B, id, TimeSpan.FromSeconds(60));

        var (status, problem) = await SendAsync(nodes.B, HttpMethod.Post, "/api/catalog", $$"""{ "contentId": "{{id}}" }""");
        Assert.True(status == HttpStatusCode.Conflict, $"{(int)status} {problem}");
        Assert.Contains("elsewhere-ann", problem.GetRawText());

        // The same once B holds the body too (read through B), and over B's WebSocket.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(nodes.B, HttpMethod.Get, $"/api/content/{id}")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(nodes.B, HttpMethod.Post, "/api/catalog", $$"""{ "contentId": "{{id}}" }""")).Status);
        await using var ws = await WsClient.ConnectAsync(nodes.B);
        await ws.HelloAsync("elsewhere-bea");
        WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = id }), "already-shared");
    }
}
