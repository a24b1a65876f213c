using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Tests;

/// <summary>A node with small WebSocket limits, so every limit can be reached quickly.</summary>
public sealed class WsLimitsFixture : NodeFixture
{
    public const int Burst = 20;
    public const int MaxMessageBytes = 1024;
    public const int Queue = 8;
    public const string ListedOrigin = "http://game.example";

    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:WsMessageBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // One token every ten seconds: a test never earns one back while it runs.
        ["P2PActors:WsMessagesPerSecond"] = "0.1",
        ["P2PActors:WsMaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["P2PActors:WsOutgoingQueue"] = Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["P2PActors:WsAllowedOrigins"] = ListedOrigin,
    };
}

/// <summary>Every connection-level error of docs/protocol.md: each answered with its code, the connection kept open where the protocol says so.</summary>
public sealed class WsErrorTests(WsLimitsFixture node) : IClassFixture<WsLimitsFixture>
{
    private Uri Base => node.Http.BaseAddress!;

    /// <summary>The connection still answers: a ping after an error is ponged.</summary>
    private static async Task AssertStillOpenAsync(WsClient ws) =>
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));

    [Fact]
    public async Task Malformed_json_a_non_object_and_a_binary_frame_are_bad_json()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        await ws.SendTextAsync("{ \"type\": \"ping\", ");
        WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "bad-json");
        await ws.SendTextAsync("[1, 2, 3]");
        WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "bad-json");
        await ws.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "bad-json");
        await AssertStillOpenAsync(ws);
    }

    [Fact]
    public async Task An_unknown_or_missing_type_is_unknown_type_and_repeats_the_id()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var unknown = WsFrameAssert.Error(await ws.RequestAsync("fly"), "unknown-type");
        Assert.Contains("hello", unknown.GetProperty("message").GetString());
        await ws.SendTextAsync("""{ "id": "no-type" }""");
        var missing = WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "unknown-type");
        Assert.Equal("no-type", missing.GetProperty("id").GetString());
        await AssertStillOpenAsync(ws);
    }

    [Fact]
    public async Task Unknown_fields_and_a_bad_id_are_invalid_fields()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var unknown = WsFrameAssert.Error(await ws.RequestAsync("ping", new { colour = "red" }), "invalid-field");
        Assert.True(unknown.GetProperty("errors").TryGetProperty("colour", out _), unknown.ToString());
        await ws.SendTextAsync("""{ "type": "ping", "id": { "nested": true } }""");
        var badId = WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "invalid-field");
        Assert.True(badId.GetProperty("errors").TryGetProperty("id", out _), badId.ToString());
        var badHello = WsFrameAssert.Error(await ws.RequestAsync("hello", new { playerId = "no spaces allowed" }), "invalid-field");
        Assert.True(badHello.GetProperty("errors").TryGetProperty("playerId", out _), badHello.ToString());
        await AssertStillOpenAsync(ws);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_too_large_and_the_connection_stays_open()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var padding = new string('x', WsLimitsFixture.MaxMessageBytes * 2);
        await ws.SendTextAsync($$"""{ "type": "ping", "id": "big", "pad": "{{padding}}" }""");
        WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "too-large");
        await AssertStillOpenAsync(ws);
    }

    [Fact]
    public async Task A_message_too_large_to_read_closes_with_1009()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var padding = new string('x', WsLimitsFixture.MaxMessageBytes * WsConnection.DrainFactor + 1);
        await ws.SendTextAsync($$"""{ "type": "ping", "pad": "{{padding}}" }""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ws.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Messages_beyond_the_burst_are_rate_limited_and_the_connection_stays_open()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        // The bucket starts full: exactly the burst is served (the refill is one token per ten seconds).
        for (var i = 0; i < WsLimitsFixture.Burst; i++)
            Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));
        WsFrameAssert.Error(await ws.RequestAsync("ping"), "rate-limited");
        // Still open and still reading: the next message is refused the same way rather than closing anything.
        WsFrameAssert.Error(await ws.RequestAsync("ping"), "rate-limited");
        Assert.Equal(WebSocketState.Open, ws.Socket.State);
    }

    [Fact]
    public async Task A_foreign_origin_is_refused_with_403_before_the_upgrade()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(Base, o =>
        {
            o.CollectHttpResponseDetails = true;
            o.SetRequestHeader("Origin", "http://evil.example");
        }));
        Assert.Contains("403", refused.Message);
        // Same port, other host: the page's own origin is its Host, not any origin on that port.
        await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(Base, o =>
            o.SetRequestHeader("Origin", $"http://localhost:{Base.Port}")));
    }

    [Fact]
    public async Task The_pages_own_origin_and_listed_origins_are_accepted()
    {
        await using (var own = await WsClient.ConnectAsync(Base, o => o.SetRequestHeader("Origin", $"http://{Base.Authority}")))
            await AssertStillOpenAsync(own);
        await using (var listed = await WsClient.ConnectAsync(Base, o => o.SetRequestHeader("Origin", WsLimitsFixture.ListedOrigin)))
            await AssertStillOpenAsync(listed);
    }

    [Fact]
    public async Task A_page_that_stops_reading_is_dropped_with_slow_consumer_while_the_node_keeps_serving()
    {
        // A tiny receive buffer on the page's socket, so the node's sends back up after a few kilobytes.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        await using var slow = await WsClient.ConnectAsync(Base, invoker: invoker);
        var peerId = (await slow.HelloAsync("ws-slow")).GetProperty("peerId").GetString()!;
        var registry = node.App.Services.GetRequiredService<WsConnectionRegistry>();
        Assert.True(registry.TryGet(peerId, out var connection));

        // Send without reading until the node gives up on this page (every message is answered, pong or rate-limited).
        var ping = Encoding.UTF8.GetBytes("""{ "type": "ping" }""");
        var sent = 0;
        while (!connection.Dropped.IsCompleted && sent < 1_000_000)
        {
            await slow.Socket.SendAsync(ping, WebSocketMessageType.Text, true, CancellationToken.None);
            sent++;
        }
        Assert.Equal("slow-consumer", await connection.Dropped.WaitAsync(WsClient.Patience));

        // The node serves others meanwhile.
        await using (var other = await WsClient.ConnectAsync(Base))
        {
            await other.HelloAsync("ws-fast");
            await AssertStillOpenAsync(other);
        }

        // Reading again, the page finds what was already on the wire, then the error and the 1008 close.
        var sawError = false;
        while (await slow.ReceiveAsync() is { } frame)
        {
            if (WsFrameAssert.Type(frame) == "error" && frame.GetProperty("code").GetString() == "slow-consumer")
                sawError = true;
        }
        Assert.True(sawError);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, slow.Socket.CloseStatus);
        Assert.Equal("slow-consumer", slow.Socket.CloseStatusDescription);
    }
}
