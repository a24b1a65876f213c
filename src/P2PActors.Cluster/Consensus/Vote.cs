using System.Text.Json.Serialization;
using NSec.Cryptography;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A validator's signed verdict on one piece of content in one membership epoch. Without a
/// <see cref="Branch"/> the signature covers <see cref="SignedBytes"/>: every field but the signature,
/// domain-separated and length-prefixed. With one, the vote was signed as part of a batch: the signature covers
/// the batch's Merkle root (see <see cref="VoteMerkle"/>) and the branch links this vote's
/// <see cref="SignedBytes"/> to it. Votes arrive from peers, so nothing here assumes the fields are well-formed;
/// <see cref="IsWellFormed"/> and <see cref="VerifySignature(PublicKey, VerifiedSignatureCache?)"/> say whether to trust one.
/// </summary>
/// <param name="ValidatorId">Lower-case hex of the signer's Ed25519 public key.</param>
/// <param name="ContentId">Hex SHA-256 of the content's canonical JSON.</param>
/// <param name="Epoch">Version of the validator membership the vote was cast in.</param>
/// <param name="Approve">True to accept the content.</param>
/// <param name="Rules">The validation rules the content broke (empty on approval).</param>
/// <param name="Signature">64-byte Ed25519 signature over <see cref="SignatureMessage"/>.</param>
/// <param name="Branch">The vote's place in a signed batch; null for a vote signed alone.</param>
public sealed record Vote(
    string ValidatorId,
    string ContentId,
    long Epoch,
    bool Approve,
    IReadOnlyList<string> Rules,
    byte[] Signature,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VoteBranch? Branch = null) : IP2PMessage
{
    public const string Domain = "P2PActors/vote/v1";

    public const int MaxRules = 64;

    public const int MaxRuleLength = 128;

    public const int MaxContentIdLength = 128;

    /// <summary>Every field present and within bounds (says nothing about the signature).</summary>
    [JsonIgnore]
    public bool IsWellFormed =>
        ValidatorKeys.IsCanonicalId(ValidatorId) &&
        ContentId is { Length: > 0 and <= MaxContentIdLength } &&
        Rules is { Count: <= MaxRules } && Rules.All(r => r is { Length: > 0 and <= MaxRuleLength }) &&
        Signature is { Length: ValidatorKeys.SignatureLength } &&
        (Branch is null || Branch.IsWellFormed);

    /// <summary>The statement: what a lone vote's signature covers, and a batched vote's Merkle leaf.</summary>
    public byte[] SignedBytes() => new CanonicalWriter(Domain)
        .String(ValidatorId ?? "")
        .String(ContentId ?? "")
        .Int64(Epoch)
        .Bool(Approve)
        .Strings(Rules ?? [])
        .ToArray();

    /// <summary>
    /// The bytes the signature covers: <see cref="SignedBytes"/> for a lone vote, the batch message (validator id,
    /// leaf count, the root this vote's branch leads to) for a batched one; null when the vote is not well-formed.
    /// </summary>
    public byte[]? SignatureMessage()
    {
        if (!IsWellFormed)
            return null;
        if (Branch is null)
            return SignedBytes();
        Span<byte> root = stackalloc byte[VoteMerkle.HashLength];
        return VoteMerkle.TryComputeRoot(VoteMerkle.LeafHash(SignedBytes()), Branch, root)
            ? VoteMerkle.SignedMessage(ValidatorId, Branch.Count, root)
            : null;
    }

    /// <summary>
    /// True when the vote is well-formed and <paramref name="key"/> signed it. The caller supplies the key
    /// registered under <see cref="ValidatorId"/> (see <see cref="ValidatorRegistry.IsValidVote"/>).
    /// </summary>
    public bool VerifySignature(PublicKey key) => VerifySignature(key, null);

    /// <summary>
    /// As <see cref="VerifySignature(PublicKey)"/>; a batched vote whose batch signature is already in
    /// <paramref name="cache"/> costs only the hashing of its branch. Lone votes never use the cache.
    /// </summary>
    public bool VerifySignature(PublicKey key, VerifiedSignatureCache? cache)
    {
        if (SignatureMessage() is not { } message)
            return false;
        return Branch is not null && cache is not null
            ? cache.Verify(key, message, Signature)
            : ValidatorKeys.Verify(key, message, Signature);
    }

    /// <summary>
    /// Same validator, content, epoch, verdict and rules: a re-delivery, not a change of mind — also when the
    /// two copies were signed alone or in different batches.
    /// </summary>
    public bool SameStatementAs(Vote other) => SignedBytes().AsSpan().SequenceEqual(other.SignedBytes());

    public bool Equals(Vote? other) =>
        other is not null &&
        ValidatorId == other.ValidatorId &&
        ContentId == other.ContentId &&
        Epoch == other.Epoch &&
        Approve == other.Approve &&
        (Rules ?? []).SequenceEqual(other.Rules ?? []) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []) &&
        (Branch is null ? other.Branch is null : Branch.Equals(other.Branch));

    public override int GetHashCode() => HashCode.Combine(ValidatorId, ContentId, Epoch, Approve);
}
