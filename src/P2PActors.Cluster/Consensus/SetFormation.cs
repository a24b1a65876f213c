using System.Collections.Immutable;
using Akka.Cluster;

namespace P2PActors.Cluster.Consensus;

/// <summary>One Up member as the registry sees it: since when (this node's clock) and every key a valid proof names for it.</summary>
public sealed record MemberClaims(UniqueAddress Member, DateTime UpSince, IReadOnlySet<string> Keys);

/// <summary>
/// Which Up members count towards the validator set, decided only from what every honest node ends up knowing alike:
/// the Up members (Akka gossip) and the identity proofs (a replicated set every node adds the proofs it verified to).
/// Pure. The one local input, <see cref="MemberClaims.UpSince"/>, only decides how long to wait for a member without
/// any proof; once proofs are shared, every honest node computes the same result.
/// </summary>
/// <param name="Waiting">Some member has no proof yet and its bounded wait is not over: no set now.</param>
/// <param name="Proven">Members with exactly one key, counted in the epoch (closed membership filters their keys afterwards).</param>
/// <param name="LeftOut">Node address → why that member is left out of the set.</param>
public sealed record SetFormation(bool Waiting, IReadOnlyList<(UniqueAddress Member, string ValidatorId)> Proven, ImmutableDictionary<string, string> LeftOut)
{
    public const string NoAnswer = "no answer to identity challenges";
    public const string SeveralKeys = "proved more than one validator key";
    public const string SharedKey = "its validator key is proved by another member too";

    public static SetFormation Form(IReadOnlyCollection<MemberClaims> up, DateTime now, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(up);
        // A key proved for two incarnations is worthless for both: one of them is not who it claims to be, and nothing
        // signed can tell which. Dropping it everywhere keeps the rule the same on every node.
        var owners = up.SelectMany(m => m.Keys.Distinct(StringComparer.Ordinal))
            .GroupBy(k => k, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        var waiting = false;
        var proven = new List<(UniqueAddress, string)>(up.Count);
        var leftOut = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        foreach (var member in up.OrderBy(m => m.Member.Address.ToString(), StringComparer.Ordinal).ThenBy(m => m.Member.Uid))
        {
            var keys = member.Keys.Where(k => !owners.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
            var address = member.Member.Address.ToString();
            if (keys.Count == 1)
                proven.Add((member.Member, keys[0]));
            else if (keys.Count > 1)
                leftOut = leftOut.SetItem(address, SeveralKeys);
            else if (member.Keys.Count > 0)
                leftOut = leftOut.SetItem(address, SharedKey);
            else if (now - member.UpSince < timeout)
                waiting = true;
            else
                leftOut = leftOut.SetItem(address, $"{NoAnswer} within {timeout.TotalSeconds:0.#} s");
        }
        return new SetFormation(waiting, proven, leftOut);
    }
}
