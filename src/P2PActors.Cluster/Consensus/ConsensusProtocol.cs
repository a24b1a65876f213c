using Akka.Actor;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A registry actor asks a member's <see cref="ValidatorActor"/> to prove which key it holds. The nonce makes
/// every proof fresh; the answer is signed over (nonce, the answering node's own address), so a proof can neither
/// be replayed nor relayed by another node.
/// </summary>
public sealed record IdentityChallenge(byte[] Nonce) : IP2PMessage
{
    public bool Equals(IdentityChallenge? other) => other is not null && (Nonce ?? []).AsSpan().SequenceEqual(other.Nonce ?? []);

    public override int GetHashCode() => Nonce?.Length ?? 0;
}

/// <summary>The answer to an <see cref="IdentityChallenge"/>; see <see cref="IdentityProofs"/>.</summary>
public sealed record IdentityProof(string ValidatorId, byte[] Nonce, byte[] Signature) : IP2PMessage
{
    public bool Equals(IdentityProof? other) =>
        other is not null && ValidatorId == other.ValidatorId &&
        (Nonce ?? []).AsSpan().SequenceEqual(other.Nonce ?? []) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    public override int GetHashCode() => HashCode.Combine(ValidatorId);
}

/// <summary>
/// Content put to the vote: its canonical JSON as sent (never re-serialized on the way), the id the proposer
/// claims for it, and the validator set (epoch and hash) the proposer counts votes in.
/// </summary>
public sealed record Proposal(string Json, string ContentId, long Epoch, string SetHash, string Proposer) : IP2PMessage;

/// <summary>
/// A validator will not vote on a proposal (rate limited, another epoch, an unreadable id). Unsigned: it counts
/// for nothing, it only lets the proposer stop waiting and say why.
/// </summary>
public sealed record ProposalRefused(string ContentId, string ValidatorId, string Reason) : IP2PMessage;

/// <summary>
/// A validator's signed statement that it trusts the validator set of an epoch. A node that did not witness that
/// epoch trusts the set once at least a quorum of a set it already trusts has attested it.
/// </summary>
public sealed record SetAttestation(ValidatorSet Set, string ValidatorId, byte[] Signature) : IP2PMessage
{
    public const string Domain = "P2PActors/set-attestation/v1";

    public static byte[] SignedBytes(ValidatorSet set, string validatorId) =>
        new CanonicalWriter(Domain).Int64(set.Epoch).String(set.Hash).String(validatorId).ToArray();

    public static SetAttestation Create(ValidatorSet set, ValidatorIdentity identity) =>
        new(set, identity.ValidatorId, identity.Sign(SignedBytes(set, identity.ValidatorId)));

    public bool VerifyWith(NSec.Cryptography.PublicKey key) =>
        Set is not null && ValidatorKeys.IsCanonicalId(ValidatorId) && Signature is not null &&
        ValidatorKeys.Verify(key, SignedBytes(Set, ValidatorId), Signature);

    public bool Equals(SetAttestation? other) =>
        other is not null && Equals(Set, other.Set) && ValidatorId == other.ValidatorId &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    public override int GetHashCode() => HashCode.Combine(Set?.Hash, ValidatorId);
}

/// <summary>
/// A validator's self-signed claim of the node address it runs on. Only shown by the validator API for validators
/// this node did not challenge itself; trust in keys never comes from it.
/// </summary>
public sealed record ValidatorBinding(string Address, string ValidatorId, byte[] Signature) : IP2PMessage
{
    public const string Domain = "P2PActors/validator-binding/v1";

    public static ValidatorBinding Create(string address, ValidatorIdentity identity) =>
        new(address, identity.ValidatorId, identity.Sign(new CanonicalWriter(Domain).String(address).String(identity.ValidatorId).ToArray()));

    public bool Verify() =>
        Address is { Length: > 0 and <= 512 } && ValidatorKeys.TryParse(ValidatorId, out var key) && Signature is not null &&
        ValidatorKeys.Verify(key, new CanonicalWriter(Domain).String(Address).String(ValidatorId).ToArray(), Signature);

    public bool Equals(ValidatorBinding? other) =>
        other is not null && Address == other.Address && ValidatorId == other.ValidatorId &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    public override int GetHashCode() => HashCode.Combine(Address, ValidatorId);
}

public static class IdentityProofs
{
    public const string Domain = "P2PActors/identity-proof/v1";

    public static byte[] SignedBytes(ReadOnlySpan<byte> nonce, string address) =>
        new CanonicalWriter(Domain).Bytes(nonce).String(address).ToArray();

    /// <summary>True when <paramref name="proof"/> answers <paramref name="nonce"/> for the node at <paramref name="address"/>.</summary>
    public static bool Verify(IdentityProof? proof, ReadOnlySpan<byte> nonce, string address) =>
        proof is { Nonce: not null, Signature: not null } &&
        proof.Nonce.AsSpan().SequenceEqual(nonce) &&
        ValidatorKeys.TryParse(proof.ValidatorId, out var key) &&
        ValidatorKeys.Verify(key, SignedBytes(nonce, address), proof.Signature);
}

/// <summary>Local messages of the consensus actors; they never leave the node.</summary>
public static class ConsensusProtocol
{
    /// <summary>Ask the <see cref="ConsensusCoordinator"/> to put content to the vote; the answer is a <see cref="ProposalOutcome"/>.</summary>
    public sealed record Propose(string Json, string ContentId);

    /// <summary>The coordinator found equivocation; the registry actor replicates the evidence.</summary>
    public sealed record ReportEquivocation(EquivocationEvidence Evidence);

    /// <summary>Ask the registry actor for the validator overview (<see cref="ValidatorOverview"/>).</summary>
    public sealed record GetValidators;

    internal sealed record ProposalTimeout(string ContentId, long Sequence);

    internal sealed record DelayedReply(IActorRef To, object Message);
}
