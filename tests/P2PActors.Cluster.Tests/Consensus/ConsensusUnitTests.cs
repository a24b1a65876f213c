using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class SetTrustTests
{
    [Fact]
    public void A_set_attested_by_f_plus_one_members_of_a_trusted_set_becomes_trusted_and_trust_walks_back_a_chain()
    {
        using var validators = new Validators(5, epoch: 30);
        using var earlier = new Validators(4, epoch: 20);
        var trusted = ValidatorRegistry.Empty.With(validators.Set);
        var older = new ValidatorSet(20, earlier.Identities.Select(i => i.ValidatorId).ToArray());
        var oldest = new ValidatorSet(10, earlier.Identities.Take(3).Select(i => i.ValidatorId).ToArray());
        // Epoch 20 is attested by 2 of the 5 trusted validators (f = 1, so one of the two is honest); epoch 10 only by
        // 2 members of epoch 20, none of epoch 30: it is trusted through epoch 20 or not at all.
        var attestations = validators.Identities.Take(2).Select(i => SetAttestation.Create(older, i))
            .Concat(earlier.Identities.Take(2).Select(i => SetAttestation.Create(oldest, i)))
            .ToList();

        var extended = SetTrust.Extend(trusted, attestations);

        Assert.True(extended.TryGetSet(20, out var learnt));
        Assert.Equal(older.Hash, learnt.Hash);
        Assert.True(extended.TryGetSet(10, out _));
    }

    [Fact]
    public void Too_few_attestations_forged_signatures_and_outsiders_earn_no_trust()
    {
        using var validators = new Validators(4, epoch: 30);
        using var outsiders = new Validators(4, epoch: 1);
        var trusted = ValidatorRegistry.Empty.With(validators.Set);
        var claimed = new ValidatorSet(5, outsiders.Identities.Select(i => i.ValidatorId).ToArray());
        var attestations = new List<SetAttestation>
        {
            // One genuine member: of 4 validators one may be Byzantine, so f + 1 = 2 are needed.
            SetAttestation.Create(claimed, validators[0]),
            // A third member's id with someone else's signature.
            SetAttestation.Create(claimed, outsiders[0]) with { ValidatorId = validators[2].ValidatorId },
            // The same member twice counts once.
            SetAttestation.Create(claimed, validators[0]),
        };
        // Outsiders vouching for themselves.
        attestations.AddRange(outsiders.Identities.Select(i => SetAttestation.Create(claimed, i)));

        var extended = SetTrust.Extend(trusted, attestations);

        Assert.False(extended.TryGetSet(5, out _));
        Assert.Single(extended.Sets);
    }

    [Fact]
    public void Each_attestation_signature_is_checked_once_however_often_trust_is_extended()
    {
        // Prevents: the registry checking every attestation's signature again twice a second, so that one validator
        // writing thousands of attestations no one else vouches for cost every node a core.
        using var validators = new Validators(4, epoch: 30);
        using var outsiders = new Validators(4, epoch: 1);
        var trusted = ValidatorRegistry.Empty.With(validators.Set);
        var outsiderIds = outsiders.Identities.Select(i => i.ValidatorId).ToArray();
        // One member vouching alone for 50 sets: every signature genuine, none reaches f + 1 = 2 signers.
        var lonely = Enumerable.Range(100, 50).Select(e => SetAttestation.Create(new ValidatorSet(e, outsiderIds), validators[0])).ToList();
        var forged = SetAttestation.Create(new ValidatorSet(7, outsiderIds), outsiders[0]) with { ValidatorId = validators[1].ValidatorId };
        var calls = 0;
        var checks = new AttestationChecks((attestation, key) =>
        {
            calls++;
            return attestation.VerifyWith(key);
        });

        for (var tick = 0; tick < 5; tick++)
            Assert.Single(SetTrust.Extend(trusted, [.. lonely, forged], checks).Sets);
        Assert.Equal(51, calls);

        // The remembered outcomes still count: a second signer makes epoch 100 trusted with one more check.
        var second = SetAttestation.Create(lonely[0].Set, validators[2]);
        var extended = SetTrust.Extend(trusted, [.. lonely, forged, second], checks);
        Assert.True(extended.TryGetSet(100, out _));
        Assert.False(extended.TryGetSet(7, out _));
        Assert.Equal(52, calls);
    }

    [Fact]
    public void An_attested_set_never_replaces_the_set_already_trusted_for_its_epoch()
    {
        using var validators = new Validators(4, epoch: 30);
        using var others = new Validators(4, epoch: 30);
        var trusted = ValidatorRegistry.Empty.With(validators.Set);
        var rival = others.Set;
        var attestations = validators.Identities.Select(i => SetAttestation.Create(rival, i)).ToList();

        var extended = SetTrust.Extend(trusted, attestations);

        Assert.True(extended.TryGetSet(30, out var kept));
        Assert.Equal(validators.Set.Hash, kept.Hash);
    }
}

