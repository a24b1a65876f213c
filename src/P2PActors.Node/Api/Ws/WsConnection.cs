using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Node.Api.Ws;

/// <summary>The player a connection acts as, once <c>hello</c> was answered.</summary>
public sealed record WsSession(string PlayerId, string SessionId, string Node);

/// <summary>
/// One page's WebSocket: one reader loop (frames in, handlers started) and one writer loop (frames out). Everything
/// the node sends goes through a bounded queue; position pushes are coalesced per player before they enter it, and a
/// full queue drops the connection (1008 <c>slow-consumer</c>) rather than holding memory or blocking the node.
/// Positions leave as one <c>positions</c> frame holding every move pending, at most one frame per
/// <see cref="WsSettings.PositionsInterval"/>: a move after a quiet spell leaves at once; in a busy zone the frames
/// grow instead of their number, so 50 players moving at 5 Hz do not cost each page 250 frames, wake-ups and send
/// calls a second.
/// </summary>
public sealed class WsConnection
{
    /// <summary>How long a dropped connection may take to send its last error and close before it is aborted.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A message up to this many times the limit is read to its end and answered; a longer one closes with 1009.</summary>
    public const int DrainFactor = 16;

    /// <summary>Requests of one connection handled at once; the reader waits for a free slot before reading on.</summary>
    private const int MaxInFlight = 8;

    /// <summary>A frame, or (<see cref="Frame"/> null) the place in the queue of the pending positions' frame.</summary>
    private sealed record Outgoing(byte[]? Frame);

    private static readonly Outgoing PositionsMarker = new((byte[]?)null);

    /// <summary>The marker queued again once the interval is over: due whatever the clock says (timers may fire a tick early).</summary>
    private static readonly Outgoing PositionsDueMarker = new((byte[]?)null);

    private static readonly byte[] PositionsHead = "{\"type\":\"positions\",\"moves\":["u8.ToArray();

    private sealed record Drop(WebSocketCloseStatus Status, string Reason, byte[]? LastFrame);

