using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>Consensus records cross the network: they must bind to our serializer and survive a round trip intact.</summary>
public sealed class ConsensusSerializationTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("consensus-serialization",
        ConfigurationFactory.ParseString(SerializationSetup.Hocon + "\nakka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1")
            .WithFallback(DistributedData.DefaultConfig()));
    private readonly Validators _validators = new(4);

    public void Dispose()
    {
        _validators.Dispose();
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    private T RoundTrip<T>(T message) where T : IP2PMessage
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<P2PJsonSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Assert.IsType<T>(_system.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    [Fact]
    public void Votes_round_trip_and_still_verify()
    {
        var vote = _validators.Reject(1, "profanity", "map.spawn-unreachable");
        var copy = RoundTrip(vote);
        Assert.Equal(vote, copy);
        Assert.True(_validators.Registry.IsValidVote(copy));
    }

    [Fact]
    public void Certificates_round_trip_and_still_verify()
    {
        var certificate = _validators.Certify(3);
        var copy = RoundTrip(certificate);
        Assert.Equal(certificate, copy);
        Assert.True(CertificateVerifier.Verify(copy, Validators.ContentId, _validators.Registry).IsValid);
    }

    [Fact]
    public void Batched_votes_round_trip_with_their_branch_and_still_verify()
    {
        var statements = Enumerable.Range(0, 5)
            .Select(i => new VoteStatement(i == 3 ? Validators.ContentId : $"{i:x64}", _validators.Epoch, _validators.Set.Hash, i != 1, i == 1 ? ["profanity"] : []))
            .ToArray();
        var votes = _validators[2].SignBatch(statements);
        var cache = new VerifiedSignatureCache();
        foreach (var vote in votes)
        {
            var copy = RoundTrip(vote);
            Assert.Equal(vote, copy);
            Assert.NotNull(copy.Branch);
            Assert.Equal(vote.Branch, copy.Branch);
            Assert.Equal(vote.GetHashCode(), copy.GetHashCode());
            Assert.True(_validators.Registry.IsValidVote(copy));
            Assert.True(_validators.Registry.IsValidVote(copy, cache));
        }
        Assert.Equal(1, cache.Misses);
        Assert.NotEqual(votes[3], votes[3] with { Branch = votes[3].Branch! with { Siblings = votes[3].Branch!.Siblings.Reverse().ToList() } });
        Assert.NotEqual(votes[3], votes[3] with { Branch = null });
    }

    [Fact]
    public void A_certificate_of_batched_votes_round_trips_and_still_verifies()
    {
        var approval = new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, true, []);
        var other = new VoteStatement(Validators.OtherContentId, _validators.Epoch, _validators.Set.Hash, true, []);
        var tally = _validators.Tally();
        for (var i = 0; i < 3; i++)
            tally = tally.Add(_validators[i].SignBatch(i % 2 == 0 ? [approval, other] : [other, other with { Approve = false }, approval])[i % 2 == 0 ? 0 : 2]).Tally;
        var certificate = Assert.IsType<Certificate>(tally.Certificate);
        var copy = RoundTrip(certificate);
        Assert.Equal(certificate, copy);
        Assert.All(copy.Approvals, a => Assert.NotNull(a.Branch));
        Assert.True(CertificateVerifier.Verify(copy, Validators.ContentId, _validators.Registry).IsValid);
        Assert.True(CertificateVerifier.Verify(copy, Validators.ContentId, _validators.Registry, new VerifiedSignatureCache()).IsValid);
    }

    [Fact]
    public void Plain_votes_serialized_before_batches_existed_still_deserialize_and_verify()
    {
        var vote = _validators.Reject(1, "profanity");
        var serializer = (P2PJsonSerializer)_system.Serialization.FindSerializerFor(vote);
        var json = $$"""{"validatorId":"{{vote.ValidatorId}}","contentId":"{{vote.ContentId}}","epoch":{{vote.Epoch}},"approve":false,"rules":["profanity"],"signature":"{{Convert.ToBase64String(vote.Signature)}}"}""";
        var copy = Assert.IsType<Vote>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json), typeof(Vote).FullName!));
        Assert.Null(copy.Branch);
        Assert.Equal(vote, copy);
        Assert.True(_validators.Registry.IsValidVote(copy));
        // And a plain vote is written exactly as before: no branch property at all.
        Assert.DoesNotContain("branch", System.Text.Encoding.UTF8.GetString(serializer.ToBinary(vote)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_branch_with_a_malformed_sibling_deserializes_but_never_verifies()
    {
        var vote = _validators[0].SignBatch([new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, true, []), new VoteStatement(Validators.OtherContentId, _validators.Epoch, _validators.Set.Hash, true, [])])[0];
        var serializer = (P2PJsonSerializer)_system.Serialization.FindSerializerFor(vote);
        var json = System.Text.Encoding.UTF8.GetString(serializer.ToBinary(vote));
        var sibling = Convert.ToBase64String(vote.Branch!.Siblings[0]);
        foreach (var replacement in new[] { "\"AAAA\"", "null", $"\"{sibling}\",\"{sibling}\"" })
        {
            var forged = json.Replace($"\"{sibling}\"", replacement, StringComparison.Ordinal);
            Assert.NotEqual(json, forged);
            var copy = Assert.IsType<Vote>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(forged), typeof(Vote).FullName!));
            Assert.False(copy.IsWellFormed);
            Assert.False(_validators.Registry.IsValidVote(copy, new VerifiedSignatureCache()));
        }
    }

    [Fact]
    public void Validator_sets_round_trip_with_the_same_hash()
    {
        var copy = RoundTrip(_validators.Set);
        Assert.Equal(_validators.Set, copy);
        Assert.Equal(_validators.Set.Hash, copy.Hash);
        Assert.Equal(_validators.Set.Members, copy.Members);
    }

    [Fact]
    public void Equivocation_evidence_round_trips_and_still_proves_it()
    {
        var tally = _validators.Tally().Add(_validators.Approve(3)).Tally.Add(_validators.Reject(3, "profanity")).Tally;
        var copy = RoundTrip(Assert.Single(tally.Evidence));
        Assert.True(copy.Verify(_validators.Registry));
        Assert.Equal(_validators[3].ValidatorId, copy.ValidatorId);
    }

    private IReadOnlyList<IP2PMessage> ProtocolSamples()
    {
        var nonce = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var address = "akka.tcp://p2pactors@127.0.0.1:4053";
        return
        [
            _validators.Approve(0),
            _validators.Certify(3),
            _validators.Set,
            new EquivocationEvidence(_validators.Approve(3), _validators.Reject(3, "profanity")),
            new IdentityChallenge(nonce),
            new IdentityProof(_validators[0].ValidatorId, nonce, _validators[0].Sign(IdentityProofs.SignedBytes(nonce, address, 7))),
            new MemberProof(address, -7, _validators[0].ValidatorId, nonce, _validators[0].Sign(IdentityProofs.SignedBytes(nonce, address, -7))),
            new Proposal("""{"type":"item","name":"Blade é"}""", Validators.ContentId, _validators.Epoch, _validators.Set.Hash, address),
            new ProposalRefused(Validators.ContentId, _validators[1].ValidatorId, "rate-limited"),
            new ProposalBatch([
                new Proposal("""{"type":"item","name":"Blade é"}""", Validators.ContentId, _validators.Epoch, _validators.Set.Hash, address, 1_764_000_000_000,
                    new EntryHeader(Content.Model.ContentType.Item, "Blade é", "alice", 1_764_000_000_000, address)),
                new Proposal("{}", Validators.OtherContentId, _validators.Epoch, _validators.Set.Hash, address),
            ]),
            new VoteBatch(
                _validators[2].SignBatch([
                    new VoteStatement(Validators.ContentId, _validators.Epoch, _validators.Set.Hash, true, [], new byte[32]),
                    new VoteStatement(Validators.OtherContentId, _validators.Epoch, _validators.Set.Hash, false, ["profanity"], Enumerable.Repeat((byte)7, 32).ToArray()),
                ]),
                [new ProposalRefused(Validators.ContentId, _validators[2].ValidatorId, "proposal.expired")]),
            SetAttestation.Create(_validators.Set, _validators[2]),
            ValidatorBinding.Create(address, _validators[1]),
        ];
    }

    [Fact]
    public void Every_consensus_message_type_has_a_sample_and_round_trips()
    {
        var samples = ProtocolSamples();
        var types = typeof(Vote).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Vote).Namespace && typeof(IP2PMessage).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.FullName)
            .Order();
        Assert.Equal(types, samples.Select(s => s.GetType().FullName).Order());
        foreach (var sample in samples)
        {
            var serializer = _system.Serialization.FindSerializerFor(sample);
            Assert.IsType<P2PJsonSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
            Assert.Equal(sample, _system.Serialization.Deserialize(serializer.ToBinary(sample), serializer.Identifier, manifest));
        }
    }

    [Fact]
    public void Proofs_attestations_and_bindings_still_verify_after_a_round_trip()
    {
        var nonce = new byte[] { 9, 8, 7 };
        const string address = "akka.tcp://p2pactors@127.0.0.1:4100";
        var proof = RoundTrip(new IdentityProof(_validators[0].ValidatorId, nonce, _validators[0].Sign(IdentityProofs.SignedBytes(nonce, address, 7))));
        Assert.True(IdentityProofs.Verify(proof, nonce, address, 7));
        Assert.False(IdentityProofs.Verify(proof, nonce, address, 8));
        Assert.False(IdentityProofs.Verify(proof, nonce, "akka.tcp://p2pactors@127.0.0.1:4101", 7));
        Assert.False(IdentityProofs.Verify(proof, [9, 8, 6], address, 7));

        // A shared proof is checked by anyone from what it carries; changing whom it names breaks it.
        var shared = RoundTrip(new MemberProof(address, 7, proof.ValidatorId, proof.Nonce, proof.Signature));
        Assert.True(shared.Verify());
        Assert.False((shared with { Uid = 8 }).Verify());
        Assert.False((shared with { Address = "akka.tcp://p2pactors@127.0.0.1:4101" }).Verify());
        Assert.False((shared with { ValidatorId = _validators[1].ValidatorId }).Verify());
        Assert.False((shared with { ValidatorId = "not a key" }).Verify());
        Assert.False((shared with { Signature = null! }).Verify());

        var attestation = RoundTrip(SetAttestation.Create(_validators.Set, _validators[2]));
        Assert.True(_validators.Registry.TryGetKey(_validators[2].ValidatorId, out var key));
        Assert.True(attestation.VerifyWith(key));
        Assert.False((attestation with { ValidatorId = _validators[1].ValidatorId }).VerifyWith(key));

        var binding = RoundTrip(ValidatorBinding.Create(address, _validators[1]));
        Assert.True(binding.Verify());
        Assert.False((binding with { Address = "akka.tcp://p2pactors@10.0.0.1:4053" }).Verify());
    }

    [Fact]
    public void Replicated_consensus_sets_round_trip_inside_their_CRDTs()
    {
        IReplicatedData[] crdts =
        [
            GSet<SetAttestation>.Empty.Add(SetAttestation.Create(_validators.Set, _validators[0])).Add(SetAttestation.Create(_validators.Set, _validators[1])),
            GSet<ValidatorBinding>.Empty.Add(ValidatorBinding.Create("akka.tcp://p2pactors@127.0.0.1:4053", _validators[0])),
            GSet<EquivocationEvidence>.Empty.Add(new EquivocationEvidence(_validators.Approve(3), _validators.Reject(3, "profanity"))),
        ];
        foreach (var crdt in crdts)
        {
            var serializer = _system.Serialization.FindSerializerFor(crdt);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, crdt);
            Assert.Equal(crdt, _system.Serialization.Deserialize(serializer.ToBinary(crdt), serializer.Identifier, manifest));
        }
    }

    [Fact]
    public void A_validator_set_with_bad_ids_does_not_deserialize()
    {
        var serializer = (P2PJsonSerializer)_system.Serialization.FindSerializerFor(_validators.Set);
        var json = """{"epoch":1,"members":["zz"]}"""u8.ToArray();
        Assert.ThrowsAny<Exception>(() => serializer.FromBinary(json, typeof(ValidatorSet).FullName!));
    }
}
