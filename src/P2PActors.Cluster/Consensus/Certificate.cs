using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Proof that content was accepted: the approving signed votes of at least a quorum of the validator
/// set of <see cref="Epoch"/>, which <see cref="ValidatorSetHash"/> pins down. It travels with the content
/// into the shared catalog and every node re-checks it with <see cref="CertificateVerifier"/>.
/// </summary>
public sealed record Certificate(string ContentId, long Epoch, string ValidatorSetHash, IReadOnlyList<Vote> Approvals) : IP2PMessage
{
    /// <summary>
    /// No approval binds a catalog header: a certificate made by a release before header binding (vote statement v1
    /// or v2). Honest validators of this release sign no such approval, so only certificates made before the upgrade
    /// look like this; see <see cref="CertificateAdmission"/> for what is admitted under them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsLegacy => Approvals is null || Approvals.All(v => v?.HeaderDigest is null);

    public bool Equals(Certificate? other) =>
        other is not null &&
        ContentId == other.ContentId &&
        Epoch == other.Epoch &&
        ValidatorSetHash == other.ValidatorSetHash &&
        (Approvals ?? []).SequenceEqual(other.Approvals ?? []);

    public override int GetHashCode() => HashCode.Combine(ContentId, Epoch, ValidatorSetHash);
}

/// <summary>The outcome of checking a certificate: valid, or every problem found (stable names).</summary>
public sealed record CertificateCheck(bool IsValid, IReadOnlyList<string> Problems)
{
    public static readonly CertificateCheck Valid = new(true, []);

    public override string ToString() => IsValid ? "valid" : string.Join(", ", Problems);
}

/// <summary>
/// Re-checks a certificate against this node's own registry, trusting nothing in it: the validator set
/// comes from the registry (by epoch), each vote must be a well-formed approval of exactly this content
/// in that epoch, signed by a distinct member, and there must be at least a quorum of them.
/// </summary>
public static class CertificateVerifier
{
    public const string Missing = "certificate.missing";
    public const string ContentMismatch = "certificate.content-mismatch";
    public const string UnknownEpoch = "certificate.unknown-epoch";
    public const string ValidatorSetMismatch = "certificate.validator-set-mismatch";
    public const string TooManyVotes = "certificate.too-many-votes";
    public const string MalformedVote = "certificate.malformed-vote";
    public const string UnknownValidator = "certificate.unknown-validator";
    public const string ReplayedVote = "certificate.replayed-vote";
    public const string WrongEpoch = "certificate.wrong-epoch";
    public const string NotAnApproval = "certificate.not-an-approval";
    public const string BadSignature = "certificate.bad-signature";
    public const string DuplicateValidator = "certificate.duplicate-validator";
    public const string TooFewApprovals = "certificate.too-few-approvals";
    public const string HeaderMismatch = "certificate.header-mismatch";
    public const string MixedStatements = "certificate.mixed-statements";

    /// <summary>
    /// Checks <paramref name="certificate"/>. With <paramref name="cache"/>, votes whose batch signature this node
    /// already verified cost only their Merkle branch (certificates of one batch share a root). With
    /// <paramref name="headerDigest"/> (the <see cref="EntryHeader.Digest"/> of the header an entry is listed under),
    /// every approval that binds a header must bind that one, and approvals that bind one and approvals that do not
    /// (<see cref="Certificate.IsLegacy"/>) are never mixed; without it only the content, epoch, set and signatures count.
    /// </summary>
    public static CertificateCheck Verify(Certificate? certificate, string contentId, ValidatorRegistry registry, VerifiedSignatureCache? cache = null,
        byte[]? headerDigest = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (certificate is null || certificate.Approvals is null)
            return Fail(Missing);

        var problems = new List<string>();
        if (!string.Equals(certificate.ContentId, contentId, StringComparison.Ordinal))
            problems.Add(ContentMismatch);
        if (!registry.TryGetSet(certificate.Epoch, out var set))
            return Fail([.. problems, UnknownEpoch]);
        if (!string.Equals(certificate.ValidatorSetHash, set.Hash, StringComparison.Ordinal))
            problems.Add(ValidatorSetMismatch);
        // A genuine certificate never holds more votes than there are validators; refuse before spending
        // a signature check on each of a flood of bogus ones.
        if (certificate.Approvals.Count > set.Count)
            return Fail([.. problems, TooManyVotes]);

        var signers = new HashSet<string>(StringComparer.Ordinal);
        var valid = 0;
        var legacy = certificate.IsLegacy;
        var left = certificate.Approvals.Count;
        foreach (var vote in certificate.Approvals)
        {
            // Once the votes left cannot make up the threshold the certificate is refused whatever they hold: a forged
            // certificate (garbage signatures from every member) costs n − threshold + 1 failed checks, not one per
            // member, which is no more than an honest certificate's threshold-many.
            if (valid + left < set.Threshold)
                break;
            left--;
            // The header first: a rewritten entry is refused without a signature check.
            var problem = HeaderProblem(vote, headerDigest, legacy) ?? Check(vote, contentId, set, registry, cache);
            if (problem is null && !signers.Add(vote!.ValidatorId))
                problem = DuplicateValidator;
            if (problem is null)
                valid++;
            else if (!problems.Contains(problem))
                problems.Add(problem);
        }
        if (valid < set.Threshold)
            problems.Add(TooFewApprovals);
        return problems.Count == 0 ? CertificateCheck.Valid : new CertificateCheck(false, problems);
    }

    private static string? HeaderProblem(Vote? vote, byte[]? headerDigest, bool legacyCertificate) =>
        headerDigest is null || vote is null ? null
        : vote.HeaderDigest is null ? (legacyCertificate ? null : MixedStatements)
        : vote.IsForHeader(headerDigest) ? null : HeaderMismatch;

    private static string? Check(Vote? vote, string contentId, ValidatorSet set, ValidatorRegistry registry, VerifiedSignatureCache? cache)
    {
        if (vote is null || !vote.IsWellFormed)
            return MalformedVote;
        if (!set.Contains(vote.ValidatorId) || !registry.TryGetKey(vote.ValidatorId, out var key))
            return UnknownValidator;
        if (!string.Equals(vote.ContentId, contentId, StringComparison.Ordinal))
            return ReplayedVote;
        if (vote.Epoch != set.Epoch)
            return WrongEpoch;
        if (!vote.Approve)
            return NotAnApproval;
        return vote.VerifySignature(key, set.Hash, cache) ? null : BadSignature;
    }

    private static CertificateCheck Fail(params IReadOnlyList<string> problems) => new(false, problems);
}
