using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>Fills a node's catalog fast: one local replicator update per bucket instead of one majority write per entry.</summary>
public static class CatalogSeeding
{
    public static CatalogHeader Header(int i) => new(
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"seed-{i}"))),
        (ContentType)(i % 5),
        $"Seeded {i}",
        "seeder",
        1_700_000_000_000 + i,
        "akka.tcp://p2pactors@127.0.0.1:1");

    public static async Task SeedAsync(ActorSystem system, GameStateSettings settings, int count)
    {
        var keys = settings.CreateKeys();
        var self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;
        var replicator = DistributedData.Get(system).Replicator;
        var updates = Enumerable.Range(0, count).Select(Header).GroupBy(h => keys.CatalogKey(h.Id)).Select(bucket =>
            replicator.Ask<IUpdateResponse>(Dsl.Update(bucket.Key, CatalogBucket.Empty, WriteLocal.Instance,
                d => bucket.Aggregate(d, (acc, h) => acc.SetItem(self, h))), TimeSpan.FromSeconds(30)));
        foreach (var response in await Task.WhenAll(updates))
            Assert.IsType<UpdateSuccess>(response);
    }

    /// <summary>
    /// One entry in each catalog bucket of <paramref name="system"/>, written without a delta: a node that joins later
    /// gets only what gossip or its own reads give it, as when the holders' deltas went to one another long before.
    /// </summary>
    public static async Task OneEntryPerBucketWithoutDeltaAsync(ActorSystem system, GameStateSettings settings)
    {
        var self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;
        var replicator = DistributedData.Get(system).Replicator;
        foreach (var key in settings.CreateKeys().Catalog)
            Assert.IsType<UpdateSuccess>(await replicator.Ask<IUpdateResponse>(
                Dsl.Update(key, CatalogBucket.Empty, WriteLocal.Instance, d => d.SetItem(self, HeaderIn(key.Id)).ResetDelta()), TimeSpan.FromSeconds(30)));
    }

    /// <summary>A header whose id falls in the bucket named <paramref name="keyId"/> (<c>catalog2-xx</c>).</summary>
    public static CatalogHeader HeaderIn(string keyId)
    {
        var prefix = keyId[StateKeys.CatalogPrefix.Length..];
        var id = prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyId)))[prefix.Length..];
        return new CatalogHeader(id, ContentType.Item, $"Entry of {keyId}", "held-keys", 1_700_000_000_000, "akka.tcp://p2pactors@127.0.0.1:1");
    }
}
