using Akka.Actor;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Who wants a proposal's outcome: the actor behind an ask (<c>ProposeAsync</c>) or a task of a many-proposal call
/// (<c>ProposeManyAsync</c>). One type instead of <c>object</c>, so the coordinator cannot be handed anything it would
/// not know how to answer. A struct: one per proposal, and nothing to allocate.
/// </summary>
internal readonly struct OutcomeWaiter
{
    private readonly IActorRef? _actor;
    private readonly TaskCompletionSource<ProposalOutcome>? _task;

    private OutcomeWaiter(IActorRef? actor, TaskCompletionSource<ProposalOutcome>? task) => (_actor, _task) = (actor, task);

    public static OutcomeWaiter Actor(IActorRef actor) => new(actor ?? throw new ArgumentNullException(nameof(actor)), null);

    public static OutcomeWaiter Task(TaskCompletionSource<ProposalOutcome> task) => new(null, task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>Hands over the outcome: a task completes (once; later outcomes are ignored), an actor gets a message.</summary>
    public void Answer(ProposalOutcome outcome)
    {
        if (_task is not null)
            _task.TrySetResult(outcome);
        else
            _actor?.Tell(outcome);
    }
}
