using System.Collections.Immutable;
using System.Globalization;
using Akka.DistributedData;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.State;

/// <summary>
/// This node's latest copy of every replicated bucket, plus the queries the API answers from it. Pure: applying a
/// bucket returns a new view and the changes it implies; the actor only decides when.
/// Positions are one table, not the replicated buckets: they arrive live from the nodes that took the moves
/// (<see cref="ApplyPositions"/>) and, later and coalesced, from the durable buckets (restart, partition heal); the
/// table keeps per player the newest by <see cref="IsNewer"/>, so every node ends with the same value whatever
/// order the two paths deliver in.
/// </summary>
public sealed class GameStateView
{
    private readonly Lazy<ImmutableArray<CatalogHeader>> _catalogSorted;

    /// <summary>The players <see cref="Snapshot"/> gathers, kept per thread between calls (it is empty between them).</summary>
    [ThreadStatic]
    private static HashSet<string>? _scratch;

    private GameStateView(
        StateKeys keys,
        ICatalogAdmission admission,
        ImmutableDictionary<string, PlayerPosition> positions,
        ImmutableArray<LWWDictionary<string, PresenceEntry>> presence,
        ImmutableArray<InventoryBucket> inventories,
        ImmutableArray<CatalogBucket> catalog,
        ImmutableDictionary<string, CatalogHeader> pushed,
        Lazy<ImmutableArray<CatalogHeader>>? catalogSorted)
    {
        Keys = keys;
        Admission = admission;
        Positions = positions;
        Presence = presence;
        Inventories = inventories;
        Catalog = catalog;
        Pushed = pushed;
        _catalogSorted = catalogSorted ?? new Lazy<ImmutableArray<CatalogHeader>>(SortCatalog);
    }

    public StateKeys Keys { get; }
    public ICatalogAdmission Admission { get; }
    /// <summary>The newest known position of every player.</summary>
    public ImmutableDictionary<string, PlayerPosition> Positions { get; }
    public ImmutableArray<LWWDictionary<string, PresenceEntry>> Presence { get; }
    public ImmutableArray<InventoryBucket> Inventories { get; }
    public ImmutableArray<CatalogBucket> Catalog { get; }

    /// <summary>
    /// Admitted headers that arrived live (shared here, or pushed by their sharer) and are not yet admitted in their
    /// replicated bucket; each leaves when its bucket brings it. Listed with the buckets' entries.
    /// </summary>
    public ImmutableDictionary<string, CatalogHeader> Pushed { get; }

    /// <summary>Admitted catalog entries, newest first, ties by id: the same order on every node.</summary>
    public ImmutableArray<CatalogHeader> CatalogEntries => _catalogSorted.Value;

    public static GameStateView Empty(StateKeys keys, ICatalogAdmission admission) => new(
        keys,
        admission,
        ImmutableDictionary.Create<string, PlayerPosition>(StringComparer.Ordinal),
        Enumerable.Repeat(LWWDictionary<string, PresenceEntry>.Empty, keys.PlayerBuckets).ToImmutableArray(),
        Enumerable.Repeat(InventoryBucket.Empty, keys.PlayerBuckets).ToImmutableArray(),
        Enumerable.Repeat(CatalogBucket.Empty, keys.Catalog.Count).ToImmutableArray(),
        ImmutableDictionary.Create<string, CatalogHeader>(StringComparer.Ordinal),
        null);

    /// <summary>A peer's clock may run ahead of ours by this much; a position or heartbeat stamped further ahead is not taken.</summary>
    public const long MaxClockAheadMs = 60_000;

