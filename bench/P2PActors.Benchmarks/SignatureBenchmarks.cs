using BenchmarkDotNet.Attributes;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Benchmarks;

/// <summary>
/// What one vote costs: signing it, verifying it, and checking a 7-validator certificate; and the same with
/// batched (Merkle) signatures, reported per vote where the benchmark handles a batch.
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private const string ContentId = "3f1c0ab7d7e9c4d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";

    private ValidatorIdentity[] _identities = [];
    private ValidatorRegistry _registry = ValidatorRegistry.Empty;
    private Vote _vote = null!;
    private Certificate _certificate = null!;
    private Vote[] _votes = [];
    private const int BatchSize = 32;
    private VoteStatement[] _statements = [];
    private IReadOnlyList<Vote> _batch = [];
    private ValidatorRegistry _fourRegistry = ValidatorRegistry.Empty;
    private Certificate _batchedCertificate = null!;
    private Certificate _plainCertificate = null!;
    private ValidatorSet _set = null!;
    private VerifiedSignatureCache _warmCache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _identities = Enumerable.Range(0, 7).Select(_ => ValidatorIdentity.CreateEphemeral()).ToArray();
        _set = new ValidatorSet(Epochs.LegacyLimit + 1, _identities.Select(i => i.ValidatorId).ToArray());
        _registry = ValidatorRegistry.Empty.With(_set);
        _vote = _identities[0].Vote(ContentId, _set, false, ["profanity", "balance.item.stat-cap"]);
        _votes = _identities.Select(i => i.Vote(ContentId, _set, true, [])).ToArray();
        var tally = VoteTally.Start(ContentId, _set.Epoch, _registry);
        foreach (var vote in _votes)
            tally = tally.Add(vote).Tally;
        // A 7-validator certificate carries the 5 approvals that reached the quorum; the two later
        // approvals are not in it. Benchmark the full 7-vote form too.
        _certificate = tally.Certificate! with { Approvals = _votes };

        var four = new ValidatorSet(Epochs.LegacyLimit + 2, _identities.Take(4).Select(i => i.ValidatorId).ToArray());
        _statements = Enumerable.Range(0, BatchSize)
            .Select(i => new VoteStatement(i == 7 ? ContentId : Convert.ToHexStringLower(BitConverter.GetBytes((long)i).Concat(new byte[24]).ToArray()), Epochs.LegacyLimit + 2, four.Hash, true, []))
            .ToArray();
        _batch = _identities[0].SignBatch(_statements);
        // 4 validators (threshold 3): a certificate of 3 approvals, each from another validator's batch of 32.
        _fourRegistry = ValidatorRegistry.Empty.With(four);
        var approvals = _identities.Take(3).Select(i => i.SignBatch(_statements)[7]).ToList();
        _batchedCertificate = new Certificate(ContentId, four.Epoch, four.Hash, approvals);
        _plainCertificate = _batchedCertificate with { Approvals = _identities.Take(3).Select(i => i.Vote(ContentId, four, true, [])).ToList() };
        _warmCache = new VerifiedSignatureCache();
        if (!CertificateVerifier.Verify(_batchedCertificate, ContentId, _fourRegistry, _warmCache).IsValid ||
            !CertificateVerifier.Verify(_plainCertificate, ContentId, _fourRegistry).IsValid ||
            !_fourRegistry.IsValidVote(_batch[0], _warmCache) || VerifyBatchWithCache() != BatchSize)
            throw new InvalidOperationException("benchmark certificates do not verify");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var identity in _identities)
            identity.Dispose();
    }

    [Benchmark(Description = "Sign one vote")]
    public Vote SignVote() => _identities[1].Vote(ContentId, _set, false, ["profanity", "balance.item.stat-cap"]);

    [Benchmark(Description = "Verify one vote (registry lookup + Ed25519)")]
    public bool VerifyVote() => _registry.IsValidVote(_vote);

    [Benchmark(Description = "Tally 7 votes to a decision")]
    public TallyDecision TallySeven()
    {
        var tally = VoteTally.Start(ContentId, _set.Epoch, _registry);
        foreach (var vote in _votes)
            tally = tally.Add(vote).Tally;
        return tally.Decision;
    }

    [Benchmark(Description = "Verify a 7-vote certificate")]
    public bool VerifyCertificate() => CertificateVerifier.Verify(_certificate, ContentId, _registry).IsValid;

    [Benchmark(Description = "Sign a batch of 32 votes (per vote)", OperationsPerInvoke = BatchSize)]
    public IReadOnlyList<Vote> SignBatch() => _identities[1].SignBatch(_statements);

    [Benchmark(Description = "Verify 32 votes of one batch, fresh cache (per vote)", OperationsPerInvoke = BatchSize)]
    public int VerifyBatchWithCache()
    {
        var cache = new VerifiedSignatureCache();
        var valid = 0;
        foreach (var vote in _batch)
        {
            if (_fourRegistry.IsValidVote(vote, cache))
                valid++;
        }
        return valid;
    }

    [Benchmark(Description = "Verify one batched vote, no cache (registry lookup + branch + Ed25519)")]
    public bool VerifyBatchedVoteAlone() => _fourRegistry.IsValidVote(_batch[5]);

    [Benchmark(Description = "Verify one batched vote, root cached (registry lookup + branch)")]
    public bool VerifyBatchedVoteCached() => _fourRegistry.IsValidVote(_batch[5], _warmCache);

    [Benchmark(Description = "Verify a 3-vote certificate, plain votes")]
    public bool VerifyPlainCertificate() => CertificateVerifier.Verify(_plainCertificate, ContentId, _fourRegistry).IsValid;

    [Benchmark(Description = "Verify a 3-vote certificate, batched votes, roots not cached")]
    public bool VerifyBatchedCertificateCold() =>
        CertificateVerifier.Verify(_batchedCertificate, ContentId, _fourRegistry, new VerifiedSignatureCache()).IsValid;

    [Benchmark(Description = "Verify a 3-vote certificate, batched votes, roots cached")]
    public bool VerifyBatchedCertificateWarm() =>
        CertificateVerifier.Verify(_batchedCertificate, ContentId, _fourRegistry, _warmCache).IsValid;
}
