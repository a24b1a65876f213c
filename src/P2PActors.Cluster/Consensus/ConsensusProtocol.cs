using Akka.Actor;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A registry actor asks a member's <see cref="ValidatorActor"/> to prove which key it holds. The nonce makes
/// every proof fresh; the answer is signed over (nonce, the answering node's own address and uid), so a proof names
/// exactly one member incarnation and cannot be passed off as another node's.
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
/// An identity proof as every node shares it (replicated set <c>consensus-proofs</c>): the member incarnation it was
/// made for (address and Akka uid) with the member's answer. It is signed by the member's own key over
/// (nonce, address, uid), so any node can check it without having asked, and a node that relays it cannot change
/// whom it names. A member that answered one honest node is thereby known to all of them.
/// </summary>
public sealed record MemberProof(string Address, long Uid, string ValidatorId, byte[] Nonce, byte[] Signature) : IP2PMessage
{
    /// <summary>Whether the member's key signed this proof for exactly this address and uid. Pure; never throws on bad input.</summary>
    public bool Verify() =>
        Address is { Length: > 0 and <= 512 } && Nonce is { Length: > 0 and <= 256 } && Signature is not null &&
        ValidatorKeys.TryParse(ValidatorId, out var key) &&
        ValidatorKeys.Verify(key, IdentityProofs.SignedBytes(Nonce, Address, Uid), Signature);

    public bool Equals(MemberProof? other) =>
        other is not null && Address == other.Address && Uid == other.Uid && ValidatorId == other.ValidatorId &&
        (Nonce ?? []).AsSpan().SequenceEqual(other.Nonce ?? []) &&
        (Signature ?? []).AsSpan().SequenceEqual(other.Signature ?? []);

    public override int GetHashCode() => HashCode.Combine(Address, Uid, ValidatorId, ByteHash.Of(Nonce), ByteHash.Of(Signature));
}

/// <summary>
/// Content put to the vote: its canonical JSON as sent (never re-serialized on the way), the id the proposer
/// claims for it, and the validator set (epoch and hash) the proposer counts votes in. <paramref name="Deadline"/>
/// is when the proposer stops waiting (Unix milliseconds, wall clock; 0 = no deadline): a validator that reaches
/// the proposal later skips it with <see cref="ValidatorActor.Expired"/> instead of validating content nobody waits
/// for. Only this proposal's own fate hangs on its deadline, so a proposer that lies about it harms only itself.
/// <paramref name="Header"/> is the catalog header the proposer will share the content under: validators check it
/// (<see cref="HeaderRules"/>) and sign its digest; a proposal without one is refused (<see cref="HeaderRules.Missing"/>).
/// </summary>
public sealed record Proposal(string Json, string ContentId, long Epoch, string SetHash, string Proposer, long Deadline = 0, EntryHeader? Header = null) : IP2PMessage;

/// <summary>
/// Many proposals from one proposer in one message, so the remoting and dispatcher cost per message is paid once
/// per batch instead of once per proposal. A batch is only a carrier: every proposal in it is refused, judged and
/// rate-limited exactly as if it had come alone, and answered in one <see cref="VoteBatch"/>.
/// </summary>
public sealed record ProposalBatch(IReadOnlyList<Proposal> Proposals) : IP2PMessage
{
    /// <summary>Most proposals one batch may carry; a validator ignores a batch with more.</summary>
    public const int MaxProposals = 128;

    /// <summary>
    /// The coordinator closes a batch before its JSON passes this many UTF-8 bytes (a batch of one may be as large as
    /// one proposal may be). Even fully escaped, a batch stays well under the remoting frame size.
    /// </summary>
    public const int TargetBytes = 256 * 1024;

    /// <summary>Why a validator will not look at this batch at all, or null when it is a batch it serves.</summary>
    public string? Problem(int maxContentBytes)
    {
        if (Proposals is null)
            return "no proposal list";
        if (Proposals.Count > MaxProposals)
            return $"{Proposals.Count} proposals (at most {MaxProposals})";
        long chars = 0;
        foreach (var proposal in Proposals)
            chars += proposal?.Json?.Length ?? 0;
        var limit = (long)maxContentBytes + TargetBytes;
        return chars > limit ? $"{chars} characters of content (at most {limit})" : null;
    }