    /// <summary>
    /// Takes the replicator's current value of one key; lists the changes only when someone listens. A position bucket's
    /// entries are checked as a live move from a peer is (ids, zone, finite coordinates, stamped no later than
    /// <paramref name="notAfterMs"/>), since any peer can write the bucket: one stamped far ahead would otherwise hide
    /// every later move of the player, on every node, for good.
    /// </summary>
    public (GameStateView View, IReadOnlyList<StateChange> Changes) Apply(string keyId, IReplicatedData data, bool collectChanges,
        long notAfterMs = long.MaxValue)
    {
        var changes = new List<StateChange>();
        switch (data)
        {
            case LWWDictionary<string, PlayerPosition> positions when TryBucket(keyId, StateKeys.PositionPrefix, out var bucket):
                // Only a player's own bucket counts, as for heartbeats: every node writes a position there, so one filed
                // elsewhere is a faulty peer's, and no removal (player retention) would ever look for it there.
                return ApplyPositions(positions.Entries.Where(e => IsPlausible(e.Key, e.Value, notAfterMs) && Keys.PlayerBucket(e.Key) == bucket), collectChanges);
            case LWWDictionary<string, PresenceEntry> presence when TryBucket(keyId, StateKeys.PresencePrefix, out var i):
                // No change per heartbeat: every open page sends three per presence timeout, nobody listened to them, and
                // they crowded the subscribers' bounded queues. Who went offline is told by OnlineWatch instead.
                return (new GameStateView(Keys, Admission, Positions, Presence.SetItem(i, presence), Inventories, Catalog, Pushed, _catalogSorted), changes);
            case InventoryBucket inventories when TryBucket(keyId, StateKeys.InventoryPrefix, out var i):
                if (collectChanges) DiffInventories(Inventories[i], inventories, changes);
                return (new GameStateView(Keys, Admission, Positions, Presence, Inventories.SetItem(i, inventories), Catalog, Pushed, _catalogSorted), changes);
            case CatalogBucket catalog when keyId.StartsWith(StateKeys.CatalogPrefix, StringComparison.Ordinal):
                var c = int.Parse(keyId.AsSpan(StateKeys.CatalogPrefix.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                // Buckets are read periodically: the same value read again is no change.
                if (ReferenceEquals(Catalog[c], catalog)) return (this, changes);
                if (collectChanges)
                {
                    var old = Catalog[c];
                    foreach (var id in catalog.Slots.Keys)
                        if (!old.SameVariants(catalog, id) && !Pushed.ContainsKey(id) && !old.TryGetAdmitted(id, Admission, out _)
                            && catalog.TryGetAdmitted(id, Admission, out var header))
                            changes.Add(new CatalogEntryAdded(header));
                }
                return (new GameStateView(Keys, Admission, Positions, Presence, Inventories, Catalog.SetItem(c, catalog), Landed(catalog), null), changes);
            default:
                return (this, changes);
        }
    }

    /// <summary>
    /// Takes headers that arrived live: each one admitted and not listed yet is held in <see cref="Pushed"/> until its
    /// bucket brings it. Returns the ids now listed (new or already there), which is what the sender is told.
    /// </summary>
    public (GameStateView View, IReadOnlyList<StateChange> Changes, IReadOnlyList<CatalogHeader> Listed) ApplyPushed(
        IEnumerable<CatalogHeader> headers, bool collectChanges)
    {
        var changes = new List<StateChange>();
        var listed = new List<CatalogHeader>();
        ImmutableDictionary<string, CatalogHeader>.Builder? pushed = null;
        foreach (var header in headers)
        {
            if (header is null || !Keys.TryCatalogBucket(header.Id, out var c) || !Admission.Admit(header)) continue;
            listed.Add(header);
            if (Catalog[c].TryGetAdmitted(header.Id, Admission, out _)
                || (pushed is null ? Pushed.ContainsKey(header.Id) : pushed.ContainsKey(header.Id)))
                continue;
            pushed ??= Pushed.ToBuilder();
            pushed[header.Id] = header;
            if (collectChanges) changes.Add(new CatalogEntryAdded(header));
        }
        return pushed is null
            ? (this, changes, listed)
            : (new GameStateView(Keys, Admission, Positions, Presence, Inventories, Catalog, pushed.ToImmutable(), null), changes, listed);
    }

    /// <summary>Whether the replicated catalog (not only the live overlay) lists an admitted entry under this id.</summary>
    public bool IsReplicated(string id, int bucket) =>
        Catalog[bucket].TryGetAdmitted(id, Admission, out _);

    /// <summary><see cref="Pushed"/> without the entries that <paramref name="bucket"/> now lists admitted.</summary>
    private ImmutableDictionary<string, CatalogHeader> Landed(CatalogBucket bucket)
    {
        if (Pushed.IsEmpty) return Pushed;
        var pushed = Pushed;
        if (Pushed.Count < bucket.Count)
        {
            foreach (var (id, _) in Pushed)
                if (bucket.TryGetAdmitted(id, Admission, out _)) pushed = pushed.Remove(id);
        }
        else
        {
            foreach (var id in bucket.Slots.Keys)
                if (pushed.ContainsKey(id) && bucket.TryGetAdmitted(id, Admission, out _)) pushed = pushed.Remove(id);
        }
        return pushed;
    }

    /// <summary>
    /// Takes positions into the table where they are newer than what it holds; a change is listed (when someone
    /// listens) only for a position the table did not have, so the same move arriving live and later from the
    /// durable bucket is pushed once.
    /// </summary>
    public (GameStateView View, IReadOnlyList<StateChange> Changes) ApplyPositions(
        IEnumerable<KeyValuePair<string, PlayerPosition>> positions, bool collectChanges)
    {
        var changes = new List<StateChange>();
        ImmutableDictionary<string, PlayerPosition>.Builder? table = null;
        foreach (var (id, position) in positions)
        {
            var current = table is null ? Positions : (IReadOnlyDictionary<string, PlayerPosition>)table;
            var known = current.TryGetValue(id, out var held);
            if (known && !IsNewer(position, held!)) continue;
            table ??= Positions.ToBuilder();
            table[id] = position;
            if (collectChanges) changes.Add(new PlayerMoved(id, position, known ? held!.Zone : null));
        }
        return table is null
            ? (this, changes)
            : (new GameStateView(Keys, Admission, table.ToImmutable(), Presence, Inventories, Catalog, Pushed, _catalogSorted), changes);
    }

    /// <summary>What a position from a peer must be to be taken (a stored name may end in the newline older releases let through).</summary>
    public static bool IsPlausible(string? playerId, PlayerPosition? position, long notAfterMs) =>
        position is { } p && StateValidation.AsStored(playerId, StateValidation.PlayerId) is null
        && (p.Zone == PlayerPosition.NoZone || StateValidation.AsStored(p.Zone, StateValidation.Zone) is null)
        && StateValidation.Coordinates(p.X, p.Y) is null && p.UpdatedAtMs > 0 && p.UpdatedAtMs <= notAfterMs;

    /// <summary>A zone a position may name: a valid zone, or none (the player left the map).</summary>
    public static bool IsPositionZone(string? zone) => zone == PlayerPosition.NoZone || StateValidation.Zone(zone) is null;

    /// <summary>
    /// A total order on positions, the same on every node: later <see cref="PlayerPosition.UpdatedAtMs"/> wins, and
    /// two moves stamped in the same millisecond (on two nodes) are ordered by zone, then x, then y.
    /// </summary>
    public static bool IsNewer(PlayerPosition candidate, PlayerPosition held)
    {
        if (candidate.UpdatedAtMs != held.UpdatedAtMs) return candidate.UpdatedAtMs > held.UpdatedAtMs;
        var zone = string.CompareOrdinal(candidate.Zone, held.Zone);
        if (zone != 0) return zone > 0;
        if (candidate.X != held.X) return candidate.X > held.X;
        return candidate.Y > held.Y;
    }

    /// <summary>
    /// What <see cref="GameStateSettings.PlayerRetention"/> forgets, as of <paramref name="nowMs"/>: the positions whose
    /// stamp is before <paramref name="cutoffMs"/> and whose player was not heard from since (each in its player's own
    /// bucket), and the heartbeats before the cutoff whose player did not move since, each in the bucket it sits in (a
    /// heartbeat a faulty peer filed under another bucket is never read, so only its own stamp counts; one stamped more
    /// than the retention ahead counts as none).
    /// </summary>
    public IdlePlayers IdleSince(long cutoffMs, long nowMs)
    {
        var positions = new List<string>();
        foreach (var (id, position) in Positions)
        {
            if (position.UpdatedAtMs < cutoffMs
                && !(Presence[Keys.PlayerBucket(id)].TryGetValue(id, out var seen) && !IsForgettable(seen.LastSeenMs, cutoffMs, nowMs)))
                positions.Add(id);
        }
        var presence = new List<(int Bucket, string PlayerId)>();
        for (var i = 0; i < Presence.Length; i++)
        {
            foreach (var (id, seen) in Presence[i])
            {
                if (!IsForgettable(seen.LastSeenMs, cutoffMs, nowMs)
                    || (Keys.PlayerBucket(id) == i && Positions.TryGetValue(id, out var position) && position.UpdatedAtMs >= cutoffMs))
                    continue;
                presence.Add((i, id));
            }
        }
        return new IdlePlayers(positions, presence);
    }

    /// <summary>
    /// Whether a heartbeat stamped <paramref name="stampMs"/> is no sign of life since <paramref name="cutoffMs"/>: older
    /// than the cutoff, or further ahead of this node's clock than the retention itself (no clock is that wrong; a
    /// stamp a little ahead, a peer's clock running fast, still counts as life).
    /// </summary>
    public static bool IsForgettable(long stampMs, long cutoffMs, long nowMs) => stampMs < cutoffMs || stampMs - nowMs > nowMs - cutoffMs;

    /// <summary>This view without the positions of <paramref name="playerIds"/> (the buckets drop them by their own writes).</summary>
    public GameStateView WithoutPositions(IEnumerable<string> playerIds) =>
        new(Keys, Admission, Positions.RemoveRange(playerIds), Presence, Inventories, Catalog, Pushed, _catalogSorted);

    /// <summary>The same data with the admitted catalog worked out again on next use.</summary>
    public GameStateView WithAdmissionRefreshed() =>
        new(Keys, Admission, Positions, Presence, Inventories, Catalog, Pushed, null);

    public PlayerView? Player(string playerId, long nowMs, TimeSpan presenceTimeout)
    {
        var bucket = Keys.PlayerBucket(playerId);
        var hasPosition = Positions.TryGetValue(playerId, out var position);
        var hasPresence = Presence[bucket].TryGetValue(playerId, out var presence);
        var hasInventory = Inventories[bucket].TryGetValue(playerId, out var inventory);
        if (!hasPosition && !hasPresence && !hasInventory) return null;
        var lastSeen = LastSeenMs(hasPosition ? position!.UpdatedAtMs : 0, hasPresence ? presence!.LastSeenMs : 0, nowMs);
        var items = hasInventory ? inventory!.Elements.Order(StringComparer.Ordinal).ToArray() : [];
        // A player who left the map has no position to show, though that move still tells when they were last seen.
        var shown = hasPosition && position!.Zone != PlayerPosition.NoZone ? position : null;
        return new PlayerView(playerId, IsOnline(lastSeen, nowMs, presenceTimeout), shown, lastSeen, items);
    }

    /// <summary>
    /// When the player was last heard from: their position's stamp or their presence heartbeat, the later of those not
    /// stamped beyond <see cref="MaxClockAheadMs"/> ahead of <paramref name="nowMs"/>. Any peer can write a heartbeat: one
    /// stamped far ahead would otherwise keep a player (or one it made up) online for good, and, refused only after the
    /// two were compared, make a player who is moving look offline.
    /// </summary>
    public long LastSeenMs(string playerId, PlayerPosition position, long nowMs) =>
        LastSeenMs(position.UpdatedAtMs, Presence[Keys.PlayerBucket(playerId)].TryGetValue(playerId, out var seen) ? seen!.LastSeenMs : 0, nowMs);

    private static long LastSeenMs(long movedMs, long heardMs, long nowMs) => Math.Max(Believable(movedMs, nowMs), Believable(heardMs, nowMs));

    private static long Believable(long stampMs, long nowMs) => stampMs - nowMs <= MaxClockAheadMs ? stampMs : 0;

    /// <summary>Heard from within the timeout (a stamp from the future is no sign of life either).</summary>
    public static bool IsOnline(long lastSeenMs, long nowMs, TimeSpan presenceTimeout) =>
        lastSeenMs > 0 && nowMs - lastSeenMs <= (long)presenceTimeout.TotalMilliseconds && lastSeenMs - nowMs <= MaxClockAheadMs;

    /// <summary>The players online whose position is in <paramref name="zone"/>, ordered by id, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<PositionEntry> InZone(string zone, long nowMs, TimeSpan presenceTimeout, int max) =>
        Positions
            .Where(p => string.Equals(p.Value.Zone, zone, StringComparison.Ordinal))
            // Online as Player() judges it, without reading the inventory Player() also lists.
            .Where(p => IsOnline(LastSeenMs(p.Key, p.Value, nowMs), nowMs, presenceTimeout))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Take(max)
            .Select(p => new PositionEntry(p.Key, p.Value))
            .ToArray();

    /// <summary>The players online ordered by id, <paramref name="skip"/> of them left out and at most <paramref name="take"/> listed.</summary>
    /// <remarks>
    /// Every page's world card asks this every 5 s, and every player seen within the retention stays known, so it makes one pass over
    /// each table and looks nothing up in <see cref="Positions"/> (an immutable tree, slow to probe at this size): a
    /// player is online when either of their stamps is (their last-seen time is the later believable one), and the
    /// players known from a heartbeat or an item are gathered in a hash set that the pass over the positions probes, to
    /// count each player once.
    /// </remarks>
    public StateSnapshot Snapshot(long nowMs, TimeSpan presenceTimeout, int skip, int take)
    {
        bool Recent(long stampMs) => IsOnline(Believable(stampMs, nowMs), nowMs, presenceTimeout);
        var online = new HashSet<string>(StringComparer.Ordinal);
        // Reused, not allocated per call: a set of every player is a large-object allocation, and each one brought a
        // full garbage collection nearer.
        var heardOrHolding = _scratch ??= new HashSet<string>(StringComparer.Ordinal);
        heardOrHolding.Clear();
        var known = 0;
        try
        {
            for (var i = 0; i < Keys.PlayerBuckets; i++)
            {
                foreach (var (id, presence) in Presence[i])
                {
                    heardOrHolding.Add(id);
                    // A heartbeat counts only in its player's own bucket, where Player() reads it (a peer may write
                    // any bucket): otherwise a player would be listed online and have no view.
                    if (Recent(presence.LastSeenMs) && Keys.PlayerBucket(id) == i) online.Add(id);
                }
                foreach (var id in Inventories[i].Players.Keys) heardOrHolding.Add(id);
            }
            var alsoPositioned = 0;
            foreach (var (id, position) in Positions)
            {
                if (heardOrHolding.Contains(id)) alsoPositioned++;
                if (Recent(position.UpdatedAtMs)) online.Add(id);
            }
            known = Positions.Count + heardOrHolding.Count - alsoPositioned;
        }
        finally
        {
            // Empty between calls: the ids are not kept alive (the capacity is, to be reused).
            heardOrHolding.Clear();
        }
        // Only the online are sorted and only the page asked for is built (with its sorted inventories).
        var sorted = online.Order(StringComparer.Ordinal).ToArray();
        var page = sorted.Skip(skip).Take(take).Select(id => Player(id, nowMs, presenceTimeout)!).ToArray();
        return new StateSnapshot(page, sorted.Length, skip, take, known, CatalogEntries.Length, nowMs);
    }

    public CatalogPage ListCatalog(ContentType? type, int skip, int take)
    {
        var entries = type is { } t ? CatalogEntries.Where(h => h.Type == t).ToArray() : (IReadOnlyList<CatalogHeader>)CatalogEntries;
        var page = entries.Skip(skip).Take(take).ToArray();
        return new CatalogPage(entries.Count, skip, take, page);
    }

    public CatalogHeader? FindCatalogEntry(string id) =>
        Catalog[Convert.ToInt32(id[..Keys.CatalogPrefixLength], 16)].TryGetAdmitted(id, Admission, out var header)
            ? header
            : Pushed.GetValueOrDefault(id);

    private ImmutableArray<CatalogHeader> SortCatalog() =>
        Catalog.SelectMany(bucket => bucket.Admitted(Admission))
            // A live entry whose bucket has no header of its id admitted yet is listed; one whose bucket lists it is not twice.
            .Concat(Pushed.Values.Where(h => !IsReplicated(h.Id, Convert.ToInt32(h.Id[..Keys.CatalogPrefixLength], 16))))
            .OrderByDescending(h => h.CreatedMs)
            .ThenBy(h => h.Id, StringComparer.Ordinal)
            .ToImmutableArray();

    private bool TryBucket(string keyId, string prefix, out int bucket)
    {
        bucket = -1;
        return keyId.StartsWith(prefix, StringComparison.Ordinal)
               && int.TryParse(keyId.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out bucket)
               && bucket < Keys.PlayerBuckets;
    }

    private static void DiffInventories(InventoryBucket old, InventoryBucket current, List<StateChange> changes)
    {
        foreach (var (id, set) in current.Players)
            if (!old.TryGetValue(id, out var before) || !before.Elements.SequenceEqual(set.Elements, StringComparer.Ordinal))
                changes.Add(new InventoryChanged(id, set.Elements.Order(StringComparer.Ordinal).ToArray()));
    }
}
