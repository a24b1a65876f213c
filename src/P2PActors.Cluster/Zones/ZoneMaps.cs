using System.Collections.Concurrent;
using Akka.Actor;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Zones;

/// <summary>What a zone says about a tile a player wants to stand on.</summary>
public enum ZoneVerdict
{
    Ok,
    /// <summary>The zone id is not a map in the shared catalog, or no reachable node holds a body that matches its id.</summary>
    UnknownZone,
    NotWalkable,
    OutOfBounds,
}

/// <summary>
/// Zones are maps from the shared catalog: the zone id is the map's content id, so every node resolves a zone to the
/// same tiles. Bodies come from <see cref="GameState.GetContentAsync"/> (local store, else the holder, SHA-256 checked
/// against the id) and are kept parsed in a small LRU; a content id never changes its body, so a cached map is never
/// stale. Misses are not cached: a map shared a moment later becomes a zone as soon as its header arrives.
/// Thread-safe; obtain the node's instance with <see cref="For"/>.
/// </summary>
public sealed class ZoneMaps
{
    public const int DefaultCapacity = 64;

    private readonly Func<string, CancellationToken, Task<GameContent?>> _fetch;
    private readonly LruCache<string, GameMap> _cache;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<GameMap?>>> _loading = new(StringComparer.Ordinal);

    /// <param name="fetch">Finds an admitted catalog entry's verified body, or null.</param>
    /// <param name="capacity">Parsed maps kept (a 256×256 map is about 130 kB of rows).</param>
    public ZoneMaps(Func<string, CancellationToken, Task<GameContent?>> fetch, int capacity = DefaultCapacity)
    {
        _fetch = fetch;
        _cache = new LruCache<string, GameMap>(capacity);
    }

    /// <summary>The zones of this node's shared catalog (needs <c>WithGameState</c>).</summary>
    public static ZoneMaps For(ActorSystem system) =>
        system.WithExtension<ZoneMapsHolder, ZoneMapsHolderProvider>().Get(system);

    /// <summary>
    /// Whether a player may stand on tile (<paramref name="x"/>, <paramref name="y"/>) of zone <paramref name="zoneId"/>:
    /// the same walkability the map generator and the balance rules use (<see cref="Tiles.IsWalkable"/>).
    /// </summary>
    public async Task<ZoneVerdict> CheckAsync(string? zoneId, int x, int y, CancellationToken ct = default) =>
        await GetMapAsync(zoneId, ct).ConfigureAwait(false) is { } map ? Check(map, x, y) : ZoneVerdict.UnknownZone;

    /// <summary>The zone's map, or null when <paramref name="zoneId"/> is not a map in the shared catalog.</summary>
    public async Task<GameMap?> GetMapAsync(string? zoneId, CancellationToken ct = default)
    {
        if (StateValidation.CatalogId(zoneId) is not null) return null;
        lock (_lock)
        {
            if (_cache.TryGet(zoneId!, out var cached)) return cached;
        }
        // Concurrent moves into a zone not yet cached share one fetch.
        var loading = _loading.GetOrAdd(zoneId!, id => new Lazy<Task<GameMap?>>(() => LoadAsync(id)));
        return await loading.Value.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The verdict for one tile of a map; pure.</summary>
    public static ZoneVerdict Check(GameMap map, int x, int y)
    {
        if (x < 0 || y < 0 || x >= map.Width || y >= map.Height) return ZoneVerdict.OutOfBounds;
        return Tiles.IsWalkable(map.TileAt(x, y)) ? ZoneVerdict.Ok : ZoneVerdict.NotWalkable;
    }

    /// <summary>The wire name of a verdict (<c>ok</c>, <c>unknown-zone</c>, <c>not-walkable</c>, <c>out-of-bounds</c>).</summary>
    public static string WireName(ZoneVerdict verdict) => verdict switch
    {
        ZoneVerdict.Ok => "ok",
        ZoneVerdict.UnknownZone => "unknown-zone",
        ZoneVerdict.NotWalkable => "not-walkable",
        _ => "out-of-bounds",
    };

    private async Task<GameMap?> LoadAsync(string id)
    {
        try
        {
            return await FetchAndParseAsync(id).ConfigureAwait(false);
        }
        finally
        {
            // The load forgets itself, not its callers: a caller that gave up (its socket closed) left a "no map" or a
            // failure behind for the next move into the zone, though the map could be read by then. Only this load's
            // entry can be there: another is added only once this one is gone.
            _loading.TryRemove(id, out _);
        }
    }

    private async Task<GameMap?> FetchAndParseAsync(string id)
    {
        // Not the caller's token: other callers may be waiting on the same fetch.
        GameContent? content;
        try
        {
            content = await _fetch(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ContentStoreException or ContentUnavailableException)
        {
            // No body to walk on (this node's store unreadable, and no peer served it): no zone until one can be read.
            return null;
        }
        if (content is not GameMap map || !Intact(map))
            return null;
        lock (_lock)
        {
            _cache.Set(id, map);
        }
        return map;
    }

    /// <summary>An admitted map passed the validators' grid checks; a body that still disagrees with its size is no zone.</summary>
    private static bool Intact(GameMap map) =>
        map.Width > 0 && map.Height > 0 && map.Rows is { } rows && rows.Count == map.Height && rows.All(r => r is not null && r.Length == map.Width);
}

internal sealed class ZoneMapsHolder : IExtension
{
    private ZoneMaps? _instance;

    public ZoneMaps Get(ActorSystem system)
    {
        if (_instance is { } existing) return existing;
        var state = GameState.For(system);
        Interlocked.CompareExchange(ref _instance, new ZoneMaps(state.GetContentAsync), null);
        return _instance;
    }
}

internal sealed class ZoneMapsHolderProvider : ExtensionIdProvider<ZoneMapsHolder>
{
    public override ZoneMapsHolder CreateExtension(ExtendedActorSystem system) => new();
}
