using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.State;

/// <summary>
/// Where a player stands. Stored in an LWW dictionary; <see cref="UpdatedAtMs"/> is the writing node's clock
/// and doubles as the player's last-seen time.
/// </summary>
public sealed record PlayerPosition(string Zone, double X, double Y, long UpdatedAtMs) : IP2PMessage
{
    /// <summary>
    /// The zone of a player who left the map they stood in: a position like any other (newest wins on every node), so
    /// the leave replicates and orders against moves the way moves do; nobody watches this zone.
    /// </summary>
    public const string NoZone = "";
}

/// <summary>One player's position in a <see cref="PositionBatch"/>.</summary>
public sealed record PositionEntry(string PlayerId, PlayerPosition Position);

/// <summary>
/// Positions a node took from its own players, sent straight to the <see cref="GameStateActor"/> of every other
/// member: the live path of positions (one message per peer per flush, newest per player), next to the durable
/// buckets that carry them later and coalesced. The receiver checks every entry before taking it.
/// </summary>
public sealed record PositionBatch(IReadOnlyList<PositionEntry> Entries) : IP2PMessage
{
    /// <summary>Two batches are equal when they carry the same entries in the same order (a record compares lists by reference).</summary>
    public bool Equals(PositionBatch? other) =>
        other is not null && (Entries ?? []).SequenceEqual(other.Entries ?? []);

    public override int GetHashCode() => Entries?.Count ?? 0;
}

/// <summary>
/// Catalog headers a node shared, sent straight to the <see cref="GameStateActor"/> of every other member: the live
/// path of the catalog, next to the replicated buckets that carry the same headers later, written in batches. The
/// receiver admits each header on its own (a Byzantine sender's forgeries are refused) and acknowledges the ones it holds.
/// </summary>
public sealed record CatalogBatch(IReadOnlyList<CatalogHeader> Headers) : IP2PMessage
{
    /// <summary>Two batches are equal when they carry the same headers in the same order (a record compares lists by reference).</summary>
    public bool Equals(CatalogBatch? other) =>
        other is not null && (Headers ?? []).SequenceEqual(other.Headers ?? []);

    public override int GetHashCode() => Headers?.Count ?? 0;
}

/// <summary>The ids of a <see cref="CatalogBatch"/> the receiver admitted and now lists.</summary>
public sealed record CatalogAck(IReadOnlyList<string> Ids) : IP2PMessage
{
    public bool Equals(CatalogAck? other) =>
        other is not null && (Ids ?? []).SequenceEqual(other.Ids ?? [], StringComparer.Ordinal);

    public override int GetHashCode() => Ids?.Count ?? 0;
}

/// <summary>The last heartbeat of a player; "online" is derived from it at read time.</summary>
public sealed record PresenceEntry(string Zone, long LastSeenMs, string Node) : IP2PMessage;

/// <summary>
/// What every peer knows about a shared piece of content without holding its body. <see cref="Certificate"/> is
/// the proof it was accepted (with consensus, the validators' certificate), opaque to the state; nodes whose
/// <see cref="ICatalogAdmission"/> checks proofs admit no entry without a valid one.
/// </summary>
public sealed record CatalogHeader(
    string Id,
    ContentType Type,
    string Name,
    string Author,
    long CreatedMs,
    string Holder,
    CatalogProof? Certificate = null) : IP2PMessage;

/// <summary>A player as the state snapshot shows it.</summary>
public sealed record PlayerView(
    string PlayerId,
    bool Online,
    PlayerPosition? Position,
    long LastSeenMs,
    IReadOnlyList<string> Inventory);

/// <summary>
/// One page of the players online (with position and inventory, ordered by player id), how many are online in all,
/// how many players the state knows, the catalog size.
/// </summary>
public sealed record StateSnapshot(
    IReadOnlyList<PlayerView> Online,
    int OnlineCount,
    int Skip,
    int Take,
    int KnownPlayers,
    int CatalogSize,
    long TakenAtMs);

public sealed record CatalogPage(int Total, int Skip, int Take, IReadOnlyList<CatalogHeader> Entries);

/// <summary>How far a write got before its reply: always applied locally, sometimes confirmed by peers too.</summary>
public enum Replication { Local, Confirmed, Pending }

/// <summary>Applied is false when the write changed nothing (removing an item the player does not hold).</summary>
public sealed record WriteResult(Replication Replication, bool Applied = true);

/// <summary>Change notifications delivered to subscribers of <see cref="GameState"/>.</summary>
public abstract record StateChange;

/// <summary>
/// A player's newer position; <paramref name="PreviousZone"/> is the zone of the position it replaced on this node (null
/// for a player it had no position of), so the watchers of a zone the player left can be told.
/// </summary>
public sealed record PlayerMoved(string PlayerId, PlayerPosition Position, string? PreviousZone = null) : StateChange;

/// <summary>
/// A player standing at <paramref name="Position"/> was not heard from (no move, no heartbeat) for the presence timeout:
/// the watchers of that zone can take them off their maps. <paramref name="LastSeenMs"/> is when they last were.
/// </summary>
public sealed record PlayerOffline(string PlayerId, PlayerPosition Position, long LastSeenMs) : StateChange;

public sealed record InventoryChanged(string PlayerId, IReadOnlyList<string> Items) : StateChange;

public sealed record CatalogEntryAdded(CatalogHeader Header) : StateChange;

/// <summary>Asks a peer's <see cref="ContentBodyActor"/> for the canonical JSON of a content id.</summary>
public sealed record FetchContentBody(string Id) : IP2PMessage;

public sealed record ContentBodyFound(string Id, string Json) : IP2PMessage;

public sealed record ContentBodyMissing(string Id) : IP2PMessage;

/// <summary>This node's content store failed to read or write a body; the message says what the store answered.</summary>
public sealed class ContentStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A catalog entry this node lists whose body neither this node nor any reachable member served (the holder down,
/// partitioned or slow): a state that may pass, unlike content that does not exist.
/// </summary>
public sealed class ContentUnavailableException(string message) : Exception(message);

/// <summary>
/// What a node forgets (<see cref="GameStateView.IdleSince"/>): positions, each in its player's own bucket, and
/// heartbeats, each in the bucket it sits in.
/// </summary>
public sealed record IdlePlayers(IReadOnlyList<string> Positions, IReadOnlyList<(int Bucket, string PlayerId)> Presence)
{
    public int Count => Positions.Count + Presence.Count;
}
