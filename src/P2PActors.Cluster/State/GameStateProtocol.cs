using Akka.Actor;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.State;

/// <summary>Local commands and queries of <see cref="GameStateActor"/>; they never leave the node.</summary>
public static class GameStateProtocol
{
    public sealed record UpdatePosition(string PlayerId, string Zone, double X, double Y);

    public sealed record Heartbeat(string PlayerId, string Zone);

    /// <summary>Takes the player off the map of the zone they stand in (a position in <see cref="PlayerPosition.NoZone"/>).</summary>
    public sealed record LeaveZone(string PlayerId);

    /// <summary>
    /// Heartbeats for players connected to this node (their pages' sessions), each in the zone of their position; not
    /// answered: the next one comes well within the presence timeout.
    /// </summary>
    public sealed record KeepOnline(IReadOnlyList<string> PlayerIds);

    public sealed record AddItem(string PlayerId, string ItemId);

    public sealed record RemoveItem(string PlayerId, string ItemId);

    public sealed record ShareEntry(CatalogHeader Header);

    /// <summary>
    /// Sent by the node's coordinated shutdown: write the positions moved since their bucket's last write now, and
    /// complete <paramref name="Stored"/> once the durable store has them (a graceful stop loses no movement).
    /// </summary>
    public sealed record FlushPositions(TaskCompletionSource Stored);

    public sealed record GetSnapshot(int Skip, int Take);

    public sealed record GetPlayer(string PlayerId);

    /// <summary>The players online standing in <paramref name="Zone"/> (at most <paramref name="Max"/>, by player id).</summary>
    public sealed record GetZone(string Zone, int Max);

    public sealed record ZoneResult(IReadOnlyList<PositionEntry> Players);

    public sealed record PlayerResult(PlayerView? Player);

    public sealed record ListCatalog(ContentType? Type, int Skip, int Take);

    public sealed record FindEntry(string Id);

    public sealed record EntryResult(CatalogHeader? Header);

    /// <summary>The admission may judge entries differently now (the validator registry learnt a set): re-evaluate the catalog.</summary>
    public sealed record RefreshAdmission;

    public sealed record Subscribe(IActorRef Subscriber);

    public sealed record Unsubscribe(IActorRef Subscriber);

    /// <summary>Sent to a new subscriber once it is registered, so it knows no change can slip past it.</summary>
    public sealed record Subscribed;
}
