using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

[Collection(MultiNode.Collection)]
public sealed class StateCatalogJoinTests : TestKit
{
    [Fact]
    public async Task A_node_joining_a_cluster_that_holds_10000_catalog_entries_receives_all_of_them()
    {
        const int entries = 10_000;
        var settings = new GameStateSettings();
        var nodes = await TestCluster.StartAsync(this, 3, _ => new StateNodeOptions { State = settings });
        StateNode? joiner = null;
        try
        {
            await CatalogSeeding.SeedAsync(nodes[0].System, settings, entries);
            var shared = TestCluster.SampleItem(400);
            await nodes[1].State.ShareAsync(shared, "node-b");

            joiner = TestCluster.StartNode(new StateNodeOptions { State = settings }, nodes[2].Address);
            await AwaitAssertAsync(async () =>
                Assert.Equal(entries + 1, (await joiner.State.GetSnapshotAsync()).CatalogSize),
                TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(200));

            var expected = Enumerable.Range(0, entries).Select(i => CatalogSeeding.Header(i).Id).Append(shared.Id!).Order().ToArray();
            var all = await joiner.State.ListCatalogAsync(null, 0, 1000);
            var ids = new List<string>(all.Entries.Select(e => e.Id));
            for (var skip = 1000; skip < all.Total; skip += 1000)
                ids.AddRange((await joiner.State.ListCatalogAsync(null, skip, 1000)).Entries.Select(e => e.Id));
            Assert.Equal(expected, ids.Order().ToArray());
            Assert.Equal(entries / 5, (await joiner.State.ListCatalogAsync(ContentType.Quest, 0, 1)).Total);
            Assert.Equal(ContentJson.Serialize(shared), ContentJson.Serialize((await joiner.State.GetContentAsync(shared.Id!))!));
        }
        finally
        {
            await Task.WhenAll(nodes.Append(joiner).OfType<StateNode>().Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
