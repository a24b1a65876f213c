using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// Akka.NET's replicator hands a node a key it lacks only through gossip status chunks, and both ways can miss it for
/// good when a message carries few keys (max-delta-elements 4): a node answers a chunk with at most that many of the
/// chunk's keys, always the first ones in hash-set order, whether the asker holds them already or not; and a node ignores
/// a status chunk that names no key, so a key whose chunk is empty in the lacking node's own partition is never offered
/// either. One `state-sync` join of 10,000 entries in thirteen never converged. Every node therefore holds every catalog,
/// position, presence and inventory key from its start (<see cref="P2PActors.Cluster.Replicas.HeldKeys"/>), empty until written: a key then
/// differs instead of missing, and differing keys are exchanged until they agree.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class HeldKeysTests : TestKit
{
    private const int KeysPerMessage = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_node_receives_catalog_buckets_that_gossip_never_offers_a_node_lacking_them()
    {
        var settings = new GameStateSettings { MaxDeltaElements = KeysPerMessage, GossipInterval = TimeSpan.FromMilliseconds(100) };
        var keys = settings.CreateKeys();
        // The node that lacks buckets forms the cluster alone, so it never reads buckets from a peer as it comes up
        // (GameStateActor's catch-up): only gossip can bring it the holder's.
        var lacker = TestCluster.StartNode(new StateNodeOptions { State = settings }, null);
        StateNode? holder = null;
        try
        {
            await TestCluster.AllUpAsync(this, [lacker], 1);
            holder = TestCluster.StartNode(new StateNodeOptions { State = settings }, lacker.Address, join: false);
            await CatalogSeeding.OneEntryPerBucketWithoutDeltaAsync(holder.System, settings);
            var holderReplicator = DistributedData.Get(holder.System).Replicator;
            var held = (await holderReplicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, Patience)).Keys;

            // Extra keys, held alike by both nodes, move the two partitions until some catalog keys are out of reach.
            var (extras, lacking) = FindUnreachableLayout(held, keys.Catalog.Select(k => k.Id).ToHashSet(StringComparer.Ordinal));
            var lackerReplicator = DistributedData.Get(lacker.System).Replicator;
            foreach (var replicator in new[] { holderReplicator, lackerReplicator })
            foreach (var extra in Enumerable.Range(0, extras).Select(ExtraKey))
                Assert.IsType<UpdateSuccess>(await replicator.Ask<IUpdateResponse>(
                    Dsl.Update(extra, GSet<string>.Empty, WriteLocal.Instance, s => s.Add("x").ResetDelta()), Patience));
            // The other node holds everything the holder holds but the lacking buckets, with equal values.
            foreach (var key in keys.Catalog.Where(k => !lacking.Contains(k.Id)))
            {
                var bucket = ((GetSuccess)await holderReplicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), Patience)).Get(key);
                Assert.IsType<UpdateSuccess>(await lackerReplicator.Ask<IUpdateResponse>(
                    Dsl.Update(key, CatalogBucket.Empty, WriteLocal.Instance, d => d.Merge(bucket)), Patience));
            }
            holder.Cluster.Join(lacker.Address);
            await TestCluster.AllUpAsync(this, [lacker, holder], 2);

            await AwaitAssertAsync(async () =>
                Assert.Equal(keys.Catalog.Count, (await lacker.State.GetSnapshotAsync()).CatalogSize),
                Patience, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await Task.WhenAll(new[] { lacker, holder }.OfType<StateNode>().Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>
    /// How many extra keys to add, and which catalog keys the other node lacks, so that the replicator (Akka.NET 1.5.73,
    /// <c>Replicator.GossipTo</c> and <c>ReceiveStatus</c>) never hands it the lacking ones: each is past the
    /// first <see cref="KeysPerMessage"/> keys of its chunk in the holder's partition (keys / max-delta-elements chunks,
    /// by MurmurHash), and together they are the whole of one chunk of the lacking node's partition, so its status for
    /// that chunk names no key. Computed in this process, whose string hashes the replicators' hash sets use too.
    /// </summary>
    private static (int Extras, HashSet<string> Lacking) FindUnreachableLayout(IImmutableSet<string> held, HashSet<string> catalog)
    {
        for (var extras = 0; extras < 2_000; extras++)
        {
            var all = held.Concat(Enumerable.Range(0, extras).Select(i => ExtraKey(i).Id)).ToList();
            var holderChunks = all.Count / KeysPerMessage;
            var outOfHolderReach = all.GroupBy(k => Chunk(k, holderChunks))
                .SelectMany(chunk => chunk.ToImmutableHashSet().Skip(KeysPerMessage))
                .ToHashSet(StringComparer.Ordinal);
            for (var lackingCount = 1; lackingCount <= 2 * KeysPerMessage; lackingCount++)
            {
                var lackerChunks = (all.Count - lackingCount) / KeysPerMessage;
                foreach (var chunk in all.GroupBy(k => Chunk(k, lackerChunks)))
                {
                    var members = chunk.ToList();
                    if (members.Count == lackingCount && members.All(k => catalog.Contains(k) && outOfHolderReach.Contains(k)))
                        return (extras, members.ToHashSet(StringComparer.Ordinal));
                }
            }
        }
        throw new InvalidOperationException("no layout leaves a catalog key out of gossip's reach");
    }

    private static int Chunk(string key, int chunks) => Math.Abs(Akka.Util.MurmurHash.StringHash(key) % chunks);

    private static GSetKey<string> ExtraKey(int i) => new($"held-keys-extra-{i.ToString(CultureInfo.InvariantCulture)}");
}
