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
    /// Both votes validly signed by the same registered validator, same content and epoch, different statements.
    /// Batched votes carry their branches, so the evidence stays checkable by anyone; two statements differing only
    /// in how they were signed (alone, or in another batch) are the same statement, not evidence.
    /// </summary>
    public bool Verify(ValidatorRegistry registry, VerifiedSignatureCache? signatures = null) =>
        First is not null && Second is not null &&
        First.IsWellFormed && Second.IsWellFormed &&
        First.ValidatorId == Second.ValidatorId &&
        First.ContentId == Second.ContentId &&
        First.Epoch == Second.Epoch &&
        !First.SameStatementAs(Second) &&
        registry.IsValidVote(First, signatures) &&
        registry.IsValidVote(Second, signatures);
}
