using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.State;

/// <summary>
/// One player's inventory: an observed-remove set without tombstones (ORSWOT). Every add gets a dot
/// (node, counter) and the set keeps a version vector of every dot it has seen; a remove drops the item's dots,
/// so a replica that still holds them loses them on merge (the remover's clock covers them), while an add the
/// remover never saw carries a newer dot and survives. Only a concurrent re-add of the same item beats a remove.
/// <para>
/// Akka's ORSet is not used because its VersionVector comparison walks two vectors in lockstep ordered by
/// <see cref="UniqueAddress"/> while MultiVersionVector enumerates in hash order (the node's uid): for about a
/// quarter of node pairs a remover's clock is judged not to cover the removed dot, and the remove is lost for
/// good (see docs/architecture.md). Here clocks are plain dictionaries looked up by node id, nothing relies on order.
/// </para>
/// </summary>
public sealed class InventorySet : IEquatable<InventorySet>
{
    private static readonly ImmutableSortedDictionary<string, long> NoDots = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);

    public static readonly InventorySet Empty = new(NoDots, ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, long>>(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, long> _clock;
    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, long>> _dots;

    private InventorySet(ImmutableSortedDictionary<string, long> clock, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, long>> dots)
    {
        _clock = clock;
        _dots = dots;
    }

    /// <summary>
    /// From the wire: a peer's set is checked before it can be merged. Every dot must be positive and covered by
    /// the clock, otherwise a forged set could hide an item from every future remove.
    /// </summary>
    [JsonConstructor]
    public InventorySet(IReadOnlyDictionary<string, long> clock, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> dots)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(dots);
        _clock = clock.ToImmutableSortedDictionary(StringComparer.Ordinal);
        if (_clock.Any(kv => kv.Value < 1 || string.IsNullOrEmpty(kv.Key)))
            throw new ArgumentException("inventory clock entries must be positive");
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var (item, itemDots) in dots)
        {
            if (StateValidation.AsStored(item, StateValidation.ItemId) is { } error) throw new ArgumentException(error);
            if (itemDots is null || itemDots.Count == 0) throw new ArgumentException($"item {item} has no dot");
            foreach (var (node, counter) in itemDots)
                if (counter < 1 || _clock.GetValueOrDefault(node) < counter)
                    throw new ArgumentException($"dot ({node}, {counter}) of item {item} is not covered by the set's clock");
            builder[item] = itemDots.ToImmutableSortedDictionary(StringComparer.Ordinal);
        }
        _dots = builder.ToImmutable();
    }

    /// <summary>Version vector: the highest counter seen from each node.</summary>
    public IReadOnlyDictionary<string, long> Clock => _clock;

    /// <summary>The live items and the dots of the adds that put them there.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Dots =>
        _dots.ToImmutableSortedDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, long>)kv.Value, StringComparer.Ordinal);

    [JsonIgnore]
    public IEnumerable<string> Elements => _dots.Keys;

    public bool Contains(string item) => _dots.ContainsKey(item);

    /// <summary>How many distinct items the set holds.</summary>
    [JsonIgnore]
    public int Count => _dots.Count;

    public InventorySet Add(string node, string item)
    {
        var counter = _clock.GetValueOrDefault(node) + 1;
        return new InventorySet(_clock.SetItem(node, counter), _dots.SetItem(item, NoDots.Add(node, counter)));
    }

    /// <summary>Removes the item as this replica has seen it; adds it has not seen yet are unaffected.</summary>
    public InventorySet Remove(string item) => _dots.ContainsKey(item) ? new InventorySet(_clock, _dots.Remove(item)) : this;

    public InventorySet Merge(InventorySet other)
    {
        if (ReferenceEquals(this, other)) return this;
        var clock = _clock;
        foreach (var (node, counter) in other._clock)
            if (clock.GetValueOrDefault(node) < counter) clock = clock.SetItem(node, counter);

        var dots = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var item in _dots.Keys.Union(other._dots.Keys, StringComparer.Ordinal))
        {
            var mine = _dots.GetValueOrDefault(item, NoDots);
            var theirs = other._dots.GetValueOrDefault(item, NoDots);
            var kept = Survivors(mine, theirs, other._clock, NoDots);
            kept = Survivors(theirs, mine, _clock, kept);
            if (!kept.IsEmpty) dots[item] = kept;
        }
        return new InventorySet(clock, dots.ToImmutable());
    }

    /// <summary>A dot lives on if both sides have it, or if the other side has never seen it (so it did not remove it).</summary>
    private static ImmutableSortedDictionary<string, long> Survivors(
        ImmutableSortedDictionary<string, long> dots, ImmutableSortedDictionary<string, long> otherDots,
        ImmutableSortedDictionary<string, long> otherClock, ImmutableSortedDictionary<string, long> kept)
    {
        foreach (var (node, counter) in dots)
        {
            var shared = otherDots.TryGetValue(node, out var c) && c == counter;
            if ((shared || counter > otherClock.GetValueOrDefault(node)) && kept.GetValueOrDefault(node) < counter)
                kept = kept.SetItem(node, counter);
        }
        return kept;
    }

    public bool Equals(InventorySet? other) =>
        other is not null
        && _clock.Count == other._clock.Count && _clock.All(kv => other._clock.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && _dots.Count == other._dots.Count
        && _dots.All(kv => other._dots.TryGetValue(kv.Key, out var d) && d.Count == kv.Value.Count
                           && kv.Value.All(dot => d.TryGetValue(dot.Key, out var v) && v == dot.Value));

    public override bool Equals(object? obj) => obj is InventorySet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (node, counter) in _clock)
        {
            hash.Add(node, StringComparer.Ordinal);
            hash.Add(counter);
        }
        foreach (var item in _dots.Keys) hash.Add(item, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    public override string ToString() => $"InventorySet({string.Join(", ", _dots.Keys)})";
}

