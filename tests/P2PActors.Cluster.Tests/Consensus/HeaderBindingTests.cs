using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>Votes, tallies, certificates and admission bind the catalog header (vote statement v3).</summary>
public sealed class HeaderBindingTests : IDisposable
{
    private const string Holder = "akka.tcp://p2pactors@127.0.0.1:4053";

    private readonly Validators _four = new(4);
    private readonly EntryHeader _header = new(ContentType.Item, "Blade", "alice", 1_764_000_000_000, Holder);

    public void Dispose() => _four.Dispose();

    private byte[] Digest => _header.Digest(Validators.ContentId);

    private CatalogHeader Entry(Certificate certificate, EntryHeader? header = null)
    {
        var h = header ?? _header;
        return new CatalogHeader(Validators.ContentId, h.Type, h.Name, h.Author, h.CreatedMs, h.Holder, certificate.ToProof());
    }

    private Certificate Bound(int approvals = 3) =>
        new(Validators.ContentId, _four.Epoch, _four.Set.Hash,
            Enumerable.Range(0, approvals).Select(i => _four[i].Vote(Validators.ContentId, _four.Set, true, [], Digest)).ToList());

    private CertificateAdmission Admission(long nowMs)
    {
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = _four.Registry });
        return new CertificateAdmission(snapshot) { Clock = new FixedClock(nowMs) };
    }

    [Fact]
    public void Every_header_field_changes_the_digest()
    {
        var digest = Digest;
        Assert.Equal(32, digest.Length);
        Assert.Equal(digest, new EntryHeader(ContentType.Item, "Blade", "alice", 1_764_000_000_000, Holder).Digest(Validators.ContentId));
        var others = new[]
        {
            _header.Digest(Validators.OtherContentId),
            (_header with { Type = ContentType.Quest }).Digest(Validators.ContentId),
            (_header with { Name = "Blade!" }).Digest(Validators.ContentId),
            (_header with { Author = "alicf" }).Digest(Validators.ContentId),
            (_header with { CreatedMs = _header.CreatedMs + 1 }).Digest(Validators.ContentId),
            (_header with { Holder = Holder + "1" }).Digest(Validators.ContentId),
            // Length prefixes: moving a character from one field to the next is another header.
            (_header with { Name = "Bladea", Author = "lice" }).Digest(Validators.ContentId),
        };
        Assert.All(others, o => Assert.NotEqual(digest, o));
        Assert.Equal(others.Length, others.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void A_vote_binding_a_header_verifies_only_for_that_header_and_never_as_a_vote_of_the_release_before()
    {
        var vote = _four[0].Vote(Validators.ContentId, _four.Set, true, [], Digest);
        Assert.True(_four.Registry.IsValidVote(vote));
        Assert.False(_four.Registry.IsValidVote(vote with { HeaderDigest = (_header with { Name = "x" }).Digest(Validators.ContentId) }));
        // Stripped of its digest, the v3 signature is checked against the v2 statement: domain separation refuses it.
        Assert.False(_four.Registry.IsValidVote(vote with { HeaderDigest = null }));
        Assert.False((vote with { HeaderDigest = new byte[31] }).IsWellFormed);
        Assert.StartsWith(Vote.HeaderDomain, System.Text.Encoding.UTF8.GetString(vote.SignedBytes(_four.Set.Hash).AsSpan(4)), StringComparison.Ordinal);

        // Batched votes bind it too.
        var batch = _four[1].SignBatch([
            new VoteStatement(Validators.ContentId, _four.Epoch, _four.Set.Hash, true, [], Digest),
            new VoteStatement(Validators.OtherContentId, _four.Epoch, _four.Set.Hash, true, [], _header.Digest(Validators.OtherContentId)),
        ]);
        Assert.All(batch, v => Assert.True(_four.Registry.IsValidVote(v)));
        Assert.Equal(Digest, batch[0].HeaderDigest);
        Assert.False(_four.Registry.IsValidVote(batch[0] with { HeaderDigest = batch[1].HeaderDigest }));
    }

    [Fact]
    public void A_tally_counts_only_votes_for_its_own_header()
    {
        var tally = VoteTally.Start(Validators.ContentId, _four.Epoch, _four.Registry, Digest);
        var otherHeader = (_header with { CreatedMs = 1 }).Digest(Validators.ContentId);
        Assert.Equal(VoteDisposition.OtherHeader, tally.Add(_four[0].Vote(Validators.ContentId, _four.Set, true, [], otherHeader)).Disposition);
        Assert.Equal(VoteDisposition.OtherHeader, tally.Add(_four[0].Vote(Validators.ContentId, _four.Set, true, [])).Disposition);
        for (var i = 0; i < 3; i++)
            tally = tally.Add(_four[i].Vote(Validators.ContentId, _four.Set, true, [], Digest)).Tally;
        Assert.Equal(TallyDecision.Accepted, tally.Decision);
        Assert.All(tally.Certificate!.Approvals, v => Assert.Equal(Digest, v.HeaderDigest));
        Assert.False(tally.Certificate.IsLegacy);
    }

    [Fact]
    public void Two_verdicts_on_one_header_are_equivocation_but_votes_on_two_headers_of_the_same_content_are_not()
    {
        var approve = _four[0].Vote(Validators.ContentId, _four.Set, true, [], Digest);
        var reject = _four[0].Vote(Validators.ContentId, _four.Set, false, ["x"], Digest);
        Assert.True(new EquivocationEvidence(approve, reject).Verify(_four.Registry));

        // The same content proposed again under a later created time: an honest validator signs both.
        var retry = _four[0].Vote(Validators.ContentId, _four.Set, false, ["x"], (_header with { CreatedMs = _header.CreatedMs + 5 }).Digest(Validators.ContentId));
        Assert.False(new EquivocationEvidence(approve, retry).Verify(_four.Registry));
        Assert.False(approve.SameStatementAs(approve with { HeaderDigest = retry.HeaderDigest }));
    }

    [Fact]
    public void A_certificate_verifies_for_the_header_its_votes_bound_and_for_no_other()
    {
        var certificate = Bound();
        Assert.Equal(CertificateCheck.Valid, CertificateVerifier.Verify(certificate, Validators.ContentId, _four.Registry, headerDigest: Digest));
        var other = CertificateVerifier.Verify(certificate, Validators.ContentId, _four.Registry, headerDigest: (_header with { Name = "Axe" }).Digest(Validators.ContentId));
        Assert.False(other.IsValid);
        Assert.Contains(CertificateVerifier.HeaderMismatch, other.Problems);

        // Mixing bound and unbound approvals: the unbound ones vouch for no header.
        var mixed = certificate with { Approvals = [certificate.Approvals[0], certificate.Approvals[1], _four[2].Vote(Validators.ContentId, _four.Set, true, [])] };
        Assert.False(mixed.IsLegacy);
        var check = CertificateVerifier.Verify(mixed, Validators.ContentId, _four.Registry, headerDigest: Digest);
        Assert.Contains(CertificateVerifier.MixedStatements, check.Problems);
        Assert.Contains(CertificateVerifier.TooFewApprovals, check.Problems);
    }

    [Fact]
    public void Admission_refuses_a_rewritten_header_and_admits_a_legacy_entry_only_up_to_the_clock_window()
    {
        var now = _header.CreatedMs + 1000;
        var admission = Admission(now);
        var certificate = Bound();
        Assert.True(admission.Admit(Entry(certificate)));
        // The same certificate under another header is not taken from the cache of admitted entries.
        Assert.False(admission.Admit(Entry(certificate, _header with { CreatedMs = _header.CreatedMs + 1 })));
        Assert.False(admission.Admit(Entry(certificate, _header with { Type = ContentType.Map })));

        var legacy = _four.Certify(3);
        Assert.True(legacy.IsLegacy);
        var window = (long)admission.HeaderClockWindow.TotalMilliseconds;
        Assert.True(admission.Admit(Entry(legacy, _header with { CreatedMs = now - 86_400_000 })));
        Assert.True(admission.Admit(Entry(legacy, _header with { CreatedMs = now + window })));
        Assert.False(admission.Admit(Entry(legacy, _header with { CreatedMs = now + window + 1 })));
        Assert.False(admission.Admit(Entry(legacy, _header with { CreatedMs = long.MaxValue })));
    }

    [Fact]
    public void Forged_signatures_a_rewritten_header_or_a_missing_certificate_are_refuted_but_an_unknown_set_or_a_future_legacy_entry_only_refused()
    {
        var now = _header.CreatedMs + 1000;
        var admission = Admission(now);
        var genuine = Entry(Bound());
        var forged = CatalogForger.ForgedHeader(Validators.ContentId, ContentType.Item, _four.Set, Holder, now);
        var rewritten = Entry(Bound(), _header with { Name = "Blade of the forger" });
        var missing = new CatalogHeader(Validators.ContentId, ContentType.Item, "Blade", "alice", _header.CreatedMs, Holder);
        var otherContent = Entry(Bound()) with { Id = Validators.OtherContentId };
        var legacyFromTheFuture = Entry(_four.Certify(3), _header with { CreatedMs = now + (long)TimeSpan.FromDays(1).TotalMilliseconds });

        Assert.True(admission.Admit(genuine));
        Assert.False(admission.Refutes(genuine));
        foreach (var refuted in new[] { forged, rewritten, missing, otherContent })
        {
            Assert.False(admission.Admit(refuted));
            Assert.True(admission.Refutes(refuted), refuted.Name);
            // Remembered as refuted, not only as refused.
            Assert.True(admission.Refutes(refuted), refuted.Name);
        }
        // The clock moves on: refused now, perhaps admitted later.
        Assert.False(admission.Admit(legacyFromTheFuture));
        Assert.False(admission.Refutes(legacyFromTheFuture));

        // A node that does not know the set yet refuses the forgery but cannot refute it: the set may come.
        var unknownSet = new CertificateAdmission(new ConsensusSnapshot());
        Assert.False(unknownSet.Admit(forged));
        Assert.False(unknownSet.Refutes(forged));
        Assert.False(unknownSet.Refutes(genuine));
    }

    [Fact]
    public void The_clock_window_is_symmetric_and_safe_at_the_extremes()
    {
        var window = TimeSpan.FromMinutes(1);
        Assert.True(HeaderRules.WithinWindow(1_000_000, 1_060_000, window));
        Assert.False(HeaderRules.WithinWindow(1_000_000, 1_060_001, window));
        Assert.True(HeaderRules.WithinWindow(1_120_000, 1_060_000, window));
        Assert.False(HeaderRules.WithinWindow(1_120_001, 1_060_000, window));
        Assert.False(HeaderRules.WithinWindow(long.MinValue, long.MaxValue, window));
        Assert.False(HeaderRules.WithinWindow(long.MaxValue, long.MinValue, window));
        Assert.Contains("HeaderClockWindow", string.Join(";", new ConsensusOptions { HeaderClockWindow = TimeSpan.Zero }.Validate()));
    }

    [Theory]
    // Made by the release before header binding (epochs that name their set, statement v2), plain and batched...
    [InlineData("v2-set.json", "v2-plain-certificate.json")]
    [InlineData("v2-set.json", "v2-batched-certificate.json")]
    // ...and by the release before that (up-number epochs, statement v1).
    [InlineData("set.json", "plain-certificate.json")]
    [InlineData("set.json", "batched-certificate.json")]
    public async Task Certificates_made_before_headers_were_bound_still_verify_and_admit_their_entry_under_the_legacy_rule(string setFile, string certificateFile)
    {
        var system = ActorSystem.Create("legacy-headers", ConfigurationFactory.ParseString(SerializationSetup.Hocon +
            "\nakka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1").WithFallback(DistributedData.DefaultConfig()));
        try
        {
            T Read<T>(string file) => (T)system.Serialization.Deserialize(
                File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Consensus", "Fixtures", file)), P2PJsonSerializer.SerializerId, typeof(T).FullName!);
            var set = Read<ValidatorSet>(setFile);
            var certificate = Read<Certificate>(certificateFile);
            var registry = ValidatorRegistry.Empty.With(set);
            Assert.True(certificate.IsLegacy);
            Assert.All(certificate.Approvals, v => Assert.Null(v.HeaderDigest));
            Assert.Equal(CertificateCheck.Valid, CertificateVerifier.Verify(certificate, certificate.ContentId, registry));
            // Checked against a header, its digest-free approvals are legacy statements, not a mismatch.
            Assert.Equal(CertificateCheck.Valid, CertificateVerifier.Verify(certificate, certificate.ContentId, registry, headerDigest: Digest));

            var now = 1_764_000_000_000L;
            var snapshot = new ConsensusSnapshot();
            snapshot.Publish(ConsensusView.Empty with { Registry = registry });
            var admission = new CertificateAdmission(snapshot) { Clock = new FixedClock(now) };
            var entry = new CatalogHeader(certificate.ContentId, ContentType.Item, "Blade", "alice", now - 86_400_000, Holder, certificate.ToProof());
            Assert.True(admission.Admit(entry));
            Assert.False(admission.Admit(entry with { CreatedMs = now + (long)TimeSpan.FromDays(3650).TotalMilliseconds }));
            // Still bound to what was signed: a certificate edited after the fact does not admit anything.
            Assert.False(admission.Admit(entry with { Certificate = (certificate with { Approvals = [.. certificate.Approvals.Select(v => v with { Rules = ["x"] })] }).ToProof() }));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Chaos_runs_can_mix_tamper_headers_with_the_other_modes()
    {
        var modes = P2PActors.Cluster.Chaos.ChaosModes.ParseList("equivocate,tamper-headers", out var problems);
        Assert.Empty(problems);
        Assert.Equal([ByzantineMode.Equivocate, ByzantineMode.TamperHeaders], modes);
        Assert.Contains(ByzantineMode.TamperHeaders, P2PActors.Cluster.Chaos.ChaosModes.Byzantine);
    }

    private sealed class FixedClock(long nowMs) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
    }
}
