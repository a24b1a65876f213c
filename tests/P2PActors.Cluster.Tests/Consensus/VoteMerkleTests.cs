using CsCheck;
using NSec.Cryptography;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class VoteMerkleTests : IDisposable
{
    private readonly Validators _validators = new(4);

    public void Dispose() => _validators.Dispose();

    private PublicKey Key(int index)
    {
        Assert.True(_validators.Registry.TryGetKey(_validators[index].ValidatorId, out var key));
        return key;
    }

    private static string ContentId(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private VoteStatement[] Statements(int count, int salt = 0) => Enumerable.Range(0, count)
        .Select(i => new VoteStatement(ContentId(salt * 100_000 + i), _validators.Epoch, _validators.Set.Hash, i % 3 != 0, i % 3 != 0 ? [] : ["profanity", $"rule.{i}"]))
        .ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Every_vote_of_a_batch_verifies_alone_with_and_without_a_cache(int size)
    {
        var statements = Statements(size);
        var votes = _validators[0].SignBatch(statements);
        Assert.Equal(size, votes.Count);
        var cache = new VerifiedSignatureCache();
        for (var i = 0; i < size; i++)
        {
            var vote = votes[i];
            Assert.Equal(statements[i].ContentId, vote.ContentId);
            Assert.Equal(statements[i].Approve, vote.Approve);
            Assert.Equal(statements[i].Rules, vote.Rules);
            Assert.Equal(_validators[0].ValidatorId, vote.ValidatorId);
            Assert.True(vote.IsWellFormed);
            Assert.True(_validators.Registry.IsValidVote(vote), $"vote {i} of {size} did not verify");
            Assert.True(vote.VerifySignature(Key(0), _validators.Set.Hash, cache), $"vote {i} of {size} did not verify through the cache");
        }
        if (size == 1)
        {
            Assert.Null(votes[0].Branch);
            return;
        }
        // One signature for the whole batch: one Ed25519 check, every other vote a cache hit.
        Assert.All(votes, v => Assert.Equal(votes[0].Signature, v.Signature));
        Assert.Equal(1, cache.Misses);
        Assert.Equal(size - 1, cache.Hits);
        Assert.Equal(1, cache.Count);
        Assert.All(votes, v => Assert.Equal(size, v.Branch!.Count));
        Assert.Equal(Enumerable.Range(0, size), votes.Select(v => v.Branch!.Index));
    }

    [Fact]
    public void The_tree_shape_carries_an_odd_node_up_instead_of_duplicating_it()
    {
        Assert.Equal(0, VoteMerkle.PathLength(0, 1));
        Assert.Equal(1, VoteMerkle.PathLength(0, 2));
        Assert.Equal(2, VoteMerkle.PathLength(0, 3));
        Assert.Equal(1, VoteMerkle.PathLength(2, 3));   // carried at level 0, paired at level 1
        Assert.Equal(1, VoteMerkle.PathLength(4, 5));   // carried twice
        Assert.Equal(3, VoteMerkle.PathLength(3, 5));
        Assert.Equal(12, VoteMerkle.PathLength(0, VoteMerkle.MaxLeaves));
        Assert.Equal(-1, VoteMerkle.PathLength(3, 3));
        Assert.Equal(-1, VoteMerkle.PathLength(-1, 3));
        Assert.Equal(-1, VoteMerkle.PathLength(0, 0));
        Assert.Equal(-1, VoteMerkle.PathLength(0, VoteMerkle.MaxLeaves + 1));

        // [a, b, c] and [a, b, c, c] must not share a root (the duplicate-last-leaf ambiguity).
        var statements = Statements(3);
        var three = _validators[0].SignBatch(statements);
        var four = _validators[0].SignBatch([.. statements, statements[2]]);
        Assert.NotEqual(Convert.ToHexString(three[0].SignatureMessage(_validators.Set.Hash)!), Convert.ToHexString(four[0].SignatureMessage(_validators.Set.Hash)!));
    }

    [Fact]
    public void The_signed_format_is_the_documented_one()
    {
        static byte[] H(params byte[][] parts) => System.Security.Cryptography.SHA256.HashData(parts.SelectMany(p => p).ToArray());
        static byte[] Field(byte[] value) => [.. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value.Length)), .. value];
        var votes = _validators[0].SignBatch(Statements(3));
        var leaves = votes.Select(v => H([0x00], v.SignedBytes(_validators.Set.Hash))).ToArray();
        var root = H([0x01], H([0x01], leaves[0], leaves[1]), leaves[2]);
        byte[] message =
        [
            .. Field(System.Text.Encoding.UTF8.GetBytes("P2PActors/vote-batch/v1")),
            .. Field(System.Text.Encoding.UTF8.GetBytes(_validators[0].ValidatorId)),
            .. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(3)),
            .. Field(root),
        ];
        Assert.Equal("P2PActors/vote-batch/v1", VoteMerkle.Domain);
        Assert.All(votes, v => Assert.Equal(message, v.SignatureMessage(_validators.Set.Hash)));
        Assert.True(ValidatorKeys.Verify(Key(0), message, votes[0].Signature));
        Assert.Equal([leaves[1], leaves[2]], votes[0].Branch!.Siblings);
        Assert.Equal([leaves[0], leaves[2]], votes[1].Branch!.Siblings);
        Assert.Equal([H([0x01], leaves[0], leaves[1])], votes[2].Branch!.Siblings);
    }

    [Fact]
    public void Changing_any_field_of_a_batched_vote_breaks_it()
    {
        var votes = _validators[1].SignBatch(Statements(5));
        var vote = votes[3];
        var branch = vote.Branch!;
        var key = Key(1);
        Assert.True(vote.VerifySignature(key, _validators.Set.Hash));

        var flippedSibling = branch.Siblings.Select(s => s.ToArray()).ToList();
        flippedSibling[0][5] ^= 0x20;
        var signature = vote.Signature.ToArray();
        signature[40] ^= 0x01;
        var foreign = _validators[2].SignBatch(Statements(5))[3];
        Vote[] tampered =
        [
            vote with { ContentId = Validators.OtherContentId },
            vote with { Epoch = vote.Epoch + 1 },
            vote with { Approve = !vote.Approve },
            vote with { Rules = [.. vote.Rules, "map.size"] },
            vote with { Rules = [] },
            vote with { ValidatorId = _validators[2].ValidatorId },
            vote with { Branch = branch with { Index = 2 } },
            vote with { Branch = branch with { Index = 1 } },
            vote with { Branch = branch with { Count = 6 } },
            vote with { Branch = branch with { Count = 4 } },
            vote with { Branch = branch with { Siblings = flippedSibling } },
            vote with { Signature = signature },
            vote with { Branch = votes[2].Branch },
            vote with { Branch = votes[4].Branch },
            vote with { Branch = foreign.Branch },
            vote with { Signature = foreign.Signature },
            vote with { Branch = foreign.Branch, Signature = foreign.Signature },
            vote with { Branch = null },
        ];
        var cache = new VerifiedSignatureCache();
        Assert.True(vote.VerifySignature(key, _validators.Set.Hash, cache));
        foreach (var forged in tampered)
        {
            Assert.False(forged.VerifySignature(key, _validators.Set.Hash), $"{forged} still verified");
            Assert.False(forged.VerifySignature(key, _validators.Set.Hash, cache), $"{forged} still verified through the cache");
            Assert.False(_validators.Registry.IsValidVote(forged, cache));
        }
        Assert.True(vote.VerifySignature(key, _validators.Set.Hash, cache));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Malformed_branches_fail_without_throwing()
    {
        var votes = _validators[0].SignBatch(Statements(6));
        var vote = votes[1];
        var branch = vote.Branch!;
        VoteBranch[] malformed =
        [
            branch with { Siblings = null! },
            branch with { Siblings = [] },
            branch with { Siblings = [.. branch.Siblings, new byte[32]] },
            branch with { Siblings = branch.Siblings.Take(branch.Siblings.Count - 1).ToList() },
            branch with { Siblings = [null!, .. branch.Siblings.Skip(1)] },
            branch with { Siblings = [branch.Siblings[0][..31], .. branch.Siblings.Skip(1)] },
            branch with { Siblings = [[.. branch.Siblings[0], 0], .. branch.Siblings.Skip(1)] },
            branch with { Index = -1 },
            branch with { Index = 6 },
            branch with { Index = int.MaxValue },
            branch with { Count = 0 },
            branch with { Count = -6 },
            branch with { Count = VoteMerkle.MaxLeaves + 1 },
            branch with { Count = int.MaxValue, Index = int.MaxValue - 1 },
            branch with { Count = int.MaxValue, Siblings = Enumerable.Range(0, 31).Select(_ => new byte[32]).ToList() },
            new VoteBranch(0, 2, Enumerable.Range(0, 100_000).Select(_ => new byte[32]).ToList()),
        ];
        var cache = new VerifiedSignatureCache();
        foreach (var bad in malformed)
        {
            var forged = vote with { Branch = bad };
            Assert.False(bad.IsWellFormed);
            Assert.False(forged.IsWellFormed);
            Assert.Null(forged.SignatureMessage(_validators.Set.Hash));
            Assert.False(forged.VerifySignature(Key(0), _validators.Set.Hash));
            Assert.False(forged.VerifySignature(Key(0), _validators.Set.Hash, cache));
            Assert.False(_validators.Registry.IsValidVote(forged));
            Assert.False(VoteMerkle.TryComputeRoot(new byte[32], bad, new byte[32]));
        }
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_cached_root_never_validates_a_vote_with_another_signature_or_key()
    {
        var votes = _validators[0].SignBatch(Statements(4));
        var cache = new VerifiedSignatureCache();
        Assert.True(votes[0].VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.Equal(1, cache.Count);

        // The same root and branch with any other signature: not a hit, and Ed25519 refuses it.
        var bytes = votes[1].Signature.ToArray();
        bytes[0] ^= 0x80;
        Assert.False((votes[1] with { Signature = bytes }).VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.False((votes[1] with { Signature = new byte[64] }).VerifySignature(Key(0), _validators.Set.Hash, cache));
        // Another validator's signature over a message naming this validator and root: a miss, then refused.
        Assert.False((votes[1] with { Signature = _validators[1].Sign(votes[1].SignatureMessage(_validators.Set.Hash)!) }).VerifySignature(Key(0), _validators.Set.Hash, cache));
        // The cached triple presented under another validator's key is not a hit either.
        Assert.False(votes[1].VerifySignature(Key(1), _validators.Set.Hash, cache));
        // A failure is never remembered as a success.
        Assert.Equal(1, cache.Count);

        var hits = cache.Hits;
        Assert.True(votes[1].VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.Equal(hits + 1, cache.Hits);
        // Another import of the same public key is the same signer.
        Assert.True(ValidatorKeys.TryParse(_validators[0].ValidatorId, out var sameKey));
        Assert.True(votes[2].VerifySignature(sameKey, _validators.Set.Hash, cache));
        Assert.Equal(hits + 2, cache.Hits);
    }

    [Fact]
    public void A_full_cache_forgets_the_oldest_roots_and_still_verifies_by_signature()
    {
        var cache = new VerifiedSignatureCache(capacity: 3);
        var batches = Enumerable.Range(0, 5).Select(b => _validators[0].SignBatch(Statements(2, salt: b))).ToList();
        foreach (var batch in batches)
            Assert.True(batch[0].VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.Equal(3, cache.Count);
        var misses = cache.Misses;
        Assert.True(batches[0][1].VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.Equal(misses + 1, cache.Misses);
        Assert.True(batches[4][1].VerifySignature(Key(0), _validators.Set.Hash, cache));
        Assert.Equal(misses + 1, cache.Misses);
    }

    [Fact]
    public void A_concurrently_used_cache_stays_bounded_and_correct()
    {
        var cache = new VerifiedSignatureCache(capacity: 8);
        var batches = Enumerable.Range(0, 24).Select(b => _validators[b % 4].SignBatch(Statements(3, salt: b))).ToList();
        var keys = Enumerable.Range(0, 4).Select(Key).ToArray();
        var failures = 0;
        Parallel.For(0, 24 * 3 * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var b = i / 12 % 24;
            var vote = batches[b][i % 3];
            if (!vote.VerifySignature(keys[b % 4], _validators.Set.Hash, cache) || vote.VerifySignature(keys[(b + 1) % 4], _validators.Set.Hash, cache))
                Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
        Assert.InRange(cache.Count, 1, 8);
    }

    [Fact]
    public void Plain_votes_still_verify_and_never_enter_the_cache()
    {
        var cache = new VerifiedSignatureCache();
        var vote = _validators.Reject(2, "profanity");
        Assert.Null(vote.Branch);
        Assert.True(vote.VerifySignature(Key(2), _validators.Set.Hash, cache));
        Assert.Equal(vote.SignedBytes(_validators.Set.Hash), vote.SignatureMessage(_validators.Set.Hash));
        Assert.False((vote with { Approve = true }).VerifySignature(Key(2), _validators.Set.Hash, cache));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_same_statement_in_another_batch_or_alone_is_a_redelivery_not_equivocation()
    {
        var statements = Statements(3);
        var first = _validators[3].SignBatch(statements)[1];
        var again = _validators[3].SignBatch([statements[2], statements[1]])[1];
        var alone = _validators[3].Vote(statements[1].ContentId, statements[1].Epoch, statements[1].SetHash, statements[1].Approve, statements[1].Rules);
        Assert.True(first.SameStatementAs(again));
        Assert.True(first.SameStatementAs(alone));
        Assert.NotEqual(first, again);
        Assert.False(new EquivocationEvidence(first, again).Verify(_validators.Registry));

        var tally = VoteTally.Start(first.ContentId, _validators.Epoch, _validators.Registry);
        tally = tally.Add(first).Tally;
        Assert.Equal(VoteDisposition.Duplicate, tally.Add(again).Disposition);
        Assert.Equal(VoteDisposition.Duplicate, tally.Add(alone).Disposition);
    }

    [Fact]
    public void Malformed_evidence_from_a_peer_is_refused_without_throwing()
    {
        var batch = _validators[3].SignBatch(Statements(2));
        var conflicting = _validators[3].SignBatch([new VoteStatement(batch[0].ContentId, _validators.Epoch, _validators.Set.Hash, !batch[0].Approve, ["x"]), Statements(2)[1]]);
        Assert.True(new EquivocationEvidence(batch[0], conflicting[0]).Verify(_validators.Registry));
        EquivocationEvidence[] malformed =
        [
            new(batch[0], conflicting[0] with { Rules = [null!] }),
            new(batch[0] with { Rules = null! }, conflicting[0]),
            new(batch[0], conflicting[0] with { Branch = conflicting[0].Branch! with { Siblings = null! } }),
            new(batch[0], conflicting[0] with { Branch = conflicting[0].Branch! with { Count = -1 } }),
            new(batch[0], null!),
        ];
        foreach (var evidence in malformed)
            Assert.False(evidence.Verify(_validators.Registry, new VerifiedSignatureCache()));
    }

    [Fact]
    public void Conflicting_batched_votes_make_evidence_anyone_can_recheck()
    {
        var approve = new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, true, []);
        var reject = new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, false, ["profanity"]);
        var first = _validators[3].SignBatch([approve, Statements(1)[0]])[0];
        var second = _validators[3].SignBatch([Statements(2, salt: 1)[0], reject, Statements(2, salt: 1)[1]])[1];
        var cache = new VerifiedSignatureCache();
        var step = _validators.Tally().Add(first, false, cache).Tally.Add(second, false, cache);
        Assert.Equal(VoteDisposition.Equivocation, step.Disposition);
        var evidence = Assert.Single(step.Tally.Evidence);
        Assert.True(evidence.Verify(_validators.Registry));
        Assert.True(evidence.Verify(_validators.Registry, new VerifiedSignatureCache()));
        Assert.False((evidence with { Second = second with { Branch = first.Branch } }).Verify(_validators.Registry));
    }

    [Fact]
    public void A_certificate_of_votes_from_three_batches_verifies()
    {
        var cache = new VerifiedSignatureCache();
        var tally = _validators.Tally();
        for (var v = 0; v < 3; v++)
        {
            var statements = Statements(7, salt: v).ToList();
            statements.Insert(v * 2, new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, true, []));
            var batch = _validators[v].SignBatch(statements);
            tally = tally.Add(batch[v * 2], false, cache).Tally;
        }
        var certificate = tally.Certificate;
        Assert.NotNull(certificate);
        Assert.All(certificate.Approvals, a => Assert.NotNull(a.Branch));
        Assert.Equal(3, certificate.Approvals.Select(a => a.ValidatorId).Distinct().Count());
        Assert.True(CertificateVerifier.Verify(certificate, Validators.ContentId, _validators.Registry).IsValid);
        var fresh = new VerifiedSignatureCache();
        Assert.True(CertificateVerifier.Verify(certificate, Validators.ContentId, _validators.Registry, fresh).IsValid);
        Assert.Equal(3, fresh.Misses);
        Assert.True(CertificateVerifier.Verify(certificate, Validators.ContentId, _validators.Registry, fresh).IsValid);
        Assert.Equal(3, fresh.Hits);

        var swapped = certificate with
        {
            Approvals = [certificate.Approvals[0] with { Branch = certificate.Approvals[1].Branch }, .. certificate.Approvals.Skip(1)],
        };
        var check = CertificateVerifier.Verify(swapped, Validators.ContentId, _validators.Registry, fresh);
        Assert.False(check.IsValid);
        Assert.Contains(CertificateVerifier.BadSignature, check.Problems);
    }

    [Fact]
    public void Admission_shares_verified_roots_across_the_certificates_of_one_batch()
    {
        var snapshot = new ConsensusSnapshot();
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry });
        var admission = new CertificateAdmission(snapshot);
        var statements = Enumerable.Range(0, 10).Select(i => new VoteStatement(ContentId(i), _validators.Epoch, _validators.Set.Hash, true, [])).ToArray();
        var batches = Enumerable.Range(0, 3).Select(v => _validators[v].SignBatch(statements)).ToArray();
        for (var i = 0; i < statements.Length; i++)
        {
            var certificate = new Certificate(statements[i].ContentId, _validators.Epoch, _validators.Set.Hash, batches.Select(b => b[i]).ToList());
            var header = new P2PActors.Cluster.State.CatalogHeader(statements[i].ContentId, P2PActors.Content.Model.ContentType.Item, "Blade", "a", 1, "h", certificate.ToProof());
            Assert.True(admission.Admit(header));
        }
        Assert.Equal(3, admission.Signatures.Misses);
        Assert.Equal(27, admission.Signatures.Hits);
        var forged = new Certificate(statements[0].ContentId, _validators.Epoch, _validators.Set.Hash,
            [batches[0][1] with { ContentId = statements[0].ContentId }, batches[1][0], batches[2][0]]);
        Assert.False(admission.Admit(new P2PActors.Cluster.State.CatalogHeader(statements[0].ContentId, P2PActors.Content.Model.ContentType.Item, "Blade", "a", 1, "h", forged.ToProof())));
    }

    [Fact]
    public void A_batch_spread_over_many_tallies_costs_one_signature_check()
    {
        var statements = Enumerable.Range(0, 8).Select(i => new VoteStatement(ContentId(i), _validators.Epoch, _validators.Set.Hash, true, [])).ToArray();
        var votes = _validators[1].SignBatch(statements);
        var cache = new VerifiedSignatureCache();
        for (var i = 0; i < votes.Count; i++)
        {
            var tally = VoteTally.Start(statements[i].ContentId, _validators.Epoch, _validators.Registry);
            Assert.Equal(VoteDisposition.OtherContent, tally.Add(votes[(i + 1) % votes.Count], false, cache).Disposition);
            Assert.Equal(VoteDisposition.BadSignature, tally.Add(votes[i] with { Approve = false }, false, cache).Disposition);
            Assert.Equal(VoteDisposition.BadSignature, tally.Add(votes[i] with { Branch = votes[(i + 1) % votes.Count].Branch }, false, cache).Disposition);
            Assert.Equal(VoteDisposition.Counted, tally.Add(votes[i], false, cache).Disposition);
        }
        Assert.Equal(1, cache.Count);
        Assert.Equal(votes.Count - 1, cache.Hits);
    }

    [Fact]
    public void Admission_uses_the_nodes_shared_cache_unless_given_one()
    {
        var snapshot = new ConsensusSnapshot();
        Assert.Same(snapshot.Signatures, new CertificateAdmission(snapshot).Signatures);
        var own = new VerifiedSignatureCache(16);
        Assert.Same(own, new CertificateAdmission(snapshot, own).Signatures);
        Assert.Throws<ArgumentNullException>(() => new CertificateAdmission(null!));
    }

    [Fact]
    public void More_than_the_largest_batch_is_signed_as_several_batches()
    {
        var statements = Statements(VoteMerkle.MaxLeaves + 1);
        var votes = _validators[0].SignBatch(statements);
        Assert.Equal(statements.Length, votes.Count);
        Assert.Equal(VoteMerkle.MaxLeaves, votes[0].Branch!.Count);
        Assert.Null(votes[^1].Branch);
        var cache = new VerifiedSignatureCache();
        Assert.All(votes, v => Assert.True(v.VerifySignature(Key(0), _validators.Set.Hash, cache)));
        // The first 4096 share one root (one Ed25519 check); the last is a plain vote, which never uses the cache.
        Assert.Equal(1, cache.Misses);
        Assert.Equal(VoteMerkle.MaxLeaves - 1, cache.Hits);
        Assert.Empty(_validators[0].SignBatch([]));
    }

    [Fact]
    public void Any_batch_verifies_vote_by_vote_and_no_single_byte_change_survives()
    {
        var key = Key(0);
        var genStatement = Gen.Select(Gen.Bool, Gen.Int[0, 3], Gen.Long[0, 5], (approve, rules, epoch) => (approve, rules, epoch));
        Gen.Select(genStatement.Array[2, 40], Gen.Int[0, int.MaxValue], Gen.Int[0, 31])
            .Sample((shape, pick, bit) =>
            {
                var statements = shape.Select((s, i) => new VoteStatement(ContentId(i), Epochs.LegacyLimit + s.epoch, _validators.Set.Hash, s.approve,
                    Enumerable.Range(0, s.rules).Select(r => $"rule.{r}").ToArray())).ToArray();
                var votes = _validators[0].SignBatch(statements);
                var cache = new VerifiedSignatureCache();
                if (!votes.All(v => v.VerifySignature(key, _validators.Set.Hash, cache)) || cache.Misses != 1)
                    return false;
                var vote = votes[pick % votes.Count];
                var branch = vote.Branch!;
                if (branch.Siblings.Count == 0)
                    return false;
                var siblings = branch.Siblings.Select(s => s.ToArray()).ToList();
                siblings[pick % siblings.Count][bit] ^= (byte)(1 << (pick % 8));
                var other = votes[(pick + 1) % votes.Count];
                return !(vote with { Branch = branch with { Siblings = siblings } }).VerifySignature(key, _validators.Set.Hash, cache) &&
                       !(vote with { Branch = other.Branch }).VerifySignature(key, _validators.Set.Hash, cache) &&
                       !(vote with { Epoch = vote.Epoch + 1 }).VerifySignature(key, _validators.Set.Hash, cache);
            }, iter: 200);
    }
}
