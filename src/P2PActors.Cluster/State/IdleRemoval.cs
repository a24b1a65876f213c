using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Replicas;

namespace P2PActors.Cluster.State;

/// <summary>
/// The removals <see cref="GameStateSettings.PlayerRetention"/> makes in the position and presence buckets. Each keeps
/// an entry newer than the cutoff (a move or heartbeat that reached the bucket after the view was read), and each
/// removal travels as the bucket's full state, not as a delta (<see cref="RemovalsAsFullState"/>).
/// </summary>
public static class IdleRemoval
{
    public static LWWDictionary<string, PlayerPosition> Positions(
        LWWDictionary<string, PlayerPosition> bucket, UniqueAddress self, IEnumerable<string> playerIds, long cutoffMs) =>
        playerIds.Aggregate(bucket, (acc, id) => acc.TryGetValue(id, out var position) && position.UpdatedAtMs < cutoffMs ? acc.RemoveAsFullState(self, id) : acc);

    public static LWWDictionary<string, PresenceEntry> Presence(
        LWWDictionary<string, PresenceEntry> bucket, UniqueAddress self, IEnumerable<string> playerIds, long cutoffMs, long nowMs) =>
        playerIds.Aggregate(bucket, (acc, id) => acc.TryGetValue(id, out var seen) && GameStateView.IsForgettable(seen.LastSeenMs, cutoffMs, nowMs)
                ? acc.RemoveAsFullState(self, id) : acc);
}
