using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>
/// One page's WebSocket to <c>/ws</c> of a node: requests with an <c>id</c> matched to their answer, pushes handed to
/// <see cref="Pushed"/>. The <c>Origin</c> header is the node's own origin, as a page served by that node sends it.
/// </summary>
public sealed class BotConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private long _nextId;

    private BotConnection(ClientWebSocket socket) => _socket = socket;

    /// <summary>Called on the receive loop for every frame without an answer to wait for (pushes).</summary>
    public Action<JsonElement>? Pushed { get; set; }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    public static async Task<BotConnection> ConnectAsync(Uri node, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", node.GetLeftPart(UriPartial.Authority));
        var uri = new UriBuilder(node) { Scheme = node.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(uri, limit.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new BotConnection(socket);
        connection._receiving = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>
    /// Sends <paramref name="type"/> with <paramref name="fields"/> and waits for its answer (or error frame); a
    /// <see cref="TimeoutException"/> when none comes within <paramref name="timeout"/>, a
    /// <see cref="WebSocketException"/> when the connection is gone.
    /// </summary>
    public async Task<JsonElement> RequestAsync(string type, JsonObject? fields, TimeSpan timeout, CancellationToken ct)
    {
        var id = $"q{Interlocked.Increment(ref _nextId)}";
        var frame = new JsonObject { ["type"] = type, ["id"] = id };
        foreach (var (name, value) in fields ?? [])
            frame[name] = value?.DeepClone();
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var bytes = Encoding.UTF8.GetBytes(frame.ToJsonString());
            await _sendLock.WaitAsync(ct);
            try
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                _sendLock.Release();
            }
            return await answer.Task.WaitAsync(timeout, ct);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Drops the connection without a close frame, as a page that loses its network does.</summary>
    public void Drop()
    {
        _socket.Abort();
        _stop.Cancel();
    }

    /// <summary>A clean close (which releases the session's claim); gives up after a few seconds.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", limit.Token);
                await _receiving.WaitAsync(limit.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closed anyway below.
            }
        }
        Drop();
    }

    public async ValueTask DisposeAsync()
    {
        Drop();
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or WebSocketException)
        {
            // The loop ends with the socket; nothing more to wait for.
        }
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                    continue;
                var frame = Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                message.SetLength(0);
                if (frame is not { } json)
                    continue;
                if (json.TryGetProperty("id", out var id) && _pending.TryGetValue(id.ToString(), out var waiting))
                    waiting.TrySetResult(json);
                else
                    Pushed?.Invoke(json);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended; the waiting requests fail below.
        }
        foreach (var waiting in _pending.Values)
            waiting.TrySetException(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the connection closed before the answer came"));
    }

    private static JsonElement? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
