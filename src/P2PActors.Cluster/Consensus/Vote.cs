using NSec.Cryptography;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A validator's signed verdict on one piece of content in one membership epoch. The signature covers
/// <see cref="SignedBytes"/>: every field but the signature, domain-separated and length-prefixed.
/// Votes arrive from peers, so nothing here assumes the fields are well-formed; <see cref="IsWellFormed"/>
/// and <see cref="VerifySignature"/> say whether to trust one.
/// </summary>
/// <param name="ValidatorId">Lower-case hex of the signer's Ed25519 public key.</param>
/// <param name="ContentId">Hex SHA-256 of the content's canonical JSON.</param>
/// <param name="Epoch">Version of the validator membership the vote was cast in.</param>
/// <param name="Approve">True to accept the content.</param>
/// <param name="Rules">The validation rules the content broke (empty on approval).</param>
/// <param name="Signature">64-byte Ed25519 signature over <see cref="SignedBytes"/>.</param>
public sealed record Vote(
    string ValidatorId,
    string ContentId,
    long Epoch,
    bool Approve,
    IReadOnlyList<string> Rules,
    byte[] Signature) : IP2PMessage
{
    public const string Domain = "P2PActors/vote/v1";

    public const int MaxRules = 64;

    public const int MaxRuleLength = 128;

    public const int MaxContentIdLength = 128;

    /// <summary>Every field present and within bounds (says nothing about the signature).</summary>
    public bool IsWellFormed =>
        ValidatorKeys.IsCanonicalId(ValidatorId) &&
        ContentId is { Length: > 0 and <= MaxContentIdLength } &&
        Rules is { Count: <= MaxRules } && Rules.All(r => r is { Length: > 0 and <= MaxRuleLength }) &&
        Signature is { Length: ValidatorKeys.SignatureLength };

    /// <summary>The bytes the signature covers.</summary>
    public byte[] SignedBytes() => new CanonicalWriter(Domain)
        .String(ValidatorId ?? "")
        .String(ContentId ?? "")
        .Int64(Epoch)
        .Bool(Approve)
        .Strings(Rules ?? [])
        .ToArray();

    /// <summary>
    /// True when the vote is well-formed and <paramref name="key"/> signed it. The caller supplies the key
    /// registered under <see cref="ValidatorId"/> (see <see cref="ValidatorRegistry.IsValidVote"/>).
    /// </summary>
    public bool VerifySignature(PublicKey key) => IsWellFormed && ValidatorKeys.Verify(key, SignedBytes(), Signature);

    /// <summary>Same validator, content, epoch, verdict and rules: a re-delivery, not a change of mind.</summary>
    public bool SameStatementAs(Vote other) => SignedBytes().AsSpan().SequenceEqual(other.SignedBytes());

    public bool Equals(Vote? other) =>
        other is not null &&
        ValidatorId == other.ValidatorId &&
        ContentId == other.ContentId &&
        Epoch == other.Epoch &&
        Approve == other.Approve &&
        (Rules ?? []).SequenceEqual(other.Rules ?? []) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    public override int GetHashCode() => HashCode.Combine(ValidatorId, ContentId, Epoch, Approve);
}
