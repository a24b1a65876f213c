using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Tests;

/// <summary>
/// Every request of docs/protocol.md over a real <c>/ws</c> (ClientWebSocket against Kestrel on one real node), checked
/// against what the HTTP twin of the request sees.
/// </summary>
public sealed class WsRequestTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private Uri Base => node.Http.BaseAddress!;

    private async Task<WsClient> SessionAsync(string playerId)
    {
        var ws = await WsClient.ConnectAsync(Base);
        await ws.HelloAsync(playerId);
        return ws;
    }

    [Fact]
    public async Task Parameters_nested_too_deep_are_named_as_such_over_http_and_ws_not_as_invalid_json()
    {
        // Prevents: valid JSON nested past the reader's depth reported as "The body is not valid JSON" under "body",
        // a field the /ws generate frame does not have, though the frame itself had parsed.
        using var http = await node.PostJsonAsync("/api/content/item", """{ "playerId": "deep", "seed": 1, "params": { "level": [[[[[[[[1]]]]]]]] } }""");
        var problem = await http.Content.ReadAsStringAsync();
        Assert.True(http.StatusCode == System.Net.HttpStatusCode.BadRequest, problem);
        var errors = System.Text.Json.JsonDocument.Parse(problem).RootElement.GetProperty("errors");
        Assert.Equal("Must be a string, a number or a boolean.", errors.GetProperty("params.level")[0].GetString());

        await using var ws = await SessionAsync("deep-ws");
        var error = WsFrameAssert.Error(await ws.RequestAsync("generate", new { contentType = "item", @params = new { level = new[] { new[] { new[] { new[] { new[] { new[] { new[] { new[] { 1 } } } } } } } } } }), "invalid-field");
        Assert.Equal("Must be a string, a number or a boolean.", error.GetProperty("errors").GetProperty("params.level")[0].GetString());
    }

    private static string Type(JsonElement frame) => WsFrameAssert.Type(frame);

    /// <summary>A zone to walk in: a dungeon map generated and shared by this page, and a walkable tile of it (its first spawn).</summary>
    private static async Task<(string Zone, int X, int Y)> ZoneAsync(WsClient ws, long seed)
    {
        var generated = await ws.RequestAsync("generate", new { contentType = "map", seed, @params = new { generator = "dungeon", width = 16, height = 16 } });
        Assert.True(generated.TryGetProperty("content", out var map), generated.ToString());
        var zone = map.GetProperty("id").GetString()!;
        var shared = await ws.RequestAsync("share", new { contentId = zone });
        Assert.True(Type(shared) == "shared", shared.ToString());
        var spawn = map.GetProperty("spawns")[0];
        return (zone, spawn.GetProperty("x").GetInt32(), spawn.GetProperty("y").GetInt32());
    }

    private async Task<JsonElement> HttpJsonAsync(string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var response = await node.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Generate_answers_the_canonical_content_and_a_seeded_repeat_comes_from_the_cache()
    {
        await using var ws = await SessionAsync("wsr-maker");
        var first = await ws.RequestAsync("generate", new { contentType = "item", seed = 777, @params = new { level = 7 } });
        Assert.True(Type(first) == "generated", first.ToString());
        var content = first.GetProperty("content");
        Assert.Equal("item", content.GetProperty("type").GetString());
        // The id is the SHA-256 of the canonical JSON: the same content HTTP serves under that id.
        var id = content.GetProperty("id").GetString()!;
        Assert.True(ContentJson.HasValidId(ContentJson.Deserialize(content.GetRawText())));
        Assert.Equal(id, (await HttpJsonAsync($"/api/content/{id}")).GetProperty("id").GetString());

        var again = await ws.RequestAsync("generate", new { contentType = "item", seed = 777, @params = new { level = 7 } });
        Assert.Equal(id, again.GetProperty("content").GetProperty("id").GetString());
        Assert.True(again.GetProperty("fromCache").GetBoolean());
    }

    [Fact]
    public async Task Generate_with_bad_fields_names_each_field_as_the_request_names_it()
    {
        await using var ws = await SessionAsync("wsr-badgen");
        var unknownType = WsFrameAssert.Error(await ws.RequestAsync("generate", new { contentType = "spaceship" }), "invalid-field");
        Assert.True(unknownType.GetProperty("errors").TryGetProperty("contentType", out _), unknownType.ToString());

        var badSeed = WsFrameAssert.Error(await ws.RequestAsync("generate", new { contentType = "item", seed = -1 }), "invalid-field");
        Assert.True(badSeed.GetProperty("errors").TryGetProperty("seed", out _), badSeed.ToString());

        var missing = WsFrameAssert.Error(await ws.RequestAsync("generate", new { seed = 1 }), "invalid-field");
        Assert.True(missing.GetProperty("errors").TryGetProperty("contentType", out _), missing.ToString());
    }

    [Fact]
    public async Task Rate_preferences_set_sharing_and_recommendations_act_for_the_session_player()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var token = (await ws.HelloAsync("wsr-rater")).GetProperty("resumeToken").GetString()!;
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 4711 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;

        var rated = await ws.RequestAsync("rate", new { contentId, stars = 4 });
        Assert.True(Type(rated) == "rated", rated.ToString());
        Assert.Equal("wsr-rater", rated.GetProperty("playerId").GetString());
        Assert.Equal(contentId, rated.GetProperty("contentId").GetString());
        Assert.Equal("item", rated.GetProperty("contentType").GetString());
        Assert.False(rated.GetProperty("replaced").GetBoolean());
        // The rating is the player's, as HTTP reads it (with the session's token: the session holds the player).
        var ratings = await HttpJsonAsync("/api/players/wsr-rater/ratings", token);
        Assert.Equal(4, ratings.GetProperty("ratings")[0].GetProperty("stars").GetInt32());

        var preferences = await ws.RequestAsync("preferences");
        Assert.True(Type(preferences) == "preferences-state", preferences.ToString());
        Assert.Equal(1, preferences.GetProperty("ratingCount").GetInt32());
        Assert.Equal(
            (await HttpJsonAsync("/api/players/wsr-rater/preferences", token)).GetProperty("ratingsNeeded").GetInt32(),
            preferences.GetProperty("ratingsNeeded").GetInt32());

        var sharing = await ws.RequestAsync("set-sharing", new { share = true });
        Assert.True(Type(sharing) == "sharing-state", sharing.ToString());
        Assert.True(sharing.GetProperty("sharing").GetBoolean());
        Assert.Equal(1, sharing.GetProperty("sharedRatings").GetInt32());

        var recommendations = await ws.RequestAsync("recommendations", new { contentType = "item", take = 5 });
        Assert.True(Type(recommendations) == "recommendation-list", recommendations.ToString());
        Assert.Equal("item", recommendations.GetProperty("contentType").GetString());
        Assert.Equal(5, recommendations.GetProperty("take").GetInt32());
        Assert.Equal(1, recommendations.GetProperty("ratingCount").GetInt32());
    }

    [Fact]
    public async Task Rating_unknown_content_or_bad_stars_is_an_invalid_field_named_as_in_the_request()
    {
        await using var ws = await SessionAsync("wsr-badrate");
        var unknown = WsFrameAssert.Error(await ws.RequestAsync("rate", new { contentId = new string('a', 64), stars = 3 }), "invalid-field");
        Assert.True(unknown.GetProperty("errors").TryGetProperty("contentId", out _), unknown.ToString());
        var stars = WsFrameAssert.Error(await ws.RequestAsync("rate", new { contentId = new string('a', 64), stars = 9 }), "invalid-field");
        Assert.True(stars.GetProperty("errors").TryGetProperty("stars", out _), stars.ToString());
        var recommendations = WsFrameAssert.Error(await ws.RequestAsync("recommendations", new { take = 0 }), "invalid-field");
        Assert.True(recommendations.GetProperty("errors").TryGetProperty("take", out _), recommendations.ToString());
        var sharing = WsFrameAssert.Error(await ws.RequestAsync("set-sharing", new { share = "yes" }), "invalid-field");
        Assert.True(sharing.GetProperty("errors").TryGetProperty("share", out _), sharing.ToString());
    }

    [Fact]
    public async Task Move_and_inventory_write_the_shared_state_of_the_session_player()
    {
        await using var ws = await SessionAsync("wsr-walker");
        var (zone, x, y) = await ZoneAsync(ws, 31);
        // A point inside a walkable tile.
        var moved = await ws.RequestAsync("move", new { zone, x, y = y + 0.5 });
        Assert.True(Type(moved) == "moved", moved.ToString());
        Assert.True(moved.GetProperty("applied").GetBoolean());
        Assert.Contains(moved.GetProperty("replication").GetString(), new[] { "local", "confirmed", "pending" });

        var added = await ws.RequestAsync("inventory-add", new { itemId = "lantern" });
        Assert.True(Type(added) == "inventory-added", added.ToString());
        var removedNothing = await ws.RequestAsync("inventory-remove", new { itemId = "not-held" });
        Assert.True(Type(removedNothing) == "inventory-removed", removedNothing.ToString());
        Assert.False(removedNothing.GetProperty("applied").GetBoolean());

        var state = await HttpJsonAsync("/api/state");
        var me = state.GetProperty("online").EnumerateArray().Single(p => p.GetProperty("playerId").GetString() == "wsr-walker");
        Assert.Equal(zone, me.GetProperty("position").GetProperty("zone").GetString());
        Assert.Equal(y + 0.5, me.GetProperty("position").GetProperty("y").GetDouble());
        Assert.Equal(["lantern"], me.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()!).ToArray());
    }

    [Fact]
    public async Task Move_with_bad_coordinates_is_an_invalid_field_and_moves_nothing()
    {
        await using var ws = await SessionAsync("wsr-badmove");
        var bad = WsFrameAssert.Error(await ws.RequestAsync("move", new { zone = "meadow", x = 2e9, y = "up" }), "invalid-field");
        Assert.True(bad.GetProperty("errors").TryGetProperty("x", out _), bad.ToString());
        Assert.True(bad.GetProperty("errors").TryGetProperty("y", out _), bad.ToString());
        var missing = WsFrameAssert.Error(await ws.RequestAsync("move", new { zone = "meadow" }), "invalid-field");
        Assert.Equal(["x", "y"], missing.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray());
        // Online (its session keeps it so), but with no position.
        var state = await HttpJsonAsync("/api/state");
        Assert.DoesNotContain(state.GetProperty("online").EnumerateArray(),
            p => p.GetProperty("playerId").GetString() == "wsr-badmove" && p.GetProperty("position").ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task Share_puts_content_to_the_vote_and_lists_it_in_the_catalog_page()
    {
        await using var ws = await SessionAsync("wsr-sharer");
        var generated = await ws.RequestAsync("generate", new { contentType = "quest", seed = 90210 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;

        var shared = await ws.RequestAsync("share", new { contentId });
        Assert.True(Type(shared) == "shared", shared.ToString());
        Assert.Equal(contentId, shared.GetProperty("contentId").GetString());
        Assert.Equal("quest", shared.GetProperty("contentType").GetString());
        Assert.Equal("wsr-sharer", shared.GetProperty("author").GetString());
        Assert.Equal(1, shared.GetProperty("certificate").GetProperty("approvals").GetInt32());

        var page = await ws.RequestAsync("catalog", new { contentType = "quest", skip = 0, take = 1000 });
        Assert.True(Type(page) == "catalog-page", page.ToString());
        Assert.Contains(page.GetProperty("entries").EnumerateArray(), e => e.GetProperty("id").GetString() == contentId);
        Assert.Equal(1000, page.GetProperty("take").GetInt32());

        var notHeld = WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = new string('b', 64) }), "invalid-field");
        Assert.True(notHeld.GetProperty("errors").TryGetProperty("contentId", out _), notHeld.ToString());
        var badPage = WsFrameAssert.Error(await ws.RequestAsync("catalog", new { take = 5000 }), "invalid-field");
        Assert.True(badPage.GetProperty("errors").TryGetProperty("take", out _), badPage.ToString());
    }

    [Fact]
    public async Task Acting_as_another_player_is_refused_and_changes_nothing()
    {
        await using var ws = await SessionAsync("wsr-honest");
        var (zone, x, y) = await ZoneAsync(ws, 32);
        WsFrameAssert.Error(await ws.RequestAsync("move", new { playerId = "wsr-victim", zone, x, y }), "not-your-player");
        WsFrameAssert.Error(await ws.RequestAsync("rate", new { playerId = "wsr-victim", contentId = new string('a', 64), stars = 1 }), "not-your-player");
        WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = new string('a', 64), author = "wsr-victim" }), "not-your-player");
        WsFrameAssert.Error(await ws.RequestAsync("set-sharing", new { playerId = "wsr-victim", share = true }), "not-your-player");
        // Naming itself is fine.
        Assert.Equal("moved", Type(await ws.RequestAsync("move", new { playerId = "wsr-honest", zone, x, y })));
        var state = await HttpJsonAsync("/api/state");
        Assert.DoesNotContain(state.GetProperty("online").EnumerateArray(), p => p.GetProperty("playerId").GetString() == "wsr-victim");
    }
}
