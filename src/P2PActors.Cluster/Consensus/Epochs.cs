using System.Buffers.Binary;
using System.Security.Cryptography;
using Akka.Cluster;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Names a membership epoch. An epoch is derived from the exact member incarnations that are Up — each member's
/// address and the random uid Akka gives every ActorSystem start (<see cref="UniqueAddress"/>, public API) — so a node
/// that leaves and another that joins, or the same nodes after a full-cluster restart, always make a new epoch, and
/// every node that sees the same Up members computes the same number without talking to anyone.
/// Epochs are identifiers, not counters: nothing orders them.
/// <para>
/// Numbers below <see cref="LegacyLimit"/> are the epochs of earlier releases (up-number·65536 + …, never above
/// 2^47 in practice); their votes were signed without the set hash and keep verifying that way. New epochs lie in
/// [<see cref="LegacyLimit"/>, <see cref="Limit"/>), below 2^53 so a browser's JSON number holds them exactly.
/// </para>
/// </summary>
public static class Epochs
{
    public const string Domain = "P2PActors/epoch/v2";

    /// <summary>Epochs below this were made by up-numbers; their votes sign no set hash (vote domain v1).</summary>
    public const long LegacyLimit = 1L << 48;

    /// <summary>Exclusive upper bound of every epoch (2^53: exact as a JavaScript number).</summary>
    public const long Limit = 1L << 53;

    public static bool IsLegacy(long epoch) => epoch < LegacyLimit;

    /// <summary>The epoch of the set formed by exactly these Up members (order does not matter); 0 for none.</summary>
    public static long FromMembers(IEnumerable<UniqueAddress> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var sorted = members.Select(m => (Address: m.Address.ToString(), m.Uid))
            .Distinct()
            .OrderBy(m => m.Address, StringComparer.Ordinal)
            .ThenBy(m => m.Uid)
            .ToList();
        if (sorted.Count == 0)
            return 0;
        var writer = new CanonicalWriter(Domain).Int64(sorted.Count);
        foreach (var (address, uid) in sorted)
            writer.String(address).Int64(uid);
        var hash = SHA256.HashData(writer.ToArray());
        var value = BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)(Limit - LegacyLimit);
        return LegacyLimit + (long)value;
    }
}
