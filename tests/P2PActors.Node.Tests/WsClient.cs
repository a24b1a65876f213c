using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// A page's WebSocket without a browser: sends JSON frames and reads them one at a time, each read bounded by a
/// timeout so a missing frame fails the test instead of hanging it.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private int _nextId;

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WsClient> ConnectAsync(Uri httpBase, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        var uri = new UriBuilder(httpBase) { Scheme = "ws", Path = "/ws" }.Uri;
        using var timeout = new CancellationTokenSource(Patience);
        if (invoker is null)
            await socket.ConnectAsync(uri, timeout.Token);
        else
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        return new WsClient(socket);
    }

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Sends <paramref name="json"/> with a fresh <c>id</c> added and returns that id.</summary>
    public async Task<string> SendAsync(string type, object? fields = null)
    {
        var id = $"r{Interlocked.Increment(ref _nextId)}";
        var frame = new Dictionary<string, object?> { ["type"] = type, ["id"] = id };
        if (fields is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(fields).EnumerateObject())
                frame[property.Name] = property.Value;
        }
        await SendTextAsync(JsonSerializer.Serialize(frame));
        return id;
    }

    /// <summary>The next frame, or null when the node closed the connection (see <see cref="WebSocket.CloseStatus"/>).</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        WebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(chunk, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            buffer.Write(chunk, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    /// <summary>Reads frames until one satisfies <paramref name="match"/>; fails if the connection closes first.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(Func<JsonElement, bool> match)
    {
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException($"The node closed the connection ({Socket.CloseStatus} {Socket.CloseStatusDescription}).");
            if (match(frame))
                return frame;
        }
    }

    /// <summary>The answer to request <paramref name="id"/> (pushes that arrive before it are skipped).</summary>
    public Task<JsonElement> AnswerAsync(string id) =>
        ReceiveUntilAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String && i.GetString() == id);

    public async Task<JsonElement> RequestAsync(string type, object? fields = null) => await AnswerAsync(await SendAsync(type, fields));

    /// <summary>
    /// Sends a request and reads until both its answer and a push matching <paramref name="push"/> arrived, in either
    /// order (a change the request causes can be pushed before the request is answered).
    /// </summary>
    public async Task<(JsonElement Answer, JsonElement Push)> RequestWithPushAsync(string type, object? fields, Func<JsonElement, bool> push)
    {
        var id = await SendAsync(type, fields);
        JsonElement? answer = null, pushed = null;
        while (answer is null || pushed is null)
        {
            var frame = await ReceiveUntilAsync(_ => true);
            if (frame.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String && i.GetString() == id)
                answer = frame;
            else if (!frame.TryGetProperty("id", out _) && pushed is null && push(frame))
                pushed = frame;
        }
        return (answer.Value, pushed.Value);
    }

    public async Task<JsonElement> HelloAsync(string playerId, string? resumeToken = null)
    {
        var welcome = await RequestAsync("hello", resumeToken is null ? new { playerId } : new { playerId, resumeToken });
        Assert.True(welcome.GetProperty("type").GetString() == "welcome", welcome.ToString());
        return welcome;
    }

    /// <summary>Reads until the node's close frame arrives and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        while (await ReceiveAsync() is not null)
        {
        }
        return Socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The node already went away; nothing to close.
            }
        }
        Socket.Dispose();
    }
}

public static class WsFrameAssert
{
    public static string Type(JsonElement frame) => frame.GetProperty("type").GetString()!;

    /// <summary>Asserts an error frame with <paramref name="code"/> and returns it.</summary>
    public static JsonElement Error(JsonElement frame, string code)
    {
        Assert.True(Type(frame) == "error" && frame.GetProperty("code").GetString() == code, $"expected error {code}, got {frame}");
        Assert.False(string.IsNullOrWhiteSpace(frame.GetProperty("message").GetString()));
        return frame;
    }
}
