using System.Diagnostics;
using Akka.Actor;
using P2PActors.Cluster.Consensus;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>The pure pieces taken out of <see cref="ValidatorActor"/>: the per-proposer rate limit and the chaos forger's header.</summary>
public sealed class ValidatorPiecesTests
{
    private static readonly Address Alice = new("akka.tcp", "p2pactors", "10.0.0.1", 4053);
    private static readonly Address Bob = new("akka.tcp", "p2pactors", "10.0.0.2", 4053);

    [Fact]
    public void A_flooding_proposer_spends_only_its_own_tokens()
    {
        // Prevents: one node's flood rate-limiting every other proposer (a shared bucket).
        var limiter = new ProposerRateLimiter(perSecond: 1, burst: 3);
        var now = Stopwatch.GetTimestamp();
        Assert.True(limiter.TryTake(Alice, now));
        Assert.True(limiter.TryTake(Alice, now));
        Assert.True(limiter.TryTake(Alice, now));
        Assert.False(limiter.TryTake(Alice, now));
        Assert.True(limiter.TryTake(Bob, now));
    }

    [Fact]
    public void Tokens_come_back_at_the_configured_rate()
    {
        // Prevents: a proposer that was limited once staying limited for good.
        var limiter = new ProposerRateLimiter(perSecond: 10, burst: 1);
        var now = Stopwatch.GetTimestamp();
        Assert.True(limiter.TryTake(Alice, now));
        Assert.False(limiter.TryTake(Alice, now));
        Assert.False(limiter.TryTake(Alice, now + Stopwatch.Frequency / 20));
        Assert.True(limiter.TryTake(Alice, now + Stopwatch.Frequency / 5));
    }

    [Fact]
    public void Made_up_proposer_addresses_never_grow_the_buckets_past_the_bound()
    {
        // Prevents: memory growing without bound when proposals arrive from ever new addresses.
        var limiter = new ProposerRateLimiter(perSecond: 1, burst: 1);
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < ProposerRateLimiter.MaxTrackedProposers * 2 + 5; i++)
            limiter.TryTake(new Address("akka.tcp", "p2pactors", $"10.1.{i / 250}.{i % 250}", 4053), now);
        Assert.InRange(limiter.Tracked, 1, ProposerRateLimiter.MaxTrackedProposers);
    }

    [Fact]
    public void A_forged_catalog_entry_names_every_member_and_is_refused_by_an_honest_admission()
    {
        // Prevents: the chaos forger writing something honest nodes would admit (the run would then prove nothing),
        // or something so far off that it never reaches the certificate check.
        using var validators = new Validators(4);
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = validators.Registry });
        var admission = new CertificateAdmission(snapshot);

        var header = CatalogForger.ForgedHeader(Validators.ContentId, ContentType.Item, validators.Set, "akka.tcp://p2pactors@127.0.0.1:1",
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var certificate = header.Certificate.ToCertificate();
        Assert.NotNull(certificate);
        Assert.Equal(validators.Set.Members.Order(), certificate.Approvals.Select(v => v.ValidatorId).Order());
        Assert.Equal(Validators.ContentId, certificate.ContentId);
        Assert.False(admission.Admit(header));
        Assert.Contains(CertificateVerifier.BadSignature,
            CertificateVerifier.Verify(certificate, header.Id, validators.Registry).Problems);
    }
}
