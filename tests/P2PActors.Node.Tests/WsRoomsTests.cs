using System.Net;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Cluster.Signaling;
using P2PActors.Content.Model;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// Two real nodes in this process (Kestrel and Akka remoting on 127.0.0.1, one cluster), built by the same
/// <see cref="NodeHost.Build"/> as <c>dotnet run</c>; rooms hold at most 3 peers.
/// </summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public const int RoomCapacity = 3;

    private readonly List<(WebApplication App, string Data)> _nodes = [];

    public Uri A => Base(0);

    public Uri B => Base(1);

    public ActorSystem SystemOf(int node) => _nodes[node].App.Services.GetRequiredService<ActorSystem>();

    private Uri Base(int node) => new(_nodes[node].App.Urls.Single());

    public async Task InitializeAsync()
    {
        await StartAsync(seed: null);
        await StartAsync(Akka.Cluster.Cluster.Get(SystemOf(0)).SelfAddress.ToString());
        // Both nodes see both Up and vote in the same set of two.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!_nodes.Select((_, i) => SystemOf(i)).All(s =>
                   Akka.Cluster.Cluster.Get(s).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2
                   && P2PActors.Cluster.Consensus.ConsensusRuntime.For(s).Snapshot.View.Current?.Count == 2))
        {
            Assert.True(DateTime.UtcNow < deadline, "the two nodes did not form one cluster with one validator set");
            await Task.Delay(50);
        }
    }

    private async Task StartAsync(string? seed)
    {
        var data = Path.Combine(Path.GetTempPath(), "p2pactors-ws-rooms-" + Guid.NewGuid().ToString("N"));
        var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Port"] = "0",
            ["P2PActors:DataDirectory"] = data,
            ["P2PActors:SeedNodes"] = seed ?? "",
            ["P2PActors:RoomCapacity"] = RoomCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["P2PActors:RequestTimeout"] = "00:01:00",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        _nodes.Add((app, data));
        await app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var (app, data) in Enumerable.Reverse(_nodes))
        {
            await app.StopAsync();
            await app.DisposeAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold a file a moment after shutdown; a stray temp directory is harmless.
            }
        }
    }
}

