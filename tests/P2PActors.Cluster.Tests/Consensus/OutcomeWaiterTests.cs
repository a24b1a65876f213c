using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>The coordinator's typed waiter (it held <c>object</c> before and cast on every answer).</summary>
public sealed class OutcomeWaiterTests
{
    private static readonly ProposalOutcome Outcome = new(Validators.ContentId, ProposalDecision.Rejected, 1, 4, 3, 0, 1, ["x"], [], null, TimeSpan.FromMilliseconds(1), []);

    [Fact]
    public async Task A_task_waiter_completes_with_the_first_outcome_and_ignores_a_later_one()
    {
        // Prevents: a proposal answered twice (a re-vote after a requeue) throwing inside the coordinator.
        var task = new TaskCompletionSource<ProposalOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = OutcomeWaiter.Task(task);
        waiter.Answer(Outcome);
        waiter.Answer(Outcome with { Decision = ProposalDecision.Accepted });
        Assert.True(task.Task.IsCompletedSuccessfully);
        Assert.Equal(ProposalDecision.Rejected, (await task.Task).Decision);
    }

    [Fact]
    public void A_waiter_cannot_be_made_of_nothing()
    {
        // Prevents: a null waiter queued and lost silently, its caller waiting for its ask timeout.
        Assert.Throws<ArgumentNullException>(() => OutcomeWaiter.Actor(null!));
        Assert.Throws<ArgumentNullException>(() => OutcomeWaiter.Task(null!));
    }
}
