using System.Text.Json.Serialization;
using NSec.Cryptography;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A validator's signed verdict on one piece of content in one membership epoch and its validator set. Without a
/// <see cref="Branch"/> the signature covers <see cref="SignedBytes"/>: every field but the signature plus the hash of
/// the set the vote was cast for (which travels in the proposal and the certificate, not in the vote),
/// domain-separated and length-prefixed — so a vote only ever counts for the one set it was made for. With one, the vote was signed as part of a batch: the signature covers
/// the batch's Merkle root (see <see cref="VoteMerkle"/>) and the branch links this vote's
/// <see cref="SignedBytes"/> to it. Votes arrive from peers, so nothing here assumes the fields are well-formed;
/// <see cref="IsWellFormed"/> and <see cref="VerifySignature(PublicKey, string, VerifiedSignatureCache?)"/> say whether to trust one.
/// </summary>
/// <param name="ValidatorId">Lower-case hex of the signer's Ed25519 public key.</param>
/// <param name="ContentId">Hex SHA-256 of the content's canonical JSON.</param>
/// <param name="Epoch">Version of the validator membership the vote was cast in.</param>
/// <param name="Approve">True to accept the content.</param>
/// <param name="Rules">The validation rules the content broke (empty on approval).</param>
/// <param name="Signature">64-byte Ed25519 signature over <see cref="SignatureMessage"/>.</param>
/// <param name="Branch">The vote's place in a signed batch; null for a vote signed alone.</param>
/// <param name="HeaderDigest">
/// The <see cref="EntryHeader.Digest"/> of the catalog header the vote was cast for (statement v3): votes of this
/// release always carry one, so a certificate binds the header its entry is listed under. Null only in votes signed
/// by earlier releases (statement v2, or v1 in a legacy epoch), which keep verifying as they were made.
/// </param>
public sealed record Vote(
    string ValidatorId,
    string ContentId,
    long Epoch,
    bool Approve,
    IReadOnlyList<string> Rules,
    byte[] Signature,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VoteBranch? Branch = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] byte[]? HeaderDigest = null) : IP2PMessage
{
    /// <summary>Votes of this release: the statement includes the validator set's hash and the header digest.</summary>
    public const string HeaderDomain = "P2PActors/vote/v3";

    /// <summary>Votes without a header digest in a non-legacy epoch (the release before): the statement includes the set's hash.</summary>
    public const string Domain = "P2PActors/vote/v2";

    /// <summary>Votes of legacy epochs (<see cref="Epochs.IsLegacy"/>), signed before votes named their set; verified as they were made.</summary>
    public const string LegacyDomain = "P2PActors/vote/v1";

    public const int MaxRules = 64;

    public const int MaxRuleLength = 128;

    public const int MaxContentIdLength = 128;

    /// <summary>Every field present and within bounds (says nothing about the signature).</summary>
    [JsonIgnore]
    public bool IsWellFormed =>
        ValidatorKeys.IsCanonicalId(ValidatorId) &&
        ContentId is { Length: > 0 and <= MaxContentIdLength } &&
        Rules is { Count: <= MaxRules } && RulesWellFormed(Rules) &&
        Signature is { Length: ValidatorKeys.SignatureLength } &&
        HeaderDigest is null or { Length: HeaderDigestLength } &&
        (Branch is null || Branch.IsWellFormed);

    public const int HeaderDigestLength = 32;

    // A loop, not Enumerable.All: checked for every vote of every certificate a node admits, and an interface
    // enumerator is an allocation each time.
    private static bool RulesWellFormed(IReadOnlyList<string> rules)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is not { Length: > 0 and <= MaxRuleLength })
                return false;
        }
        return true;
    }

    /// <summary>
    /// The statement: what a lone vote's signature covers, and a batched vote's Merkle leaf. <paramref name="setHash"/>
    /// is the hash of the validator set of <see cref="Epoch"/> the vote is checked against (or signed for); a legacy
    /// epoch's statement does not include it.
    /// </summary>
    public byte[] SignedBytes(string setHash)
    {
        ArgumentNullException.ThrowIfNull(setHash);
        return WriteStatement(false, setHash).WrittenSpan.ToArray();
    }

    /// <summary>
    /// The statement (<see cref="SignedBytes"/>) on a fresh writer, or with <paramref name="scratch"/> on this thread's
    /// reusable one (<see cref="CanonicalWriter.Scratch"/>): one encoding for signing, for a lone vote's check and for a
    /// batched vote's leaf, so they can never disagree.
    /// </summary>
    private CanonicalWriter WriteStatement(bool scratch, string setHash)
    {
        if (HeaderDigest is { } header)
        {
            // v3: the domain alone tells it from v2, so a signature over one never verifies as the other.
            return Start(scratch, HeaderDomain)
                .String(ValidatorId ?? "")
                .String(ContentId ?? "")
                .Int64(Epoch)
                .String(setHash)
                .Bytes(header)
                .Bool(Approve)
                .Strings(Rules ?? []);
        }
        var legacy = Epochs.IsLegacy(Epoch);
        var writer = Start(scratch, legacy ? LegacyDomain : Domain)
            .String(ValidatorId ?? "")
            .String(ContentId ?? "")
            .Int64(Epoch);
        if (!legacy)
            writer.String(setHash);
        return writer.Bool(Approve).Strings(Rules ?? []);
    }

    private static CanonicalWriter Start(bool scratch, string domain) =>
        scratch ? CanonicalWriter.Scratch(domain) : new CanonicalWriter(domain);

    /// <summary>Whether this vote was cast for the header whose digest is <paramref name="digest"/> (null: for no header).</summary>
    public bool IsForHeader(byte[]? digest) =>
        HeaderDigest is null ? digest is null : digest is not null && HeaderDigest.AsSpan().SequenceEqual(digest);

    /// <summary>
    /// The bytes the signature covers: <see cref="SignedBytes"/> for a lone vote, the batch message (validator id,
    /// leaf count, the root this vote's branch leads to) for a batched one; null when the vote is not well-formed.
    /// </summary>
    public byte[]? SignatureMessage(string setHash)
    {
        if (!IsWellFormed)
            return null;
        if (Branch is null)
            return SignedBytes(setHash);
        Span<byte> root = stackalloc byte[VoteMerkle.HashLength];
        return VoteMerkle.TryComputeRoot(VoteMerkle.LeafHash(SignedBytes(setHash)), Branch, root)
            ? VoteMerkle.SignedMessage(ValidatorId, Branch.Count, root)
            : null;
    }

    /// <summary>
    /// True when the vote is well-formed and <paramref name="key"/> signed it for the set whose hash is
    /// <paramref name="setHash"/>. The caller supplies the key registered under <see cref="ValidatorId"/> and the set
    /// it holds for <see cref="Epoch"/> (see <see cref="ValidatorRegistry.IsValidVote"/>). With <paramref name="cache"/>,
    /// a batched vote whose batch signature is already in it costs only the hashing of its branch; lone votes never use it.
    /// </summary>
    public bool VerifySignature(PublicKey key, string setHash, VerifiedSignatureCache? cache = null)
    {
        if (Branch is not null && cache is not null)
            return VerifyBatched(key, setHash, cache);
        if (SignatureMessage(setHash) is not { } message)
            return false;
        return ValidatorKeys.Verify(key, message, Signature);
    }

    /// <summary>
    /// <see cref="SignatureMessage"/> and the cache lookup without an array: the statement and the signed message are
    /// written on this thread's scratch writer and the hashes go to the stack, so a vote whose batch signature was
    /// already checked here (every vote of a certificate after the first of its batch) allocates nothing. The bytes
    /// hashed and looked up are exactly those <see cref="SignatureMessage"/> returns.
    /// </summary>
    private bool VerifyBatched(PublicKey key, string setHash, VerifiedSignatureCache cache)
    {
        ArgumentNullException.ThrowIfNull(setHash);
        if (!IsWellFormed)
            return false;
        Span<byte> leaf = stackalloc byte[VoteMerkle.HashLength];
        VoteMerkle.LeafHash(WriteStatement(true, setHash).WrittenSpan, leaf);
        Span<byte> root = stackalloc byte[VoteMerkle.HashLength];
        return VoteMerkle.TryComputeRoot(leaf, Branch, root)
            && cache.Verify(key, VoteMerkle.SignedMessageScratch(ValidatorId, Branch!.Count, root), Signature);
    }

    /// <summary>
    /// Same validator, content, header, epoch, verdict and rules: a re-delivery, not a change of mind — also when the
    /// two copies were signed alone or in different batches. (An epoch names one set, so the set needs no comparing.)
    /// </summary>
    public bool SameStatementAs(Vote other) =>
        other is not null &&
        ValidatorId == other.ValidatorId &&
        ContentId == other.ContentId &&
        IsForHeader(other.HeaderDigest) &&
        Epoch == other.Epoch &&
        Approve == other.Approve &&
        (Rules ?? []).SequenceEqual(other.Rules ?? [], StringComparer.Ordinal);

    public bool Equals(Vote? other) =>
        other is not null &&
        ValidatorId == other.ValidatorId &&
        ContentId == other.ContentId &&
        Epoch == other.Epoch &&
        Approve == other.Approve &&
        (Rules ?? []).SequenceEqual(other.Rules ?? []) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []) &&
        IsForHeader(other.HeaderDigest) &&
        (Branch is null ? other.Branch is null : Branch.Equals(other.Branch));

    public override int GetHashCode() => HashCode.Combine(ValidatorId, ContentId, Epoch, Approve, ByteHash.Of(Signature));
}
