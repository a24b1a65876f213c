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

    /// <summary>
    /// Asks for the actor's current view and clock. The view is immutable, so every query of it (the snapshot, a zone, a
    /// catalog page, one player, one entry) runs on the caller's thread: at 100,000 known players a snapshot
    /// takes tens of milliseconds, and on the actor every move and share of the node waited behind it.
    /// </summary>
    public sealed record ReadView
    {
        public static readonly ReadView Instance = new();
    }

    /// <summary>The answer to <see cref="ReadView"/>: the view as of this message and the actor's clock then.</summary>
    public sealed record ViewRead(GameStateView View, long NowMs);

    /// <summary>The admission may judge entries differently now (the validator registry learnt a set): re-evaluate the catalog.</summary>
    public sealed record RefreshAdmission;

    public sealed record Subscribe(IActorRef Subscriber);

    public sealed record Unsubscribe(IActorRef Subscriber);

    /// <summary>Sent to a new subscriber once it is registered, so it knows no change can slip past it.</summary>
    public sealed record Subscribed;
}
