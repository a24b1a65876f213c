using BenchmarkDotNet.Attributes;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Benchmarks;

/// <summary>What one vote costs: signing it, verifying it, and checking a 7-validator certificate.</summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private const string ContentId = "3f1c0ab7d7e9c4d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";

    private ValidatorIdentity[] _identities = [];
    private ValidatorRegistry _registry = ValidatorRegistry.Empty;
    private Vote _vote = null!;
    private Certificate _certificate = null!;
    private Vote[] _votes = [];

    [GlobalSetup]
    public void Setup()
    {
        _identities = Enumerable.Range(0, 7).Select(_ => ValidatorIdentity.CreateEphemeral()).ToArray();
        var set = new ValidatorSet(1, _identities.Select(i => i.ValidatorId).ToArray());
        _registry = ValidatorRegistry.Empty.With(set);
        _vote = _identities[0].Vote(ContentId, 1, false, ["profanity", "balance.item.stat-cap"]);
        _votes = _identities.Select(i => i.Vote(ContentId, 1, true, [])).ToArray();
        var tally = VoteTally.Start(ContentId, 1, _registry);
        foreach (var vote in _votes)
            tally = tally.Add(vote).Tally;
        // A 7-validator certificate carries the 5 approvals that reached the quorum; the two later
        // approvals are not in it. Benchmark the full 7-vote form too.
        _certificate = tally.Certificate! with { Approvals = _votes };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var identity in _identities)
            identity.Dispose();
    }

    [Benchmark(Description = "Sign one vote")]
    public Vote SignVote() => _identities[1].Vote(ContentId, 1, false, ["profanity", "balance.item.stat-cap"]);

    [Benchmark(Description = "Verify one vote (registry lookup + Ed25519)")]
    public bool VerifyVote() => _registry.IsValidVote(_vote);

    [Benchmark(Description = "Tally 7 votes to a decision")]
    public TallyDecision TallySeven()
    {
        var tally = VoteTally.Start(ContentId, 1, _registry);
        foreach (var vote in _votes)
            tally = tally.Add(vote).Tally;
        return tally.Decision;
    }

    [Benchmark(Description = "Verify a 7-vote certificate")]
    public bool VerifyCertificate() => CertificateVerifier.Verify(_certificate, ContentId, _registry).IsValid;
}