    public bool Equals(ProposalBatch? other) => other is not null && (Proposals ?? []).SequenceEqual(other.Proposals ?? []);

    public override int GetHashCode() => Proposals?.Count ?? 0;
}

/// <summary>
/// A validator's answer to a <see cref="ProposalBatch"/>: its signed votes and its unsigned refusals, in one message.
/// The proposer checks every vote in it exactly as a vote that came alone; the batch itself vouches for nothing.
/// </summary>
public sealed record VoteBatch(IReadOnlyList<Vote> Votes, IReadOnlyList<ProposalRefused> Refusals) : IP2PMessage
{
    /// <summary>Most votes plus refusals one batch may carry (an equivocator sends two votes per proposal).</summary>
    public const int MaxEntries = 3 * ProposalBatch.MaxProposals;

    /// <summary>Why the proposer will not read this batch at all, or null when it is well-formed.</summary>
    public string? Problem() =>
        Votes is null || Refusals is null ? "no vote or refusal list"
        : Votes.Count + Refusals.Count > MaxEntries ? $"{Votes.Count + Refusals.Count} entries (at most {MaxEntries})"
        : null;

    public bool Equals(VoteBatch? other) =>
        other is not null && (Votes ?? []).SequenceEqual(other.Votes ?? []) && (Refusals ?? []).SequenceEqual(other.Refusals ?? []);

    public override int GetHashCode() => HashCode.Combine(Votes?.Count, Refusals?.Count);
}

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

    public override int GetHashCode() => HashCode.Combine(Set?.Hash, ValidatorId, ByteHash.Of(Signature));
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

    public override int GetHashCode() => HashCode.Combine(Address, ValidatorId, ByteHash.Of(Signature));
}

public static class IdentityProofs
{
    /// <summary>v2 adds the member's uid, so a proof names one incarnation and can be shared (v1 signed only the address).</summary>
    public const string Domain = "P2PActors/identity-proof/v2";

    public static byte[] SignedBytes(ReadOnlySpan<byte> nonce, string address, long uid) =>
        new CanonicalWriter(Domain).Bytes(nonce).String(address).Int64(uid).ToArray();

    /// <summary>True when <paramref name="proof"/> answers <paramref name="nonce"/> for the member incarnation (<paramref name="address"/>, <paramref name="uid"/>).</summary>
    public static bool Verify(IdentityProof? proof, ReadOnlySpan<byte> nonce, string address, long uid) =>
        proof is { Nonce: not null, Signature: not null } &&
        proof.Nonce.AsSpan().SequenceEqual(nonce) &&
        ValidatorKeys.TryParse(proof.ValidatorId, out var key) &&
        ValidatorKeys.Verify(key, SignedBytes(nonce, address, uid), proof.Signature);
}

/// <summary>Local messages of the consensus actors; they never leave the node.</summary>
public static class ConsensusProtocol
{
    /// <summary>
    /// Ask the <see cref="ConsensusCoordinator"/> to put content to the vote, under the catalog header it will be
    /// shared with; the answer is a <see cref="ProposalOutcome"/>.
    /// </summary>
    public sealed record Propose(string Json, string ContentId, EntryHeader? Header = null);

    /// <summary>
    /// Many proposals from a local caller in one message; each outcome completes its own task (no ask, no temporary
    /// actor per proposal). <see cref="ConsensusClient"/> sends it.
    /// </summary>
    internal sealed record ProposeAll(IReadOnlyList<Propose> Items, IReadOnlyList<TaskCompletionSource<ProposalOutcome>> Replies);

    /// <summary>A proposal put back into the coordinator's mailbox after the vote on its id (with another body) ended.</summary>
    internal sealed record Requeued(Propose Propose, OutcomeWaiter Waiter);

    /// <summary>The coordinator found equivocation; the registry actor replicates the evidence.</summary>
    public sealed record ReportEquivocation(EquivocationEvidence Evidence);

    internal sealed record ProposalTimeout(string ContentId, long Sequence);

    /// <summary>Sent to itself by the coordinator when it queues the first proposal of a batch (see <see cref="ProposalBatch"/>).</summary>
    internal sealed record FlushProposals
    {
        public static readonly FlushProposals Instance = new();
    }

    internal sealed record DelayedReply(IActorRef To, object Message);
}
