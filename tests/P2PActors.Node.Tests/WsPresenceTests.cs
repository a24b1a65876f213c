using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// A node whose players go offline after 6 s without a move or a heartbeat (one every 2 s), so the tests wait seconds,
/// not half a minute, and a stall of a few seconds on a busy machine does not make a connected player offline.
/// </summary>
public sealed class ShortPresenceFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:PresenceTimeout"] = "00:00:06",
    };
}

/// <summary>
/// Presence kept by the pages' sessions, and the zone watchers told when a player goes offline, on one real node
/// (Kestrel, WebSockets, the actor system).
/// </summary>
public sealed class WsPresenceTests(ShortPresenceFixture node) : IClassFixture<ShortPresenceFixture>
{
    private Uri Base => node.Http.BaseAddress!;

    private static bool IsOffline(JsonElement frame, string playerId) =>
        WsFrameAssert.Type(frame) == "positions" && !frame.TryGetProperty("id", out _)
        && frame.GetProperty("moves").EnumerateArray().Any(m => m.GetProperty("playerId").GetString() == playerId
            && m.TryGetProperty("offline", out var offline) && offline.GetBoolean());

    private async Task MoveAsync(string player, string zone, double x, string? token = null)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/players/{player}/position")
        {
            Content = new StringContent($$"""{ "zone": "{{zone}}", "x": {{x}}, "y": 1 }""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (token is not null)
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(put);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> PlayerAsync(string player) =>
        JsonDocument.Parse(await node.Http.GetStringAsync($"/api/players/{player}")).RootElement.Clone();

    [Fact]
    public async Task A_player_whose_page_stays_open_stays_online_and_leaves_the_watchers_maps_once_the_page_closed()
    {
        await using var watcher = await WsClient.ConnectAsync(Base);
        await watcher.HelloAsync("wp-watcher");
        Assert.Equal("subscribed", WsFrameAssert.Type(await watcher.RequestAsync("subscribe", new { topics = new[] { "positions" }, zone = "zone-p" })));

        var alice = await WsClient.ConnectAsync(Base);
        var token = (await alice.HelloAsync("wp-alice")).GetProperty("resumeToken").GetString()!;
        await MoveAsync("wp-alice", "zone-p", 4, token);
        // A player with no page: moved over HTTP once, heard from never again.
        await MoveAsync("wp-ghost", "zone-p", 6);

        // The ghost goes offline 6 s after its move. Alice moved before it and stood still since: only her page's
        // heartbeats keep her online, so no frame until then may have taken her off the map.
        var frames = new List<JsonElement>();
        var ghostGone = await watcher.ReceiveUntilAsync(f =>
        {
            frames.Add(f);
            return IsOffline(f, "wp-ghost");
        });
        Assert.DoesNotContain(frames, f => IsOffline(f, "wp-alice"));
        var ghost = ghostGone.GetProperty("moves").EnumerateArray().Single(m => m.GetProperty("playerId").GetString() == "wp-ghost");
        Assert.Equal("zone-p", ghost.GetProperty("zone").GetString());
        Assert.Equal(6, ghost.GetProperty("x").GetDouble());
        Assert.False((await PlayerAsync("wp-ghost")).GetProperty("online").GetBoolean());
        var aliceNow = await PlayerAsync("wp-alice");
        Assert.True(aliceNow.GetProperty("online").GetBoolean(), aliceNow.ToString());
        // Heard from after her move, by a heartbeat.
        Assert.True(aliceNow.GetProperty("lastSeenMs").GetInt64() > aliceNow.GetProperty("position").GetProperty("updatedAtMs").GetInt64(),
            aliceNow.ToString());

        // Her page closes: she leaves the watcher's map where she last stood.
        await alice.DisposeAsync();
        var aliceGone = await watcher.ReceiveUntilAsync(f => IsOffline(f, "wp-alice"));
        var last = aliceGone.GetProperty("moves").EnumerateArray().Single(m => m.GetProperty("playerId").GetString() == "wp-alice");
        Assert.Equal(4, last.GetProperty("x").GetDouble());
        Assert.False((await PlayerAsync("wp-alice")).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task A_player_who_said_hello_is_online_before_any_move()
    {
        await using var page = await WsClient.ConnectAsync(Base);
        await page.HelloAsync("wp-newcomer");
        // The heartbeat of the hello is written in the state actor's next flush; read until it shows.
        var deadline = DateTime.UtcNow + WsClient.Patience;
        while (true)
        {
            using var response = await node.Http.GetAsync("/api/players/wp-newcomer");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var player = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.True(player.GetProperty("online").GetBoolean(), player.ToString());
                break;
            }
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the player who said hello never showed in the state");
            await Task.Delay(50);
        }
    }
}