public sealed class ReplicatedRecordHashTests
{
    [Fact]
    public void Records_a_peer_writes_into_replicated_sets_that_differ_only_in_their_signature_spread_over_hash_buckets()
    {
        // Prevents: thousands of such records in one hash bucket of Akka's GSet and of the registry's sets, so that a
        // Byzantine member made every lookup and merge walk all of them.
        using var validators = new Validators(4, epoch: 30);
        var rng = new Random(5);
        byte[] Bytes() { var b = new byte[64]; rng.NextBytes(b); return b; }
        var attestation = SetAttestation.Create(validators.Set, validators[0]);
        var proof = new MemberProof("akka.tcp://p2pactors@127.0.0.1:1", 1, validators[0].ValidatorId, Bytes(), Bytes());
        var binding = ValidatorBinding.Create("akka.tcp://p2pactors@127.0.0.1:1", validators[0]);
        var vote = validators.Approve(0);

        static int Distinct<T>(IEnumerable<T> items) => items.Select(i => i!.GetHashCode()).Distinct().Count();
        Assert.True(Distinct(Enumerable.Range(0, 1_000).Select(_ => attestation with { Signature = Bytes() })) > 990);
        Assert.True(Distinct(Enumerable.Range(0, 1_000).Select(_ => proof with { Nonce = Bytes(), Signature = Bytes() })) > 990);
        Assert.True(Distinct(Enumerable.Range(0, 1_000).Select(_ => binding with { Signature = Bytes() })) > 990);
        Assert.True(Distinct(Enumerable.Range(0, 1_000).Select(_ => vote with { Signature = Bytes() })) > 990);
        // Equal records still hash alike.
        Assert.Equal((attestation with { }).GetHashCode(), attestation.GetHashCode());
        Assert.Equal(new MemberProof(proof.Address, proof.Uid, proof.ValidatorId, [.. proof.Nonce], [.. proof.Signature]).GetHashCode(), proof.GetHashCode());
    }
}

public sealed class CertificateAdmissionTests
{
    [Fact]
    public void A_certificate_of_a_set_learnt_later_is_admitted_then_and_not_before()
    {
        using var validators = new Validators(4);
        var snapshot = new ConsensusSnapshot();
        var admission = new CertificateAdmission(snapshot);
        var certificate = validators.Certify(3);
        var header = new CatalogHeader(Validators.ContentId, ContentType.Item, "Blade", "alice", 1, "akka.tcp://p2pactors@127.0.0.1:1", certificate.ToProof());

        Assert.False(admission.Admit(header));
        Assert.False(admission.Admit(header));
        Assert.Equal(2, admission.Refused);

        snapshot.Publish(ConsensusView.Empty with { Registry = validators.Registry });
        Assert.True(admission.Admit(header));
        // Remembered: still admitted (and not re-verified) even if the snapshot were emptied.
        snapshot.Publish(ConsensusView.Empty);
        Assert.True(admission.Admit(header));
    }

    [Fact]
    public void An_admitted_header_is_remembered_without_its_proof_and_the_same_fields_under_another_proof_are_checked_again()
    {
        using var validators = new Validators(4);
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = validators.Registry });
        var admission = new CertificateAdmission(snapshot);
        var certificate = validators.Certify(3);
        var proof = certificate.ToProof().Utf8Json.ToArray();

        var admitted = AdmitAndDrop(admission, proof);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(admitted.IsAlive);

        // Without the registry nothing verifies: what is admitted now comes from the memory alone.
        snapshot.Publish(ConsensusView.Empty);
        Assert.True(admission.Admit(Blade(CatalogProof.FromUtf8Json(proof))));
        var reordered = (certificate with { Approvals = certificate.Approvals.Reverse().ToList() }).ToProof();
        Assert.False(reordered.Utf8Json.SequenceEqual(proof));
        Assert.False(admission.Admit(Blade(reordered)));
        Assert.Equal(1, admission.Refused);
    }

    private static CatalogHeader Blade(CatalogProof proof) =>
        new(Validators.ContentId, ContentType.Item, "Blade", "alice", 1, "akka.tcp://p2pactors@127.0.0.1:1", proof);

    // Not inlined, so no local of the test keeps the admitted header or its proof alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference AdmitAndDrop(CertificateAdmission admission, byte[] proof)
    {
        var header = Blade(CatalogProof.FromUtf8Json(proof));
        Assert.True(admission.Admit(header));
        return new WeakReference(header.Certificate);
    }

    [Fact]
    public void Headers_without_a_certificate_or_with_one_for_other_content_are_refused()
    {
        using var validators = new Validators(4);
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = validators.Registry });
        var admission = new CertificateAdmission(snapshot);
        var certificate = validators.Certify(3);

        Assert.False(admission.Admit(new CatalogHeader(Validators.ContentId, ContentType.Item, "Blade", "a", 1, "h")));
        Assert.False(admission.Admit(new CatalogHeader(Validators.OtherContentId, ContentType.Item, "Blade", "a", 1, "h", certificate.ToProof())));
        Assert.False(admission.Admit(new CatalogHeader(Validators.ContentId, ContentType.Item, "Blade", "a", 1, "h", (validators.Certify(3) with
        {
            Approvals = certificate.Approvals.Take(2).ToList(),
        }).ToProof())));
        Assert.True(admission.Admit(new CatalogHeader(Validators.ContentId, ContentType.Item, "Blade", "a", 1, "h", certificate.ToProof())));
    }
}

