using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;

namespace P2PActors.Cluster.Replicas;

/// <summary>
/// Whether this node's replicator still runs. Akka stops it for good when its durable store fails (to load at start,
/// or later), and the node then answers every shared-state read and write with a timeout while its cluster membership
/// looks healthy; <c>/health</c> reads <see cref="Problem"/> so that a load balancer or supervisor sees the node as
/// failed instead.
/// </summary>
public sealed class ReplicatorHealth : IExtension
{
    private volatile string? _problem;

    public static ReplicatorHealth For(ActorSystem system) => system.WithExtension<ReplicatorHealth, ReplicatorHealthProvider>();

    /// <summary>Null while the replicator runs (or before it is watched); once it stopped, what that means, for the operator.</summary>
    public string? Problem => _problem;

    /// <summary>Watches the replicator of <paramref name="system"/> from now on.</summary>
    public static void Watch(ActorSystem system) =>
        system.ActorOf(Props.Create(() => new Watcher(DistributedData.Get(system).Replicator)), "p2p-replicator-watch");

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef replicator)
        {
            Context.Watch(replicator);
            Receive<Terminated>(_ =>
            {
                // A stop during the system's own shutdown is no failure: the node is leaving anyway.
                if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null)
                    return;
                For(Context.System)._problem = "The shared-state replicator stopped (see the log for why, e.g. its durable store " +
                                               "could not be read or written): shared state cannot be read or written on this node. Restart it.";
                Context.GetLogger().Error("The shared-state replicator stopped; /health now answers 503 (failed). Restart the node.");
            });
        }
    }
}

public sealed class ReplicatorHealthProvider : ExtensionIdProvider<ReplicatorHealth>
{
    public override ReplicatorHealth CreateExtension(ExtendedActorSystem system) => new();
}
