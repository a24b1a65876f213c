using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>
/// What every bot of a run shares. <paramref name="OverpoweredNodes"/>: the nodes started with <c>--byzantine
/// overpowered</c>, whose shares of characters, items and quests are boosted past the balance rules by the node itself.
/// </summary>
public sealed record BotContext(ZoneMap Zone, SimulationRecorder Recorder, AckLedger Ledger, TradeBoard Trades, TimeSpan RequestTimeout,
    IReadOnlySet<Uri>? OverpoweredNodes = null);

/// <summary>
/// One simulated player: one WebSocket to its node, used as the page uses it. It says hello, subscribes to positions
/// in the zone, then per tick (<c>1 / moveRate</c> seconds) moves one tile and, most ticks, does one more thing drawn
/// from <see cref="BotOperations"/>; once in the run some bots drop their connection and resume the session with
/// its token. Every loop ends at the deadline or after a fixed number of ticks, whichever comes first.
/// </summary>
public sealed class Bot
{
    private const int InventoryTarget = 20;
    private const double OtherOperationChance = 0.7;

    private readonly BotContext _context;
    private readonly Uri _node;
    private readonly bool _overpoweredNode;
    private readonly Random _random;
    private readonly PlayerLedger _ledger;
    private readonly List<(string Id, string Type)> _generated = [];
    private readonly HashSet<string> _shared = new(StringComparer.Ordinal);
    private readonly TimeSpan? _offlineAt;
    private BotConnection? _connection;
    private string? _resumeToken;
    private bool _subscribed;
    private bool _running;
    private int _nextType;
    private int _nextToken;
    private (int X, int Y) _tile;

    public Bot(int index, string playerId, Uri node, BotContext context, long seed, TimeSpan duration)
    {
        PlayerId = playerId;
        _node = node;
        _overpoweredNode = context.OverpoweredNodes?.Contains(node) ?? false;
        _context = context;
        _random = new Random(unchecked((int)(seed * 1_000_003 + index)));
        _ledger = context.Ledger.Player(playerId, node.ToString());
        _tile = context.Zone.WalkableTiles[_random.Next(context.Zone.WalkableTiles.Count)];
        _nextType = index % BotOperations.ContentTypes.Count;
        // A third of the bots go offline once, somewhere in the middle of the run, and come back with their token.
        if (index % 3 == 0)
            _offlineAt = duration * (0.25 + 0.35 * _random.NextDouble());
    }

    public string PlayerId { get; }

