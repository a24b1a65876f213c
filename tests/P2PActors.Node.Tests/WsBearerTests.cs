using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>The HTTP side of session claims: a held player is acted for only with its session's resume token.</summary>
public sealed class WsBearerTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static HttpRequestMessage Json(HttpMethod method, string path, string json, string? token = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task<HttpStatusCode> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await node.Http.SendAsync(request))
        {
            if (response.StatusCode == HttpStatusCode.Forbidden)
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task Http_writes_for_a_held_player_need_the_sessions_bearer_token()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        var token = (await ws.HelloAsync("bearer-held")).GetProperty("resumeToken").GetString()!;
        const string position = """{ "zone": "yard", "x": 1, "y": 2 }""";

        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-held/position", position)));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-held/position", position, "wrong-token")));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Post, "/api/players/bearer-held/inventory/gem", "")));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Delete, "/api/players/bearer-held/inventory/gem", "")));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-held/sharing", """{ "share": true }""")));
        // Generation is recorded in the player's memory: acting for the player too.
        const string generate = """{ "playerId": "bearer-held", "seed": 77 }""";
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Post, "/api/content/item", generate)));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Post, "/api/content/item", generate, "wrong-token")));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Json(HttpMethod.Post, "/api/content/item", generate, token)));

        var status = await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-held/position", position, token));
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, status.ToString());
        status = await SendAsync(Json(HttpMethod.Post, "/api/players/bearer-held/inventory/gem", "", token));
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, status.ToString());
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-held/sharing", """{ "share": true }""", token)));
    }

    [Fact]
    public async Task Rating_and_sharing_as_a_held_player_need_the_token_and_unheld_players_are_served_as_before()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        var token = (await ws.HelloAsync("bearer-rater")).GetProperty("resumeToken").GetString()!;
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 2468 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;

        var rating = """{ "playerId": "bearer-rater", "stars": 5 }""";
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Post, $"/api/content/{contentId}/ratings", rating)));
        Assert.Equal(HttpStatusCode.Created, await SendAsync(Json(HttpMethod.Post, $"/api/content/{contentId}/ratings", rating, token)));
        var share = $$"""{ "contentId": "{{contentId}}", "author": "bearer-rater" }""";
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Json(HttpMethod.Post, "/api/catalog", share)));
        Assert.Equal(HttpStatusCode.Created, await SendAsync(Json(HttpMethod.Post, "/api/catalog", share, token)));

        // Nobody holds this player: no token needed, as before sessions existed.
        Assert.Equal(HttpStatusCode.Created, await SendAsync(Json(HttpMethod.Post, $"/api/content/{contentId}/ratings",
            """{ "playerId": "bearer-free", "stars": 2 }""")));
        var free = await SendAsync(Json(HttpMethod.Put, "/api/players/bearer-free/position", """{ "zone": "yard", "x": 0, "y": 0 }"""));
        Assert.True(free is HttpStatusCode.OK or HttpStatusCode.Accepted, free.ToString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Forbidden)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    [Fact]
    public async Task A_held_players_ratings_preferences_and_recommendations_are_read_only_with_the_sessions_token()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        var token = (await ws.HelloAsync("bearer-reader")).GetProperty("resumeToken").GetString()!;
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 1357 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;
        Assert.Equal("rated", WsFrameAssert.Type(await ws.RequestAsync("rate", new { contentId, stars = 2 })));

        foreach (var path in new[] { "/api/players/bearer-reader/ratings", "/api/players/bearer-reader/preferences", "/api/players/bearer-reader/recommendations" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(path)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(path, "wrong-token")).Status);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(path, token)).Status);
        }
        var ratings = (await GetAsync("/api/players/bearer-reader/ratings", token)).Body;
        Assert.Equal(2, Assert.Single(ratings.GetProperty("ratings").EnumerateArray()).GetProperty("stars").GetInt32());

        // The player view keeps the shared game state public and leaves the memory out without the token.
        var (status, stranger) = await GetAsync("/api/players/bearer-reader");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, stranger.GetProperty("memory").ValueKind);
        Assert.True(stranger.GetProperty("memoryHidden").GetBoolean());
        var own = (await GetAsync("/api/players/bearer-reader", token)).Body;
        Assert.False(own.GetProperty("memoryHidden").GetBoolean());
        Assert.Equal(1, own.GetProperty("memory").GetProperty("ratingCount").GetInt32());

        // A player no session holds is read without a token, as before.
        Assert.Equal(HttpStatusCode.Created, await SendAsync(Json(HttpMethod.Post, $"/api/content/{contentId}/ratings",
            """{ "playerId": "bearer-unheld", "stars": 3 }""")));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/players/bearer-unheld/ratings")).Status);
        var unheld = (await GetAsync("/api/players/bearer-unheld")).Body;
        Assert.False(unheld.GetProperty("memoryHidden").GetBoolean());
        Assert.Equal(1, unheld.GetProperty("memory").GetProperty("ratingCount").GetInt32());
    }
}
