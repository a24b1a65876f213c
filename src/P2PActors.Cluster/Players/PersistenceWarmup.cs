using Akka.Actor;
using Akka.Persistence;

namespace P2PActors.Cluster.Players;

/// <summary>
/// Recovers an empty persistence id once at start-up, which makes the journal and snapshot store create their
/// tables and connections before any player memory starts. Otherwise the first entity's recovery can outlast a
/// short idle timeout and be passivated mid-recovery, losing the message that woke it.
/// </summary>
internal sealed class PersistenceWarmup : ReceivePersistentActor
{
    public const string Id = "p2pactors-persistence-warmup";

    public PersistenceWarmup()
    {
        Recover<RecoveryCompleted>(_ => { });
        Recover<object>(_ => { });
        Command<Ready>(_ =>
        {
            Sender.Tell(Ready.Instance);
            Context.Stop(Self);
        });
    }

    public override string PersistenceId => Id;

    internal static Props Props() => Akka.Actor.Props.Create(() => new PersistenceWarmup());

    internal sealed class Ready
    {
        public static readonly Ready Instance = new();
    }
}

internal static class PersistenceWarmupRunner
{
    /// <summary>Completes once the journal and snapshot store have answered a recovery.</summary>
    public static Task Run(ActorSystem system, TimeSpan timeout) =>
        system.ActorOf(PersistenceWarmup.Props(), "persistence-warmup")
            .Ask<PersistenceWarmup.Ready>(PersistenceWarmup.Ready.Instance, timeout);
}