    public async Task RunAsync(TimeSpan duration, double moveRate, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var tick = TimeSpan.FromSeconds(1 / moveRate);
        var maxTicks = (long)Math.Ceiling(duration.TotalSeconds * moveRate) + 1;
        var wentOffline = false;
        _running = true;
        try
        {
            if (!await JoinAsync(resume: false, started, duration, ct))
                return;
            for (long i = 0; i < maxTicks && started.Elapsed < duration && !ct.IsCancellationRequested; i++)
            {
                var tickStart = started.Elapsed;
                if (!wentOffline && _offlineAt is { } at && tickStart >= at)
                {
                    wentOffline = true;
                    await GoOfflineAndBackAsync(started, duration, ct);
                }
                if (_connection is not { IsOpen: true } && !await JoinAsync(resume: _resumeToken is not null, started, duration, ct))
                    return;
                await MoveAsync(ct);
                if (_random.NextDouble() < OtherOperationChance)
                    await OtherAsync(BotOperations.Draw(_random), ct);
                var wait = tick - (started.Elapsed - tickStart);
                if (wait > TimeSpan.Zero && started.Elapsed + wait < duration)
                    await Task.Delay(wait, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: end the loop, close below.
        }
        finally
        {
            _running = false;
            SetUnsubscribed();
            if (_connection is not null)
            {
                await _connection.CloseAsync();
                await _connection.DisposeAsync();
            }
        }
    }

    /// <summary>Connects and says hello (with the resume token when coming back); retries until the deadline.</summary>
    private async Task<bool> JoinAsync(bool resume, Stopwatch started, TimeSpan duration, CancellationToken ct)
    {
        for (var attempt = 0; started.Elapsed < duration && !ct.IsCancellationRequested; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)), ct);
            var operation = resume ? BotOperations.Resume : BotOperations.Hello;
            var watch = Stopwatch.StartNew();
            BotConnection? connection = null;
            try
            {
                connection = await BotConnection.ConnectAsync(_node, _context.RequestTimeout, ct);
                connection.Pushed = OnPush;
                var hello = new JsonObject { ["playerId"] = PlayerId };
                if (resume)
                    hello["resumeToken"] = _resumeToken;
                var answer = await connection.RequestAsync("hello", hello, _context.RequestTimeout, ct);
                if (Type(answer) != "welcome")
                {
                    _context.Recorder.Failed(operation, Code(answer), watch.Elapsed);
                    await connection.DisposeAsync();
                    continue;
                }
                if (resume && !(answer.TryGetProperty("resumed", out var resumed) && resumed.ValueKind == JsonValueKind.True))
                    _context.Recorder.Failed(operation, "not-resumed", watch.Elapsed);
                else
                    _context.Recorder.Completed(operation, watch.Elapsed);
                _resumeToken = answer.GetProperty("resumeToken").GetString();
                _connection = connection;
                await SubscribeAsync(ct);
                return true;
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or HttpRequestException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                _context.Recorder.Failed(operation, e is TimeoutException ? "timeout" : "connect-failed", watch.Elapsed);
                if (connection is not null)
                    await connection.DisposeAsync();
            }
        }
        return false;
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var answer = await RequestAsync(BotOperations.Subscribe, "subscribe",
            new JsonObject { ["topics"] = new JsonArray("positions"), ["zone"] = _context.Zone.ContentId }, ct);
        if (answer is { } frame && Type(frame) == "subscribed" && !_subscribed)
        {
            _subscribed = true;
            _context.Recorder.Subscribed();
        }
    }

    private async Task GoOfflineAndBackAsync(Stopwatch started, TimeSpan duration, CancellationToken ct)
    {
        SetUnsubscribed();
        if (_connection is not null)
        {
            // No close frame: the node keeps the session's claim for its resume grace, so only the token brings it back.
            _connection.Drop();
            await _connection.DisposeAsync();
            _connection = null;
        }
        await Task.Delay(TimeSpan.FromMilliseconds(500 + _random.Next(1500)), ct);
        await JoinAsync(resume: true, started, duration, ct);
    }

    private void SetUnsubscribed()
    {
        if (_subscribed)
        {
            _subscribed = false;
            _context.Recorder.Unsubscribed();
        }
    }

    private void OnPush(JsonElement frame)
    {
        if (!_running || Type(frame) != "positions" || !frame.TryGetProperty("moves", out var moves) || moves.ValueKind != JsonValueKind.Array)
            return;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var move in moves.EnumerateArray())
        {
            if (move.TryGetProperty("playerId", out var player) && player.GetString() != PlayerId
                && move.TryGetProperty("updatedAtMs", out var at) && at.TryGetInt64(out var updatedAtMs))
                _context.Recorder.Delivered(TimeSpan.FromMilliseconds(now - updatedAtMs));
        }
    }

    private async Task MoveAsync(CancellationToken ct)
    {
        var next = _context.Zone.Step(_tile, _random);
        var position = _context.Zone.At(next);
        var answer = await RequestAsync(BotOperations.Move, "move",
            new JsonObject { ["zone"] = position.Zone, ["x"] = position.X, ["y"] = position.Y }, ct);
        if (answer is not { } frame || OutcomeUnknown(frame))
        {
            _ledger.MoveUnanswered(position);
            return;
        }
        if (Type(frame) != "moved")
            return;
        _tile = next;
        _ledger.MoveAcknowledged(position);
        _context.Recorder.MoveAcknowledged(_subscribed);
    }

    private Task OtherAsync(string operation, CancellationToken ct) => operation switch
    {
        "generate" => GenerateAsync(ct),
        BotOperations.Rate => _generated.Count == 0 ? GenerateAsync(ct) : RateAsync(ct),
        BotOperations.InventoryAdd => _ledger.Inventory.Count >= InventoryTarget ? RemoveAsync(BotOperations.InventoryRemove, ct) : AddAsync(BotOperations.InventoryAdd, NewItem(), ct),
        BotOperations.InventoryRemove => _ledger.Inventory.Count == 0 ? AddAsync(BotOperations.InventoryAdd, NewItem(), ct) : RemoveAsync(BotOperations.InventoryRemove, ct),
        BotOperations.TradeGive => _ledger.Inventory.Count == 0 ? AddAsync(BotOperations.InventoryAdd, NewItem(), ct) : RemoveAsync(BotOperations.TradeGive, ct),
        BotOperations.TradeTake => _context.Trades.TryTake(out var item) ? AddAsync(BotOperations.TradeTake, item, ct)
            : _ledger.Inventory.Count == 0 ? AddAsync(BotOperations.InventoryAdd, NewItem(), ct) : RemoveAsync(BotOperations.TradeGive, ct),
        BotOperations.Share => _generated.Any(g => !_shared.Contains(g.Id)) ? ShareAsync(ct) : GenerateAsync(ct),
        BotOperations.ShareInvalid => ShareInvalidAsync(ct),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation of the mix"),
    };

    private async Task GenerateAsync(CancellationToken ct)
    {
        var type = BotOperations.ContentTypes[_nextType++ % BotOperations.ContentTypes.Count];
        var fields = new JsonObject { ["contentType"] = type, ["seed"] = _random.NextInt64(0, 1L << 53) };
        if (type == "map")
            fields["params"] = new JsonObject { ["width"] = 8 + _random.Next(9), ["height"] = 8 + _random.Next(9) };
        var answer = await RequestAsync(BotOperations.Generate(type), "generate", fields, ct);
        if (answer is { } frame && Type(frame) == "generated" && frame.GetProperty("content").GetProperty("id").GetString() is { } id)
            _generated.Add((id, type));
    }

    private async Task RateAsync(CancellationToken ct)
    {
        var (id, _) = _generated[_random.Next(_generated.Count)];
        await RequestAsync(BotOperations.Rate, "rate", new JsonObject { ["contentId"] = id, ["stars"] = 1 + _random.Next(5) }, ct);
    }

    /// <summary>A generated item's id when there is one not held yet, else a token of this bot's own.</summary>
    private string NewItem()
    {
        var items = _generated.Where(g => g.Type == "item" && !_ledger.Holds(g.Id)).ToList();
        return items.Count > 0 ? items[_random.Next(items.Count)].Id : $"{PlayerId}-t{_nextToken++.ToString(CultureInfo.InvariantCulture)}";
    }

    private async Task AddAsync(string operation, string item, CancellationToken ct)
    {
        var answer = await RequestAsync(operation, "inventory-add", new JsonObject { ["itemId"] = item }, ct);
        if (answer is not { } frame || OutcomeUnknown(frame))
            _ledger.ItemUnanswered(item);
        else if (Type(frame) == "inventory-added")
            _ledger.AddAcknowledged(item);
    }

    private async Task RemoveAsync(string operation, CancellationToken ct)
    {
        var held = _ledger.Inventory.ToList();
        var item = held[_random.Next(held.Count)];
        var answer = await RequestAsync(operation, "inventory-remove", new JsonObject { ["itemId"] = item }, ct);
        if (answer is not { } frame || OutcomeUnknown(frame))
        {
            _ledger.ItemUnanswered(item);
            return;
        }
        if (Type(frame) != "inventory-removed")
            return;
        if (!(frame.TryGetProperty("applied", out var applied) && applied.ValueKind == JsonValueKind.True))
            _context.Recorder.RemoveNotApplied();
        _ledger.RemoveAcknowledged(item);
        if (operation == BotOperations.TradeGive)
            _context.Trades.Offer(item);
    }

    private async Task ShareAsync(CancellationToken ct)
    {
        var candidates = _generated.Where(g => !_shared.Contains(g.Id)).ToList();
        var (id, type) = candidates[_random.Next(candidates.Count)];
        _shared.Add(id);
        // An overpowered node proposes a boosted copy of these types instead (ByzantineBehaviour.Overpower): the bot
        // asked for an honest share, but what the validators judge is genuinely invalid content, so it counts as an
        // invalid attempt. Maps and dialogs go through unchanged and stay ordinary shares.
        var invalid = _overpoweredNode && (type is "character" or "item" or "quest");
        if (invalid)
            _context.Recorder.InvalidAttempted();
        // Rejected and undecided are answers the vote may give, not failures of the request: judged by the figures.
        var answer = await RequestAsync(BotOperations.Share, "share", new JsonObject { ["contentId"] = id }, ct, expectedErrors: ["rejected", "undecided", "already-shared"]);
        switch (answer is { } frame ? (Type(frame) == "error" ? Code(frame) : Type(frame)) : null)
        {
            case "shared" when invalid:
                // The boosted copy, not this id, is what would be in the catalog: nothing for the ledger to expect.
                _context.Recorder.ShareAccepted();
                _context.Recorder.InvalidAdmitted();
                break;
            case "shared":
                _context.Recorder.ShareAccepted();
                _context.Ledger.ShareAccepted(id);
                break;
            case "rejected":
                _context.Recorder.ShareRejected();
                if (invalid)
                    _context.Recorder.InvalidRefused();
                break;
            case "undecided":
                _context.Recorder.ShareUndecided();
                break;
            case "already-shared":
                // A run again with the same seed makes the same content: in the catalog already, as an accepted share
                // leaves it (the boosted copy of an invalid one is another id, so nothing to expect of it).
                _context.Recorder.ShareAccepted();
                if (!invalid)
                    _context.Ledger.ShareAccepted(id);
                break;
            default:
                _context.Recorder.ShareFailed();
                break;
        }
    }

    /// <summary>
    /// A share no honest node may admit: the id of content that exists nowhere (64 hex digits, as a real id), so
    /// nothing can be validated. The expected answer is <c>invalid-field</c> on <c>contentId</c>.
    /// </summary>
    private async Task ShareInvalidAsync(CancellationToken ct)
    {
        Span<byte> bytes = stackalloc byte[32];
        _random.NextBytes(bytes);
        var id = Convert.ToHexStringLower(bytes);
        _context.Ledger.InvalidShared(id);
        _context.Recorder.InvalidAttempted();
        var answer = await RequestAsync(BotOperations.ShareInvalid, "share", new JsonObject { ["contentId"] = id }, ct, expectedErrors: ["invalid-field"]);
        if (answer is not { } frame)
            return;
        if (Type(frame) == "shared")
            _context.Recorder.InvalidAdmitted();
        else if (Code(frame) == "invalid-field")
            _context.Recorder.InvalidRefused();
    }

    /// <summary>
    /// One request, timed: an answer or an <c>error</c> frame (counted by code, unless it is one of
    /// <paramref name="expectedErrors"/>) is returned; null when no answer came (timeout, connection gone).
    /// </summary>
    private async Task<JsonElement?> RequestAsync(string operation, string type, JsonObject fields, CancellationToken ct, IReadOnlyCollection<string>? expectedErrors = null)
    {
        var watch = Stopwatch.StartNew();
        if (_connection is not { IsOpen: true } connection)
        {
            _context.Recorder.Failed(operation, "closed", watch.Elapsed);
            return null;
        }
        try
        {
            var answer = await connection.RequestAsync(type, fields, _context.RequestTimeout, ct);
            if (Type(answer) == "error" && !(expectedErrors?.Contains(Code(answer)) ?? false))
                _context.Recorder.Failed(operation, Code(answer), watch.Elapsed);
            else
                _context.Recorder.Completed(operation, watch.Elapsed);
            return answer;
        }
        catch (TimeoutException)
        {
            _context.Recorder.Failed(operation, "timeout", watch.Elapsed);
        }
        catch (WebSocketException)
        {
            _context.Recorder.Failed(operation, "closed", watch.Elapsed);
        }
        return null;
    }

    /// <summary>
    /// True when a write may or may not have landed: no answer at all, or an error saying the node's own wait ran out
    /// (<c>unavailable</c>) or failed unexpectedly (<c>internal</c>) — the actor may still apply it after the node gave up.
    /// The checker must then accept either state, not count it as a lost acknowledged write. Any other error is a
    /// refusal: the write was not made.
    /// </summary>
    internal static bool OutcomeUnknown(JsonElement? answer) =>
        answer is not { } frame || (Type(frame) == "error" && Code(frame) is "unavailable" or "internal");

    private static string Type(JsonElement frame) =>
        frame.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "";

    private static string Code(JsonElement frame) =>
        frame.TryGetProperty("code", out var code) ? code.GetString() ?? "error" : "no-code";
}
