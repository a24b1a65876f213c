using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Tests;

/// <summary>
/// A node that lets a player hold only a few items, so the cap is reached in a handful of requests, and reads request
/// bodies of at most 1 KiB, below the 4 KiB the state endpoints read themselves.
/// </summary>
public sealed class SmallInventoryFixture : NodeFixture
{
    public const int MaxItems = 3;
    public const int MaxBodyBytes = 1024;

    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:MaxInventoryItems"] = MaxItems.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["P2PActors:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The bounds of issue 14 §2 on a real node (Kestrel, a cluster of one, DistributedData): the inventory cap over HTTP
/// and /ws, the paged /api/state, and <c>GET /api/players/{id}</c> for players online or not.
/// </summary>
public sealed class ResourceBoundsTests(SmallInventoryFixture node) : IClassFixture<SmallInventoryFixture>
{
    private const int Max = SmallInventoryFixture.MaxItems;

    [Fact]
    public async Task A_body_over_a_node_limit_below_the_endpoints_own_is_a_413_naming_the_node_limit()
    {
        var padding = new string(' ', 2 * SmallInventoryFixture.MaxBodyBytes);
        using var put = await node.Http.PutAsync("/api/players/big-body/position",
            new StringContent($$"""{ "zone": "forest", "x": 1, "y": 1 }{{padding}}""", Encoding.UTF8, "application/json"));
        var body = await put.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        // The limit the client ran into, not the endpoint's 4096.
        Assert.Contains($"at most {SmallInventoryFixture.MaxBodyBytes} bytes", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_add_beyond_the_cap_is_a_409_that_writes_nothing_and_a_held_item_may_be_added_again()
    {
        for (var i = 1; i <= Max; i++)
        {
            using var add = await node.Http.PostAsync($"/api/players/cap-ann/inventory/gem-{i}", null);
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        }

        using (var over = await node.Http.PostAsync("/api/players/cap-ann/inventory/gem-extra", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
            Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
            var problem = await over.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(Max, problem.GetProperty("maxItems").GetInt32());
            Assert.True(problem.GetProperty("errors").TryGetProperty("itemId", out _), problem.ToString());
            Assert.Contains("--max-inventory-items", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(["gem-1", "gem-2", "gem-3"], Inventory(await PlayerAsync("cap-ann")));

        // Adding what she already holds does not grow the inventory, so the cap does not stand in the way.
        using (var again = await node.Http.PostAsync("/api/players/cap-ann/inventory/gem-2", null))
            Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());

        // Room made, room used.
        using (var remove = await node.Http.DeleteAsync("/api/players/cap-ann/inventory/gem-1"))
            Assert.True(remove.IsSuccessStatusCode);
        using (var add = await node.Http.PostAsync("/api/players/cap-ann/inventory/gem-extra", null))
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        Assert.Equal(["gem-2", "gem-3", "gem-extra"], Inventory(await PlayerAsync("cap-ann")));
    }

    [Fact]
    public async Task Concurrent_adds_for_one_player_never_go_past_the_cap()
    {
        var adds = Enumerable.Range(0, 20)
            .Select(i => node.Http.PostAsync($"/api/players/cap-rush/inventory/coin-{i:00}", null))
            .ToArray();
        var answers = await Task.WhenAll(adds);
        var codes = answers.Select(a => a.StatusCode).ToArray();
        foreach (var answer in answers) answer.Dispose();

        Assert.Equal(Max, codes.Count(c => c is HttpStatusCode.OK or HttpStatusCode.Accepted));
        Assert.Equal(20 - Max, codes.Count(c => c == HttpStatusCode.Conflict));
        Assert.Equal(Max, Inventory(await PlayerAsync("cap-rush")).Length);
    }

    [Fact]
    public async Task Over_the_websocket_an_add_beyond_the_cap_is_an_inventory_full_error_and_the_connection_stays_open()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await ws.HelloAsync("cap-ws");
        for (var i = 1; i <= Max; i++)
            Assert.Equal("inventory-added", WsFrameAssert.Type(await ws.RequestAsync("inventory-add", new { itemId = $"ring-{i}" })));

        var error = WsFrameAssert.Error(await ws.RequestAsync("inventory-add", new { itemId = "ring-extra" }), WsErrors.InventoryFull);
        Assert.Equal(Max, error.GetProperty("maxItems").GetInt32());
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));
    }

    [Fact]
    public async Task The_state_is_paged_by_player_id_and_the_pages_add_up_to_every_player_online()
    {
        var players = Enumerable.Range(0, 5).Select(i => $"page-{i}").ToArray();
        foreach (var player in players.Reverse())
        {
            using var put = await node.Http.PutAsync($"/api/players/{player}/position",
                new StringContent("""{ "zone": "plaza", "x": 1, "y": 2 }""", Encoding.UTF8, "application/json"));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var first = await node.Http.GetFromJsonAsync<JsonElement>("/api/state?take=2");
        Assert.Equal(0, first.GetProperty("skip").GetInt32());
        Assert.Equal(2, first.GetProperty("take").GetInt32());
        Assert.Equal(2, first.GetProperty("online").GetArrayLength());
        var onlineCount = first.GetProperty("onlineCount").GetInt32();
        Assert.True(onlineCount >= players.Length, first.ToString());

        var seen = new List<string>();
        for (var skip = 0; skip < onlineCount; skip += 2)
        {
            var page = await node.Http.GetFromJsonAsync<JsonElement>($"/api/state?skip={skip}&take=2");
            seen.AddRange(page.GetProperty("online").EnumerateArray().Select(p => p.GetProperty("playerId").GetString()!));
        }
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), players.ToHashSet());

        var beyond = await node.Http.GetFromJsonAsync<JsonElement>($"/api/state?skip={onlineCount}");
        Assert.Equal(0, beyond.GetProperty("online").GetArrayLength());
    }

