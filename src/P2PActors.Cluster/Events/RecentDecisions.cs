using Akka.Actor;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Events;

/// <summary>
/// The last <see cref="Capacity"/> proposals this node decided, oldest first: a page that opens (or reconnects) sees
/// what the node decided lately instead of an empty log until the next vote. Every decision goes through
/// <see cref="Announce"/>, which keeps it here and publishes it on the EventStream for the live subscribers.
/// </summary>
public sealed class RecentDecisions : IExtension
{
    public const int Capacity = 50;

    private readonly Lock _lock = new();
    private readonly Queue<ConsensusDecided> _decided = new(Capacity);
    private long _sequence;

    public static RecentDecisions For(ActorSystem system) => system.WithExtension<RecentDecisions, RecentDecisionsProvider>();

    /// <summary>
    /// Kept first, published second: a subscriber that reads <see cref="Snapshot"/> after subscribing misses none. Called
    /// by the node's one coordinator, from its actor, so decisions are published in the order of their numbers.
    /// </summary>
    public void Announce(ActorSystem system, ProposalOutcome outcome)
    {
        ConsensusDecided decided;
        lock (_lock)
        {
            decided = new ConsensusDecided(outcome, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ++_sequence);
            if (_decided.Count == Capacity) _decided.Dequeue();
            _decided.Enqueue(decided);
        }
        system.EventStream.Publish(decided);
    }

    /// <summary>The kept decisions, oldest first, numbered from 1 in the order they were announced (and published).</summary>
    public IReadOnlyList<ConsensusDecided> Snapshot()
    {
        lock (_lock)
        {
            return _decided.ToArray();
        }
    }
}

internal sealed class RecentDecisionsProvider : ExtensionIdProvider<RecentDecisions>
{
    public override RecentDecisions CreateExtension(ExtendedActorSystem system) => new();
}