/// <summary>Rooms, signaling, node event topics and zone-checked moves over <c>/ws</c>, across two nodes (docs/protocol.md).</summary>
public sealed class WsRoomsTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static string Type(JsonElement frame) => WsFrameAssert.Type(frame);

    /// <summary>Waits until the rooms view of <paramref name="node"/> holds exactly these peers in the room.</summary>
    private async Task RoomIsAsync(int node, string room, params string[] peers)
    {
        var deadline = DateTime.UtcNow + WsClient.Patience;
        while (true)
        {
            var state = await SignalingRooms.For(nodes.SystemOf(node)).Actor.Ask<RoomsState>(GetRooms.Instance, TimeSpan.FromSeconds(5));
            var held = state.PeersIn(room).Select(p => p.PeerId).ToList();
            if (held.SequenceEqual(peers.Order(StringComparer.Ordinal)))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"room {room} on node {node} holds [{string.Join(", ", held)}]");
            await Task.Delay(20);
        }
    }

    private static async Task<(WsClient Ws, string PeerId)> ConnectAsync(Uri node, string player)
    {
        var ws = await WsClient.ConnectAsync(node);
        var welcome = await ws.HelloAsync(player);
        return (ws, welcome.GetProperty("peerId").GetString()!);
    }

    [Fact]
    public async Task Pages_on_two_nodes_join_a_room_see_each_other_and_exchange_signals_stamped_by_the_node()
    {
        var (alice, alicePeer) = await ConnectAsync(nodes.A, "room-alice");
        var (bob, bobPeer) = await ConnectAsync(nodes.B, "room-bob");
        await using var _a = alice;
        await using var _b = bob;

        var joined = await alice.RequestAsync("join-room", new { room = "tavern" });
        Assert.Equal("peers", Type(joined));
        Assert.Equal("tavern", joined.GetProperty("room").GetString());
        Assert.Equal(0, joined.GetProperty("peers").GetArrayLength());
        await RoomIsAsync(1, "tavern", alicePeer);

        var peers = await bob.RequestAsync("join-room", new { room = "tavern" });
        var first = Assert.Single(peers.GetProperty("peers").EnumerateArray());
        Assert.Equal(alicePeer, first.GetProperty("peerId").GetString());
        Assert.Equal("room-alice", first.GetProperty("playerId").GetString());
        Assert.Equal(Akka.Cluster.Cluster.Get(nodes.SystemOf(0)).SelfAddress.ToString(), first.GetProperty("node").GetString());

        var seen = await alice.ReceiveUntilAsync(f => Type(f) == "peer-joined");
        Assert.Equal("tavern", seen.GetProperty("room").GetString());
        Assert.Equal(bobPeer, seen.GetProperty("peer").GetProperty("peerId").GetString());
        Assert.Equal("room-bob", seen.GetProperty("peer").GetProperty("playerId").GetString());

        // Alice → Bob across nodes: Bob sees the node's stamp, not anything Alice claims.
        var sent = await alice.RequestAsync("signal", new { to = bobPeer, data = new { kind = "offer", sdp = "v=0 test" } });
        Assert.Equal("signal-sent", Type(sent));
        Assert.Equal(bobPeer, sent.GetProperty("to").GetString());
        var signal = await bob.ReceiveUntilAsync(f => Type(f) == "signal" && !f.TryGetProperty("id", out _));
        Assert.Equal(alicePeer, signal.GetProperty("from").GetString());
        Assert.Equal("offer", signal.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal("v=0 test", signal.GetProperty("data").GetProperty("sdp").GetString());

        // A page cannot name the sender: "from" is not a field of a signal request.
        var spoof = WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = bobPeer, from = "someone-else", data = new { kind = "offer" } }), "invalid-field");
        Assert.True(spoof.GetProperty("errors").TryGetProperty("from", out _), spoof.ToString());
        // Bob → Alice, and it is the next signal Alice sees (the spoof was never relayed).
        await bob.RequestAsync("signal", new { to = alicePeer, data = new { kind = "answer" } });
        var answer = await alice.ReceiveUntilAsync(f => Type(f) == "signal" && !f.TryGetProperty("id", out _));
        Assert.Equal(bobPeer, answer.GetProperty("from").GetString());
        Assert.Equal("answer", answer.GetProperty("data").GetProperty("kind").GetString());
        var bobsNext = await bob.RequestAsync("ping");
        Assert.Equal("pong", Type(bobsNext));

        // Unknown target, target in no shared room, malformed fields.
        WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = "0000000000000000", data = new { } }), "peer-unknown");
        var (carol, carolPeer) = await ConnectAsync(nodes.B, "room-carol");
        await using var _c = carol;
        WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = carolPeer, data = new { } }), "peer-unknown");
        var badData = WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = bobPeer, data = "not an object" }), "invalid-field");
        Assert.True(badData.GetProperty("errors").TryGetProperty("data", out _));
        var bigData = WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = bobPeer, data = new { sdp = new string('x', 20_000) } }), "invalid-field");
        Assert.True(bigData.GetProperty("errors").TryGetProperty("data", out _));
        WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = "../bob", data = new { } }), "invalid-field");
        WsFrameAssert.Error(await alice.RequestAsync("join-room", new { room = "a room with spaces" }), "invalid-field");
        WsFrameAssert.Error(await alice.RequestAsync("join-room", new { }), "invalid-field");

        // Leaving: the other page sees peer-left, and the room no longer relays.
        var left = await bob.RequestAsync("leave-room", new { room = "tavern" });
        Assert.Equal("left-room", Type(left));
        Assert.True(left.GetProperty("wasMember").GetBoolean());
        var gone = await alice.ReceiveUntilAsync(f => Type(f) == "peer-left");
        Assert.Equal(bobPeer, gone.GetProperty("peer").GetProperty("peerId").GetString());
        await RoomIsAsync(0, "tavern", alicePeer);
        WsFrameAssert.Error(await alice.RequestAsync("signal", new { to = bobPeer, data = new { } }), "peer-unknown");

        // Closing the connection leaves every room.
        await carol.RequestAsync("join-room", new { room = "tavern" });
        Assert.Equal(carolPeer, (await alice.ReceiveUntilAsync(f => Type(f) == "peer-joined")).GetProperty("peer").GetProperty("peerId").GetString());
        await carol.DisposeAsync();
        Assert.Equal(carolPeer, (await alice.ReceiveUntilAsync(f => Type(f) == "peer-left")).GetProperty("peer").GetProperty("peerId").GetString());
    }

    [Fact]
    public async Task Signals_sent_back_to_back_reach_the_page_on_the_other_node_in_the_order_they_were_sent()
    {
        var (alice, alicePeer) = await ConnectAsync(nodes.A, "order-alice");
        var (bob, bobPeer) = await ConnectAsync(nodes.B, "order-bob");
        await using var _a = alice;
        await using var _b = bob;
        await alice.RequestAsync("join-room", new { room = "ordered" });
        await bob.RequestAsync("join-room", new { room = "ordered" });
        await RoomIsAsync(0, "ordered", alicePeer, bobPeer);

        // What a page does after setLocalDescription: the description, then its candidates, without waiting in between.
        // Fewer than the default burst (100), so none is refused as rate-limited.
        const int Count = 80;
        var ids = new List<string>();
        for (var n = 0; n < Count; n++)
            ids.Add(await alice.SendAsync("signal", new { to = bobPeer, data = new { kind = n == 0 ? "description" : "candidate", n } }));

        var answered = new List<string>();
        var received = new List<int>();
        while (answered.Count < Count || received.Count < Count)
        {
            if (answered.Count < Count)
            {
                var answer = await alice.ReceiveAsync() ?? throw new InvalidOperationException("node A closed alice's connection");
                if (answer.TryGetProperty("id", out var id))
                {
                    Assert.Equal("signal-sent", Type(answer));
                    answered.Add(id.GetString()!);
                }
            }
            else
            {
                var push = await bob.ReceiveAsync() ?? throw new InvalidOperationException("node B closed bob's connection");
                if (Type(push) == "signal" && !push.TryGetProperty("id", out _))
                {
                    Assert.Equal(alicePeer, push.GetProperty("from").GetString());
                    received.Add(push.GetProperty("data").GetProperty("n").GetInt32());
                }
            }
        }
        Assert.Equal(ids, answered);
        Assert.Equal(Enumerable.Range(0, Count), received);
    }

    [Fact]
    public async Task A_room_at_its_capacity_refuses_the_next_page_with_room_full()
    {
        var pages = new List<WsClient>();
        try
        {
            for (var i = 0; i < TwoNodeFixture.RoomCapacity; i++)
            {
                var (ws, peer) = await ConnectAsync(i % 2 == 0 ? nodes.A : nodes.B, $"full-{i}");
                pages.Add(ws);
                Assert.Equal("peers", Type(await ws.RequestAsync("join-room", new { room = "crowded" })));
                await RoomIsAsync(0, "crowded", [.. await PeersAsync(0, "crowded", peer)]);
            }
            await RoomIsAsync(1, "crowded", [.. await PeersAsync(0, "crowded", null)]);
            var (late, _) = await ConnectAsync(nodes.B, "full-late");
            pages.Add(late);
            var full = WsFrameAssert.Error(await late.RequestAsync("join-room", new { room = "crowded" }), "room-full");
            Assert.Contains("3 peers", full.GetProperty("message").GetString());
            // The page is still connected and can join another room.
            Assert.Equal("peers", Type(await late.RequestAsync("join-room", new { room = "quiet" })));
        }
        finally
        {
            foreach (var page in pages) await page.DisposeAsync();
        }
    }

    /// <summary>The peers node <paramref name="node"/> holds in a room, plus <paramref name="including"/> (what the room must come to hold).</summary>
    private async Task<List<string>> PeersAsync(int node, string room, string? including)
    {
        var state = await SignalingRooms.For(nodes.SystemOf(node)).Actor.Ask<RoomsState>(GetRooms.Instance, TimeSpan.FromSeconds(5));
        var peers = state.PeersIn(room).Select(p => p.PeerId).ToList();
        if (including is not null && !peers.Contains(including)) peers.Add(including);
        return peers;
    }

    [Fact]
    public async Task Consensus_members_and_validators_topics_push_what_the_node_sees()
    {
        var (ws, _) = await ConnectAsync(nodes.A, "topic-watcher");
        await using var _w = ws;
        // The current members and validators are pushed as the subscription starts, before or after its answer.
        var id = await ws.SendAsync("subscribe", new { topics = new[] { "consensus", "members", "validators" } });
        var frames = new List<JsonElement>();
        while (!(frames.Any(f => Type(f) == "subscribed") && frames.Any(f => Type(f) == "members") && frames.Any(f => Type(f) == "validators")))
            frames.Add(await ws.ReceiveUntilAsync(_ => true));
        var subscribed = frames.Single(f => Type(f) == "subscribed");
        Assert.Equal(id, subscribed.GetProperty("id").GetString());
        Assert.Equal(["consensus", "members", "validators"], subscribed.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).Order());

        var members = frames.First(f => Type(f) == "members");
        Assert.Equal("current", members.GetProperty("change").GetString());
        Assert.Equal(2, members.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up"));
        var validators = frames.First(f => Type(f) == "validators");
        Assert.Equal(2, validators.GetProperty("n").GetInt32());
        Assert.Equal(2, validators.GetProperty("threshold").GetInt32());
        Assert.Equal(2, validators.GetProperty("validators").GetArrayLength());

        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed = 4242 });
        Assert.True(generated.TryGetProperty("content", out var content), generated.ToString());
        var contentId = content.GetProperty("id").GetString()!;
        // The vote is decided (and pushed) before the share is answered.
        var shareId = await ws.SendAsync("share", new { contentId });
        frames.Clear();
        bool IsOutcome(JsonElement f) => Type(f) == "consensus-outcome" && f.GetProperty("contentId").GetString() == contentId;
        while (!(frames.Any(f => f.TryGetProperty("id", out var i) && i.GetString() == shareId) && frames.Any(IsOutcome)))
            frames.Add(await ws.ReceiveUntilAsync(_ => true));
        Assert.Equal("shared", Type(frames.Single(f => f.TryGetProperty("id", out var i) && i.GetString() == shareId)));
        var outcome = frames.Single(IsOutcome);
        Assert.Equal("accepted", outcome.GetProperty("decision").GetString());
        Assert.Equal(2, outcome.GetProperty("signers").GetArrayLength());
        Assert.Equal(0, outcome.GetProperty("rules").GetArrayLength());

        // A page that subscribes later starts with the node's latest decisions: this one is among them, once.
        var (late, _) = await ConnectAsync(nodes.A, "topic-latecomer");
        await using (late)
        {
            var lateId = await late.SendAsync("subscribe", new { topics = new[] { "consensus" } });
            var lateFrames = new List<JsonElement>();
            while (!lateFrames.Any(f => f.TryGetProperty("id", out var i) && i.GetString() == lateId))
                lateFrames.Add(await late.ReceiveUntilAsync(_ => true));
            // The replay is sent while the subscription is set up, so it is in before the answer.
            var replayed = Assert.Single(lateFrames, IsOutcome);
            Assert.Equal("accepted", replayed.GetProperty("decision").GetString());
            Assert.Equal(outcome.GetProperty("signers").EnumerateArray().Select(s => s.GetString()), replayed.GetProperty("signers").EnumerateArray().Select(s => s.GetString()));
            // And a new decision after it is pushed as before.
            var next = await late.RequestAsync("generate", new { contentType = "item", seed = 4243 });
            var nextId = next.GetProperty("content").GetProperty("id").GetString()!;
            var nextShare = await late.SendAsync("share", new { contentId = nextId });
            var nextFrames = new List<JsonElement>();
            bool IsNext(JsonElement f) => Type(f) == "consensus-outcome" && f.GetProperty("contentId").GetString() == nextId;
            while (!(nextFrames.Any(f => f.TryGetProperty("id", out var i) && i.GetString() == nextShare) && nextFrames.Any(IsNext)))
                nextFrames.Add(await late.ReceiveUntilAsync(_ => true));
            Assert.Single(nextFrames, IsNext);
        }
        using var http = new HttpClient { BaseAddress = nodes.A };
        var recent = JsonDocument.Parse(await http.GetStringAsync("/api/consensus/recent")).RootElement;
        var decisions = recent.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("contentId").GetString()).ToList();
        Assert.Contains(contentId, decisions);
        Assert.True(decisions.Count <= recent.GetProperty("capacity").GetInt32());

        WsFrameAssert.Error(await ws.RequestAsync("subscribe", new { topics = new[] { "gossip" } }), "invalid-field");
    }

    [Fact]
    public async Task Moves_are_checked_against_the_zones_map_from_the_shared_catalog()
    {
        var (ws, _) = await ConnectAsync(nodes.A, "zone-walker");
        await using var _w = ws;
        var generated = await ws.RequestAsync("generate", new { contentType = "map", seed = 77, @params = new { generator = "dungeon", width = 24, height = 20 } });
        Assert.True(generated.TryGetProperty("content", out var content), generated.ToString());
        var zone = content.GetProperty("id").GetString()!;

        // Generated but not shared: not a zone yet.
        WsFrameAssert.Error(await ws.RequestAsync("move", new { zone, x = 1, y = 1 }), "unknown-zone");
        Assert.Equal("shared", Type(await ws.RequestAsync("share", new { contentId = zone })));

        var rows = content.GetProperty("rows").EnumerateArray().Select(r => r.GetString()!).ToList();
        var spawn = content.GetProperty("spawns")[0];
        var (sx, sy) = (spawn.GetProperty("x").GetInt32(), spawn.GetProperty("y").GetInt32());
        var wallY = rows.FindIndex(r => r.Contains(Tiles.Wall));
        var wallX = rows[wallY].IndexOf(Tiles.Wall);

        // On the other node too: it fetches the body from the holder and checks its hash.
        var (other, _) = await ConnectAsync(nodes.B, "zone-walker-b");
        await using var _o = other;
        foreach (var page in new[] { ws, other })
        {
            var deadline = DateTime.UtcNow + WsClient.Patience;
            JsonElement moved;
            // The catalog header reaches node B by replication, a moment after the share.
            while (Type(moved = await page.RequestAsync("move", new { zone, x = sx, y = sy })) == "error")
            {
                Assert.True(DateTime.UtcNow < deadline, moved.ToString());
                await Task.Delay(50);
            }
            Assert.Equal("moved", Type(moved));
            WsFrameAssert.Error(await page.RequestAsync("move", new { zone, x = wallX, y = wallY }), "not-walkable");
            WsFrameAssert.Error(await page.RequestAsync("move", new { zone, x = 24, y = 0 }), "out-of-bounds");
            WsFrameAssert.Error(await page.RequestAsync("move", new { zone, x = -1, y = 3 }), "out-of-bounds");
            WsFrameAssert.Error(await page.RequestAsync("move", new { zone = "meadow", x = 1, y = 1 }), "unknown-zone");
            WsFrameAssert.Error(await page.RequestAsync("move", new { zone, x = "east", y = 1 }), "invalid-field");
        }

        // Over HTTP the same map holds (a player with no page): a wall or a tile off the map is a 400, the spawn is taken.
        using var http = new HttpClient { BaseAddress = nodes.B };
        async Task<(HttpStatusCode Status, string Body)> PutAsync(int x, int y)
        {
            using var put = await http.PutAsync("/api/players/zone-walker-http/position",
                new StringContent($$"""{ "zone": "{{zone}}", "x": {{x}}, "y": {{y}} }""", System.Text.Encoding.UTF8, "application/json"));
            return (put.StatusCode, await put.Content.ReadAsStringAsync());
        }
        foreach (var (x, y, what) in new[] { (wallX, wallY, "not walkable"), (24, 0, "outside the map") })
        {
            var (status, body) = await PutAsync(x, y);
            Assert.True(status == HttpStatusCode.BadRequest && body.Contains(what, StringComparison.Ordinal), $"{status} {body}");
        }
        var spawned = await PutAsync(sx, sy);
        Assert.True(spawned.Status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{spawned.Status} {spawned.Body}");
    }
}