    [Theory]
    [InlineData("take=0", "take")]
    [InlineData("take=201", "take")]
    [InlineData("take=abc", "take")]
    [InlineData("skip=-1", "skip")]
    [InlineData("take=1&take=2", "take")]
    [InlineData("page=2", "page")]
    public async Task A_bad_state_query_is_a_400_naming_the_parameter(string query, string field)
    {
        using var answer = await node.Http.GetAsync("/api/state?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_player_never_heard_from_is_not_in_the_state_but_is_read_back_by_id()
    {
        using (var add = await node.Http.PostAsync("/api/players/quiet-bo/inventory/lantern", null))
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());

        var state = await node.Http.GetFromJsonAsync<JsonElement>($"/api/state?take={Cluster.State.GameState.MaxSnapshotTake}");
        Assert.DoesNotContain(state.GetProperty("online").EnumerateArray(), p => p.GetProperty("playerId").GetString() == "quiet-bo");

        var player = await PlayerAsync("quiet-bo");
        Assert.Equal("quiet-bo", player.GetProperty("playerId").GetString());
        Assert.False(player.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Null, player.GetProperty("position").ValueKind);
        Assert.Equal(["lantern"], Inventory(player));
        Assert.Equal(1, player.GetProperty("inventoryCount").GetInt32());
        Assert.Equal(Max, player.GetProperty("maxInventoryItems").GetInt32());
    }

    [Fact]
    public async Task A_player_is_read_back_with_position_inventory_and_what_their_memory_holds()
    {
        using (var put = await node.Http.PutAsync("/api/players/full-cy/position",
                   new StringContent("""{ "zone": "harbour", "x": 4.5, "y": -7 }""", Encoding.UTF8, "application/json")))
            Assert.True(put.IsSuccessStatusCode);
        using (var add = await node.Http.PostAsync("/api/players/full-cy/inventory/rope", null))
            Assert.True(add.IsSuccessStatusCode);
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "full-cy", "seed": 77 }""");
        generated.EnsureSuccessStatusCode();
        var contentId = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using (var rate = await node.PostJsonAsync($"/api/content/{contentId}/ratings", """{ "playerId": "full-cy", "stars": 5 }"""))
            Assert.Equal(HttpStatusCode.Created, rate.StatusCode);

        var player = await PlayerAsync("full-cy");

        Assert.True(player.GetProperty("online").GetBoolean());
        var position = player.GetProperty("position");
        Assert.Equal("harbour", position.GetProperty("zone").GetString());
        Assert.Equal(4.5, position.GetProperty("x").GetDouble());
        Assert.Equal(-7, position.GetProperty("y").GetDouble());
        Assert.Equal(["rope"], Inventory(player));
        var memory = player.GetProperty("memory");
        Assert.Equal(1, memory.GetProperty("generatedCount").GetInt32());
        Assert.Equal(1, memory.GetProperty("ratingCount").GetInt32());
        Assert.False(memory.GetProperty("sharing").GetBoolean());
        // docs/content.md: a profile needs 5 rated contents, so one rating leaves 4 to go.
        Assert.False(memory.GetProperty("preferences").GetProperty("hasProfile").GetBoolean());
        Assert.Equal(4, memory.GetProperty("preferences").GetProperty("ratingsNeeded").GetInt32());
    }

    [Fact]
    public async Task A_player_known_only_to_their_memory_is_found_and_an_id_memory_cannot_hold_has_no_memory_part()
    {
        using var generated = await node.PostJsonAsync("/api/content/quest", """{ "playerId": "memo-di", "seed": 5 }""");
        generated.EnsureSuccessStatusCode();
        var remembered = await PlayerAsync("memo-di");
        Assert.Equal(JsonValueKind.Null, remembered.GetProperty("position").ValueKind);
        Assert.Equal(1, remembered.GetProperty("memory").GetProperty("generatedCount").GetInt32());

        // '.' is allowed in game-state ids but not in player memory's.
        using (var add = await node.Http.PostAsync("/api/players/dot.ted/inventory/map-1", null))
            Assert.True(add.IsSuccessStatusCode);
        var dotted = await PlayerAsync("dot.ted");
        Assert.Equal(["map-1"], Inventory(dotted));
        Assert.Equal(JsonValueKind.Null, dotted.GetProperty("memory").ValueKind);
    }

    [Fact]
    public async Task An_unknown_player_is_a_404_and_a_malformed_id_a_400()
    {
        using (var unknown = await node.Http.GetAsync("/api/players/nobody-here-42"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
        foreach (var bad in new[] { "bad%20id", "semi%3Bcolon", new string('x', 65) })
        {
            using var answer = await node.Http.GetAsync("/api/players/" + bad);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Head_health_answers_the_status_and_content_type_of_get_without_a_body()
    {
        using var get = await node.Http.GetAsync("/health");
        using var head = await node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal("application/json", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    private async Task<JsonElement> PlayerAsync(string id)
    {
        using var answer = await node.Http.GetAsync("/api/players/" + id);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] Inventory(JsonElement player) =>
        player.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()!).ToArray();
}
