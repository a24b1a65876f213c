using System.Collections.Concurrent;
using Akka.Actor;
using P2PActors.Cluster.State;

namespace P2PActors.Node.Api.Ws.Topics;

/// <summary>
/// One <see cref="GameState"/> subscription per node, fanned out to the connections that asked: positions by zone
/// (the zone filter: a move reaches only the connections watching that zone, plus those of the zone the player just
/// left, so their pages can remove it), inventories by player, catalog entries to all. Started on first use.
/// </summary>
public sealed class WsStateFeed(ActorSystem system, ILogger<WsStateFeed> log) : IDisposable
{
    public sealed record PositionPush(string PlayerId, string Zone, double X, double Y, long UpdatedAtMs);

    /// <summary>A player who went offline where they last stood (<see cref="PlayerOffline"/>); the page takes them off the map.</summary>
    public sealed record OfflinePush(string PlayerId, string Zone, double X, double Y, long UpdatedAtMs, bool Offline = true);

    public sealed record InventoryPush(string PlayerId, IReadOnlyList<string> Items);

    public sealed record CatalogPush(CatalogHeader Entry);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<WsConnection, byte>> _zones = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<WsConnection, byte>> _inventories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<WsConnection, byte> _catalog = new();
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly Lock _watchGate = new();
    private readonly CancellationTokenSource _stop = new();
    private ChangeSubscription? _subscription;

    /// <summary>Most players a zone's first frame lists: more than a page draws, and a bound on one frame's size.</summary>
    public const int MaxZonePlayers = 500;

    /// <summary>
    /// Watches the zone, then sends the players online standing in it now, so a page that enters sees who is already
    /// there and not only those who move next. Registered first: a move made meanwhile is pushed live, and the read of
    /// the same player does not overwrite it (<see cref="WsConnection.PushKnownPosition"/>).
    /// </summary>
    public async Task<IDisposable> WatchZoneAsync(WsConnection connection, string zone, CancellationToken ct)
    {
        var watch = await AddAsync(_zones, zone, connection, ct);
        try
        {
            foreach (var (playerId, position) in await GameState.For(system).GetZoneAsync(zone, MaxZonePlayers, ct))
                connection.PushKnownPosition(playerId, WsFrames.EncodeObject(
                    new PositionPush(playerId, position.Zone, position.X, position.Y, position.UpdatedAtMs)));
        }
        catch (OperationCanceledException)
        {
            watch.Dispose();
            throw;
        }
        catch (Exception e)
        {
            // The watch stands without the first frame (the state too busy to answer in time): moves still come live.
            log.LogWarning("The players standing in zone {Zone} could not be read for a new watcher: {Message}", zone, e.Message);
        }
        return watch;
    }

    public Task<IDisposable> WatchInventoryAsync(WsConnection connection, string playerId, CancellationToken ct) =>
        AddAsync(_inventories, playerId, connection, ct);

    public async Task<IDisposable> WatchCatalogAsync(WsConnection connection, CancellationToken ct)
    {
        await EnsureStartedAsync(ct);
        _catalog[connection] = 0;
        return new Unsubscribe(() => _catalog.TryRemove(connection, out _));
    }

    /// <summary>Whether a connection watches <paramref name="zone"/> now: a zone is kept only while it has a watcher.</summary>
    internal bool Watches(string zone) => _zones.ContainsKey(zone);

    private async Task<IDisposable> AddAsync(
        ConcurrentDictionary<string, ConcurrentDictionary<WsConnection, byte>> index, string key, WsConnection connection, CancellationToken ct)
    {
        await EnsureStartedAsync(ct);
        // Adds and removals take one lock, so a key's set is never dropped while a watcher is being added to it; the
        // dispatch reads without it. Without the removal, every zone name ever watched stayed, a leak any page could
        // drive by subscribing to made-up zones.
        lock (_watchGate)
            index.GetOrAdd(key, _ => new ConcurrentDictionary<WsConnection, byte>())[connection] = 0;
        return new Unsubscribe(() =>
        {
            lock (_watchGate)
            {
                if (index.TryGetValue(key, out var set) && set.TryRemove(connection, out _) && set.IsEmpty)
                    index.TryRemove(new KeyValuePair<string, ConcurrentDictionary<WsConnection, byte>>(key, set));
            }
        });
    }

    private async Task EnsureStartedAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _subscription) is not null)
            return;
        await _starting.WaitAsync(ct);
        try
        {
            if (_subscription is not null)
                return;
            var subscription = await GameState.For(system).SubscribeAsync(ct: ct);
            Volatile.Write(ref _subscription, subscription);
            _ = Task.Run(() => PumpAsync(subscription), CancellationToken.None);
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task PumpAsync(ChangeSubscription subscription)
    {
        try
        {
            await foreach (var change in subscription.Changes.ReadAllAsync(_stop.Token))
                Dispatch(change);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
        catch (Exception e)
        {
            log.LogError(e, "The WebSocket state feed stopped");
        }
    }

    private void Dispatch(StateChange change)
    {
        switch (change)
        {
            case PlayerMoved moved:
                var position = moved.Position;
                // The zone the node's state held the player in: known even for moves made before the feed started.
                var previous = moved.PreviousZone;
                var zoneWatchers = Watchers(position.Zone);
                var leftWatchers = previous is not null && previous != position.Zone ? Watchers(previous) : null;
                if (zoneWatchers is null && leftWatchers is null)
                    break;
                // One encoding per move, whatever the number of pages that receive it; each connection's writer joins
                // the moves pending for it into one positions frame.
                var move = WsFrames.EncodeObject(
                    new PositionPush(moved.PlayerId, position.Zone, position.X, position.Y, position.UpdatedAtMs));
                // Enumerated in place: Keys would copy the set under its locks for every move.
                foreach (var (connection, _) in zoneWatchers ?? Enumerable.Empty<KeyValuePair<WsConnection, byte>>())
                    connection.PushPosition(moved.PlayerId, move);
                foreach (var (connection, _) in leftWatchers ?? Enumerable.Empty<KeyValuePair<WsConnection, byte>>())
                    connection.PushPosition(moved.PlayerId, move);
                break;
            case PlayerOffline offline when Watchers(offline.Position.Zone) is { } watchers:
                var last = offline.Position;
                var gone = WsFrames.EncodeObject(new OfflinePush(offline.PlayerId, last.Zone, last.X, last.Y, offline.LastSeenMs));
                foreach (var (connection, _) in watchers)
                    connection.PushPosition(offline.PlayerId, gone);
                break;
            case InventoryChanged inventory when _inventories.TryGetValue(inventory.PlayerId, out var watchers):
                foreach (var connection in watchers.Keys)
                    connection.Push("inventory-changed", new InventoryPush(inventory.PlayerId, inventory.Items));
                break;
            case CatalogEntryAdded added:
                foreach (var connection in _catalog.Keys)
                    connection.Push("catalog-entry", new CatalogPush(added.Header));
                break;
        }
    }

    private ConcurrentDictionary<WsConnection, byte>? Watchers(string zone) =>
        _zones.TryGetValue(zone, out var watchers) && !watchers.IsEmpty ? watchers : null;

    public void Dispose()
    {
        _stop.Cancel();
        _subscription?.Dispose();
    }

    private sealed class Unsubscribe(Action stop) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) stop();
        }
    }
}
