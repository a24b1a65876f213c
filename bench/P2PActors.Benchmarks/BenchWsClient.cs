using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace P2PActors.Benchmarks;

/// <summary>
/// A page's <c>/ws</c> connection for harnesses: one receive loop per connection; answers complete the request with
/// the same <c>id</c>, pushes go to <see cref="OnPush"/> as raw UTF-8 (parsed by the caller without allocating, since
/// a fan-out run reads a hundred thousand of them per second). One sender at a time, as <see cref="ClientWebSocket"/> requires.
/// </summary>
internal sealed class BenchWsClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    /// <summary>Frames without an <c>id</c>, and answers nobody waits for (see <see cref="SendAsync"/>).</summary>
    public Action<ReadOnlyMemory<byte>>? OnPush { get; set; }

    public static async Task<BenchWsClient> ConnectAsync(Uri httpBase, CancellationToken ct)
    {
        var client = new BenchWsClient();
        await client._socket.ConnectAsync(new UriBuilder(httpBase) { Scheme = "ws", Path = "/ws" }.Uri, ct);
        client._receiving = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>Sends a request with a fresh id and answers the node's answer or error frame.</summary>
    public async Task<JsonElement> RequestAsync(string type, IReadOnlyDictionary<string, object?>? fields, CancellationToken ct)
    {
        var id = $"q{Interlocked.Increment(ref _nextId)}";
        var answered = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answered;
        var frame = new Dictionary<string, object?>(fields ?? new Dictionary<string, object?>()) { ["type"] = type, ["id"] = id };
        await SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), ct);
        using var registration = ct.Register(() => answered.TrySetCanceled(ct));
        return await answered.Task;
    }

    /// <summary>Sends a frame whose answer nobody awaits; it arrives through <see cref="OnPush"/>.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> utf8, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(utf8, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                        return;
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage);
                var frame = buffer.WrittenMemory;
                if (IdOf(frame.Span) is { } id && _pending.TryRemove(id, out var waiting))
                    waiting.TrySetResult(JsonDocument.Parse(frame).RootElement.Clone());
                else
                    OnPush?.Invoke(frame);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended; whoever waits on it is failed below.
        }
        finally
        {
            foreach (var waiting in _pending.Values)
                waiting.TrySetException(new WebSocketException($"connection ended ({_socket.CloseStatus} {_socket.CloseStatusDescription})"));
        }
    }

    /// <summary>The top-level <c>id</c> string of a frame, read without building a document.</summary>
    private static string? IdOf(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId)
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }
        return null;
    }

    public static string Utf8(ReadOnlyMemory<byte> frame) => Encoding.UTF8.GetString(frame.Span);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The node went first.
        }
        await _receiving;
        _socket.Dispose();
        _sending.Dispose();
    }
}
