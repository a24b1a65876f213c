using System.Collections.Immutable;

namespace P2PActors.Cluster.Consensus;

public enum TallyDecision { Pending, Accepted, Rejected }

/// <summary>What the tally did with one vote.</summary>
public enum VoteDisposition
{
    /// <summary>Counted towards the decision.</summary>
    Counted,
    /// <summary>The same vote again (a re-delivery): ignored.</summary>
    Duplicate,
    /// <summary>A second, different vote from a validator: both discarded, validator flagged, evidence kept.</summary>
    Equivocation,
    /// <summary>Another vote from a validator already caught equivocating: ignored.</summary>
    FromEquivocator,
    /// <summary>Missing or out-of-bounds fields.</summary>
    Malformed,
    /// <summary>The signer is not in this epoch's validator set.</summary>
    NotAMember,
    /// <summary>The signature does not verify against the registered key.</summary>
    BadSignature,
    /// <summary>The vote is about other content (a replay).</summary>
    OtherContent,
    /// <summary>The vote was cast in another membership epoch.</summary>
    OtherEpoch,
    /// <summary>The vote was cast for another catalog header of this content (another proposal of it).</summary>
    OtherHeader,
}

/// <summary>The tally after a vote, and what happened to that vote.</summary>
public sealed record TallyStep(VoteTally Tally, VoteDisposition Disposition);

/// <summary>
/// The proposer's count of votes on one piece of content in one epoch, as an immutable value: each
/// <see cref="Add"/> returns the next tally. A vote counts only if it is well-formed, names this content and
/// epoch, comes from a member of the epoch's set and verifies against that member's registered key, and is
/// the first from that validator. Acceptance needs ⌊2n/3⌋+1 approvals; the tally rejects as soon as the
/// validators that have not voted could no longer reach that. A decision, once reached, is final — later
/// votes are still checked so that equivocation is caught and recorded.
/// </summary>
public sealed class VoteTally
{
    private readonly ValidatorRegistry _registry;
    private readonly byte[]? _headerDigest;
    private readonly ImmutableDictionary<string, Vote> _counted;
    private readonly ImmutableList<Vote> _order;
    private readonly ImmutableHashSet<string> _equivocators;
    private readonly ImmutableList<EquivocationEvidence> _evidence;

    private VoteTally(
        string contentId,
        ValidatorSet set,
        ValidatorRegistry registry,
        byte[]? headerDigest,
        ImmutableDictionary<string, Vote> counted,
        ImmutableList<Vote> order,
        ImmutableHashSet<string> equivocators,
        ImmutableList<EquivocationEvidence> evidence,
        TallyDecision decision,
        Certificate? certificate)
    {
        ContentId = contentId;
        Set = set;
        _registry = registry;
        _headerDigest = headerDigest;
        _counted = counted;
        _order = order;
        _equivocators = equivocators;
        _evidence = evidence;
        Decision = decision;
        Certificate = certificate;
    }