public sealed class ByzantineBehaviourTests
{
    [Theory]
    [InlineData("approve-all", ByzantineMode.ApproveAll)]
    [InlineData("reject-all", ByzantineMode.RejectAll)]
    [InlineData("equivocate", ByzantineMode.Equivocate)]
    [InlineData("forge-signatures", ByzantineMode.ForgeSignatures)]
    [InlineData("replay", ByzantineMode.Replay)]
    [InlineData("silent", ByzantineMode.Silent)]
    [InlineData("slow", ByzantineMode.Slow)]
    [InlineData("overpowered", ByzantineMode.Overpowered)]
    [InlineData("mute", ByzantineMode.Mute)]
    [InlineData("partial-mute", ByzantineMode.PartialMute)]
    [InlineData("tamper-headers", ByzantineMode.TamperHeaders)]
    [InlineData("honest", ByzantineMode.Honest)]
    public void Modes_have_kebab_case_names(string name, ByzantineMode mode)
    {
        Assert.Equal(name, ByzantineModes.WireName(mode));
        Assert.True(ByzantineModes.TryParse(name, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Contains(name, ByzantineModes.Names);
    }

    [Fact]
    public void Mute_answers_no_challenger_partial_mute_every_other_one_and_every_other_mode_all()
    {
        using var identity = ValidatorIdentity.CreateEphemeral();
        string[] challengers = ["akka://p2pactors", "akka.tcp://p2pactors@127.0.0.1:4054", "akka.tcp://p2pactors@127.0.0.1:4055", "akka.tcp://p2pactors@127.0.0.1:4056"];

        var mute = new ByzantineBehaviour(ByzantineMode.Mute, identity);
        Assert.All(challengers, c => Assert.False(mute.AnswersChallengeFrom(c)));

        var partial = new ByzantineBehaviour(ByzantineMode.PartialMute, identity);
        Assert.Equal([true, false, true, false], challengers.Select(partial.AnswersChallengeFrom));
        // A challenger that asks again gets the same treatment: retries do not let it through.
        Assert.Equal([false, true], new[] { challengers[1], challengers[2] }.Select(partial.AnswersChallengeFrom));

        foreach (var mode in Enum.GetValues<ByzantineMode>().Where(m => m is not ByzantineMode.Mute and not ByzantineMode.PartialMute))
            Assert.All(challengers, c => Assert.True(new ByzantineBehaviour(mode, identity).AnswersChallengeFrom(c)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("approve_all")]
    [InlineData("evil")]
    [InlineData(null)]
    public void Unknown_mode_names_do_not_parse(string? name) => Assert.False(ByzantineModes.TryParse(name, out _));

    [Fact]
    public void Each_mode_sends_what_it_promises_given_an_honest_rejection()
    {
        using var validators = new Validators(4);
        var registry = validators.Registry;
        var honest = validators.Reject(0, "profanity");
        IReadOnlyList<Vote> Respond(ByzantineMode mode) => new ByzantineBehaviour(mode, validators[0]).Respond(honest, validators.Set.Hash);

        Assert.Equal([honest], Respond(ByzantineMode.Honest));
        Assert.Equal([honest], Respond(ByzantineMode.Overpowered));
        Assert.Empty(Respond(ByzantineMode.Silent));
        Assert.Equal([honest], Respond(ByzantineMode.RejectAll));
        var approval = Assert.Single(Respond(ByzantineMode.ApproveAll));
        Assert.True(approval.Approve);
        Assert.True(registry.IsValidVote(approval));
        var pair = Respond(ByzantineMode.Equivocate);
        Assert.Equal(2, pair.Count);
        Assert.True(new EquivocationEvidence(pair[0], pair[1]).Verify(registry));
        var forged = Assert.Single(Respond(ByzantineMode.ForgeSignatures));
        Assert.True(forged.Approve);
        Assert.False(registry.IsValidVote(forged));
    }

    [Fact]
    public void Each_mode_answers_a_batch_of_verdicts_per_statement_with_votes_that_check_out_alone()
    {
        using var validators = new Validators(4);
        var registry = validators.Registry;
        IReadOnlyList<VoteStatement> honest =
        [
            new(Validators.ContentId, validators.Epoch, validators.Set.Hash, true, []),
            new(Validators.OtherContentId, validators.Epoch, validators.Set.Hash, false, ["profanity"]),
            new(new string('7', 64), validators.Epoch, validators.Set.Hash, true, []),
        ];
        IReadOnlyList<IReadOnlyList<Vote>> Respond(ByzantineMode mode) => new ByzantineBehaviour(mode, validators[0]).RespondAll(honest);

        foreach (var mode in new[] { ByzantineMode.Honest, ByzantineMode.Overpowered, ByzantineMode.Slow })
        {
            var votes = Respond(mode);
            Assert.Equal(honest.Select(h => (h.ContentId, h.Approve)), votes.Select(v => (Assert.Single(v).ContentId, v[0].Approve)));
            Assert.All(votes, v => Assert.True(registry.IsValidVote(v[0])));
            Assert.All(votes, v => Assert.NotNull(v[0].Branch));
        }
        Assert.All(Respond(ByzantineMode.Silent), Assert.Empty);
        Assert.All(Respond(ByzantineMode.ApproveAll), v => Assert.True(Assert.Single(v).Approve && registry.IsValidVote(v[0])));
        Assert.All(Respond(ByzantineMode.RejectAll), v => Assert.True(!Assert.Single(v).Approve && registry.IsValidVote(v[0])));
        Assert.All(Respond(ByzantineMode.Equivocate), pair =>
        {
            Assert.Equal(2, pair.Count);
            Assert.True(new EquivocationEvidence(pair[0], pair[1]).Verify(registry));
        });
        Assert.All(Respond(ByzantineMode.ForgeSignatures), v => Assert.False(registry.IsValidVote(Assert.Single(v))));
    }

    [Fact]
    public void A_replaying_validator_answers_with_a_vote_it_signed_for_other_content()
    {
        using var validators = new Validators(4);
        var replay = new ByzantineBehaviour(ByzantineMode.Replay, validators[1]);
        Assert.Empty(replay.Respond(validators.Reject(1, "profanity"), validators.Set.Hash));
        var other = validators[1].Vote(Validators.OtherContentId, validators.Set, false, []);
        var replayed = Assert.Single(replay.Respond(other, validators.Set.Hash));
        Assert.Equal(Validators.ContentId, replayed.ContentId);
        Assert.Equal(VoteDisposition.OtherContent, VoteTally.Start(Validators.OtherContentId, validators.Epoch, validators.Registry).Add(replayed).Disposition);
    }

    [Fact]
    public void Overpowered_content_keeps_a_correct_id_and_breaks_the_balance_rules()
    {
        var item = Content.Generation.ContentFactory.Generate(ContentType.Item, new Dictionary<string, string>(), 3);
        var boosted = ByzantineBehaviour.Overpower(item);
        Assert.True(ContentJson.HasValidId(boosted));
        Assert.NotEqual(item.Id, boosted.Id);
        Assert.True(Content.Validation.ContentValidator.Validate(item).IsValid);
        Assert.Contains(Content.Validation.ContentValidator.Validate(boosted).Rules, r => r.StartsWith("balance.", StringComparison.Ordinal));
    }
}

public sealed class TokenBucketTests
{
    [Fact]
    public void A_bucket_serves_its_burst_then_refills_at_its_rate()
    {
        var second = System.Diagnostics.Stopwatch.Frequency;
        var bucket = new TokenBucket(perSecond: 2, burst: 3, nowTicks: 0);
        Assert.True(bucket.TryTake(0));
        Assert.True(bucket.TryTake(0));
        Assert.True(bucket.TryTake(0));
        Assert.False(bucket.TryTake(0));
        Assert.True(bucket.TryTake(second / 2));
        Assert.False(bucket.TryTake(second / 2));
        // Never more than the burst, however long it rested.
        Assert.True(bucket.TryTake(100 * second));
        Assert.True(bucket.TryTake(100 * second));
        Assert.True(bucket.TryTake(100 * second));
        Assert.False(bucket.TryTake(100 * second));
    }
}
