using Akka.Cluster;
using Akka.DistributedData;

namespace P2PActors.Cluster.Replicas;

/// <summary>
/// Removals from a replicated map that travel as its full state, never as a delta. A removal's delta in Akka.NET 1.5.73
/// carries the remover's whole version vector, and <c>ORSet.MergeRemoveDelta</c> merges it into the receiver's: a peer
/// that got it before an add the remover had already seen took that add as removed, dropped it, and its next full-state
/// gossip made every other node drop it too (akka/akka#22890, fixed on the JVM only). With the delta reset the replicator
/// sends nothing for the removal but the map's full state (gossip, or the full value of a majority write). Its merge
/// keeps a removed entry on the first merge for about a quarter of node pairs (the version-vector comparison described in
/// docs/architecture.md, Inventories), but gossip settles it within a few rounds; a dropped add never comes back
/// (<c>PlayerRetentionTests</c> keeps both as an executable record). Later changes in the same update make a delta again.
/// Never put an entry before a removal in the same update: the reset drops that put's delta too, and the delta of a put
/// after the removal carries a version vector covering the first put, so a receiver would take it as seen and removed
/// (remove first, then put, as <c>SessionClaims</c> does). Needs Akka.NET 1.5.54 or later, where a removal-only update
/// no longer fails on its null delta.
/// </summary>
public static class RemovalsAsFullState
{
    /// <summary><see cref="LWWDictionary{TKey,TValue}.Remove(UniqueAddress,TKey)"/> without the delta that would carry it.</summary>
    public static LWWDictionary<TKey, TValue> RemoveAsFullState<TKey, TValue>(this LWWDictionary<TKey, TValue> map, UniqueAddress node, TKey key) =>
        map.Remove(node, key).ResetDelta();
}
