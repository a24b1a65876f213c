using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using P2PActors.Testing;
using P2PActors.Testing.Browser;

namespace P2PActors.Node.Tests.Browser;

/// <summary>The page every node serves at <c>/</c>, driven in Debian's Chromium inside a network namespace of the test's own.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PageTests
{
    /// <summary>Generates an item with <paramref name="seed"/> from the Create tab and answers its JSON as the page shows it.</summary>
    private static async Task<JsonElement> GenerateItemAsync(IPage page, int seed)
    {
        await page.CheckAsync("[data-testid='type-item']");
        await page.FillAsync("#seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#generate-button");
        await page.WaitForSelectorAsync("#result-body:not([hidden])");
        return JsonDocument.Parse(await page.TextContentAsync("#result-json") ?? "").RootElement.Clone();
    }

    [ChromiumFact]
    public async Task A_page_from_an_allowed_origin_sends_the_pages_http_writes_to_another_node_and_reads_the_answers()
    {
        // Prevents: --ws-allowed-origins let such writes through the node's guard, but the node answered no CORS
        // preflight, so Chromium refused every PUT, DELETE and JSON body a page from another origin sent (the docs
        // promised them) and let it read no answer.
        await using var harness = await PageHarness.StartAsync(nodes: 2, nodeArgs: ["--ws-allowed-origins", "*"]);
        var page = await harness.OpenAsync(0);
        var other = harness.Cluster.Urls[1].ToString().TrimEnd('/');
        var answers = await page.EvaluateAsync<JsonElement>("""
            async (node) => {
              const json = { 'content-type': 'application/json', authorization: 'Bearer nobody-holds-this-player' };
              const made = await fetch(`${node}/api/content/item`, { method: 'POST', headers: json, body: JSON.stringify({ playerId: 'cors-ann', seed: 5 }) });
              const item = await made.json();
              const sharing = await fetch(`${node}/api/players/cors-ann/sharing`, { method: 'PUT', headers: json, body: JSON.stringify({ share: true }) });
              const left = await fetch(`${node}/api/players/cors-ann/position`, { method: 'DELETE' });
              return { made: made.status, cache: made.headers.get('x-cache'), location: made.headers.get('location'), id: item.id,
                       sharing: sharing.status, shares: (await sharing.json()).sharing, left: left.status };
            }
            """, other);
        Assert.Equal(200, answers.GetProperty("made").GetInt32());
        Assert.Equal("miss", answers.GetProperty("cache").GetString());
        Assert.Equal($"/api/content/{answers.GetProperty("id").GetString()}", answers.GetProperty("location").GetString());
        Assert.Equal(200, answers.GetProperty("sharing").GetInt32());
        Assert.True(answers.GetProperty("shares").GetBoolean());
        Assert.InRange(answers.GetProperty("left").GetInt32(), 200, 299);
    }

    [ChromiumFact]
    public async Task A_join_the_node_refuses_leaves_no_websocket_open_and_leaving_clears_what_was_shown_for_the_player()
    {
        const string NoProfile = "Join to see what the node learns from your ratings.";
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var holder = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(holder, "alice");
        await holder.WaitForFunctionAsync("t => document.getElementById('preferences').textContent !== t", NoProfile);
        await WsConnectionsAsync(node, 1);

        // alice is held by the first page: the node refuses the second page's hello after its socket opened.
        var other = await harness.OpenAsync(0);
        await other.FillAsync("#player-name", "alice");
        await other.ClickAsync("#join-button");
        await other.WaitForFunctionAsync("() => document.getElementById('toast').textContent.startsWith('Could not join as alice')");
        Assert.True(await other.IsVisibleAsync("#join-form"));
        // The refused page closed its socket: the node counts the first page's alone again (it kept both before).
        await WsConnectionsAsync(node, 1);

        // alice generates an item, then leaves: the join form is back, the panels no longer show alice's profile, and
        // her item is gone with her (shared after she left, it went to the vote under nobody's name).
        await GenerateItemAsync(holder, seed: 3);
        await holder.ClickAsync("#leave-button");
        await holder.WaitForSelectorAsync("#join-form:not([hidden])");
        Assert.Equal(NoProfile, await holder.TextContentAsync("#preferences"));
        Assert.False(await holder.IsCheckedAsync("#share-ratings"));
        Assert.False(await holder.IsVisibleAsync("#result-body"));
        Assert.True(await holder.IsDisabledAsync("#share-button"));
        await WsConnectionsAsync(node, 0);

        // The node stops: a join whose socket cannot open says so and keeps the join form (it used to join the page
        // with no live connection, which could not play until it was reloaded).
        Assert.Equal(0, await harness.Cluster.Nodes[0].StopAsync(TimeSpan.FromSeconds(60)));
        await other.FillAsync("#player-name", "bruno");
        await other.ClickAsync("#join-button");
        await other.WaitForFunctionAsync("() => document.getElementById('toast').textContent.includes('did not open')");
        Assert.True(await other.IsVisibleAsync("#join-form"));
        Assert.False(await other.IsVisibleAsync("#player-badge"));
        Assert.False(await other.IsDisabledAsync("#join-button"));
    }

    [ChromiumFact]
    public async Task A_generated_item_is_taken_into_the_inventory_and_dropped_from_it_and_the_node_holds_what_the_page_shows()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "alice");
        await page.WaitForSelectorAsync("#inventory li.muted >> text=Nothing yet");

        var item = await GenerateItemAsync(page, seed: 5);
        var id = item.GetProperty("id").GetString()!;
        await page.ClickAsync("#take-button");

        // Listed by name, and held by the node: the player's state, not only the page, has it.
        var row = $"#inventory li[data-item='{id}']";
        await page.WaitForSelectorAsync(row);
        Assert.Equal(item.GetProperty("name").GetString(), (await page.TextContentAsync($"{row} .grow"))?.Trim());
        using var http = new HttpClient { BaseAddress = node };
        Assert.Equal([id], await InventoryAsync(http, "alice"));
        Assert.Equal("1 of 200 items", await page.TextContentAsync("#inventory-count"));

        await page.ClickAsync($"{row} button");
        await page.WaitForSelectorAsync(row, new() { State = WaitForSelectorState.Detached });
        Assert.Empty(await InventoryAsync(http, "alice"));

        // A map is not an item: nothing to take.
        await page.CheckAsync("[data-testid='type-map']");
        await page.ClickAsync("#generate-button");
        await page.WaitForFunctionAsync("() => document.getElementById('result-type').textContent === 'map'");
        Assert.False(await page.IsVisibleAsync("#take-button"));
    }

    private static async Task<string[]> InventoryAsync(HttpClient http, string player)
    {
        var view = await http.GetFromJsonAsync<JsonElement>($"/api/players/{player}");
        return view.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()!).ToArray();
    }

    /// <summary>Waits until the node's <c>p2pactors_ws_connections</c> gauge reads <paramref name="expected"/>.</summary>
    private static async Task WsConnectionsAsync(Uri node, int expected)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string? line = null;
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await http.GetStringAsync("/metrics");
            line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("p2pactors_ws_connections ", StringComparison.Ordinal));
            if (line == $"p2pactors_ws_connections {expected}")
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"the node's WebSocket connections never read {expected}; last: '{line}'");
    }

    [ChromiumFact]
    public async Task Sharing_content_someone_else_shared_first_shows_it_already_in_the_catalog_under_their_name()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "bob");
        var id = (await GenerateItemAsync(page, seed: 9)).GetProperty("id").GetString()!;

        // carol shares the same content first (the same seed and type make the same item), over HTTP.
        using var http = new HttpClient { BaseAddress = harness.Cluster.Urls[0], Timeout = TimeSpan.FromSeconds(30) };
        // (A 409 there means an attempt answered 503 landed after all: the author is checked below.)
        await WorldTestSupport.ShareAsync(http, id, author: "carol");

        await page.ClickAsync("#share-button");
        await page.WaitForSelectorAsync("#vote[data-decision='already-shared']");
        Assert.Contains("shared by carol", await page.TextContentAsync("#vote"), StringComparison.Ordinal);
        // Still listed under carol: bob's share changed nothing.
        var catalog = await http.GetFromJsonAsync<JsonElement>("/api/catalog?type=item");
        Assert.Equal("carol", catalog.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id).GetProperty("author").GetString());
    }

    [ChromiumFact]
    public async Task A_tab_whose_player_was_taken_while_its_connection_was_down_stops_reconnecting_and_offers_to_join()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var first = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(first, "dana");
        // The first tab loses its connection and waits 5 s before it tries to resume: meanwhile a second tab takes dana.
        await first.EvaluateAsync("() => { window.p2p.session.retryMs = 5000; window.p2p.session.socket.close(); }");
        await first.WaitForSelectorAsync("#live-status:not([hidden])");
        var second = await harness.OpenAsync(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            // The node frees the first tab's claim once it sees the close; until then the second hello is refused.
            await second.FillAsync("#player-name", "dana");
            await second.ClickAsync("#join-button");
            await second.WaitForFunctionAsync("() => !document.getElementById('player-badge').hidden || document.getElementById('toast').textContent.startsWith('Could not join')");
            if (await second.IsVisibleAsync("#player-badge"))
                break;
            Assert.True(DateTime.UtcNow < deadline, "the second tab never got dana");
            await second.EvaluateAsync("() => { document.getElementById('toast').textContent = ''; }");
        }

        // The first tab's resume is refused (session-held): it gives up and shows the join form, not "Playing as dana".
        await first.WaitForSelectorAsync("#join-form:not([hidden])", new() { Timeout = 30_000 });
        Assert.False(await first.IsVisibleAsync("#live-status"));
        Assert.False(await first.EvaluateAsync<bool>("() => window.p2p.session.ready"));
        Assert.True(await second.EvaluateAsync<bool>("() => window.p2p.session.ready"));
    }

    [ChromiumFact]
    public async Task Walking_the_stars_with_the_arrow_keys_sends_one_rating_the_one_it_rests_on()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "stella");
        var id = (await GenerateItemAsync(page, seed: 11)).GetProperty("id").GetString()!;
        // Count the rate requests the page sends (the session is the page's one way to the node while it is live).
        await page.EvaluateAsync("""
            () => {
              const s = window.p2p.session;
              const request = s.request.bind(s);
              window.rateRequests = [];
              s.request = (type, fields, early) => { if (type === 'rate') window.rateRequests.push(fields.stars); return request(type, fields, early); };
            }
            """);

        await page.ClickAsync("#stars label[data-star='1']");
        foreach (var _ in Enumerable.Range(0, 3))
            await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForFunctionAsync("() => /^(Rated|Rating replaced) 4/.test(document.getElementById('rating-status').textContent)");
        var sent = await page.EvaluateAsync<int[]>("() => window.rateRequests");
        Assert.Equal(new[] { 4 }, sent);
        using var http = new HttpClient { BaseAddress = harness.Cluster.Urls[0] };
        // The page's session holds stella: her ratings are read with its token.
        http.DefaultRequestHeaders.Authorization = new("Bearer", await page.EvaluateAsync<string>("() => window.p2p.session.bearer"));
        var ratings = await http.GetFromJsonAsync<JsonElement>("/api/players/stella/ratings");
        var rating = Assert.Single(ratings.GetProperty("ratings").EnumerateArray());
        Assert.Equal(id, rating.GetProperty("contentId").GetString());
        Assert.Equal(4, rating.GetProperty("stars").GetInt32());
    }

    [ChromiumFact]
    public async Task Content_opened_again_shows_the_stars_the_player_gave_it_and_a_new_choice_starts_from_them()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var map = await WorldTestSupport.ShareMapAsync(node, seed: 17);
        // rhea rated the map before this page joined (on another device, say): no session holds her yet.
        using var http = new HttpClient { BaseAddress = node };
        using (var rated = await http.PostAsJsonAsync($"/api/content/{map.Id}/ratings", new { playerId = "rhea", stars = 3 }))
            Assert.Equal(System.Net.HttpStatusCode.Created, rated.StatusCode);

        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "rhea");
        await page.ClickAsync("#tab-catalog");
        await page.ClickAsync($"#catalog-rows tr:has(div[title='{map.Id}']) button");
        await page.WaitForFunctionAsync("id => document.getElementById('result-json').textContent.includes(id)", map.Id);
        await page.WaitForFunctionAsync("() => document.getElementById('rating-status').textContent === 'You rated it 3★'");
        Assert.Equal(3, await page.EvalOnSelectorAllAsync<int>("#stars label.on", "ls => ls.length"));
        Assert.True(await page.IsCheckedAsync("#stars label[data-star='3'] input"));

        // A new item starts with no stars; the map opened again has its 3, and a new choice replaces them.
        await GenerateItemAsync(page, seed: 19);
        // (The map's result stayed visible meanwhile: wait for the item to replace it.)
        await page.WaitForFunctionAsync("() => document.getElementById('result-type').textContent === 'item'");
        Assert.Equal(0, await page.EvalOnSelectorAllAsync<int>("#stars label.on", "ls => ls.length"));
        await page.ClickAsync("#tab-catalog");
        await page.ClickAsync($"#catalog-rows tr:has(div[title='{map.Id}']) button");
        await page.WaitForFunctionAsync("() => document.getElementById('rating-status').textContent === 'You rated it 3★'");
        await page.ClickAsync("#stars label[data-star='5']");
        await page.WaitForFunctionAsync("() => document.getElementById('rating-status').textContent.startsWith('Rating replaced 5')");
        http.DefaultRequestHeaders.Authorization = new("Bearer", await page.EvaluateAsync<string>("() => window.p2p.session.bearer"));
        var ratings = await http.GetFromJsonAsync<JsonElement>("/api/players/rhea/ratings");
        Assert.Equal(5, Assert.Single(ratings.GetProperty("ratings").EnumerateArray()).GetProperty("stars").GetInt32());
    }

    /// <summary>Fails when the page is wider than its window: something that did not fit made the whole page scroll sideways.</summary>
    private static async Task AssertFitsAsync(IPage page, string where)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (widths[0] <= widths[1])
            return;
        // The deepest elements reaching past the window's right edge: what to fix.
        var past = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')]
              .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o)))
              .slice(0, 8)
              .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).replace(/ /g, '.') : ''} right ${Math.round(e.getBoundingClientRect().right)}`)
            """);
        Assert.Fail($"{where}: the page is {widths[0]} px wide in a {widths[1]} px window: {string.Join(", ", past)}");
    }

    [ChromiumFact]
    public async Task On_a_phone_sized_screen_nothing_scrolls_sideways_and_the_system_panels_come_after_the_game()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await WorldTestSupport.ShareMapAsync(harness.Cluster.Urls[0], seed: 41);
        var page = await harness.OpenAsync(0, new ViewportSize { Width = 390, Height = 844 });
        await AssertFitsAsync(page, "before joining");

        await BrowserPages.JoinAsync(page, "pia");
        await GenerateItemAsync(page, seed: 5);
        await AssertFitsAsync(page, "an item generated");
        var main = (await page.Locator("#main").BoundingBoxAsync())!;
        var sidebar = (await page.Locator("aside.sidebar").BoundingBoxAsync())!;
        Assert.True(sidebar.Y >= main.Y + main.Height - 1, $"the sidebar (y {sidebar.Y}) sits beside the game (y {main.Y}, {main.Height} px high)");
        var preview = (await page.Locator("#preview").BoundingBoxAsync())!;
        Assert.True(preview.X >= 0 && preview.X + preview.Width <= 390, $"the preview spans x {preview.X} to {preview.X + preview.Width}");

        await page.ClickAsync("#tab-catalog");
        await page.WaitForSelectorAsync($"#catalog-rows tr:has(div[title='{map.Id}'])");
        await AssertFitsAsync(page, "the catalog");

        await WorldTestSupport.EnterZoneAsync(page, map.Id);
        await AssertFitsAsync(page, "in the zone");
        var canvas = (await page.Locator("#world").BoundingBoxAsync())!;
        Assert.True(canvas.X >= 0 && canvas.X + canvas.Width <= 390, $"the map spans x {canvas.X} to {canvas.X + canvas.Width}");
        await PageHarness.ScreenshotAsync(page, "phone");
    }

    [ChromiumFact]
    public async Task The_world_card_lists_the_players_of_every_node_who_stand_in_a_map_and_which_map()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 2);
        var map = await WorldTestSupport.ShareMapAsync(harness.Cluster.Urls[0], seed: 43);
        var ona = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(ona, "ona");
        var oli = await harness.OpenAsync(1);
        await BrowserPages.JoinAsync(oli, "oli");
        await WorldTestSupport.EnterZoneAsync(oli, map.Id);

        // ona, on the other node, opens the World tab, which lists the shared maps by name; she is in no map yet.
        await ona.ClickAsync("#tab-world");
        await ona.WaitForSelectorAsync($"#zone-select option[value='{map.Id}']", new() { State = WaitForSelectorState.Attached });
        var mapName = await ona.TextContentAsync($"#zone-select option[value='{map.Id}']");
        // The card is read every 5 s: it comes to list oli in that map.
        await ona.WaitForFunctionAsync("""
            name => document.querySelector("#online-players li[data-player='oli'] .zone")?.textContent === name
            """, mapName);
        Assert.Equal(map.Id, await ona.GetAttributeAsync("#online-players li[data-player='oli'] .zone", "title"));
        // Online but in no map (ona, and the test harness's own watching sessions): not listed.
        Assert.Equal(["oli"], await ona.EvalOnSelectorAllAsync<string[]>("#online-players li[data-player]", "ls => ls.map((l) => l.dataset.player)"));
        Assert.Equal("(1)", await ona.TextContentAsync("#online-count"));

        // oli's map is a button on ona's card: a click takes her there (the World tab shows, she stands on the map).
        await ona.ClickAsync("#tab-create");
        await ona.ClickAsync("#online-players li[data-player='oli'] button.zone");
        await ona.WaitForFunctionAsync("z => window.p2p.world.zone === z && window.p2p.world.position !== null", map.Id);
        Assert.Equal("true", await ona.GetAttributeAsync("#tab-world", "aria-selected"));
        await ona.WaitForFunctionAsync("() => document.getElementById('online-count').textContent === '(2)'");
        Assert.Equal("ona (you)", await ona.TextContentAsync("#online-players li[data-player='ona'] .grow"));
        Assert.Equal(mapName, await ona.TextContentAsync("#online-players li[data-player='ona'] .zone"));
        // The map she stands in is no longer a button: there is nowhere to go.
        await ona.WaitForSelectorAsync("#online-players li[data-player='oli'] button.zone", new() { State = WaitForSelectorState.Detached });
    }

    [ChromiumFact]
    public async Task Messages_in_a_row_are_all_shown_newest_first_each_dismissable_and_a_repeat_is_shown_once()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await WorldTestSupport.ShareMapAsync(harness.Cluster.Urls[0], seed: 27);
        var page = await harness.OpenAsync(0);
        const string PickFirst = "Pick a shared map first: share a map from the Create tab.";
        const string JoinFirst = "Join first: the world needs a live connection to the node.";
        const string Items = "() => [...document.querySelectorAll('#toast .toast-item span')].map(s => s.textContent)";

        // Two messages one after the other, before joining: no zone picked, then a zone but no player.
        await page.ClickAsync("#tab-world");
        await page.ClickAsync("#zone-join");
        await page.WaitForSelectorAsync($"#zone-select option[value='{map.Id}']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#zone-select", map.Id);
        await page.ClickAsync("#zone-join");
        await page.WaitForFunctionAsync($"() => ({Items})().length === 2");
        Assert.Equal([JoinFirst, PickFirst], await page.EvaluateAsync<string[]>(Items));

        // The first one again: shown once, on top, not twice.
        await page.SelectOptionAsync("#zone-select", "");
        await page.ClickAsync("#zone-join");
        await page.WaitForFunctionAsync($"t => ({Items})()[0] === t", PickFirst);
        Assert.Equal([PickFirst, JoinFirst], await page.EvaluateAsync<string[]>(Items));

        // Dismissed one by one; the box goes when the last does.
        await page.ClickAsync("#toast .toast-item:first-child .toast-close");
        Assert.Equal([JoinFirst], await page.EvaluateAsync<string[]>(Items));
        await page.ClickAsync("#toast .toast-item:first-child .toast-close");
        Assert.True(await page.IsHiddenAsync("#toast"));
    }

    [ChromiumFact]
    public async Task Opening_a_catalog_entry_moves_the_focus_to_it()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await WorldTestSupport.ShareMapAsync(harness.Cluster.Urls[0], seed: 15);
        var page = await harness.OpenAsync(0);
        await page.ClickAsync("#tab-catalog");
        var open = "#catalog-rows button[title^='Open']";
        await page.WaitForSelectorAsync(open);
        await page.FocusAsync(open);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("id => document.getElementById('result-json').textContent.includes(id)", map.Id);
        // Where the user reads next, not the top of the page: the button that opened it is in a panel now hidden.
        await page.WaitForFunctionAsync("() => document.activeElement?.id === 'result-name'");
    }

    [ChromiumFact]
    public async Task Page_loads_from_a_node_and_renders_a_generated_character()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var page = await harness.OpenAsync(0);
        Assert.Equal("P2PActors", await page.TitleAsync());
        // The parameters come from GET /api/types: the character's classes are the options of its "class" field.
        await page.CheckAsync("[data-testid='type-character']");
        var classes = await page.EvalOnSelectorAllAsync<string[]>("#param-fields select[name='class'] option", "os => os.map(o => o.value).filter(v => v)");
        Assert.Equal(["warrior", "mage", "rogue", "cleric", "ranger", "paladin"], classes);

        await BrowserPages.JoinAsync(page, "alice");
        await page.SelectOptionAsync("#param-fields select[name='class']", "mage");
        await page.FillAsync("#param-fields input[name='level']", "12");
        await page.FillAsync("#seed", "42");
        await page.ClickAsync("#generate-button");
        await page.WaitForSelectorAsync("#result-body:not([hidden])");

        var shown = JsonDocument.Parse(await page.TextContentAsync("#result-json") ?? "").RootElement;
        Assert.Equal("character", shown.GetProperty("type").GetString());
        Assert.Equal("mage", shown.GetProperty("class").GetString());
        Assert.Equal(12, shown.GetProperty("level").GetInt32());
        Assert.Equal(42, shown.GetProperty("seed").GetInt64());
        var id = shown.GetProperty("id").GetString()!;

        // The same content straight from the node: the page shows exactly what the node generated.
        using var http = new HttpClient();
        var fromNode = await http.GetFromJsonAsync<JsonElement>(new Uri(harness.Cluster.Urls[0], $"/api/content/{id}"));
        Assert.Equal(shown.GetProperty("name").GetString(), fromNode.GetProperty("name").GetString());
        Assert.Equal(shown.GetProperty("name").GetString(), await page.TextContentAsync("#result-name"));

        // The preview is decoded by the browser, not just present: its pixels are drawn and read back.
        var picture = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const img = document.getElementById('preview');
              await img.decode();
              const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
              const g = canvas.getContext('2d');
              g.drawImage(img, 0, 0);
              const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
              const colours = new Set();
              for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
              return { width: img.naturalWidth, height: img.naturalHeight, colours: colours.size, src: img.currentSrc };
            }
            """);
        Assert.Equal(256, picture.GetProperty("width").GetInt32());
        Assert.Equal(256, picture.GetProperty("height").GetInt32());
        Assert.True(picture.GetProperty("colours").GetInt32() > 16, $"a character sprite has many colours: {picture}");
        Assert.StartsWith(harness.Cluster.Urls[0].ToString(), picture.GetProperty("src").GetString());

        await PageHarness.ScreenshotAsync(page, "create");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