/// <summary>
/// The inventories of one player bucket: player → <see cref="InventorySet"/>, merged player by player. A player
/// stays listed once it had an inventory, even when it is empty again (as with the former ORDictionary).
/// It is its own delta type, like Akka's GSet: a delta is the bucket restricted to the players an update touched,
/// and since merging any part of a state is a valid join, deltas need no causal delivery.
/// </summary>
public sealed class InventoryBucket :
    IDeltaReplicatedData<InventoryBucket, InventoryBucket>,
    IReplicatedDelta,
    IEquatable<InventoryBucket>,
    IP2PMessage
{
    public static readonly InventoryBucket Empty = new(ImmutableSortedDictionary.Create<string, InventorySet>(StringComparer.Ordinal), null);

    /// <summary>Node id of the deterministic conversion of pre-ORSWOT data (see <see cref="FromLegacy"/>).</summary>
    public const string LegacyNode = "legacy";

    private readonly ImmutableSortedDictionary<string, InventorySet> _players;
    private readonly InventoryBucket? _delta;

    private InventoryBucket(ImmutableSortedDictionary<string, InventorySet> players, InventoryBucket? delta)
    {
        _players = players;
        _delta = delta;
    }

    [JsonConstructor]
    public InventoryBucket(IReadOnlyDictionary<string, InventorySet> players)
    {
        ArgumentNullException.ThrowIfNull(players);
        foreach (var (player, set) in players)
        {
            if (StateValidation.AsStored(player, StateValidation.PlayerId) is { } error) throw new ArgumentException(error);
            ArgumentNullException.ThrowIfNull(set);
        }
        _players = players.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, InventorySet> Players => _players;

    public bool TryGetValue(string playerId, out InventorySet set) =>
        _players.TryGetValue(playerId, out set!);

    /// <summary>A stable id for a node incarnation: a restarted node gets a new uid, so it never reuses a counter.</summary>
    public static string NodeId(UniqueAddress node) => $"{node.Address}#{node.Uid}";

    public InventoryBucket Add(string node, string playerId, string item) =>
        Update(playerId, _players.GetValueOrDefault(playerId, InventorySet.Empty).Add(node, item));

    /// <summary>
    /// <see cref="Add(string, string, string)"/>, refused with <see cref="InventoryFullException"/> when the player
    /// already holds <paramref name="maxItems"/> other items. Re-adding an item the player holds is always allowed: it
    /// does not grow the inventory.
    /// </summary>
    public InventoryBucket Add(string node, string playerId, string item, int maxItems)
    {
        if (_players.TryGetValue(playerId, out var set) && !set.Contains(item) && set.Count >= maxItems)
            throw new InventoryFullException(playerId, maxItems);
        return Add(node, playerId, item);
    }

    public InventoryBucket Remove(string playerId, string item) =>
        _players.TryGetValue(playerId, out var set) && set.Contains(item) ? Update(playerId, set.Remove(item)) : this;

    private InventoryBucket Update(string playerId, InventorySet set)
    {
        var change = new InventoryBucket(ImmutableSortedDictionary.Create<string, InventorySet>(StringComparer.Ordinal).Add(playerId, set), null);
        return new InventoryBucket(_players.SetItem(playerId, set), _delta is null ? change : _delta.Merge(change));
    }

    public InventoryBucket Merge(InventoryBucket other)
    {
        if (ReferenceEquals(this, other) || other._players.IsEmpty) return ResetDelta();
        var players = _players;
        foreach (var (player, set) in other._players)
            players = players.SetItem(player, players.TryGetValue(player, out var mine) ? mine.Merge(set) : set);
        return new InventoryBucket(players, null);
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((InventoryBucket)other);

    /// <summary>
    /// The deterministic image of a pre-ORSWOT inventory bucket: every item is one add by the pseudo-node
    /// <see cref="LegacyNode"/> with counter 1. Every node converting the same old data gets the same dots, so
    /// conversions merge idempotently and an item removed after the migration stays removed when another node
    /// converts its old copy later.
    /// </summary>
    public static InventoryBucket FromLegacy(ORDictionary<string, ORSet<string>> legacy)
    {
        var clock = new Dictionary<string, long>(StringComparer.Ordinal) { [LegacyNode] = 1 };
        var players = new Dictionary<string, InventorySet>(StringComparer.Ordinal);
        foreach (var (player, items) in legacy.Entries)
        {
            if (StateValidation.PlayerId(player) is not null) continue;
            var dots = items.Elements
                .Where(item => StateValidation.ItemId(item) is null)
                .ToDictionary(item => item, _ => (IReadOnlyDictionary<string, long>)new Dictionary<string, long> { [LegacyNode] = 1 }, StringComparer.Ordinal);
            players[player] = new InventorySet(clock, dots);
        }
        return new InventoryBucket(players);
    }

    [JsonIgnore]
    public InventoryBucket? Delta => _delta;

    // Akka declares these non-nullable but reads null as "no delta" (the replicator then ships the full state).
    InventoryBucket IDeltaReplicatedData<InventoryBucket, InventoryBucket>.Delta => _delta!;

    IReplicatedDelta IDeltaReplicatedData.Delta => _delta!;

    [JsonIgnore]
    public IDeltaReplicatedData Zero => Empty;

    public InventoryBucket MergeDelta(InventoryBucket delta) => Merge(delta);

    IReplicatedData IDeltaReplicatedData.MergeDelta(IReplicatedDelta delta) => Merge((InventoryBucket)delta);

    public InventoryBucket ResetDelta() => _delta is null ? this : new InventoryBucket(_players, null);

    IReplicatedData IDeltaReplicatedData.ResetDelta() => ResetDelta();

    public bool Equals(InventoryBucket? other) =>
        other is not null
        && _players.Count == other._players.Count
        && _players.All(kv => other._players.TryGetValue(kv.Key, out var set) && set.Equals(kv.Value));

    public override bool Equals(object? obj) => obj is InventoryBucket other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (player, set) in _players)
        {
            hash.Add(player, StringComparer.Ordinal);
            hash.Add(set);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => $"InventoryBucket({string.Join("; ", _players.Select(kv => $"{kv.Key}: {kv.Value}"))})";
}

public sealed class InventoryBucketKey(string id) : Key<InventoryBucket>(id);

/// <summary>An add refused because the player already holds the most items a node allows; nothing was written.</summary>
public sealed class InventoryFullException(string playerId, int maxItems)
    : InvalidOperationException($"player {playerId} already holds {maxItems} items, the most this node allows; remove one first")
{
    public string PlayerId { get; } = playerId;

    public int MaxItems { get; } = maxItems;
}
