using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// The validators of one membership epoch: sorted, distinct, canonical ids. Its <see cref="Hash"/> is what
/// a certificate names, so a certificate cannot quietly claim a smaller set with a lower threshold.
/// </summary>
public sealed record ValidatorSet : IP2PMessage
{
    public const string Domain = "P2PActors/validator-set/v1";

    private readonly FrozenSet<string> _members;

    [JsonConstructor]
    public ValidatorSet(long epoch, IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        foreach (var member in members)
        {
            if (!ValidatorKeys.IsCanonicalId(member))
                throw new ArgumentException($"'{member}' is not a validator id (64 lower-case hex characters).", nameof(members));
        }
        if (members.Count == 0)
            throw new ArgumentException("A validator set needs at least one validator.", nameof(members));
        Epoch = epoch;
        Members = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _members = Members.ToFrozenSet(StringComparer.Ordinal);
        Hash = Convert.ToHexStringLower(SHA256.HashData(new CanonicalWriter(Domain).Int64(Epoch).Strings(Members).ToArray()));
    }

    public long Epoch { get; }

    public IReadOnlyList<string> Members { get; }

    [JsonIgnore]
    public string Hash { get; }

    [JsonIgnore]
    public int Count => Members.Count;

    [JsonIgnore]
    public int Threshold => QuorumMath.Threshold(Count);

    [JsonIgnore]
    public int MaxFaulty => QuorumMath.MaxFaulty(Count);

    [JsonIgnore]
    public bool ToleratesByzantine => QuorumMath.ToleratesByzantine(Count);

    public bool Contains(string? validatorId) => validatorId is not null && _members.Contains(validatorId);

    public bool Equals(ValidatorSet? other) => other is not null && Hash == other.Hash;

    public override int GetHashCode() => Hash.GetHashCode(StringComparison.Ordinal);
}
