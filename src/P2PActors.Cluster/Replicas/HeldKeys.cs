using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;

namespace P2PActors.Cluster.Replicas;

/// <summary>
/// Each node holds every key of a fixed key set in its replica, empty until written. Akka.NET's replicator (1.5.73)
/// hands a node a key it lacks only through gossip status chunks, and with few keys per message (our
/// <c>max-delta-elements</c> is 4) both ways can miss a key for good: a node answers a chunk with at most that many of
/// the chunk's keys, always the first ones in its hash-set order, whether the asker holds them or not; and it ignores a
/// chunk that names no key, so a key whose chunk is empty in the lacking node's own partition is never offered from that
/// side either. A node joining a 10,000-entry catalog missed a bucket that way in one join of thirteen and never got it
/// (docs/architecture.md "Every key held"; <c>HeldKeysTests</c> builds such a layout). A key a node holds, even empty,
/// differs instead of missing, and differing keys are exchanged until they agree.
/// </summary>
public static class HeldKeys
{
    /// <summary>The replicator answers once it has loaded its durable store, which takes a while for a large catalog.</summary>
    private static readonly TimeSpan ReplicatorPatience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Writes each empty value locally under its key unless the local replica holds the key already. An empty value
    /// merges into anything, so a key written in the meantime keeps its value; the write carries no delta, so nothing is
    /// sent to the peers. Runs in the background; a failure is logged.
    /// </summary>
    public static void CreateMissing(ActorSystem system, IActorRef replicator, IReadOnlyCollection<(IKey Key, IReplicatedData Empty)> keys) =>
        CreateMissingAsync(replicator, keys).ContinueWith(
            t => system.Log.Warning("Could not create {0} empty replicated keys: {1}", keys.Count, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>The pairs of <paramref name="keys"/> and one empty value of theirs.</summary>
    public static IEnumerable<(IKey Key, IReplicatedData Empty)> Of<T>(IEnumerable<IKey<T>> keys, T empty)
        where T : IReplicatedData =>
        keys.Select(key => ((IKey)key, (IReplicatedData)empty));

    private static async Task CreateMissingAsync(IActorRef replicator, IReadOnlyCollection<(IKey Key, IReplicatedData Empty)> keys)
    {
        var held = (await replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, ReplicatorPatience).ConfigureAwait(false)).Keys;
        await Task.WhenAll(keys.Where(k => !held.Contains(k.Key.Id)).Select(k =>
            replicator.Ask<IUpdateResponse>(new Update(k.Key, k.Empty, WriteLocal.Instance, value => value), ReplicatorPatience))).ConfigureAwait(false);
    }
}
