using P2PActors.Cluster.Consensus;
using static P2PActors.Cluster.Consensus.ConsensusProtocol;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>The coordinator's batching and per-proposal rules, taken out of the actor and tested without one.</summary>
public sealed class CoordinatorPiecesTests
{
    private static Proposal Proposal(int n) => new($"{{\"n\":{n}}}", $"id-{n}", 1, "hash", "proposer");

    [Fact]
    public void The_outbox_sends_each_endpoint_its_proposals_in_order_and_starts_empty_again()
    {
        // Prevents: a proposal lost or sent twice between two flushes, or sent to a validator it was not meant for.
        var outbox = new ProposalOutbox<string>();
        outbox.Add(Proposal(1), 10, ["a", "b"]);
        outbox.Add(Proposal(2), 20, ["b"]);
        Assert.Equal(2, outbox.Count);
        Assert.Equal(30, outbox.Bytes);

        var batches = outbox.Drain().ToDictionary(b => b.Key, b => b.Value.Select(p => p.ContentId).ToArray());
        Assert.Equal(["id-1"], batches["a"]);
        Assert.Equal(["id-1", "id-2"], batches["b"]);
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, outbox.Bytes);
        Assert.Empty(outbox.Drain());
    }

    [Fact]
    public void A_drained_list_is_never_written_again()
    {
        // Prevents: a local validator reading a batch by reference while the next proposals are appended to it.
        var outbox = new ProposalOutbox<string>();
        outbox.Add(Proposal(1), 1, ["a"]);
        var first = outbox.Drain().Single().Value;
        outbox.Add(Proposal(2), 1, ["a"]);
        Assert.Equal(["id-1"], first.Select(p => p.ContentId));
        Assert.Equal(["id-2"], outbox.Drain().Single().Value.Select(p => p.ContentId));
    }

    [Fact]
    public void The_outbox_asks_for_a_drain_before_a_batch_would_break_the_validators_limits()
    {
        // Prevents: a batch of more proposals or bytes than a validator accepts (it refuses the whole batch).
        var outbox = new ProposalOutbox<string>(maxProposals: 3, targetBytes: 100);
        Assert.False(outbox.MustDrainBefore(1_000)); // an empty outbox takes even an oversized proposal alone
        outbox.Add(Proposal(1), 60, ["a"]);
        Assert.False(outbox.MustDrainBefore(40));
        Assert.True(outbox.MustDrainBefore(41));
        outbox.Add(Proposal(2), 10, ["a"]);
        outbox.Add(Proposal(3), 10, ["a"]);
        Assert.True(outbox.MustDrainBefore(1));
        outbox.Drain();
        Assert.False(outbox.MustDrainBefore(100));
    }

    [Fact]
    public void A_proposal_stays_open_while_a_quorum_is_reachable_and_is_undecided_once_nobody_is_left_to_vote()
    {
        // Prevents: giving up on a proposal whose quorum is still reachable, or waiting for the timeout when it is not.
        using var validators = new Validators(4);
        // Validator 3 has no verified endpoint: it was never asked, so it will never vote.
        var pending = new PendingProposal("{}", null, validators.Tally(), 1, 0, [validators[3].ValidatorId]);
        var signatures = new VerifiedSignatureCache();
        pending.Count(validators.Approve(0), false, signatures);
        pending.Refusals[validators[1].ValidatorId] = "busy";
        Assert.Null(pending.Decide()); // 1 approval, 1 refused, 1 unreachable: validator 2 can still make it 2 of 3

        pending.Count(validators.Approve(2), false, signatures);
        Assert.Equal(ProposalDecision.Undecided, pending.Decide()); // 2 approvals of the 3 needed, and nobody left
        var outcome = pending.ToOutcome(ProposalDecision.Undecided);
        Assert.Equal(2, outcome.Approvals);
        Assert.Contains("busy", outcome.Refusals);
        Assert.Contains(outcome.Refusals, r => r.StartsWith("1 validator(s)", StringComparison.Ordinal));
        Assert.Null(outcome.Certificate);
    }

    [Fact]
    public void A_validator_that_votes_and_refuses_is_taken_off_the_outstanding_once()
    {
        // Prevents: a Byzantine node sending its validator's vote and a refusal together, ending a proposal undecided
        // while an honest validator that had not answered yet could still make the quorum.
        using var validators = new Validators(4);
        var pending = new PendingProposal("{}", null, validators.Tally(), 1, 0, []);
        var signatures = new VerifiedSignatureCache();
        pending.Count(validators.Approve(0), false, signatures);
        pending.Count(validators.Approve(1), false, signatures);
        pending.Count(validators.Reject(3, "no"), false, signatures);
        Assert.True(pending.Refuse(validators[3].ValidatorId, "busy"));
        Assert.Null(pending.Decide()); // validator 2 can still make it 3 approvals of 3 needed

        pending.Count(validators.Approve(2), false, signatures);
        Assert.Equal(ProposalDecision.Accepted, pending.Decide());
    }

    [Fact]
    public void After_the_decision_a_first_vote_is_only_kept_and_a_second_different_one_counts_both()
    {
        // Prevents: verifying signatures of votes that can change nothing, and missing an equivocation that arrives late.
        using var validators = new Validators(4);
        var pending = new PendingProposal("{}", null, validators.Tally(), 1, 0, []);
        var signatures = new VerifiedSignatureCache();
        for (var i = 0; i < 3; i++)
            pending.Count(validators.Approve(i), false, signatures);
        Assert.Equal(ProposalDecision.Accepted, pending.Decide());
        pending.Outcome = pending.ToOutcome(ProposalDecision.Accepted);

        var first = validators.Approve(3);
        Assert.False(pending.ShouldCount(first, signatures));
        Assert.False(pending.ShouldCount(first, signatures)); // the same statement again changes nothing
        Assert.False(pending.Tally.HasVoted(validators[3].ValidatorId));

        var second = validators.Reject(3, "no");
        Assert.True(pending.ShouldCount(second, signatures));
        Assert.True(pending.Tally.HasVoted(validators[3].ValidatorId)); // the kept first vote was counted
        var step = pending.Count(second, false, signatures);
        Assert.Equal(VoteDisposition.Equivocation, step.Disposition);
        Assert.Contains(validators[3].ValidatorId, pending.Tally.Equivocators);
    }
}
