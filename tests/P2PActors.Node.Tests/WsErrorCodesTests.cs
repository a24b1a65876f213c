using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using P2PActors.Node.Api;
using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Tests;

/// <summary>
/// The two error codes of docs/protocol.md that no well-behaved node gives on purpose: <c>internal</c> (a handler
/// failed; the connection stays open) and <c>unavailable</c> (a part of the node did not answer in time, HTTP 503).
/// </summary>
public sealed class WsErrorCodesTests
{
    private static readonly WsSettings Settings = new(1000, 1000, 64 * 1024, OutgoingQueue: 16, [], TimeSpan.FromSeconds(30));

    /// <summary>A page as a socket: the test writes the frames it receives and reads every frame the node sends.</summary>
    private sealed class ScriptedSocket : WebSocket
    {
        private readonly Channel<string?> _incoming = Channel.CreateUnbounded<string?>();
        private WebSocketState _state = WebSocketState.Open;

        public Channel<string> Outgoing { get; } = Channel.CreateUnbounded<string>();

        public void Receive(string text) => _incoming.Writer.TryWrite(text);

        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => _state;
        public override string? SubProtocol => null;

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken ct)
        {
            Outgoing.Writer.TryWrite(Encoding.UTF8.GetString(buffer));
            return Task.CompletedTask;
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken ct)
        {
            if (await _incoming.Reader.ReadAsync(ct) is not { } text)
                return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true);
            var bytes = Encoding.UTF8.GetBytes(text);
            bytes.CopyTo(buffer.Array!, buffer.Offset);
            return new WebSocketReceiveResult(bytes.Length, WebSocketMessageType.Text, true);
        }

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct)
        {
            _state = WebSocketState.CloseSent;
            _incoming.Writer.TryWrite(null);
            return Task.CompletedTask;
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct) =>
            CloseOutputAsync(closeStatus, statusDescription, ct);

        public override void Abort()
        {
            _state = WebSocketState.Aborted;
            _incoming.Writer.TryWrite(null);
        }

        public override void Dispose() => Abort();
    }

    private sealed class Handler(string type, Func<Task<WsReply>> handle) : IWsHandler
    {
        public string Type => type;
        public IReadOnlyCollection<string> Fields => [];
        public bool RequiresSession => false;
        public Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) => handle();
    }

    private static async Task<JsonElement> NextAsync(ScriptedSocket socket) =>
        JsonDocument.Parse(await socket.Outgoing.Reader.ReadAsync().AsTask().WaitAsync(WsClient.Patience)).RootElement;

    [Fact]
    public async Task A_handler_that_throws_is_answered_internal_and_the_connection_keeps_serving()
    {
        var socket = new ScriptedSocket();
        var connection = new WsConnection(socket, Settings, new WsHandlerRegistry(
        [
            new Handler("boom", () => throw new InvalidOperationException("a bug in the handler")),
            new Handler("echo", () => Task.FromResult(WsReply.Answer("echoed", new { fine = true }))),
        ]), NullLogger.Instance);
        var run = connection.RunAsync(CancellationToken.None);

        socket.Receive("""{"type":"boom","id":"r1"}""");
        var error = await NextAsync(socket);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("r1", error.GetProperty("id").GetString());
        Assert.Equal("internal", error.GetProperty("code").GetString());
        // The page learns that the node failed, not how: no exception text reaches it.
        Assert.DoesNotContain("a bug in the handler", error.GetRawText(), StringComparison.Ordinal);

        socket.Receive("""{"type":"echo","id":"r2"}""");
        var answer = await NextAsync(socket);
        Assert.Equal("echoed", answer.GetProperty("type").GetString());
        Assert.Equal("r2", answer.GetProperty("id").GetString());
        Assert.True(answer.GetProperty("fine").GetBoolean());

        connection.Close(WebSocketCloseStatus.NormalClosure, "test over");
        await run.WaitAsync(WsClient.Patience);
    }

    [Fact]
    public async Task A_handler_whose_ask_times_out_is_answered_unavailable_not_internal()
    {
        // Prevents: an overloaded cluster (a session claim that took longer than its ask) reported to the page as a
        // failure of the node, and logged as an error.
        var socket = new ScriptedSocket();
        var connection = new WsConnection(socket, Settings, new WsHandlerRegistry(
        [
            new Handler("slow", () => throw new Akka.Actor.AskTimeoutException("Timeout after 6.00 seconds")),
        ]), NullLogger.Instance);
        var run = connection.RunAsync(CancellationToken.None);

        socket.Receive("""{"type":"slow","id":"r1"}""");
        var error = await NextAsync(socket);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("r1", error.GetProperty("id").GetString());
        Assert.Equal("unavailable", error.GetProperty("code").GetString());

        connection.Close(WebSocketCloseStatus.NormalClosure, "test over");
        await run.WaitAsync(WsClient.Patience);
    }

    [Fact]
    public void An_HTTP_answer_of_503_becomes_unavailable_and_an_undecided_vote_stays_undecided()
    {
        var timedOut = WsHttpResults.ToReply(Problems.TimedOut("The game state did not answer in time."), "state");
        var body = JsonSerializer.SerializeToElement(timedOut.Payload);
        Assert.Equal("error", timedOut.Type);
        Assert.Equal("unavailable", body.GetProperty("code").GetString());
        // docs/protocol.md's example message, then what did not answer.
        Assert.StartsWith("The node could not answer in time.", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("The game state did not answer in time.", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var undecided = WsHttpResults.ToReply(TypedResults.Problem(title: "undecided", detail: "No decision within 500 ms.", statusCode: StatusCodes.Status503ServiceUnavailable), "shared");
        Assert.Equal("undecided", JsonSerializer.SerializeToElement(undecided.Payload).GetProperty("code").GetString());
    }
}