    /// <summary>
    /// A tally for <paramref name="contentId"/> among the validators the registry holds for <paramref name="epoch"/>,
    /// counting only votes cast for the catalog header whose digest is <paramref name="headerDigest"/> (null: votes
    /// that bind no header, as earlier releases cast them).
    /// </summary>
    public static VoteTally Start(string contentId, long epoch, ValidatorRegistry registry, byte[]? headerDigest = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ArgumentNullException.ThrowIfNull(registry);
        if (!registry.TryGetSet(epoch, out var set))
            throw new ArgumentException($"No validator set is registered for epoch {epoch}.", nameof(epoch));
        return new VoteTally(contentId, set, registry, headerDigest, ImmutableDictionary<string, Vote>.Empty.WithComparers(StringComparer.Ordinal),
            [], ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal), [], TallyDecision.Pending, null);
    }

    public string ContentId { get; }

    public ValidatorSet Set { get; }

    public long Epoch => Set.Epoch;

    public int Threshold => Set.Threshold;

    public TallyDecision Decision { get; }

    /// <summary>Set once accepted: the approvals that reached the quorum.</summary>
    public Certificate? Certificate { get; }

    /// <summary>Validators caught voting two different ways on this content.</summary>
    public IReadOnlySet<string> Equivocators => _equivocators;

    /// <summary>The conflicting signed votes of each equivocator.</summary>
    public IReadOnlyList<EquivocationEvidence> Evidence => _evidence;

    /// <summary>Counted approvals, in arrival order.</summary>
    public IReadOnlyList<Vote> Approvals => _order.Where(v => v.Approve && _counted.ContainsKey(v.ValidatorId)).ToList();

    /// <summary>Counted rejections, in arrival order.</summary>
    public IReadOnlyList<Vote> Rejections => _order.Where(v => !v.Approve && _counted.ContainsKey(v.ValidatorId)).ToList();

    public int ApprovalCount => _counted.Values.Count(v => v.Approve);

    public int RejectionCount => _counted.Count - ApprovalCount;

    /// <summary>Members that have neither a counted vote nor an equivocation against them.</summary>
    public int Outstanding => Set.Count - _counted.Count - _equivocators.Count;

    /// <summary>Whether the validator has a counted vote or was caught equivocating here.</summary>
    public bool HasVoted(string validatorId) => _counted.ContainsKey(validatorId) || _equivocators.Contains(validatorId);

    public TallyStep Add(Vote? vote) => Add(vote, signatureVerified: false);

    /// <summary>
    /// Adds a vote; <paramref name="signatureVerified"/> skips the Ed25519 check for a vote the caller knows to be
    /// genuine (this node's own validator, signed in this process). Every other check still applies.
    /// </summary>
    public TallyStep Add(Vote? vote, bool signatureVerified) => Add(vote, signatureVerified, null);

    /// <summary>As <see cref="Add(Vote?, bool)"/>, checking batch signatures through <paramref name="signatures"/>.</summary>
    public TallyStep Add(Vote? vote, bool signatureVerified, VerifiedSignatureCache? signatures)
    {
        if (vote is null || !vote.IsWellFormed)
            return new TallyStep(this, VoteDisposition.Malformed);
        if (!Set.Contains(vote.ValidatorId) || !_registry.TryGetKey(vote.ValidatorId, out var key))
            return new TallyStep(this, VoteDisposition.NotAMember);
        if (!string.Equals(vote.ContentId, ContentId, StringComparison.Ordinal))
            return new TallyStep(this, VoteDisposition.OtherContent);
        if (vote.Epoch != Epoch)
            return new TallyStep(this, VoteDisposition.OtherEpoch);
        if (!vote.IsForHeader(_headerDigest))
            return new TallyStep(this, VoteDisposition.OtherHeader);
        if (!signatureVerified && !vote.VerifySignature(key, Set.Hash, signatures))
            return new TallyStep(this, VoteDisposition.BadSignature);
        if (_equivocators.Contains(vote.ValidatorId))
            return new TallyStep(this, VoteDisposition.FromEquivocator);

        if (_counted.TryGetValue(vote.ValidatorId, out var earlier))
        {
            if (earlier.SameStatementAs(vote))
                return new TallyStep(this, VoteDisposition.Duplicate);
            var flagged = With(
                _counted.Remove(vote.ValidatorId),
                _order,
                _equivocators.Add(vote.ValidatorId),
                _evidence.Add(new EquivocationEvidence(earlier, vote)));
            return new TallyStep(flagged, VoteDisposition.Equivocation);
        }

        return new TallyStep(With(_counted.Add(vote.ValidatorId, vote), _order.Add(vote), _equivocators, _evidence), VoteDisposition.Counted);
    }

    private VoteTally With(
        ImmutableDictionary<string, Vote> counted,
        ImmutableList<Vote> order,
        ImmutableHashSet<string> equivocators,
        ImmutableList<EquivocationEvidence> evidence)
    {
        var next = new VoteTally(ContentId, Set, _registry, _headerDigest, counted, order, equivocators, evidence, Decision, Certificate);
        if (Decision != TallyDecision.Pending)
            return next;
        if (next.ApprovalCount >= Threshold)
        {
            var certificate = new Certificate(ContentId, Epoch, Set.Hash, next.Approvals);
            return new VoteTally(ContentId, Set, _registry, _headerDigest, counted, order, equivocators, evidence, TallyDecision.Accepted, certificate);
        }
        if (next.ApprovalCount + next.Outstanding < Threshold)
            return new VoteTally(ContentId, Set, _registry, _headerDigest, counted, order, equivocators, evidence, TallyDecision.Rejected, null);
        return next;
    }
}
