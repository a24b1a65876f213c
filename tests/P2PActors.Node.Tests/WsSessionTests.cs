using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>The <c>/ws</c> session rules (docs/protocol.md, "Session") on one real node.</summary>
public sealed class WsSessionTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private Uri Base => node.Http.BaseAddress!;

    [Fact]
    public async Task Hello_is_answered_with_a_welcome_naming_session_token_node_and_peer()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        var id = await ws.SendAsync("hello", new { playerId = "ws-alice" });
        var welcome = await ws.AnswerAsync(id);

        Assert.Equal("welcome", WsFrameAssert.Type(welcome));
        Assert.Equal(id, welcome.GetProperty("id").GetString());
        Assert.Equal("ws-alice", welcome.GetProperty("playerId").GetString());
        Assert.Equal(32, welcome.GetProperty("sessionId").GetString()!.Length);
        // 32 random bytes in unpadded base64url.
        Assert.Equal(43, welcome.GetProperty("resumeToken").GetString()!.Length);
        Assert.StartsWith("akka.tcp://p2pactors@127.0.0.1:", welcome.GetProperty("node").GetString());
        Assert.Equal(16, welcome.GetProperty("peerId").GetString()!.Length);
        Assert.False(welcome.GetProperty("resumed").GetBoolean());
    }

    [Fact]
    public async Task Ping_is_answered_before_hello_and_repeats_a_numeric_id()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        await ws.SendTextAsync("""{ "type": "ping", "id": 41 }""");
        var pong = (await ws.ReceiveAsync())!.Value;
        Assert.Equal("pong", WsFrameAssert.Type(pong));
        Assert.Equal(41, pong.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_request_before_hello_is_refused_with_no_session()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        WsFrameAssert.Error(await ws.RequestAsync("move", new { zone = "z", x = 1, y = 1 }), "no-session");
        // The connection stays open and usable.
        await ws.HelloAsync("ws-nosession");
    }

    [Fact]
    public async Task A_second_hello_on_one_connection_is_refused()
    {
        await using var ws = await WsClient.ConnectAsync(Base);
        await ws.HelloAsync("ws-twice");
        WsFrameAssert.Error(await ws.RequestAsync("hello", new { playerId = "ws-other" }), "already-bound");
    }

    [Fact]
    public async Task A_held_player_is_refused_without_the_token_and_resumed_with_it()
    {
        await using var first = await WsClient.ConnectAsync(Base);
        var welcome = await first.HelloAsync("ws-claimed");
        var token = welcome.GetProperty("resumeToken").GetString()!;

        await using var intruder = await WsClient.ConnectAsync(Base);
        WsFrameAssert.Error(await intruder.RequestAsync("hello", new { playerId = "ws-claimed" }), "session-held");
        WsFrameAssert.Error(await intruder.RequestAsync("hello", new { playerId = "ws-claimed", resumeToken = "not-the-token" }), "session-held");

        await using var second = await WsClient.ConnectAsync(Base);
        var resumed = await second.HelloAsync("ws-claimed", token);
        Assert.True(resumed.GetProperty("resumed").GetBoolean());
        Assert.Equal(welcome.GetProperty("sessionId").GetString(), resumed.GetProperty("sessionId").GetString());
        Assert.NotEqual(token, resumed.GetProperty("resumeToken").GetString());

        // The connection it took over is closed with 4001 session-taken.
        Assert.Equal((WebSocketCloseStatus)4001, await first.ReceiveCloseAsync());
        Assert.Equal("session-taken", first.Socket.CloseStatusDescription);
        // The old token no longer resumes anything.
        await using var late = await WsClient.ConnectAsync(Base);
        WsFrameAssert.Error(await late.RequestAsync("hello", new { playerId = "ws-claimed", resumeToken = token }), "session-held");
    }

    [Fact]
    public async Task A_cleanly_closed_session_frees_its_player()
    {
        var first = await WsClient.ConnectAsync(Base);
        await first.HelloAsync("ws-leaver");
        await first.DisposeAsync();

        // The release is written after the close handshake: poll (bounded) until the player is free.
        await using var next = await WsClient.ConnectAsync(Base);
        var deadline = DateTime.UtcNow + WsClient.Patience;
        JsonElement answer;
        do
        {
            answer = await next.RequestAsync("hello", new { playerId = "ws-leaver" });
        }
        while (WsFrameAssert.Type(answer) == "error" && answer.GetProperty("code").GetString() == "session-held" && DateTime.UtcNow < deadline);
        Assert.Equal("welcome", WsFrameAssert.Type(answer));
    }

    [Fact]
    public async Task A_plain_http_request_to_ws_is_a_400_problem()
    {
        using var response = await node.Http.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
