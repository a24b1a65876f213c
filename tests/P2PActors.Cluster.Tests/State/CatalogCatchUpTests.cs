using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// A node that comes up in a cluster reads every catalog bucket it holds empty from a peer, so it lists the catalog
/// without waiting for gossip, which passes over every key a few at a time (a 10,000-entry catalog took 10–16 s).
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class CatalogCatchUpTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_joiner_lists_the_whole_catalog_without_any_gossip()
    {
        // Gossip once an hour: within the test only the catch-up reads can bring the buckets.
        var settings = new GameStateSettings { GossipInterval = TimeSpan.FromHours(1) };
        var keys = settings.CreateKeys();
        var holder = TestCluster.StartNode(new StateNodeOptions { State = settings }, null);
        StateNode? joiner = null;
        try
        {
            await TestCluster.AllUpAsync(this, [holder], 1);
            await CatalogSeeding.OneEntryPerBucketWithoutDeltaAsync(holder.System, settings);

            joiner = TestCluster.StartNode(new StateNodeOptions { State = settings }, holder.Address);
            await TestCluster.AllUpAsync(this, [holder, joiner], 2);

            await AwaitAssertAsync(async () =>
                Assert.Equal(keys.Catalog.Count, (await joiner.State.GetSnapshotAsync()).CatalogSize),
                Patience, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await Task.WhenAll(new[] { holder, joiner }.OfType<StateNode>().Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
