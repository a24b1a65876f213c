using P2PActors.Cluster.Consensus;
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
}
