using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace P2PActors.Node.Tests.Browser;

/// <summary>What the world tests need beside the page: a shared map, tile walkability, keyboard-only focus moves.</summary>
public static class WorldTestSupport
{
    /// <summary>Walkable tiles as docs/content.md defines them: grass, forest, desert, floor.</summary>
    public static bool Walkable(char tile) => tile is 'g' or 'f' or 'd' or '.';

    public sealed record SharedMap(string Id, string[] Rows, int SpawnX, int SpawnY)
    {
        public char At(int x, int y) => y < 0 || y >= Rows.Length || x < 0 || x >= Rows[y].Length ? '\0' : Rows[y][x];
    }

    /// <summary>Generates a map on the node and shares it through the vote (retried while undecided), over HTTP.</summary>
    public static async Task<SharedMap> ShareMapAsync(Uri node, int seed, string generator = "dungeon", int width = 24, int height = 16)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        using var generated = await http.PostAsync("/api/content/map", Json(
            $$"""{ "playerId": "mapmaker", "seed": {{seed}}, "params": { "width": {{width}}, "height": {{height}}, "generator": "{{generator}}" } }"""));
        var body = await generated.Content.ReadAsStringAsync();
        Assert.True(generated.IsSuccessStatusCode, body);
        var map = JsonDocument.Parse(body).RootElement;
        var id = map.GetProperty("id").GetString()!;
        await ShareAsync(http, id, author: null);
        var spawn = map.GetProperty("spawns").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "player");
        return new SharedMap(id, map.GetProperty("rows").EnumerateArray().Select(r => r.GetString()!).ToArray(),
            spawn.GetProperty("x").GetInt32(), spawn.GetProperty("y").GetInt32());
    }

    /// <summary>Shares content the node holds through the vote over HTTP, retried while undecided.</summary>
    public static async Task ShareAsync(HttpClient http, string id, string? author)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var share = await http.PostAsync("/api/catalog",
                Json(author is null ? $$"""{ "contentId": "{{id}}" }""" : $$"""{ "contentId": "{{id}}", "author": "{{author}}" }"""));
            // 409: an earlier attempt answered 503 but landed after all; the content is shared either way.
            if (share.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict)
                return;
            // Freshly started nodes can miss the first decision timeout: "undecided" (503) says to try again.
            Assert.True(share.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 6, await share.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Moves a player over HTTP, as a bot without a page does (no WebRTC room: only its node tells pages of it).</summary>
    public static async Task MoveOverHttpAsync(Uri node, string player, string zone, int x, int y)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        using var put = await http.PutAsync($"/api/players/{player}/position", Json($$"""{ "zone": "{{zone}}", "x": {{x}}, "y": {{y}} }"""));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until a node lists the map in its catalog (the header replicates to every node).</summary>
    public static Task WaitForCatalogAsync(Uri node, string id) => NodeSignals.CatalogEntryAsync(node, id, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Arrow keys from <paramref name="from"/> to the nearest walkable tile next to a tile that is not walkable, and the
    /// arrow key that would then step onto the blocked tile.
    /// </summary>
    public static (List<string> Keys, (int X, int Y) Stand, string Blocked) PathToAWall(SharedMap map, (int X, int Y) from)
    {
        var steps = new (int Dx, int Dy, string Key)[] { (1, 0, "ArrowRight"), (-1, 0, "ArrowLeft"), (0, 1, "ArrowDown"), (0, -1, "ArrowUp") };
        var previous = new Dictionary<(int, int), ((int, int) From, string Key)?> { [from] = null };
        var queue = new Queue<(int X, int Y)>([from]);
        while (queue.Count > 0)
        {
            var at = queue.Dequeue();
            foreach (var (dx, dy, key) in steps)
            {
                var next = (at.X + dx, at.Y + dy);
                if (!Walkable(map.At(next.Item1, next.Item2)))
                {
                    if (map.At(next.Item1, next.Item2) == '\0')
                        continue; // outside the map: out-of-bounds, not a wall
                    var keys = new List<string>();
                    for (var back = at; previous[back] is { } link; back = link.From)
                        keys.Insert(0, link.Key);
                    return (keys, at, key);
                }
                if (previous.ContainsKey(next))
                    continue;
                previous[next] = (at, key);
                queue.Enqueue(next);
            }
        }
        throw new InvalidOperationException("the map has no wall next to the player's region");
    }

    /// <summary>A walkable neighbour of a tile and the arrow key that reaches it.</summary>
    public static (string Key, int X, int Y) WalkableNeighbour(SharedMap map, int x, int y)
    {
        foreach (var (dx, dy, key) in new[] { (1, 0, "ArrowRight"), (-1, 0, "ArrowLeft"), (0, 1, "ArrowDown"), (0, -1, "ArrowUp") })
        {
            if (Walkable(map.At(x + dx, y + dy)))
                return (key, x + dx, y + dy);
        }
        throw new InvalidOperationException($"no walkable neighbour of ({x}, {y})");
    }

    /// <summary>Presses Tab until the focused element matches <paramref name="selector"/> (keyboard only, as a user would).</summary>
    public static async Task TabToAsync(IPage page, string selector, int limit = 60)
    {
        for (var i = 0; i < limit; i++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
                return;
            await page.Keyboard.PressAsync("Tab");
        }
        throw new InvalidOperationException($"Tab never reached {selector}");
    }

    /// <summary>The page's own position, as its world module holds it (null before entering a zone).</summary>
    public static async Task<(int X, int Y)?> PositionAsync(IPage page)
    {
        var p = await page.EvaluateAsync<JsonElement>("() => window.p2p.world.position");
        return p.ValueKind == JsonValueKind.Object ? (p.GetProperty("x").GetInt32(), p.GetProperty("y").GetInt32()) : null;
    }

    /// <summary>Where the page shows another player (null while it does not show them).</summary>
    public static async Task<(int X, int Y)?> SeenAsync(IPage page, string player)
    {
        var p = await page.EvaluateAsync<JsonElement>("name => window.p2p.world.players[name] ?? null", player);
        return p.ValueKind == JsonValueKind.Object ? (p.GetProperty("x").GetInt32(), p.GetProperty("y").GetInt32()) : null;
    }

    /// <summary>Enters a zone with the World tab's controls.</summary>
    public static async Task EnterZoneAsync(IPage page, string zone)
    {
        await page.ClickAsync("#tab-world");
        await page.WaitForSelectorAsync($"#zone-select option[value='{zone}']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#zone-select", zone);
        await page.ClickAsync("#zone-join");
        await page.WaitForFunctionAsync("z => window.p2p.world.zone === z && window.p2p.world.position !== null", zone);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
