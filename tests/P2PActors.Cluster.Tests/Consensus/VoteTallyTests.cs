using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class VoteTallyTests : IDisposable
{
    private readonly Validators _four = new(4);
    private readonly Validators _seven = new(7);

    public void Dispose()
    {
        _four.Dispose();
        _seven.Dispose();
    }

    [Fact]
    public void Quorum_of_approvals_accepts_with_a_verifiable_certificate()
    {
        var tally = _four.Tally();
        tally = Expect(tally.Add(_four.Approve(0)), VoteDisposition.Counted);
        tally = Expect(tally.Add(_four.Reject(1, "profanity")), VoteDisposition.Counted);
        tally = Expect(tally.Add(_four.Approve(2)), VoteDisposition.Counted);
        Assert.Equal(TallyDecision.Pending, tally.Decision);
        tally = Expect(tally.Add(_four.Approve(3)), VoteDisposition.Counted);

        Assert.Equal(TallyDecision.Accepted, tally.Decision);
        var certificate = Assert.IsType<Certificate>(tally.Certificate);
        Assert.Equal(3, certificate.Approvals.Count);
        Assert.True(CertificateVerifier.Verify(certificate, Validators.ContentId, _four.Registry).IsValid);
    }

    [Fact]
    public void Tallies_are_immutable_values()
    {
        var empty = _four.Tally();
        var one = empty.Add(_four.Approve(0)).Tally;
        Assert.Equal(0, empty.ApprovalCount);
        Assert.Equal(1, one.ApprovalCount);
    }

    [Fact]
    public void Rejects_as_soon_as_acceptance_is_impossible()
    {
        // n = 4, threshold 3: two rejections leave at most 2 possible approvals.
        var tally = _four.Tally().Add(_four.Reject(0, "profanity")).Tally;
        Assert.Equal(TallyDecision.Pending, tally.Decision);
        tally = tally.Add(_four.Reject(1, "profanity")).Tally;
        Assert.Equal(TallyDecision.Rejected, tally.Decision);
        Assert.Null(tally.Certificate);

        // n = 7, threshold 5: the third rejection decides, with four validators still silent.
        var seven = _seven.Tally();
        for (var i = 0; i < 2; i++)
            seven = seven.Add(_seven.Reject(i, "map.size")).Tally;
        Assert.Equal(TallyDecision.Pending, seven.Decision);
        seven = seven.Add(_seven.Reject(2, "map.size")).Tally;
        Assert.Equal(TallyDecision.Rejected, seven.Decision);
        Assert.Equal(4, seven.Outstanding);
    }

    [Fact]
    public void Without_enough_votes_the_tally_stays_pending_never_accepted()
    {
        var tally = _seven.Tally();
        for (var i = 0; i < 4; i++)
            tally = tally.Add(_seven.Approve(i)).Tally;
        tally = tally.Add(_seven.Reject(4)).Tally;
        Assert.Equal(TallyDecision.Pending, tally.Decision);
        Assert.Null(tally.Certificate);
    }

    [Fact]
    public void A_redelivered_vote_is_counted_once()
    {
        var vote = _four.Approve(0);
        var tally = _four.Tally().Add(vote).Tally;
        tally = Expect(tally.Add(vote), VoteDisposition.Duplicate);
        tally = Expect(tally.Add(vote with { Rules = [], Signature = vote.Signature.ToArray() }), VoteDisposition.Duplicate);
        Assert.Equal(1, tally.ApprovalCount);
        Assert.Empty(tally.Equivocators);
    }

    [Fact]
    public void Equivocation_discards_both_votes_flags_the_validator_and_keeps_evidence()
    {
        var tally = _four.Tally().Add(_four.Approve(0)).Tally.Add(_four.Approve(1)).Tally;
        tally = Expect(tally.Add(_four.Reject(1, "profanity")), VoteDisposition.Equivocation);

        Assert.Equal(1, tally.ApprovalCount);
        Assert.Equal(0, tally.RejectionCount);
        Assert.Contains(_four[1].ValidatorId, tally.Equivocators);
        var evidence = Assert.Single(tally.Evidence);
        Assert.Equal(_four[1].ValidatorId, evidence.ValidatorId);
        Assert.True(evidence.First.Approve);
        Assert.False(evidence.Second.Approve);
        Assert.True(evidence.Verify(_four.Registry));

        // The equivocator cannot vote its way back in.
        tally = Expect(tally.Add(_four.Approve(1)), VoteDisposition.FromEquivocator);
        Assert.Equal(1, tally.ApprovalCount);
        // Only 2 validators remain who could approve: 1 + 2 = 3 still reaches the threshold.
        Assert.Equal(TallyDecision.Pending, tally.Decision);
        tally = tally.Add(_four.Approve(2)).Tally.Add(_four.Approve(3)).Tally;
        Assert.Equal(TallyDecision.Accepted, tally.Decision);
        Assert.DoesNotContain(tally.Certificate!.Approvals, v => v.ValidatorId == _four[1].ValidatorId);
    }

    [Fact]
    public void Equivocation_that_makes_acceptance_impossible_rejects()
    {
        var tally = _four.Tally().Add(_four.Reject(0)).Tally;
        tally = tally.Add(_four.Approve(1)).Tally.Add(_four.Reject(1)).Tally;
        // Remaining possible approvals: validators 2 and 3 only.
        Assert.Equal(TallyDecision.Rejected, tally.Decision);
    }

    [Fact]
    public void Different_rules_on_the_same_verdict_are_equivocation_too()
    {
        var tally = _four.Tally().Add(_four.Reject(0, "profanity")).Tally;
        tally = Expect(tally.Add(_four.Reject(0, "map.size")), VoteDisposition.Equivocation);
        Assert.Contains(_four[0].ValidatorId, tally.Equivocators);
    }

    [Fact]
    public void Votes_that_cannot_be_trusted_are_not_counted()
    {
        using var outsider = ValidatorIdentity.CreateEphemeral();
        var tally = _four.Tally();
        var genuine = _four.Approve(0);

        Expect(tally.Add(outsider.Vote(Validators.ContentId, _four.Set, true, [])), VoteDisposition.NotAMember);
        Expect(tally.Add(_four[0].Vote(Validators.OtherContentId, _four.Set, true, [])), VoteDisposition.OtherContent);
        Expect(tally.Add(_four[0].Vote(Validators.ContentId, _four.Epoch + 1, _four.Set.Hash, true, [])), VoteDisposition.OtherEpoch);
        Expect(tally.Add(genuine with { Approve = false }), VoteDisposition.BadSignature);
        Expect(tally.Add(genuine with { Signature = new byte[64] }), VoteDisposition.BadSignature);
        Expect(tally.Add(genuine with { Signature = outsider.Sign(genuine.SignedBytes(_four.Set.Hash)) }), VoteDisposition.BadSignature);
        Expect(tally.Add(genuine with { Signature = [] }), VoteDisposition.Malformed);
        Expect(tally.Add(null), VoteDisposition.Malformed);
    }

    [Fact]
    public void A_forged_second_vote_is_not_equivocation()
    {
        // Only a validly signed second vote proves the validator changed its mind.
        var tally = _four.Tally().Add(_four.Approve(0)).Tally;
        var forged = _four.Approve(0) with { Approve = false };
        tally = Expect(tally.Add(forged), VoteDisposition.BadSignature);
        Assert.Empty(tally.Equivocators);
        Assert.Equal(1, tally.ApprovalCount);
    }

    [Fact]
    public void A_decision_is_final_but_later_equivocation_is_still_recorded()
    {
        var tally = _four.Tally();
        for (var i = 0; i < 3; i++)
            tally = tally.Add(_four.Approve(i)).Tally;
        var certificate = tally.Certificate;
        tally = Expect(tally.Add(_four.Reject(2)), VoteDisposition.Equivocation);
        Assert.Equal(TallyDecision.Accepted, tally.Decision);
        Assert.Same(certificate, tally.Certificate);
        Assert.Single(tally.Evidence);
    }

    [Fact]
    public void A_single_validator_dev_cluster_decides_on_its_own_vote()
    {
        using var one = new Validators(1);
        Assert.False(one.Set.ToleratesByzantine);
        var tally = one.Tally().Add(one.Approve(0)).Tally;
        Assert.Equal(TallyDecision.Accepted, tally.Decision);
        Assert.True(CertificateVerifier.Verify(tally.Certificate, Validators.ContentId, one.Registry).IsValid);
    }

    [Fact]
    public void Starting_a_tally_for_an_unknown_epoch_fails_clearly()
    {
        var error = Assert.Throws<ArgumentException>(() => VoteTally.Start(Validators.ContentId, 99, _four.Registry));
        Assert.Contains("epoch 99", error.Message);
    }

    private static VoteTally Expect(TallyStep step, VoteDisposition disposition)
    {
        Assert.Equal(disposition, step.Disposition);
        return step.Tally;
    }
}
