using System.Text.Json.Serialization;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Proof that a validator said two different things about the same content in the same epoch: both
/// votes, each carrying the validator's own signature, so any node can check the accusation itself.
/// </summary>
public sealed record EquivocationEvidence(Vote First, Vote Second) : IP2PMessage
{
    [JsonIgnore]
    public string? ValidatorId => First?.ValidatorId;

    /// <summary>
    /// Both votes validly signed by the same registered validator, same content, header and epoch, different
    /// statements. Votes for two different headers of the same content are not evidence: an honest validator signs
    /// both when the content is proposed twice (another author, or a retry with a new created time).
    /// Batched votes carry their branches, so the evidence stays checkable by anyone; two statements differing only
    /// in how they were signed (alone, or in another batch) are the same statement, not evidence.
    /// </summary>
    public bool Verify(ValidatorRegistry registry, VerifiedSignatureCache? signatures = null) =>
        First is not null && Second is not null &&
        First.IsWellFormed && Second.IsWellFormed &&
        First.ValidatorId == Second.ValidatorId &&
        First.ContentId == Second.ContentId &&
        First.Epoch == Second.Epoch &&
        First.IsForHeader(Second.HeaderDigest) &&
        !First.SameStatementAs(Second) &&
        registry.IsValidVote(First, signatures) &&
        registry.IsValidVote(Second, signatures);
}
