using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Api.Ws.Topics;

namespace P2PActors.Node.Tests;

/// <summary><c>subscribe</c>/<c>unsubscribe</c> and the pushes of each topic, on one real node.</summary>
public sealed class WsSubscriptionTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private Uri Base => node.Http.BaseAddress!;

    private async Task<WsClient> SessionAsync(string playerId)
    {
        var ws = await WsClient.ConnectAsync(Base);
        await ws.HelloAsync(playerId);
        return ws;
    }

    private static bool IsPush(JsonElement frame, string type) => WsFrameAssert.Type(frame) == type && !frame.TryGetProperty("id", out _);

    /// <summary>Moves over HTTP and waits until the node's state shows the move (so later changes are applied after it).</summary>
    private async Task MoveOverHttpAsync(string player, string zone, double x, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/players/{player}/position")
        {
            Content = new StringContent($$"""{ "zone": "{{zone}}", "x": {{x}}, "y": 0 }""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var put = await node.Http.SendAsync(request);
        Assert.True(put.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());
    }

    private static bool Moves(JsonElement frame, Func<JsonElement, bool> which) =>
        IsPush(frame, "positions") && frame.GetProperty("moves").EnumerateArray().Any(which);

    private async Task<JsonElement> PlayerAsync(string player, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/players/{player}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task A_player_who_leaves_the_zone_goes_off_its_watchers_maps_at_once_and_stands_on_no_map()
    {
        await using var watcher = await SessionAsync("wss-stayer");
        Assert.Equal("subscribed", WsFrameAssert.Type(await watcher.RequestAsync("subscribe", new { topics = new[] { "positions" }, zone = "zone-l" })));
        await using var leaver = await WsClient.ConnectAsync(Base);
        var token = (await leaver.HelloAsync("wss-leaver")).GetProperty("resumeToken").GetString()!;
        await MoveOverHttpAsync("wss-leaver", "zone-l", 2, token);
        await watcher.ReceiveUntilAsync(f => Moves(f, m => m.GetProperty("playerId").GetString() == "wss-leaver"));

        var left = await leaver.RequestAsync("leave-zone");
        Assert.True(WsFrameAssert.Type(left) == "left-zone", left.ToString());
        Assert.True(left.GetProperty("applied").GetBoolean());
        // The watcher is told at once (the leaver's page is still open, so no presence timeout would ever tell it).
        var gone = await watcher.ReceiveUntilAsync(f => Moves(f, m => m.GetProperty("playerId").GetString() == "wss-leaver"));
        var move = gone.GetProperty("moves").EnumerateArray().Single(m => m.GetProperty("playerId").GetString() == "wss-leaver");
        Assert.Equal("", move.GetProperty("zone").GetString());

        // Still online (the page is open), on no map; a page entering the zone now is not shown the leaver.
        var player = await PlayerAsync("wss-leaver", token);
        Assert.True(player.GetProperty("online").GetBoolean(), player.ToString());
        Assert.Equal(JsonValueKind.Null, player.GetProperty("position").ValueKind);
        await using var late = await SessionAsync("wss-late-comer");
        await MoveOverHttpAsync("wss-marker", "zone-l", 7);
        var (_, first) = await late.RequestWithPushAsync("subscribe", new { topics = new[] { "positions" }, zone = "zone-l" }, f => IsPush(f, "positions"));
        Assert.DoesNotContain(first.GetProperty("moves").EnumerateArray(), m => m.GetProperty("playerId").GetString() == "wss-leaver");

        // Leaving again changes nothing.
        var again = await leaver.RequestAsync("leave-zone");
        Assert.False(again.GetProperty("applied").GetBoolean(), again.ToString());
    }

    [Fact]
    public async Task Leaving_the_zone_over_http_needs_the_sessions_token_while_a_page_plays_the_player()
    {
        await MoveOverHttpAsync("wss-http-leaver", "zone-h", 1);
        using (var delete = await node.Http.DeleteAsync("/api/players/wss-http-leaver/position"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
            Assert.True(JsonDocument.Parse(await delete.Content.ReadAsStringAsync()).RootElement.GetProperty("applied").GetBoolean());
        }
        Assert.Equal(JsonValueKind.Null, (await PlayerAsync("wss-http-leaver")).GetProperty("position").ValueKind);
        using (var bad = await node.Http.DeleteAsync("/api/players/no%20such/position"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await using var page = await WsClient.ConnectAsync(Base);
        var token = (await page.HelloAsync("wss-held-leaver")).GetProperty("resumeToken").GetString()!;
        await MoveOverHttpAsync("wss-held-leaver", "zone-h", 2, token);
        using (var forbidden = await node.Http.DeleteAsync("/api/players/wss-held-leaver/position"))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("zone-h", (await PlayerAsync("wss-held-leaver", token)).GetProperty("position").GetProperty("zone").GetString());
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/players/wss-held-leaver/position");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var allowed = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await PlayerAsync("wss-held-leaver", token)).GetProperty("position").ValueKind);
    }

    [Fact]
    public async Task Positions_are_pushed_for_the_subscribed_zone_only_and_a_player_leaving_it_is_pushed_too()
    {
        await using var watcher = await SessionAsync("wss-watcher");
        var subscribed = await watcher.RequestAsync("subscribe", new { topics = new[] { "positions" }, zone = "zone-a" });
        Assert.True(WsFrameAssert.Type(subscribed) == "subscribed", subscribed.ToString());
        Assert.Equal(["positions"], subscribed.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal("zone-a", subscribed.GetProperty("zone").GetString());

        // A move elsewhere first; it is applied (the write is answered after the node's view has it) before the next one.
        // The moves go over HTTP, whose zones are plain names (the WebSocket move also asks the zone service for a map).
        await MoveOverHttpAsync("wss-elsewhere", "zone-b", 1);
        await MoveOverHttpAsync("wss-walker", "zone-a", 5);

        // The first position the watcher gets is the walker's in zone-a: zone-b's move never reached it.
        var positions = await watcher.ReceiveUntilAsync(f => IsPush(f, "positions"));
        var position = Assert.Single(positions.GetProperty("moves").EnumerateArray());
        Assert.Equal("wss-walker", position.GetProperty("playerId").GetString());
        Assert.Equal("zone-a", position.GetProperty("zone").GetString());
        Assert.Equal(5, position.GetProperty("x").GetDouble());

        // Leaving zone-a for zone-c is pushed to zone-a's watchers, with the new zone.
        await MoveOverHttpAsync("wss-walker", "zone-c", 1);
        var leaving = await watcher.ReceiveUntilAsync(f => IsPush(f, "positions")
            && f.GetProperty("moves").EnumerateArray().Any(m => m.GetProperty("zone").GetString() != "zone-a"));
        var left = leaving.GetProperty("moves").EnumerateArray().Single(m => m.GetProperty("zone").GetString() != "zone-a");
        Assert.Equal("wss-walker", left.GetProperty("playerId").GetString());
        Assert.Equal("zone-c", left.GetProperty("zone").GetString());
    }

    [Fact]
    public async Task A_new_watcher_of_a_zone_is_first_sent_the_players_online_standing_in_it()
    {
        // Before any page watches zone-s: one player stands in it, another passed through it and went on to zone-t.
        await MoveOverHttpAsync("wss-stander", "zone-s", 3);
        await MoveOverHttpAsync("wss-passer", "zone-s", 4);
        await MoveOverHttpAsync("wss-passer", "zone-t", 1);

        await using var watcher = await SessionAsync("wss-late");
        // Nobody moves after the watcher came: the frame it gets is what the zone holds (before, it got nothing until
        // someone moved, so a page entering a zone saw none of the players already there). It may come before the answer.
        var (_, positions) = await watcher.RequestWithPushAsync("subscribe", new { topics = new[] { "positions" }, zone = "zone-s" },
            f => IsPush(f, "positions"));
        var standing = Assert.Single(positions.GetProperty("moves").EnumerateArray());
        Assert.Equal("wss-stander", standing.GetProperty("playerId").GetString());
        Assert.Equal("zone-s", standing.GetProperty("zone").GetString());
        Assert.Equal(3, standing.GetProperty("x").GetDouble());
    }

    [Fact]
    public async Task A_zone_no_page_watches_any_more_is_forgotten_by_the_node()
    {
        var feed = node.App.Services.GetRequiredService<WsStateFeed>();
        await using var wanderer = await SessionAsync("wss-wanderer");
        // One page moving through twenty zones (or making them up): only the zone it is in is remembered.
        for (var i = 0; i < 20; i++)
            Assert.Equal("subscribed", WsFrameAssert.Type(await wanderer.RequestAsync("subscribe", new { topics = new[] { "positions" }, zone = $"zone-w{i}" })));
        Assert.Equal(["zone-w19"], Enumerable.Range(0, 20).Select(i => $"zone-w{i}").Where(feed.Watches).ToArray());
        Assert.Equal("unsubscribed", WsFrameAssert.Type(await wanderer.RequestAsync("unsubscribe", new { topics = new[] { "positions" } })));
        Assert.False(feed.Watches("zone-w19"));
    }

    [Fact]
    public async Task Inventory_changes_of_the_session_player_are_pushed()
    {
        await using var ws = await SessionAsync("wss-owner");
        Assert.Equal("subscribed", WsFrameAssert.Type(await ws.RequestAsync("subscribe", new { topics = new[] { "inventory" } })));
        var (added, changed) = await ws.RequestWithPushAsync("inventory-add", new { itemId = "torch" }, f => IsPush(f, "inventory-changed"));
        Assert.Equal("inventory-added", WsFrameAssert.Type(added));
        Assert.Equal("wss-owner", changed.GetProperty("playerId").GetString());
        Assert.Equal(["torch"], changed.GetProperty("items").EnumerateArray().Select(i => i.GetString()!).ToArray());
    }

    [Fact]
    public async Task Catalog_entries_are_pushed_when_shared()
    {
        await using var ws = await SessionAsync("wss-cataloguer");
        Assert.Equal("subscribed", WsFrameAssert.Type(await ws.RequestAsync("subscribe", new { topics = new[] { "catalog" } })));
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 31337 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;
        var (shared, entry) = await ws.RequestWithPushAsync("share", new { contentId },
            f => IsPush(f, "catalog-entry") && f.GetProperty("entry").GetProperty("id").GetString() == contentId);
        Assert.Equal("shared", WsFrameAssert.Type(shared));
        Assert.Equal("wss-cataloguer", entry.GetProperty("entry").GetProperty("author").GetString());
    }

    [Fact]
    public async Task Unsubscribe_stops_the_listed_topics_and_reports_what_is_left()
    {
        await using var ws = await SessionAsync("wss-quitter");
        var both = await ws.RequestAsync("subscribe", new { topics = new[] { "catalog", "positions" }, zone = "zone-q" });
        Assert.Equal(["catalog", "positions"], both.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray());
        var left = await ws.RequestAsync("unsubscribe", new { topics = new[] { "positions" } });
        Assert.Equal("unsubscribed", WsFrameAssert.Type(left));
        Assert.Equal(["catalog"], left.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, left.GetProperty("zone").ValueKind);

        // No longer watching zone-q: a move there is not pushed, while the next catalog entry is.
        await MoveOverHttpAsync("wss-mover", "zone-q", 2);
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 5150 });
        var contentId = generated.GetProperty("content").GetProperty("id").GetString()!;
        // The first push of any kind is the catalog entry: the move in zone-q came first and was not pushed.
        var (shared, next) = await ws.RequestWithPushAsync("share", new { contentId }, _ => true);
        Assert.Equal("shared", WsFrameAssert.Type(shared));
        Assert.Equal("catalog-entry", WsFrameAssert.Type(next));

        var none = await ws.RequestAsync("unsubscribe");
        Assert.Empty(none.GetProperty("topics").EnumerateArray());
    }

    [Fact]
    public async Task Unknown_topics_and_a_zone_topic_without_a_zone_are_invalid_fields()
    {
        await using var ws = await SessionAsync("wss-confused");
        var unknown = WsFrameAssert.Error(await ws.RequestAsync("subscribe", new { topics = new[] { "weather" } }), "invalid-field");
        Assert.Contains("positions", unknown.GetProperty("errors").GetProperty("topics")[0].GetString());
        var noZone = WsFrameAssert.Error(await ws.RequestAsync("subscribe", new { topics = new[] { "positions" } }), "invalid-field");
        Assert.True(noZone.GetProperty("errors").TryGetProperty("zone", out _), noZone.ToString());
        var empty = WsFrameAssert.Error(await ws.RequestAsync("subscribe", new { topics = Array.Empty<string>() }), "invalid-field");
        Assert.True(empty.GetProperty("errors").TryGetProperty("topics", out _), empty.ToString());
    }
}
