using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;

namespace P2PActors.Cluster.Replicas;

/// <summary>
/// Each node holds every key of a fixed key set in its replica from its start, empty until written. Akka.NET's replicator
/// (1.5.73) hands a node a key it lacks only through gossip status chunks, and with few keys per message
/// (<c>max-delta-elements</c> 4, <c>GameStateSettings.MaxDeltaElements</c>) both ways can miss a key for good: a node answers a chunk with at
/// most that many of the chunk's keys, always the first ones in its hash-set order, whether the asker holds them or not;
/// and it ignores a chunk that names no key, so a key whose chunk is empty in the lacking node's own partition is never
/// offered from that side either. A node joining a 10,000-entry catalog missed buckets that way in one join of thirteen
/// and never got them (docs/architecture.md "Every key held"; <c>HeldKeysTests</c> builds such a layout). A key a node
/// holds, even empty, differs instead of missing, and differing keys are exchanged until they agree.
/// </summary>
public static class HeldKeys
{
    /// <summary>The replicator answers once it has loaded its durable store, which takes a while for a large catalog.</summary>
    private static readonly TimeSpan ReplicatorPatience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Writes <paramref name="empty"/> locally under each of <paramref name="keys"/> the local replica does not hold yet.
    /// An empty value merges into anything, so a key written in the meantime keeps its value; the write carries no delta,
    /// so nothing is sent to the peers. Runs in the background; a failure is logged.
    /// </summary>
    public static void CreateMissing<T>(ActorSystem system, IActorRef replicator, IEnumerable<IKey<T>> keys, T empty)
        where T : IReplicatedData
    {
        var wanted = keys.ToList();
        CreateMissingAsync(replicator, wanted, empty).ContinueWith(
            t => system.Log.Warning("Could not create the {0} empty replicated keys this node holds from its start: {1}",
                wanted.Count, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private static async Task CreateMissingAsync<T>(IActorRef replicator, IReadOnlyList<IKey<T>> keys, T empty)
        where T : IReplicatedData
    {
        var held = (await replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, ReplicatorPatience).ConfigureAwait(false)).Keys;
        await Task.WhenAll(keys.Where(key => !held.Contains(key.Id)).Select(key =>
            replicator.Ask<IUpdateResponse>(Dsl.Update(key, empty, WriteLocal.Instance, value => value), ReplicatorPatience))).ConfigureAwait(false);
    }
}
