using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// The mechanisms that make admitting a pushed catalog header cheaper (issue 13, sharing throughput), each with the
/// check it must not weaken: a cheaper path still refuses what the full check refuses.
/// </summary>
public sealed class AdmissionCostTests : IDisposable
{
    private const string Holder = "akka.tcp://p2pactors@127.0.0.1:4053";

    private readonly Validators _validators = new(4);

    public void Dispose() => _validators.Dispose();

    private static string ContentId(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static EntryHeader Header(int i) => new(ContentType.Item, $"Blade {i}", "alice", 1_764_000_000_000 + i, Holder);

    private VoteStatement[] Statements(int count) => Enumerable.Range(0, count)
        .Select(i => new VoteStatement(ContentId(i), _validators.Epoch, _validators.Set.Hash, true, [], Header(i).Digest(ContentId(i))))
        .ToArray();

    private Certificate Certify(IReadOnlyList<IReadOnlyList<Vote>> batches, int item) =>
        new(ContentId(item), _validators.Epoch, _validators.Set.Hash, batches.Select(b => b[item]).ToList());

    private static CatalogHeader Entry(int item, Certificate certificate)
    {
        var h = Header(item);
        return new CatalogHeader(ContentId(item), h.Type, h.Name, h.Author, h.CreatedMs, h.Holder, certificate.ToProof());
    }

    [Fact]
    public void A_nodes_own_batch_signature_is_in_its_cache_once_signed_so_its_own_votes_cost_no_signature_check()
    {
        var statements = Statements(6);
        var cache = new VerifiedSignatureCache();
        // Validator 0 is this node: it signs through its cache; 1 and 2 are peers whose batches this node has not seen.
        var batches = new[] { _validators[0].SignBatch(statements, cache), _validators[1].SignBatch(statements), _validators[2].SignBatch(statements) };
        Assert.Equal(1, cache.Count);

        Assert.True(CertificateVerifier.Verify(Certify(batches, 0), ContentId(0), _validators.Registry, cache, Header(0).Digest(ContentId(0))).IsValid);
        // The two peers' signatures were checked; this node's own was found.
        Assert.Equal(2, cache.Misses);
        Assert.Equal(1, cache.Hits);

        // Without it (the failure this prevents), the node's own signature was one more Ed25519 check.
        var before = new VerifiedSignatureCache();
        Assert.True(CertificateVerifier.Verify(Certify(batches, 0), ContentId(0), _validators.Registry, before, Header(0).Digest(ContentId(0))).IsValid);
        Assert.Equal(3, before.Misses);
    }

    [Fact]
    public void A_remembered_own_signature_vouches_only_for_the_exact_statements_it_signed()
    {
        var statements = Statements(6);
        var cache = new VerifiedSignatureCache();
        var own = _validators[0].SignBatch(statements, cache);
        var digest = Header(1).Digest(ContentId(1));
        bool Verifies(Vote vote) => vote.VerifySignature(_validators.Registry.TryGetKey(vote.ValidatorId, out var key) ? key! : throw new InvalidOperationException(), _validators.Set.Hash, cache);

        Assert.True(Verifies(own[1]));
        // The same signature and branch under a changed statement leads to another root: no hit, and Ed25519 refuses it.
        Assert.False(Verifies(own[1] with { Approve = false, Rules = ["profanity"] }));
        Assert.False(Verifies(own[1] with { ContentId = ContentId(9) }));
        Assert.False(Verifies(own[1] with { HeaderDigest = Header(2).Digest(ContentId(1)) }));
        Assert.False(Verifies(own[1] with { Branch = own[2].Branch }));
        // Another validator claiming this node's batch: the signed message names this node, so it differs; and the
        // cache answers only for the key it holds the signature under.
        Assert.False(Verifies(own[1] with { ValidatorId = _validators[1].ValidatorId }));
        Assert.True(own[1].IsForHeader(digest));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void An_honest_validator_enters_what_it_signs_into_the_cache_it_was_given()
    {
        var statements = Statements(5);
        var cache = new VerifiedSignatureCache();
        var responses = new ByzantineBehaviour(ByzantineMode.Honest, _validators[3], cache).RespondAll(statements);
        Assert.Equal(5, responses.Count);
        Assert.Equal(1, cache.Count);
        Assert.True(responses[4][0].VerifySignature(_validators.Registry.TryGetKey(_validators[3].ValidatorId, out var key) ? key! : throw new InvalidOperationException(), _validators.Set.Hash, cache));
        Assert.Equal(1, cache.Hits);
        Assert.Equal(0, cache.Misses);
    }
    private PublicKey Key(int index) =>
        _validators.Registry.TryGetKey(_validators[index].ValidatorId, out var key) ? key : throw new InvalidOperationException();

    [Fact]
    public void The_allocation_free_check_of_a_batched_vote_agrees_with_the_array_one_on_honest_and_tampered_votes()
    {
        // Statements of every shape: header-bound approvals and rejections with rules, and a v2 one without a header.
        var statements = Statements(5).Select((st, i) => i switch
        {
            1 => st with { Approve = false, Rules = ["profanity", "balance.item.stat-cap"] },
            3 => st with { HeaderDigest = null },
            _ => st,
        }).ToArray();
        var votes = _validators[1].SignBatch(statements);
        var tampered = votes.SelectMany(v => new[]
        {
            v, v with { Approve = !v.Approve }, v with { Rules = [.. v.Rules, "x"] }, v with { Epoch = v.Epoch + 1 },
            v with { HeaderDigest = v.HeaderDigest is null ? new byte[32] : null }, v with { Branch = votes[(v.Branch!.Index + 1) % votes.Count].Branch },
            v with { Signature = RandomNumberGenerator.GetBytes(64) },
        }).ToArray();
        var cache = new VerifiedSignatureCache();
        foreach (var vote in tampered)
        {
            // With a cache the statement and signed message are written on the scratch writer; without, into arrays.
            var scratch = vote.VerifySignature(Key(1), _validators.Set.Hash, cache);
            var arrays = vote.VerifySignature(Key(1), _validators.Set.Hash);
            Assert.Equal(arrays, scratch);
            Assert.Equal(votes.Contains(vote), scratch);
            // What the scratch path remembered is keyed by exactly the array path's bytes.
            if (scratch)
                Assert.True(cache.Verify(Key(1), vote.SignatureMessage(_validators.Set.Hash)!, vote.Signature));
        }
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_forged_signature_on_an_honest_root_is_checked_every_time_and_never_remembered()
    {
        var votes = _validators[2].SignBatch(Statements(4));
        var cache = new VerifiedSignatureCache();
        // The Byzantine copy shares the honest vote's statement, branch and so its signed message: only the signature differs.
        var forged = votes[0] with { Signature = RandomNumberGenerator.GetBytes(64) };
        Assert.False(forged.VerifySignature(Key(2), _validators.Set.Hash, cache));
        Assert.Equal(0, cache.Count);
        Assert.True(votes[0].VerifySignature(Key(2), _validators.Set.Hash, cache));
        Assert.False(forged.VerifySignature(Key(2), _validators.Set.Hash, cache));
        // The honest signature under another validator's key: the message is the same bytes, the signer is not.
        Assert.False(votes[1].VerifySignature(Key(3), _validators.Set.Hash, cache));
        Assert.True(votes[1].VerifySignature(Key(2), _validators.Set.Hash, cache));
        Assert.Equal(1, cache.Count);
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public void The_header_digest_on_the_scratch_writer_is_the_canonical_one_and_survives_interleaved_use()
    {
        var h = Header(7);
        var expected = SHA256.HashData(new CanonicalWriter(EntryHeader.Domain)
            .String(ContentId(7)).String(ContentTypes.WireName(h.Type)).String(h.Name).String(h.Author).Int64(h.CreatedMs).String(h.Holder)
            .ToArray());
        Assert.Equal(expected, h.Digest(ContentId(7)));
        // A vote check in between reuses the thread's scratch writer; the next digest starts clean.
        Assert.True(_validators[0].SignBatch(Statements(3))[2].VerifySignature(Key(0), _validators.Set.Hash, new VerifiedSignatureCache()));
        Assert.Equal(expected, h.Digest(ContentId(7)));
        Assert.NotEqual(expected, (h with { Name = "Blade 8" }).Digest(ContentId(7)));
    }

    [Fact]
    public void A_proof_keeps_its_exact_bytes_across_the_wire_whitespace_and_escapes_included()
    {
        const string proof = "{ \"a\" : \"caf\\u00e9 \u00e9\",\n \"b\":[1, 2.50] }";
        var json = $$"""{"id":"x","type":"item","name":"n","author":"a","createdMs":1,"holder":"h","certificate":{{proof}}}""";
        var header = JsonSerializer.Deserialize<CatalogHeader>(json, P2PJsonSerializer.ValueOptions)!;
        Assert.Equal(Encoding.UTF8.GetBytes(proof), header.Certificate!.Utf8Json.ToArray());
        Assert.Contains(proof, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(header, P2PJsonSerializer.ValueOptions)));
    }

    [Fact]
    public void Headers_read_off_the_wire_are_admitted_only_when_certificate_header_and_branch_all_hold()
    {
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry });
        var statements = Statements(4);
        var batches = Enumerable.Range(0, 3).Select(v => _validators[v].SignBatch(statements)).ToArray();
        var honest = Enumerable.Range(0, 4).Select(i => Entry(i, Certify(batches, i))).ToArray();
        var swappedBranch = Certify(batches, 1) with
        {
            Approvals = [Certify(batches, 1).Approvals[0] with { Branch = batches[0][2].Branch }, .. Certify(batches, 1).Approvals.Skip(1)],
        };
        var pushed = new CatalogHeader[]
        {
            honest[0],
            honest[1] with { Name = "Blade 1 of Doom" },                    // rewritten header under a genuine certificate
            Entry(1, swappedBranch),                                        // a sibling's Merkle branch
            Entry(2, Certify(batches, 2) with { Approvals = [.. Certify(batches, 2).Approvals.Take(2), batches[2][2] with { Signature = RandomNumberGenerator.GetBytes(64) }] }),
            Entry(3, Certify(batches, 3) with { Approvals = [.. Certify(batches, 3).Approvals.Take(2)] }), // below the quorum
            honest[2],
            honest[3],
        };
        var wire = JsonSerializer.SerializeToUtf8Bytes(new CatalogBatch(pushed), P2PJsonSerializer.ValueOptions);
        var received = JsonSerializer.Deserialize<CatalogBatch>(wire, P2PJsonSerializer.ValueOptions)!;
        var admission = new CertificateAdmission(snapshot);
        Assert.Equal([true, false, false, false, false, true, true], received.Headers.Select(admission.Admit).ToArray());
        // Once the honest ones are remembered, the same forgeries are still refused.
        Assert.Equal([true, false, false, false, false, true, true], received.Headers.Select(admission.Admit).ToArray());
    }
    [Fact]
    public void Admission_remembers_at_most_its_bound_of_admitted_headers_and_never_a_refused_one()
    {
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry });
        var statements = Statements(5);
        var batches = Enumerable.Range(0, 3).Select(v => _validators[v].SignBatch(statements)).ToArray();
        var admission = new CertificateAdmission(snapshot) { MaxRemembered = 2 };
        Assert.False(admission.Admit(Entry(0, Certify(batches, 0)) with { Author = "mallory" }));
        Assert.Equal(0, admission.Remembered);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(admission.Admit(Entry(i, Certify(batches, i))));
            Assert.InRange(admission.Remembered, 1, 2);
        }
        // A remembered header is admitted again without a check; a forgery under it is still checked and refused.
        Assert.True(admission.Admit(Entry(4, Certify(batches, 4))));
        Assert.False(admission.Admit(Entry(4, Certify(batches, 4)) with { Name = "Blade 4 of Doom" }));
    }

    [Fact]
    public void A_certificate_of_garbage_signatures_costs_only_the_checks_that_could_still_reach_the_threshold()
    {
        // Prevents: a forged certificate (garbage signatures from every member) costing every honest node one Ed25519
        // check per member, more than an honest certificate costs.
        var statements = Statements(2);
        var batches = Enumerable.Range(0, 4).Select(v => _validators[v].SignBatch(statements)).ToArray();
        var forged = new Certificate(ContentId(0), _validators.Epoch, _validators.Set.Hash,
            [.. batches.Select(b => b[0] with { Signature = RandomNumberGenerator.GetBytes(64) })]);
        var cache = new VerifiedSignatureCache();

        var check = CertificateVerifier.Verify(forged, ContentId(0), _validators.Registry, cache, Header(0).Digest(ContentId(0)));

        Assert.False(check.IsValid);
        Assert.Contains(CertificateVerifier.BadSignature, check.Problems);
        Assert.Contains(CertificateVerifier.TooFewApprovals, check.Problems);
        // 4 validators, threshold 3: after two bad votes the other two cannot make it.
        Assert.Equal(4 - _validators.Set.Threshold + 1, cache.Misses);

        // A bad vote first and the threshold's worth of good ones after it: every vote is still looked at (the good
        // ones could make the threshold), and the certificate is refused for the bad one alone.
        var before = cache.Misses;
        var oneBad = new Certificate(ContentId(1), _validators.Epoch, _validators.Set.Hash,
            [batches[0][1] with { Signature = RandomNumberGenerator.GetBytes(64) }, batches[1][1], batches[2][1], batches[3][1]]);
        var oneBadCheck = CertificateVerifier.Verify(oneBad, ContentId(1), _validators.Registry, cache, Header(1).Digest(ContentId(1)));
        Assert.Equal([CertificateVerifier.BadSignature], oneBadCheck.Problems);
        Assert.Equal(4, cache.Misses - before);
    }

    [Fact]
    public void A_refused_header_is_not_checked_again_until_the_registry_changes_and_then_may_be_admitted()
    {
        // Prevents: a forged entry in the replicated catalog costing its signature checks again on every look (and a
        // refusal outliving the registry it was made under: a set learnt later must make the entry admissible).
        var statements = Statements(2);
        var batches = Enumerable.Range(0, 3).Select(v => _validators[v].SignBatch(statements)).ToArray();
        var forged = Entry(0, new Certificate(ContentId(0), _validators.Epoch, _validators.Set.Hash,
            [.. batches.Select(b => b[0] with { Signature = RandomNumberGenerator.GetBytes(64) })]));
        var honest = Entry(1, Certify(batches, 1));
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry });
        var cache = new VerifiedSignatureCache();
        var admission = new CertificateAdmission(snapshot, cache);

        Assert.False(admission.Admit(forged));
        var checks = cache.Misses;
        Assert.True(checks > 0);
        Assert.False(admission.Admit(forged));
        Assert.False(admission.Admit(forged with { }));
        Assert.Equal(checks, cache.Misses);
        Assert.Equal(3, admission.Refused);

        // A registry of equal content but another instance: the refusal is not trusted, the header is checked again.
        snapshot.Publish(ConsensusView.Empty with { Registry = ValidatorRegistry.Empty.With(_validators.Set) });
        Assert.False(admission.Admit(forged));
        Assert.True(cache.Misses > checks);

        // Refused while the registry did not know the set; admitted once it does.
        snapshot.Publish(ConsensusView.Empty with { Registry = ValidatorRegistry.Empty });
        Assert.False(admission.Admit(honest));
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry });
        Assert.True(admission.Admit(honest));
    }
}
