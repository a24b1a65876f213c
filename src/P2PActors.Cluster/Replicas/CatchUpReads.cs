using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace P2PActors.Cluster.Replicas;

/// <summary>
/// Keys an actor reads from one peer as its node comes up, a few at a time: each a <c>Get</c> with <c>ReadFrom(2)</c>,
/// whose answer the replicator also merges into this node's replica (read repair, durable like any write). Gossip passes
/// over a node's keys a few at a time (<c>max-delta-elements</c> 4), so without these reads a joiner got what was written
/// before it came only after one or more whole passes: a 10,000-entry catalog after 10–16 s, the shared profiles after
/// about 40 (docs/benchmarks.md, Cluster state synchronisation). What is read passes the same inbound filter and checks
/// as what is gossiped. The owning actor calls <see cref="Answered"/> on each answer to a read (success, not found or
/// failure); a read that fails leaves its key to gossip.
/// </summary>
/// <param name="request">Sent with every read and so returned with its answer, for an actor that reads other keys too.</param>
public sealed class CatchUpReads(IActorRef replicator, IActorRef self, int atOnce, TimeSpan timeout, object? request = null)
{
    private readonly Queue<IKey> _queue = new();
    private int _reading;

    /// <summary>Whether the cluster has an Up member besides this node: one to read from.</summary>
    public static bool HasUpPeer(Akka.Cluster.Cluster cluster) =>
        cluster.State.Members.Any(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(cluster.SelfUniqueAddress));

    public void Start(IEnumerable<IKey> keys)
    {
        foreach (var key in keys) _queue.Enqueue(key);
        while (_reading < atOnce && ReadNext())
        {
        }
    }

    public void Answered()
    {
        if (_reading == 0) return;
        _reading--;
        ReadNext();
    }

    private bool ReadNext()
    {
        if (!_queue.TryDequeue(out var key)) return false;
        _reading++;
        replicator.Tell(new Get(key, new ReadFrom(2, timeout), request), self);
        return true;
    }
}
