using Akka.Cluster;
using Akka.DistributedData;

namespace P2PActors.Cluster.State;

/// <summary>
/// The removals <see cref="GameStateSettings.PlayerRetention"/> makes in the position and presence buckets. Each keeps
/// an entry newer than the cutoff (a move or heartbeat that reached the bucket after the view was read), and each
/// result has its delta reset, so the replicator sends the bucket's full state by gossip instead of a delta: a removal's
/// delta in Akka.NET 1.5.73 carries the remover's whole version vector (<c>ORSet.MergeRemoveDelta</c> merges it into the
/// receiver's), so a peer that got it before an add the remover had already seen took that add as removed and dropped
/// it for good (akka/akka#22890, fixed on the JVM). A full-state merge compares each entry with what the other side saw.
/// </summary>
public static class IdleRemoval
{
    public static LWWDictionary<string, PlayerPosition> Positions(
        LWWDictionary<string, PlayerPosition> bucket, UniqueAddress self, IEnumerable<string> playerIds, long cutoffMs) =>
        playerIds.Aggregate(bucket, (acc, id) => acc.TryGetValue(id, out var position) && position.UpdatedAtMs < cutoffMs ? acc.Remove(self, id) : acc)
            .ResetDelta();

    public static LWWDictionary<string, PresenceEntry> Presence(
        LWWDictionary<string, PresenceEntry> bucket, UniqueAddress self, IEnumerable<string> playerIds, long cutoffMs, long nowMs) =>
        playerIds.Aggregate(bucket, (acc, id) => acc.TryGetValue(id, out var seen) && GameStateView.IsForgettable(seen.LastSeenMs, cutoffMs, nowMs)
                ? acc.Remove(self, id) : acc)
            .ResetDelta();
}
