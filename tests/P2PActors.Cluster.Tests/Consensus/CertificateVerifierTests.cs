using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class CertificateVerifierTests : IDisposable
{
    private readonly Validators _seven = new(7);

    public void Dispose() => _seven.Dispose();

    private CertificateCheck Verify(Certificate? certificate, string contentId = Validators.ContentId) =>
        CertificateVerifier.Verify(certificate, contentId, _seven.Registry);

    private static void Refused(CertificateCheck check, string problem)
    {
        Assert.False(check.IsValid);
        Assert.Contains(problem, check.Problems);
    }

    [Fact]
    public void A_quorum_certificate_verifies()
    {
        var certificate = _seven.Certify(5);
        Assert.Equal(CertificateCheck.Valid, Verify(certificate));
        Assert.Equal(_seven.Set.Hash, certificate.ValidatorSetHash);
    }

    [Fact]
    public void A_forged_signature_is_refused()
    {
        var certificate = _seven.Certify(5);
        var votes = certificate.Approvals.ToArray();
        var forged = votes[2].Signature.ToArray();
        forged[0] ^= 0x80;
        votes[2] = votes[2] with { Signature = forged };
        Refused(Verify(certificate with { Approvals = votes }), CertificateVerifier.BadSignature);
    }

    [Fact]
    public void A_rejection_dressed_up_as_an_approval_is_refused()
    {
        var certificate = _seven.Certify(5);
        var votes = certificate.Approvals.ToArray();
        votes[0] = _seven.Reject(5, "profanity") with { Approve = true };
        Refused(Verify(certificate with { Approvals = votes }), CertificateVerifier.BadSignature);
    }

    [Fact]
    public void Genuine_rejections_do_not_count_as_approvals()
    {
        var certificate = _seven.Certify(5);
        var votes = certificate.Approvals.Take(4).Append(_seven.Reject(6)).ToArray();
        var check = Verify(certificate with { Approvals = votes });
        Refused(check, CertificateVerifier.NotAnApproval);
        Assert.Contains(CertificateVerifier.TooFewApprovals, check.Problems);
    }

    [Fact]
    public void Too_few_distinct_approvals_are_refused()
    {
        var certificate = _seven.Certify(5);
        Refused(Verify(certificate with { Approvals = certificate.Approvals.Take(4).ToArray() }), CertificateVerifier.TooFewApprovals);

        var padded = certificate.Approvals.Take(4).Append(certificate.Approvals[0]).ToArray();
        var check = Verify(certificate with { Approvals = padded });
        Refused(check, CertificateVerifier.DuplicateValidator);
        Assert.Contains(CertificateVerifier.TooFewApprovals, check.Problems);
    }

    [Fact]
    public void A_certificate_replayed_for_other_content_is_refused()
    {
        var certificate = _seven.Certify(5);
        Refused(Verify(certificate, Validators.OtherContentId), CertificateVerifier.ContentMismatch);

        // Relabelled to the other content, its votes still name the original: refused as replayed votes.
        var relabelled = certificate with { ContentId = Validators.OtherContentId };
        Refused(Verify(relabelled, Validators.OtherContentId), CertificateVerifier.ReplayedVote);
    }

    [Fact]
    public void Votes_from_unknown_keys_are_refused()
    {
        using var outsiders = new Validators(7, _seven.Epoch);
        var certificate = _seven.Certify(5);
        var votes = certificate.Approvals.Take(4).Append(outsiders.Approve(0)).ToArray();
        Refused(Verify(certificate with { Approvals = votes }), CertificateVerifier.UnknownValidator);

        // A whole certificate made by outsiders for the same epoch names a set nobody registered.
        Refused(Verify(outsiders.Certify(5)), CertificateVerifier.ValidatorSetMismatch);
    }

    [Fact]
    public void A_byzantine_member_cannot_certify_alone_by_claiming_a_smaller_set()
    {
        var self = new ValidatorSet(_seven.Epoch, [_seven[0].ValidatorId]);
        var certificate = new Certificate(Validators.ContentId, _seven.Epoch, self.Hash, [_seven.Approve(0)]);
        var check = Verify(certificate);
        Refused(check, CertificateVerifier.ValidatorSetMismatch);
        Assert.Contains(CertificateVerifier.TooFewApprovals, check.Problems);
    }

    [Fact]
    public void Unknown_epochs_and_votes_of_other_epochs_are_refused()
    {
        var certificate = _seven.Certify(5);
        Refused(Verify(certificate with { Epoch = 8 }), CertificateVerifier.UnknownEpoch);

        var nextEpoch = new ValidatorSet(8, _seven.Set.Members);
        var registry = _seven.Registry.With(nextEpoch);
        var moved = certificate with { Epoch = 8, ValidatorSetHash = nextEpoch.Hash };
        var check = CertificateVerifier.Verify(moved, Validators.ContentId, registry);
        Assert.False(check.IsValid);
        Assert.Contains(CertificateVerifier.WrongEpoch, check.Problems);
    }

    [Fact]
    public void Missing_oversized_and_malformed_certificates_are_refused_without_throwing()
    {
        Refused(Verify(null), CertificateVerifier.Missing);
        var certificate = _seven.Certify(5);
        Refused(Verify(certificate with { Approvals = null! }), CertificateVerifier.Missing);
        var flood = Enumerable.Repeat(certificate.Approvals[0], 1000).ToArray();
        Refused(Verify(certificate with { Approvals = flood }), CertificateVerifier.TooManyVotes);
        var votes = certificate.Approvals.ToArray();
        votes[1] = null!;
        Refused(Verify(certificate with { Approvals = votes }), CertificateVerifier.MalformedVote);
        votes[1] = certificate.Approvals[1] with { ValidatorId = null! };
        Refused(Verify(certificate with { Approvals = votes }), CertificateVerifier.MalformedVote);
    }

    [Fact]
    public void A_registry_refuses_a_second_set_for_the_same_epoch()
    {
        var same = new ValidatorSet(_seven.Epoch, _seven.Set.Members.Reverse().ToArray());
        Assert.Same(_seven.Registry, _seven.Registry.With(same));
        var different = new ValidatorSet(_seven.Epoch, _seven.Set.Members.Take(4).ToArray());
        Assert.Throws<ArgumentException>(() => _seven.Registry.With(different));
        Assert.Throws<ArgumentException>(() => new ValidatorSet(1, ["not-a-key"]));
        Assert.Throws<ArgumentException>(() => new ValidatorSet(1, []));
    }
}
