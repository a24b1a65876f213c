using System.Diagnostics;
using Akka.Actor;
using P2PActors.Cluster.Consensus;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// The pure pieces taken out of <see cref="ValidatorActor"/>: the per-proposer rate limit, when a turn waits for more
/// batches, and the chaos forger's header.
/// </summary>
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

    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(3);
    private static readonly long Memory = (long)(TurnPacing.Memory.TotalSeconds * Stopwatch.Frequency);

    [Fact]
    public void A_lone_batch_after_the_first_turn_starts_its_turn_at_once()
    {
        // Prevents: every decision on a quiet cluster waiting the turn wait for batches that never come.
        var pacing = new TurnPacing(Wait);
        var now = Stopwatch.GetTimestamp();
        Assert.Equal(Wait, pacing.WaitBefore(now));
        pacing.TurnEnded(batches: 1, leftQueued: false, waited: true, now);
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now + 1));
        pacing.TurnEnded(batches: 1, leftQueued: false, waited: false, now + 2);
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now + 3));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(1, true)]
    public void Batches_that_coincide_in_a_turn_started_at_once_turn_the_wait_on_for_a_while(int batches, bool leftQueued)
    {
        // Prevents: losing the shared batch signature under load (batches of several coordinators judged and signed alone).
        var pacing = new TurnPacing(Wait);
        var now = Stopwatch.GetTimestamp();
        pacing.TurnEnded(batches: 1, leftQueued: false, waited: true, now);
        pacing.TurnEnded(batches, leftQueued, waited: false, now + 10);
        Assert.Equal(Wait, pacing.WaitBefore(now + 11));
        Assert.Equal(Wait, pacing.WaitBefore(now + 10 + Memory - 1));
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now + 10 + Memory));
    }

    [Fact]
    public void Batches_gathered_by_the_wait_itself_do_not_keep_it_on()
    {
        // Prevents: a validator just behind a fast stream of single proposals gathering a few in every wait and so
        // waiting for ever (seen: two of four validators in that state made every decision wait again).
        var pacing = new TurnPacing(Wait);
        var now = Stopwatch.GetTimestamp();
        pacing.TurnEnded(batches: 2, leftQueued: false, waited: false, now);
        pacing.TurnEnded(batches: 4, leftQueued: true, waited: true, now + Memory - 1);
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now + Memory));
    }

    [Fact]
    public void No_turn_wait_configured_means_no_turn_ever_waits()
    {
        var pacing = new TurnPacing(TimeSpan.Zero);
        var now = Stopwatch.GetTimestamp();
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now));
        pacing.TurnEnded(batches: 3, leftQueued: true, waited: false, now);
        Assert.Equal(TimeSpan.Zero, pacing.WaitBefore(now + 1));
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
