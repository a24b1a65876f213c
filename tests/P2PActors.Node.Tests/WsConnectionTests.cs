using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Tests;

/// <summary>
/// The outgoing side of <see cref="WsConnection"/> against a socket whose sends block until the test lets them
/// through: a page that stops reading, made exact.
/// </summary>
public sealed class WsConnectionTests
{
    private static readonly WsSettings Settings = new(1000, 1000, 64 * 1024, OutgoingQueue: 4, [], TimeSpan.FromSeconds(30));

    /// <summary>A WebSocket that receives nothing until closed and whose sends wait for <see cref="Release"/>.</summary>
    private sealed class StalledSocket : WebSocket
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstSend = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebSocketState _state = WebSocketState.Open;

        public List<string> Sent { get; } = [];

        public Task FirstSend => _firstSend.Task;

        public void Release() => _released.TrySetResult();

        private WebSocketCloseStatus? _closeStatus;
        private string? _closeDescription;
        private (int Count, TaskCompletionSource Reached)? _awaited;

        public override WebSocketCloseStatus? CloseStatus => _closeStatus;
        public override string? CloseStatusDescription => _closeDescription;

        /// <summary>Completes once <paramref name="count"/> frames were sent.</summary>
        public Task SentAsync(int count)
        {
            lock (Sent)
            {
                if (Sent.Count >= count)
                    return Task.CompletedTask;
                _awaited = (count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                return _awaited.Value.Reached.Task;
            }
        }
        public override WebSocketState State => _state;
        public override string? SubProtocol => null;

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken ct)
        {
            _firstSend.TrySetResult();
            await _released.Task.WaitAsync(ct);
            lock (Sent)
            {
                Sent.Add(Encoding.UTF8.GetString(buffer));
                if (_awaited is { } awaited && Sent.Count >= awaited.Count)
                    awaited.Reached.TrySetResult();
            }
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken ct)
        {
            await _closed.Task.WaitAsync(ct);
            return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true);
        }

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct)
        {
            (_closeStatus, _closeDescription, _state) = (closeStatus, statusDescription, WebSocketState.CloseSent);
            _closed.TrySetResult();
            return Task.CompletedTask;
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct) =>
            CloseOutputAsync(closeStatus, statusDescription, ct);

        public override void Abort()
        {
            _state = WebSocketState.Aborted;
            _closed.TrySetResult();
        }

        public override void Dispose() => Abort();
    }

    private static WsConnection Connect(StalledSocket socket, WsSettings? settings = null) =>
        new(socket, settings ?? Settings, new WsHandlerRegistry([]), NullLogger.Instance);

    private sealed record Position(string PlayerId, double X);

    [Fact]
    public async Task Positions_of_a_player_are_coalesced_so_a_stalled_page_gets_the_newest_not_a_backlog()
    {
        var socket = new StalledSocket();
        var connection = Connect(socket);
        var run = connection.RunAsync(CancellationToken.None);
        Assert.True(connection.Push("hello-frame", new { n = 1 }));
        // The writer now holds the first frame in a send that does not complete.
        await socket.FirstSend.WaitAsync(WsClient.Patience);

        // Far more positions than the queue holds (4): they coalesce into one entry per player.
        for (var x = 1; x <= 1000; x++)
        {
            Assert.True(connection.PushPosition("walker", new Position("walker", x)));
            Assert.True(connection.PushPosition("runner", new Position("runner", -x)));
        }
        Assert.False(connection.Dropped.IsCompleted);

        // Released, the page gets one positions frame holding exactly one move per player, each the newest.
        socket.Release();
        await socket.SentAsync(2).WaitAsync(WsClient.Patience);
        connection.Close(WebSocketCloseStatus.NormalClosure, "test over");
        await run.WaitAsync(WsClient.Patience);
        var frames = socket.Sent.Skip(1).Select(f => JsonDocument.Parse(f).RootElement).Where(f => f.GetProperty("type").GetString() == "positions").ToList();
        var moves = Assert.Single(frames).GetProperty("moves").EnumerateArray().ToList();
        Assert.Equal(2, moves.Count);
        Assert.Equal(1000, moves.Single(p => p.GetProperty("playerId").GetString() == "walker").GetProperty("x").GetDouble());
        Assert.Equal(-1000, moves.Single(p => p.GetProperty("playerId").GetString() == "runner").GetProperty("x").GetDouble());
    }

    [Fact]
    public async Task Positions_pushed_while_the_writer_is_busy_leave_in_one_frame_after_the_frames_queued_before_them()
    {
        var socket = new StalledSocket();
        var connection = Connect(socket);
        var run = connection.RunAsync(CancellationToken.None);
        Assert.True(connection.Push("first", null));
        await socket.FirstSend.WaitAsync(WsClient.Patience);

        // 50 players move while the page's send is stuck, with an answer queued between the first moves and the rest.
        for (var p = 0; p < 25; p++)
            Assert.True(connection.PushPosition($"p{p}", new Position($"p{p}", p)));
        Assert.True(connection.Push("answer", new { n = 2 }));
        for (var p = 25; p < 50; p++)
            Assert.True(connection.PushPosition($"p{p}", new Position($"p{p}", p)));

        socket.Release();
        await socket.SentAsync(3).WaitAsync(WsClient.Patience);
        connection.Close(WebSocketCloseStatus.NormalClosure, "test over");
        await run.WaitAsync(WsClient.Patience);
        var types = socket.Sent.Select(f => JsonDocument.Parse(f).RootElement.GetProperty("type").GetString()).ToList();
        // The positions take the place of the first pending move, so they leave before the answer queued behind it;
        // the moves pushed after the answer joined the same frame rather than waiting for another.
        Assert.Equal(["first", "positions", "answer"], types.Take(3));
        var moves = JsonDocument.Parse(socket.Sent[1]).RootElement.GetProperty("moves").EnumerateArray()
            .Select(m => m.GetProperty("playerId").GetString()!).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 50).Select(p => $"p{p}").ToHashSet(), moves);
    }

    [Fact]
    public async Task Moves_within_the_positions_interval_wait_and_leave_together_while_answers_go_ahead()
    {
        // A long interval, so the moves below are surely pushed within it however slow the machine.
        var socket = new StalledSocket();
        socket.Release();
        var connection = Connect(socket, Settings with { PositionsInterval = TimeSpan.FromSeconds(1) });
        var run = connection.RunAsync(CancellationToken.None);

        // The first move finds no frame sent before it: it leaves on its own.
        Assert.True(connection.PushPosition("first", new Position("first", 1)));
        await socket.SentAsync(1).WaitAsync(WsClient.Patience);

        // Ten more right behind it wait out the interval and leave in one frame (sent at once, they would be up to ten);
        // an answer queued after them does not wait with them.
        for (var p = 0; p < 10; p++)
            Assert.True(connection.PushPosition($"p{p}", new Position($"p{p}", p)));
        Assert.True(connection.Push("answer", new { n = 1 }));
        await socket.SentAsync(3).WaitAsync(WsClient.Patience);
        connection.Close(WebSocketCloseStatus.NormalClosure, "test over");
        await run.WaitAsync(WsClient.Patience);

        Assert.Equal(["positions", "answer", "positions"], socket.Sent.Take(3).Select(f => JsonDocument.Parse(f).RootElement.GetProperty("type").GetString()));
        var frames = socket.Sent.Select(f => JsonDocument.Parse(f).RootElement).Where(f => f.GetProperty("type").GetString() == "positions").ToList();
        Assert.Equal(["first"], frames[0].GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("playerId").GetString()));
        Assert.Equal(Enumerable.Range(0, 10).Select(p => $"p{p}"),
            frames[1].GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("playerId").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Frames_beyond_the_queue_drop_the_connection_with_slow_consumer_and_1008()
    {
        var socket = new StalledSocket();
        var connection = Connect(socket);
        var run = connection.RunAsync(CancellationToken.None);
        Assert.True(connection.Push("first", null));
        await socket.FirstSend.WaitAsync(WsClient.Patience);

        // The writer holds one frame; the queue takes four more; the next one cannot be queued.
        for (var i = 0; i < Settings.OutgoingQueue; i++)
            Assert.True(connection.Push("queued", new { i }));
        Assert.False(connection.Dropped.IsCompleted);
        Assert.False(connection.Push("one-too-many", null));
        Assert.Equal("slow-consumer", await connection.Dropped);

        socket.Release();
        await run.WaitAsync(WsClient.Patience);
        // What was queued is skipped: the first frame, then the error, then the close.
        Assert.Equal(2, socket.Sent.Count);
        var error = JsonDocument.Parse(socket.Sent[1]).RootElement;
        Assert.Equal("slow-consumer", error.GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Equal("slow-consumer", socket.CloseStatusDescription);
    }
}