    private static readonly JsonDocumentOptions FrameJson = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    private readonly WebSocket _socket;
    private readonly WsSettings _settings;
    private readonly WsHandlerRegistry _handlers;
    private readonly ILogger _log;
    private readonly IWsTraffic? _traffic;
    private readonly Channel<Outgoing> _outgoing;
    /// <summary>Each player's newest move not yet sent (its JSON object); guarded by <see cref="_positionsGate"/>.</summary>
    private Dictionary<string, byte[]> _positions = new(StringComparer.Ordinal);
    /// <summary>Swapped with <see cref="_positions"/> by the writer, so pushes go on while it builds the frame.</summary>
    private Dictionary<string, byte[]> _sending = new(StringComparer.Ordinal);
    private bool _positionsQueued;
    private readonly Lock _positionsGate = new();
    /// <summary>The writer's buffer for <c>positions</c> frames, reused: only the writer loop touches it.</summary>
    private readonly ArrayBufferWriter<byte> _positionsFrame = new(1024);
    /// <summary>
    /// When the writer last sent a positions frame (<see cref="Stopwatch"/> ticks). Written by the writer loop before it
    /// takes the pending moves (under <see cref="_positionsGate"/>), so a push that finds nothing queued reads the newest.
    /// </summary>
    private long _lastPositionsAt;
    private readonly TokenBucket _bucket;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private readonly CancellationTokenSource _writerStop = new();
    private readonly CancellationTokenSource _readerStop = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _gate = new();
    private Drop? _drop;
    private WsSession? _session;
    private volatile bool _ending;
    private readonly TaskCompletionSource<string> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="traffic">Told of every message read and frame written; null when nothing counts them (metrics off).</param>
    public WsConnection(WebSocket socket, WsSettings settings, WsHandlerRegistry handlers, ILogger log, IWsTraffic? traffic = null)
    {
        _socket = socket;
        _settings = settings;
        _handlers = handlers;
        _log = log;
        _traffic = traffic;
        _outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(settings.OutgoingQueue)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: that is the slow-consumer signal.
            SingleReader = true,
        });
        _bucket = new TokenBucket(settings.MessagesPerSecond, settings.MessageBurst, Stopwatch.GetTimestamp());
        PeerId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>Names this connection for signaling; unique per connection, random so it cannot be guessed.</summary>
    public string PeerId { get; }

    public WsSession? Session
    {
        get
        {
            lock (_gate)
                return _session;
        }
    }

    /// <summary>Per-connection state of handlers and topics (subscriptions, rooms), keyed by the component's own name.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled once the connection is over; handlers and topics use it to forget the connection.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Completes with the reason when the node decides to end the connection (slow consumer, 1009, takeover, shutdown).</summary>
    public Task<string> Dropped => _dropped.Task;

    /// <summary>True when the page ended the connection with a close frame rather than dropping it.</summary>
    public bool ClosedCleanly { get; private set; }

    /// <summary>Binds the session; false when one is already bound (a second <c>hello</c>).</summary>
    public bool TryBind(WsSession session)
    {
        lock (_gate)
        {
            if (_session is not null)
                return false;
            _session = session;
            return true;
        }
    }

    /// <summary>Queues a push (no <c>id</c>). False when the connection is gone or was dropped as a slow consumer.</summary>
    public bool Push(string type, object? payload) => Enqueue(new Outgoing(WsFrames.Encode(type, null, payload)));

    /// <summary>Queues a player's move for the next <c>positions</c> frame; an older move of the player not yet sent is replaced.</summary>
    public bool PushPosition(string playerId, object move) =>
        PushPosition(playerId, WsFrames.EncodeObject(move));

    /// <summary>
    /// Queues an encoded move (a JSON object, <see cref="WsFrames.EncodeObject"/>, never changed afterwards: the feed
    /// encodes a move once and hands the same bytes to every connection watching the zone). At most one place in the
    /// queue is held for all pending positions, so they can never fill it.
    /// </summary>
    public bool PushPosition(string playerId, byte[] move) => PushPosition(playerId, move, replace: true);

    /// <summary>
    /// Queues a move read from the state (the zone's first frame), unless a live move of that player is already pending:
    /// the live one is the newer, and the read must not overwrite it.
    /// </summary>
    public bool PushKnownPosition(string playerId, byte[] move) => PushPosition(playerId, move, replace: false);

    private bool PushPosition(string playerId, byte[] move, bool replace)
    {
        long lastSent;
        lock (_positionsGate)
        {
            if (replace)
                _positions[playerId] = move;
            else
                _positions.TryAdd(playerId, move);
            if (_positionsQueued)
                return true;
            _positionsQueued = true;
            lastSent = _lastPositionsAt;
        }
        // Inside the interval the marker waits here rather than in the writer: queued now, it would only wake the
        // writer to be put off (a wake-up per frame more, with 50 players moving at 5 Hz in the zone).
        var wait = _settings.PositionsInterval - Stopwatch.GetElapsedTime(lastSent);
        if (lastSent != 0 && wait > TimeSpan.Zero)
        {
            _ = RequeuePositionsAsync(wait);
            return !_closed.IsCancellationRequested && Volatile.Read(ref _drop) is null;
        }
        return Enqueue(PositionsMarker);
    }

    /// <summary>Ends the connection from the node's side (session taken over, shutdown) with this close status.</summary>
    public void Close(WebSocketCloseStatus status, string reason, WsReply? lastFrame = null) =>
        DropConnection(new Drop(status, reason, lastFrame is null ? null : WsFrames.Encode(lastFrame.Type, null, lastFrame.Payload)));

    /// <summary>Runs both loops until the connection is over.</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        using var stopOnShutdown = shutdown.Register(() => Close(WebSocketCloseStatus.EndpointUnavailable, "node shutting down"));
        var writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        try
        {
            await ReadLoopAsync(_readerStop.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The page went away without a close frame, or did not answer the node's close in time.
        }
        finally
        {
            EndOutgoing();
        }
        await writer;
        // Handlers still running and topics see the end and stop pushing.
        await _closed.CancelAsync();
    }

    private void EndOutgoing()
    {
        _ending = true;
        _outgoing.Writer.TryComplete();
    }

    /// <summary>
    /// After the node dropped the page, reads and discards until the page answers the close, the writer aborts, or the
    /// reader's timeout (set once the close is sent) ends it. Returning at once would end the request and close the TCP
    /// connection under the page: its own sends would then fail and the node's last frames (the error and the close)
    /// could be lost. Not a clean close: the player stays held for the resume grace, as before.
    /// </summary>
    private async Task DrainUntilCloseAsync(byte[] scratch, CancellationToken ct)
    {
        while ((await _socket.ReceiveAsync(scratch.AsMemory(), ct)).MessageType != WebSocketMessageType.Close)
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[_settings.MaxMessageBytes];
        var scratch = new byte[4096];
        while (true)
        {
            var count = 0;
            long total = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                var target = count < buffer.Length ? buffer.AsMemory(count) : scratch.AsMemory();
                result = await _socket.ReceiveAsync(target, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClosedCleanly = true;
                    return;
                }
                total += result.Count;
                if (count < buffer.Length)
                    count += result.Count;
                if (total > (long)_settings.MaxMessageBytes * DrainFactor)
                {
                    DropConnection(new Drop(WebSocketCloseStatus.MessageTooBig,
                        $"message larger than {_settings.MaxMessageBytes * DrainFactor} bytes", null));
                    return;
                }
            }
            while (!result.EndOfMessage);
            _traffic?.MessageReceived();
            if (Volatile.Read(ref _drop) is not null)
            {
                await DrainUntilCloseAsync(scratch, ct);
                return;
            }

            var limited = !_bucket.TryTake(Stopwatch.GetTimestamp());
            if (limited && (total > _settings.MaxMessageBytes || result.MessageType != WebSocketMessageType.Text))
            {
                Send(null, RateLimited());
                continue;
            }
            if (total > _settings.MaxMessageBytes)
            {
                Send(null, WsReply.Error(WsErrors.TooLarge, $"Messages are at most {_settings.MaxMessageBytes} bytes; this one had {total}."));
                continue;
            }
            if (result.MessageType != WebSocketMessageType.Text)
            {
                Send(null, WsReply.Error(WsErrors.BadJson, "Frames are UTF-8 JSON text messages, not binary."));
                continue;
            }
            await DispatchAsync(buffer.AsMemory(0, count), limited, _closed.Token);
        }
    }

    /// <param name="limited">The token bucket was empty: the frame is read only for its id, to say which request was refused.</param>
    private async Task DispatchAsync(ReadOnlyMemory<byte> frame, bool limited, CancellationToken ct)
    {
        var parsed = JsonInput.Parse(frame, FrameJson);
        JsonElement root;
        using (var document = parsed.Document)
        {
            if (parsed.InvalidJson is { } invalid)
            {
                Send(null, limited ? RateLimited() : WsReply.Error(WsErrors.BadJson, $"The frame is not valid JSON: {invalid}"));
                return;
            }
            if (parsed.UnreadableAt is { } path)
            {
                // The id is looked up only where it is safe: not when the text at fault is the id or a name of the frame's own.
                var readableId = path.Length > 0 && path != "id" && !path.StartsWith("id.", StringComparison.Ordinal)
                    && !path.StartsWith("id[", StringComparison.Ordinal) && document!.RootElement.ValueKind == JsonValueKind.Object
                    ? ReadId(document.RootElement).Id
                    : null;
                Send(readableId, limited ? RateLimited() : WsReply.Invalid(path.Length == 0 ? "frame" : path, JsonInput.UnreadableMessage));
                return;
            }
            root = document!.RootElement.Clone();
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            Send(null, limited ? RateLimited() : WsReply.Error(WsErrors.BadJson, "A frame must be a JSON object: { \"type\": \"...\", \"id\": \"1\", ... }."));
            return;
        }
        var (id, idProblem) = ReadId(root);
        if (limited)
        {
            Send(id, RateLimited());
            return;
        }
        if (idProblem is not null)
        {
            Send(null, WsReply.Invalid("id", idProblem));
            return;
        }
        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String
            || !_handlers.TryGet(typeElement.GetString()!, out var handler))
        {
            var named = typeElement.ValueKind == JsonValueKind.String ? $"Unknown type '{typeElement.GetString()}'" : "A frame needs a string type";
            Send(id, WsReply.Error(WsErrors.UnknownType, $"{named}; the types are {string.Join(", ", _handlers.Types)}."));
            return;
        }
        if (Precheck(handler, root) is { } refusal)
        {
            Send(id, refusal);
            return;
        }
        var request = new WsRequest(this, handler.Type, root);
        if (!handler.RequiresSession || handler.Ordered)
        {
            // hello binds the session; running it before reading on lets a page send requests right behind it. Ordered
            // requests run here too, so the next frame is read only once this one took effect.
            Send(id, await RunHandlerAsync(handler, request, ct));
            return;
        }
        await _inFlight.WaitAsync(ct);
        _ = Task.Run(async () =>
        {
            try
            {
                Send(id, await RunHandlerAsync(handler, request, ct));
            }
            finally
            {
                _inFlight.Release();
            }
        }, CancellationToken.None);
    }

    /// <summary>What the framework refuses before any handler runs: no session, another player, unknown fields.</summary>
    private WsReply? Precheck(IWsHandler handler, JsonElement root)
    {
        var session = Session;
        if (handler.RequiresSession)
        {
            if (session is null)
                return WsReply.Error(WsErrors.NoSession, "Say hello first: { \"type\": \"hello\", \"playerId\": \"...\" }.");
            if (root.TryGetProperty("playerId", out var named)
                && (named.ValueKind != JsonValueKind.String || named.GetString() != session.PlayerId))
                return WsReply.Error(WsErrors.NotYourPlayer,
                    $"This connection acts as '{session.PlayerId}', not {(named.ValueKind == JsonValueKind.String ? $"'{named.GetString()}'" : named.GetRawText())}.");
        }
        var unknown = root.EnumerateObject()
            .Where(p => p.Name is not ("type" or "id") && !(p.Name == "playerId" && handler.RequiresSession) && !handler.Fields.Contains(p.Name))
            .ToDictionary(p => p.Name, _ => new[]
            {
                handler.Fields.Count == 0
                    ? $"Unknown field; {handler.Type} has no fields of its own."
                    : $"Unknown field; the fields of {handler.Type} are {string.Join(", ", handler.Fields)}.",
            });
        return unknown.Count > 0 ? WsReply.Invalid(unknown) : null;
    }

    private async Task<WsReply> RunHandlerAsync(IWsHandler handler, WsRequest request, CancellationToken ct)
    {
        try
        {
            return await handler.HandleAsync(request, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return WsReply.Error(WsErrors.Unavailable, "The connection is closing.");
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TimeoutException)
        {
            // An overloaded node (a session claim across the cluster, a vote) is not a failure of the node: the page
            // may try again, as with HTTP's 503 (seen under `simulate` with 10 nodes on 2 cores).
            _log.LogWarning("WebSocket handler {Type} timed out: {Message}", handler.Type, e.Message);
            return WsReply.Error(WsErrors.Unavailable, "The node could not answer in time; try again.");
        }
        catch (Exception e)
        {
            _log.LogError(e, "WebSocket handler {Type} failed", handler.Type);
            return WsReply.Error(WsErrors.Internal, "The node failed to handle this request; it is logged on the node.");
        }
    }

    private WsReply RateLimited() => WsReply.Error(WsErrors.RateLimited,
        $"More than {_settings.MessagesPerSecond} messages per second (burst {_settings.MessageBurst}); this one was not handled.");

    private static (JsonElement? Id, string? Problem) ReadId(JsonElement root)
    {
        if (!root.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null)
            return (null, null);
        return id.ValueKind switch
        {
            JsonValueKind.String when id.GetString()!.Length is >= 1 and <= 64 => (id, null),
            JsonValueKind.Number when id.TryGetInt64(out _) => (id, null),
            _ => (null, "id must be a string of 1 to 64 characters or a whole number."),
        };
    }

    private void Send(JsonElement? id, WsReply reply) => Enqueue(new Outgoing(WsFrames.Encode(reply.Type, id, reply.Payload)));

    private bool Enqueue(Outgoing item)
    {
        if (_outgoing.Writer.TryWrite(item))
            return true;
        if (!_ending && Volatile.Read(ref _drop) is null)
        {
            _log.LogWarning("Dropping WebSocket {PeerId} ({Player}): its outgoing queue of {Bound} frames is full",
                PeerId, Session?.PlayerId ?? "no session", _settings.OutgoingQueue);
            var error = WsReply.Error(WsErrors.SlowConsumer, $"The outgoing queue of {_settings.OutgoingQueue} frames is full; closing.");
            DropConnection(new Drop(WebSocketCloseStatus.PolicyViolation, WsErrors.SlowConsumer, WsFrames.Encode(error.Type, null, error.Payload)));
        }
        return false;
    }

    /// <summary>
    /// Stops reading and tells the writer to skip whatever is queued, send the last frame and close. A writer stuck
    /// behind a page that reads nothing is aborted after <see cref="CloseTimeout"/>.
    /// </summary>
    private void DropConnection(Drop drop)
    {
        if (Interlocked.CompareExchange(ref _drop, drop, null) is not null)
            return;
        _dropped.TrySetResult(drop.Reason);
        EndOutgoing();
        _writerStop.CancelAfter(CloseTimeout);
    }

    private async Task WriteLoopAsync()
    {
        var ct = _writerStop.Token;
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(ct))
            {
                if (Volatile.Read(ref _drop) is not null)
                    break;
                if (item.Frame is null && !PositionsDue(ReferenceEquals(item, PositionsDueMarker)))
                    continue;
                var frame = item.Frame is { } encoded ? encoded : TakePositions();
                if (!frame.IsEmpty)
                {
                    await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
                    _traffic?.MessageSent();
                }
            }
            if (Volatile.Read(ref _drop) is { } drop)
            {
                if (drop.LastFrame is not null)
                {
                    await _socket.SendAsync(drop.LastFrame, WebSocketMessageType.Text, endOfMessage: true, ct);
                    _traffic?.MessageSent();
                }
                await _socket.CloseOutputAsync(drop.Status, drop.Reason, ct);
                // The page should answer the close at once; a reader still waiting for that gives up after the timeout.
                _readerStop.CancelAfter(CloseTimeout);
            }
            else if (_socket.State is WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The page is gone or would not read its last frames in time: abort, which also ends the reader.
            _socket.Abort();
        }
    }

    /// <summary>
    /// True when the pending positions may leave now: <see cref="WsSettings.PositionsInterval"/> has passed since the
    /// last positions frame (after a quiet spell there is nothing to wait for). Otherwise the marker is queued again when
    /// the interval is over, and the frames behind it (answers) go on meanwhile. Moves arriving in between join the
    /// pending frame instead of each costing the page a frame, a wake-up and a send of its own: in a busy zone one page
    /// receives hundreds of moves a second.
    /// </summary>
    private bool PositionsDue(bool waited)
    {
        var interval = _settings.PositionsInterval;
        var wait = interval - Stopwatch.GetElapsedTime(_lastPositionsAt);
        if (waited || interval <= TimeSpan.Zero || _lastPositionsAt == 0 || wait <= TimeSpan.Zero)
        {
            Volatile.Write(ref _lastPositionsAt, Stopwatch.GetTimestamp());
            return true;
        }
        _ = RequeuePositionsAsync(wait);
        return false;
    }

    private async Task RequeuePositionsAsync(TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, _closed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // A full queue here drops the page as any other push would; a completed one (the connection ending) refuses quietly.
        Enqueue(PositionsDueMarker);
    }

    /// <summary>One <c>positions</c> frame of every move pending now, in the writer's reused buffer (valid until the next call).</summary>
    private ReadOnlyMemory<byte> TakePositions()
    {
        lock (_positionsGate)
        {
            (_positions, _sending) = (_sending, _positions);
            _positionsQueued = false;
        }
        if (_sending.Count == 0)
            return ReadOnlyMemory<byte>.Empty;
        _positionsFrame.ResetWrittenCount();
        _positionsFrame.Write(PositionsHead);
        var first = true;
        foreach (var move in _sending.Values)
        {
            if (!first)
                _positionsFrame.Write(","u8);
            _positionsFrame.Write(move);
            first = false;
        }
        _positionsFrame.Write("]}"u8);
        _sending.Clear();
        return _positionsFrame.WrittenMemory;
    }
}
