using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using P2PActors.Testing;
using P2PActors.Testing.Browser;
using static P2PActors.Node.Tests.Browser.WorldTestSupport;

namespace P2PActors.Node.Tests.Browser;

/// <summary>The shared world and its WebRTC peers in Chromium: keyboard play, two nodes, data channels, a node stopping.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WorldTests
{
    [ChromiumFact]
    public async Task A_player_joins_generates_shares_a_map_and_moves_with_the_keyboard_alone()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var page = await harness.OpenAsync(0);
        var keys = page.Keyboard;

        await TabToAsync(page, "#player-name");
        await keys.TypeAsync("kim");
        await keys.PressAsync("Enter");
        await page.WaitForSelectorAsync("#player-badge:not([hidden])");

        // Map type: the type picker is a radio group, so the arrow keys walk character → item → quest → map.
        await TabToAsync(page, "#type-options input:checked");
        for (var i = 0; i < 3; i++)
            await keys.PressAsync("ArrowRight");
        Assert.Equal("map", await page.EvalOnSelectorAsync<string>("#type-options input:checked", "e => e.value"));
        await TabToAsync(page, "#param-fields input[name='width']");
        await keys.TypeAsync("24");
        await TabToAsync(page, "#param-fields input[name='height']");
        await keys.TypeAsync("16");
        await TabToAsync(page, "#seed");
        await keys.TypeAsync("7");
        await keys.PressAsync("Enter");
        await page.WaitForSelectorAsync("#result-body:not([hidden])");
        var map = JsonDocument.Parse(await page.TextContentAsync("#result-json") ?? "").RootElement;
        Assert.Equal("map", map.GetProperty("type").GetString());
        Assert.Equal(24, map.GetProperty("width").GetInt32());

        await TabToAsync(page, "#share-button");
        await keys.PressAsync("Enter");
        await page.WaitForSelectorAsync("#vote[data-decision='accepted']");

        // To the World tab with the tab list's arrow keys, pick the zone, enter it.
        await TabToAsync(page, "#tab-create");
        await keys.PressAsync("ArrowRight");
        await keys.PressAsync("ArrowRight");
        Assert.Equal("true", await page.GetAttributeAsync("#tab-world", "aria-selected"));
        var id = map.GetProperty("id").GetString()!;
        await page.WaitForSelectorAsync($"#zone-select option[value='{id}']", new() { State = WaitForSelectorState.Attached });
        await TabToAsync(page, "#zone-select");
        await keys.PressAsync("ArrowDown");
        Assert.Equal(id, await page.InputValueAsync("#zone-select"));
        await TabToAsync(page, "#zone-join");
        await keys.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.p2p.world.position !== null && document.activeElement?.id === 'world'");

        var spawn = map.GetProperty("spawns").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "player");
        var shared = new SharedMap(id, map.GetProperty("rows").EnumerateArray().Select(r => r.GetString()!).ToArray(),
            spawn.GetProperty("x").GetInt32(), spawn.GetProperty("y").GetInt32());
        Assert.Equal((shared.SpawnX, shared.SpawnY), await PositionAsync(page));

        // Walk with the arrow keys to a tile beside a wall (each step a move the node accepts), then bump into the wall.
        var (path, stand, blocked) = PathToAWall(shared, (shared.SpawnX, shared.SpawnY));
        foreach (var key in path)
        {
            var before = await PositionAsync(page);
            await keys.PressAsync(key);
            await page.WaitForFunctionAsync("b => { const p = window.p2p.world.position; return p.x !== b[0] || p.y !== b[1]; }",
                new[] { before!.Value.X, before.Value.Y });
        }
        Assert.Equal(stand, await PositionAsync(page));
        await keys.PressAsync(blocked);
        await page.WaitForFunctionAsync("() => document.getElementById('zone-status').textContent.startsWith('Blocked')");
        Assert.Equal(stand, await PositionAsync(page));

        // The node holds the position the page shows.
        using var http = new HttpClient { BaseAddress = harness.Cluster.Urls[0] };
        var state = await http.GetFromJsonAsync<JsonElement>("/api/state");
        var kim = state.GetProperty("online").EnumerateArray().First(p => p.GetProperty("playerId").GetString() == "kim").GetProperty("position");
        Assert.Equal(id, kim.GetProperty("zone").GetString());
        Assert.Equal(stand, ((int)kim.GetProperty("x").GetDouble(), (int)kim.GetProperty("y").GetDouble()));

        await PageHarness.ScreenshotAsync(page, "world");
    }

    [ChromiumFact]
    public async Task Two_pages_on_two_nodes_of_a_three_node_cluster_see_each_other_move_in_one_zone()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 3);
        var (alice, bob, map) = await TwoPlayersInOneZoneAsync(harness);

        // Each sees the other standing on the spawn, then each sees the other's step.
        await alice.WaitForFunctionAsync("() => window.p2p.world.players.bob !== undefined");
        var (aliceKey, ax, ay) = WalkableNeighbour(map, map.SpawnX, map.SpawnY);
        await alice.FocusAsync("#world");
        await alice.Keyboard.PressAsync(aliceKey);
        await bob.WaitForFunctionAsync("p => { const a = window.p2p.world.players.alice; return a && a.x === p[0] && a.y === p[1]; }", new[] { ax, ay });

        // Drawn on the canvas, not only known: the pixel at the centre of alice's tile on bob's canvas is her avatar's colour
        // (bob still stands on the spawn; WalkableNeighbour tries up last, where bob's own name label would cover her).
        var drawn = await bob.EvaluateAsync<bool>("""
            ([x, y]) => {
              const canvas = document.getElementById('world');
              const tile = canvas.width / 24;
              const [r, g, b] = canvas.getContext('2d').getImageData(Math.floor((x + 0.5) * tile), Math.floor((y + 0.5) * tile), 1, 1).data;
              const probe = document.createElement('canvas').getContext('2d');
              probe.fillStyle = window.p2p.colorOf('alice');
              probe.fillRect(0, 0, 1, 1);
              const [er, eg, eb] = probe.getImageData(0, 0, 1, 1).data;
              return Math.abs(r - er) + Math.abs(g - eg) + Math.abs(b - eb) < 12;
            }
            """, new[] { ax, ay });
        Assert.True(drawn, "bob's canvas does not show alice's avatar on her tile");
        // Bob's step: any walkable neighbour of the spawn (he may join alice on her tile; two players may share one).
        var (bobKey, bx, by) = WalkableNeighbour(map, map.SpawnX, map.SpawnY);
        await bob.FocusAsync("#world");
        await bob.Keyboard.PressAsync(bobKey);
        await alice.WaitForFunctionAsync("p => { const b = window.p2p.world.players.bob; return b && b.x === p[0] && b.y === p[1]; }", new[] { bx, by });

        await PageHarness.ScreenshotAsync(bob, "two-players");
    }

    private sealed record View(int Tile, int X0, int Y0, int Cols, int Rows, int CanvasWidth, int CanvasHeight);

    private static async Task<View> ViewAsync(IPage page)
    {
        var v = await page.EvaluateAsync<JsonElement>(
            "() => ({ ...window.p2p.world.view, canvasWidth: document.getElementById('world').width, canvasHeight: document.getElementById('world').height })");
        int Get(string name) => v.GetProperty(name).GetInt32();
        return new View(Get("tile"), Get("x0"), Get("y0"), Get("cols"), Get("rows"), Get("canvasWidth"), Get("canvasHeight"));
    }

    /// <summary>Whether the canvas shows <paramref name="player"/>'s avatar colour at the centre of map tile (x, y).</summary>
    private static Task<bool> AvatarDrawnAtAsync(IPage page, string player, int x, int y) => page.EvaluateAsync<bool>("""
        ([name, x, y]) => {
          const { tile, x0, y0 } = window.p2p.world.view;
          const canvas = document.getElementById('world');
          const [r, g, b] = canvas.getContext('2d').getImageData(Math.floor((x - x0 + 0.5) * tile), Math.floor((y - y0 + 0.5) * tile), 1, 1).data;
          const probe = document.createElement('canvas').getContext('2d');
          probe.fillStyle = window.p2p.colorOf(name);
          probe.fillRect(0, 0, 1, 1);
          const [er, eg, eb] = probe.getImageData(0, 0, 1, 1).data;
          return Math.abs(r - er) + Math.abs(g - eg) + Math.abs(b - eb) < 12;
        }
        """, new object[] { player, x, y });

    [ChromiumFact]
    public async Task A_map_larger_than_the_view_is_drawn_at_a_readable_size_around_the_avatar_clicked_through_the_view_and_zoomed()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await ShareMapAsync(harness.Cluster.Urls[0], seed: 23, generator: "overworld", width: 200, height: 160);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "vera");
        await EnterZoneAsync(page, map.Id);

        // 200×160 tiles fit the 760×480 canvas only at 3 px a tile: shown at 12 px instead, a window of the map around
        // the avatar.
        var view = await ViewAsync(page);
        Assert.Equal(12, view.Tile);
        Assert.Equal((63, 40), (view.Cols, view.Rows));
        Assert.Equal((63 * 12, 40 * 12), (view.CanvasWidth, view.CanvasHeight));
        Assert.InRange(map.SpawnX, view.X0, view.X0 + view.Cols - 1);
        Assert.InRange(map.SpawnY, view.Y0, view.Y0 + view.Rows - 1);
        Assert.True(await AvatarDrawnAtAsync(page, "vera", map.SpawnX, map.SpawnY), "the avatar is not drawn on its tile of the view");
        await PageHarness.ScreenshotAsync(page, "world-large");

        // A click lands on the map tile under the pointer, the view's offset included.
        var (_, nx, ny) = WalkableNeighbour(map, map.SpawnX, map.SpawnY);
        var point = await page.EvaluateAsync<double[]>("""
            ([x, y]) => {
              const { tile, x0, y0 } = window.p2p.world.view;
              const canvas = document.getElementById('world');
              const rect = canvas.getBoundingClientRect();
              return [rect.left + (x - x0 + 0.5) * tile * rect.width / canvas.width, rect.top + (y - y0 + 0.5) * tile * rect.height / canvas.height];
            }
            """, new[] { nx, ny });
        await page.Mouse.ClickAsync((float)point[0], (float)point[1]);
        await page.WaitForFunctionAsync("p => { const me = window.p2p.world.position; return me.x === p[0] && me.y === p[1]; }", new[] { nx, ny });

        // Zoomed out to the whole map (3 px), where the zoom-out button stops; then in again, the avatar still in view.
        while (!await page.IsDisabledAsync("#zoom-out"))
            await page.ClickAsync("#zoom-out");
        view = await ViewAsync(page);
        Assert.Equal((3, 0, 0, 200, 160), (view.Tile, view.X0, view.Y0, view.Cols, view.Rows));
        await page.FocusAsync("#world");
        foreach (var _ in Enumerable.Range(0, 6))
            await page.Keyboard.PressAsync("+");
        view = await ViewAsync(page);
        Assert.Equal(32, view.Tile);
        Assert.True(await page.IsDisabledAsync("#zoom-in"));
        Assert.InRange(nx, view.X0, view.X0 + view.Cols - 1);
        Assert.InRange(ny, view.Y0, view.Y0 + view.Rows - 1);
        Assert.True(await AvatarDrawnAtAsync(page, "vera", nx, ny), "the avatar is not drawn on its tile after zooming in");
    }

    [ChromiumFact]
    public async Task A_peer_flooding_relayed_pings_gets_few_answers_and_the_page_keeps_its_websocket_budget()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await ShareMapAsync(harness.Cluster.Urls[0], seed: 25);
        var victim = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(victim, "vic");
        await EnterZoneAsync(victim, map.Id);
        var attacker = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(attacker, "att");
        await EnterZoneAsync(attacker, map.Id);
        await victim.WaitForFunctionAsync("() => window.p2p.rtc.peers.some(p => p.playerId === 'att')");
        // Count what the victim's page sends through its WebSocket as answers.
        await victim.EvaluateAsync("""
            () => {
              const s = window.p2p.session;
              const request = s.request.bind(s);
              window.pongsSent = 0;
              s.request = (type, fields, early) => { if (type === 'signal' && fields?.data?.kind === 'pong') window.pongsSent++; return request(type, fields, early); };
            }
            """);

        // No refill during the test (the answers it allows are the burst, at most 20), so a slow machine that spreads
        // the pings over seconds does not change the count.
        await victim.EvaluateAsync("() => { window.p2p.rtc.relayedReplies.rate = 0; }");
        // 80 relayed pings at once (within the attacker's own burst), then a wave: signals from one peer are handled
        // in order, so once the wave is in, every ping has been answered or not.
        var victimPeer = await BrowserPages.PeerIdAsync(victim);
        await attacker.EvaluateAsync("""
            async (to) => {
              const s = window.p2p.session;
              const sent = [];
              for (let n = 1; n <= 80; n++) sent.push(s.request('signal', { to, data: { kind: 'ping', n: 100000 + n, ts: 0 } }));
              sent.push(s.request('signal', { to, data: { kind: 'wave' } }));
              await Promise.all(sent);
            }
            """, victimPeer);
        await victim.WaitForFunctionAsync("() => window.p2p.rtc.received.some(m => m.from === 'att' && m.text === 'wave')");
        var pongs = await victim.EvaluateAsync<int>("() => window.pongsSent");
        Assert.InRange(pongs, 1, 20);

        // The player's own moves still go through: 40 at once, none refused as rate-limited.
        var (_, nx, ny) = WalkableNeighbour(map, map.SpawnX, map.SpawnY);
        var refused = await victim.EvaluateAsync<string[]>("""
            async ([zone, ax, ay, bx, by]) => {
              const s = window.p2p.session;
              const moves = [];
              for (let i = 0; i < 40; i++) moves.push(s.request('move', i % 2 ? { zone, x: ax, y: ay } : { zone, x: bx, y: by }).then(() => null, (e) => e.code ?? String(e)));
              return (await Promise.all(moves)).filter((c) => c !== null);
            }
            """, new object[] { map.Id, map.SpawnX, map.SpawnY, nx, ny });
        Assert.Empty(refused);
    }

    [ChromiumFact]
    public async Task A_page_entering_a_zone_sees_who_already_stands_there_and_loses_them_when_they_go_to_another_zone()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var first = await ShareMapAsync(node, seed: 11);
        var second = await ShareMapAsync(node, seed: 12);
        await MoveOverHttpAsync(node, "carl", first.Id, first.SpawnX, first.SpawnY);

        var bob = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(bob, "bob");
        await EnterZoneAsync(bob, first.Id);
        // carl does not move after bob entered: the page shows him from the zone's first positions frame.
        await bob.WaitForFunctionAsync("p => { const c = window.p2p.world.players.carl; return c && c.x === p[0] && c.y === p[1]; }",
            new[] { first.SpawnX, first.SpawnY });
        await bob.WaitForSelectorAsync("#zone-players li[data-player='carl']");

        // carl goes to the other map: the node sends his move with that zone once, and the page takes him off this one.
        await MoveOverHttpAsync(node, "carl", second.Id, second.SpawnX, second.SpawnY);
        await bob.WaitForFunctionAsync("() => window.p2p.world.players.carl === undefined");
        await bob.WaitForSelectorAsync("#zone-players li[data-player='carl']", new() { State = WaitForSelectorState.Detached });
    }

    [ChromiumFact]
    public async Task A_reload_joins_again_into_the_same_zone_and_leave_zone_leaves_it()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var map = await ShareMapAsync(harness.Cluster.Urls[0], seed: 14);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "reo");
        await EnterZoneAsync(page, map.Id);

        // A reload: no Join pressed, yet the page plays as reo again and stands in the zone it was in.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready='true']");
        await page.WaitForSelectorAsync("#player-badge:not([hidden])");
        Assert.Equal("reo", await page.TextContentAsync("#player-label"));
        await page.WaitForFunctionAsync("z => window.p2p.world.zone === z && window.p2p.world.position !== null", map.Id);
        // Nobody else in the zone's room yet: the peers card says so (it said the page was in no room).
        await page.WaitForFunctionAsync("() => document.getElementById('peer-list').textContent === 'Alone in this room.'");

        // A second page stands in the zone and sees reo there, on the map and in the world card.
        var wendy = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(wendy, "wendy");
        await EnterZoneAsync(wendy, map.Id);
        await wendy.WaitForFunctionAsync("() => window.p2p.world.players.reo !== undefined");
        await wendy.WaitForSelectorAsync("#online-players li[data-player='reo']");

        // Leave zone: off the map, and a reload no longer brings the page back into it.
        await page.ClickAsync("#tab-world");
        await page.ClickAsync("#zone-leave");
        await page.WaitForFunctionAsync("() => window.p2p.world.zone === null");
        Assert.False(await page.IsVisibleAsync("#zone-leave"));
        // The focus stays where the player can enter a zone again, not at the top of the page. Waited for: the page
        // moves it once it has left the zone's room, a round trip after the zone is dropped.
        await page.WaitForFunctionAsync("() => document.activeElement?.id === 'zone-join'");
        Assert.Equal("Enter a zone to meet its players.", await page.TextContentAsync("#peer-list"));
        // Off wendy's map and world card too, while reo's page stays open (no presence timeout tells her).
        await wendy.WaitForFunctionAsync("() => window.p2p.world.players.reo === undefined");
        await wendy.WaitForSelectorAsync("#online-players li[data-player='reo']", new() { State = WaitForSelectorState.Detached });
        Assert.True(await page.EvaluateAsync<bool>("() => window.p2p.session.ready"));
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready='true']");
        await page.WaitForSelectorAsync("#player-badge:not([hidden])");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('p2p.zone')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => window.p2p.world.zone"));
    }

    [ChromiumFact]
    public async Task Two_zones_entered_at_once_end_in_the_last_and_the_catalog_does_not_send_a_player_back_to_the_spawn()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var first = await ShareMapAsync(node, seed: 16);
        var second = await ShareMapAsync(node, seed: 17);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "dual");

        // Two zones entered in one breath (two buttons clicked quickly): the page ends in the second, standing on its
        // spawn, and the node has the player there. Before, the first call's spawn could be sent as a move in the
        // second zone, and a refusal of it left the page in no zone at all.
        await page.ClickAsync("#tab-world");
        await page.EvaluateAsync("z => { window.p2p.world.enter(z[0]); window.p2p.world.enter(z[1]); }", new[] { first.Id, second.Id });
        await page.WaitForFunctionAsync("z => window.p2p.world.zone === z && window.p2p.world.position !== null", second.Id);
        var standing = await PositionAsync(page);
        Assert.Equal<(int X, int Y)?>((second.SpawnX, second.SpawnY), standing);
        using (var http = new HttpClient { BaseAddress = node })
        {
            var held = await http.GetFromJsonAsync<JsonElement>("/api/players/dual");
            Assert.Equal(second.Id, held.GetProperty("position").GetProperty("zone").GetString());
        }
        Assert.Equal(second.Id, await page.EvaluateAsync<string?>("() => window.p2p.rtc.room"));

        // A step away from the spawn, then Enter zone on the same map from the catalog: the player stays where they stand.
        var (key, x, y) = WalkableNeighbour(second, second.SpawnX, second.SpawnY);
        await page.FocusAsync("#world");
        await page.Keyboard.PressAsync(key);
        await page.WaitForFunctionAsync("p => { const m = window.p2p.world.position; return m && m.x === p[0] && m.y === p[1]; }", new[] { x, y });
        await page.ClickAsync("#tab-catalog");
        await page.ClickAsync($"#catalog-rows tr[data-id='{second.Id}'] button[aria-label^='Enter zone']");
        await page.WaitForFunctionAsync("t => [...document.querySelectorAll('#toast .toast-item span')].some(s => s.textContent === t)", "You are in this zone already.");
        Assert.Equal<(int X, int Y)?>((x, y), await PositionAsync(page));
        Assert.False(await page.IsHiddenAsync("#panel-world"));
    }

    [ChromiumFact]
    public async Task Leave_zone_while_the_connection_is_down_takes_the_player_off_the_map_over_http()
    {
        // Prevents: Leave zone with the socket down cleared only the page; the node kept the player in the zone (their
        // session, held for its resume, kept them online there) and nothing after the resume took them off.
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var node = harness.Cluster.Urls[0];
        var map = await ShareMapAsync(node, seed: 18);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "offline-leaver");
        await EnterZoneAsync(page, map.Id);

        // The page's next sockets go through the test, which can cut them; a reload makes it use one (it resumes).
        var cut = false;
        IWebSocketRoute? live = null;
        await page.RouteWebSocketAsync("**/ws", ws =>
        {
            if (Volatile.Read(ref cut)) _ = ws.CloseAsync();
            else
            {
                ws.ConnectToServer();
                live = ws;
            }
        });
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready='true']");
        await page.WaitForFunctionAsync("z => window.p2p.world.zone === z && window.p2p.world.position !== null", map.Id);
        Assert.NotNull(live);
        Volatile.Write(ref cut, true);
        await live!.CloseAsync();
        await page.WaitForFunctionAsync("() => !window.p2p.session.ready");

        await page.ClickAsync("#tab-world");
        await page.ClickAsync("#zone-leave");
        await page.WaitForFunctionAsync("() => window.p2p.world.zone === null");
        using var http = new HttpClient { BaseAddress = node };
        var player = await http.GetFromJsonAsync<JsonElement>("/api/players/offline-leaver");
        Assert.Equal(JsonValueKind.Null, player.GetProperty("position").ValueKind);

        // Back online, the page stays out of the zone and the node agrees.
        Volatile.Write(ref cut, false);
        await page.WaitForFunctionAsync("() => window.p2p.session.ready", null, new() { Timeout = 60_000 });
        Assert.Null(await page.EvaluateAsync<string?>("() => window.p2p.world.zone"));
        player = await http.GetFromJsonAsync<JsonElement>("/api/players/offline-leaver");
        Assert.Equal(JsonValueKind.Null, player.GetProperty("position").ValueKind);
    }

    [ChromiumFact]
    public async Task A_page_refused_a_full_room_plays_on_and_says_why_it_has_no_peers()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1, nodeArgs: ["--room-capacity", "2"]);
        var node = harness.Cluster.Urls[0];
        var map = await ShareMapAsync(node, seed: 15);
        // Two connections fill the zone's room (rooms are named after the zone).
        await using var first = await WsClient.ConnectAsync(node);
        await using var second = await WsClient.ConnectAsync(node);
        foreach (var (ws, player) in new[] { (first, "full-one"), (second, "full-two") })
        {
            await ws.HelloAsync(player);
            Assert.Equal("peers", (await ws.RequestAsync("join-room", new { room = map.Id })).GetProperty("type").GetString());
        }

        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "late");
        await EnterZoneAsync(page, map.Id);
        // On the map without a room: the peers card gives the node's reason, not "Alone in this room."
        await page.WaitForFunctionAsync("() => document.getElementById('peer-list').textContent.startsWith('No peer-to-peer room:')");
        Assert.Contains("full (2 peers)", await page.TextContentAsync("#peer-list"));
        Assert.Null(await page.EvaluateAsync<string?>("() => window.p2p.rtc.room"));

        await page.ClickAsync("#zone-leave");
        await page.WaitForFunctionAsync("() => window.p2p.world.zone === null");
        Assert.Equal("Enter a zone to meet its players.", await page.TextContentAsync("#peer-list"));
    }

    [ChromiumFact]
    public async Task A_player_no_longer_heard_from_leaves_the_map_of_a_page_watching_the_zone()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1, nodeArgs: ["--presence-timeout", "00:00:06"]);
        var node = harness.Cluster.Urls[0];
        var map = await ShareMapAsync(node, seed: 13);
        var bob = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(bob, "bob");
        await EnterZoneAsync(bob, map.Id);

        // dora moves once over HTTP, with no page to keep her online: 6 s later the node says she went offline.
        await MoveOverHttpAsync(node, "dora", map.Id, map.SpawnX, map.SpawnY);
        await bob.WaitForSelectorAsync("#zone-players li[data-player='dora']");
        await bob.WaitForSelectorAsync("#zone-players li[data-player='dora']", new() { State = WaitForSelectorState.Detached });
        Assert.True(await bob.EvaluateAsync<bool>("() => window.p2p.world.players.dora === undefined"));
        // bob's own page kept him online meanwhile.
        Assert.True(await bob.EvaluateAsync<bool>("() => window.p2p.session.ready"));
    }

    [ChromiumFact]
    public async Task Two_pages_on_two_nodes_open_a_data_channel_and_exchange_messages_both_ways_inside_the_namespace()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 3);
        var (alice, bob, _) = await TwoPlayersInOneZoneAsync(harness);
        await harness.Pages.WaitForChannelAsync(alice, "alice", bob, "bob");

        // Each wave is said on both pages: sent on the one that waved, received (and by which path) on the other.
        const string Shown = "t => [...document.querySelectorAll('#toast .toast-item span')].some(s => s.textContent === t)";
        await alice.ClickAsync("#peer-list li[data-player='bob'] button");
        await alice.WaitForFunctionAsync(Shown, "You waved at bob.");
        await bob.WaitForFunctionAsync("() => window.p2p.rtc.received.some(m => m.from === 'alice' && m.path === 'channel')");
        await bob.WaitForFunctionAsync(Shown, "alice waves at you (data channel)");
        await bob.ClickAsync("#peer-list li[data-player='alice'] button");
        await alice.WaitForFunctionAsync("() => window.p2p.rtc.received.some(m => m.from === 'bob' && m.path === 'channel')");
        await alice.WaitForFunctionAsync(Shown, "bob waves at you (data channel)");

        // The pair ICE selected runs between the namespace's own addresses: the traffic never left the test run.
        foreach (var (page, other) in new[] { (alice, bob), (bob, alice) })
        {
            var pair = await BrowserPages.SelectedPairAsync(page, other);
            Assert.Null(pair.OutsideOf(harness.Network.NamespaceAddress));
        }
        // Pings over the open channel give a round trip measured on the channel: the pong came back the way its ping went.
        await alice.WaitForFunctionAsync("() => { const r = document.querySelector(\"#peer-list li[data-player='bob'] [data-rtt]\"); return r?.dataset.rtt !== '' && r?.dataset.rttPath === 'channel'; }");
        await PageHarness.ScreenshotAsync(alice, "peers");
    }

    [ChromiumFact]
    public async Task When_the_node_behind_one_page_stops_the_other_page_sees_peer_left()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 3);
        var (alice, _, _) = await TwoPlayersInOneZoneAsync(harness);
        await alice.WaitForSelectorAsync("#peer-list li[data-player='bob']");

        Assert.Equal(0, await harness.Cluster.Nodes[1].StopAsync(TimeSpan.FromSeconds(60)));

        await alice.WaitForFunctionAsync("() => window.p2p.rtc.roomLog.includes('peer-left: bob')", null, new() { Timeout = 60_000 });
        await alice.WaitForSelectorAsync("#peer-list li[data-player='bob']", new() { State = WaitForSelectorState.Detached });
        Assert.True(await alice.EvaluateAsync<bool>("() => window.p2p.session.ready"));
    }

    [ChromiumFact]
    public async Task Garbage_frames_get_error_frames_while_the_page_stays_connected_and_the_node_healthy()
    {
        await using var harness = await PageHarness.StartAsync(nodes: 1);
        var page = await harness.OpenAsync(0);
        await BrowserPages.JoinAsync(page, "mallory");
        var codes = await page.EvaluateAsync<string[]>("""
            async () => {
              const s = window.p2p.session;
              const seen = [];
              const done = new Promise((resolve) => s.on('error', (f) => { seen.push(f.code); if (seen.length === 5) resolve(); }));
              s.sendRaw('not json at all');
              s.sendRaw('[1, 2, 3]');
              s.sendRaw('{"type":"fly"}');
              s.sendRaw('{"type":"move","zone":42}');
              s.sendRaw('{"type":"move","zone":"' + 'f'.repeat(64) + '","x":1e400,"y":"north","extra":true}');
              await done;
              return seen;
            }
            """);
        Assert.Equal(["bad-json", "bad-json", "unknown-type", "invalid-field", "invalid-field"], codes);

        // Still connected and still acting as mallory: a ping is answered, a real request works.
        Assert.Equal("pong", await page.EvaluateAsync<string>("async () => (await window.p2p.session.request('ping')).type"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.p2p.session.ready"));
        using var http = new HttpClient { BaseAddress = harness.Cluster.Urls[0] };
        using var health = await http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>alice on node 1 and bob on node 2 of a three-node cluster, both in the zone of a freshly shared map.</summary>
    private static async Task<(IPage Alice, IPage Bob, SharedMap Map)> TwoPlayersInOneZoneAsync(PageHarness harness)
    {
        var map = await ShareMapAsync(harness.Cluster.Urls[0], seed: 11);
        await WaitForCatalogAsync(harness.Cluster.Urls[1], map.Id);
        var alice = await harness.OpenAsync(0);
        var bob = await harness.OpenAsync(1);
        await BrowserPages.JoinAsync(alice, "alice");
        await BrowserPages.JoinAsync(bob, "bob");
        await EnterZoneAsync(alice, map.Id);
        await EnterZoneAsync(bob, map.Id);
        return (alice, bob, map);
    }
}
