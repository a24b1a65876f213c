using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

[Collection(MultiNode.Collection)]
public sealed class StateHostingTests : TestKit
{
    [Fact]
    public async Task A_node_started_with_WithP2PNode_serves_durable_game_state_and_runs_keep_majority()
    {
        using var data = new TempDataDirectory();
        // This test is about durable state, not certificates: the catalog admits what it is given.
        var settings = data.Settings() with { Admission = AdmitAll.Instance };
        await using (var node = await TestNode.StartAsync(settings))
        {
            var config = node.System.Settings.Config;
            Assert.Contains("SplitBrainResolverProvider", config.GetString("akka.cluster.downing-provider-class"));
            Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));

            var state = GameState.For(node.System);
            Assert.Equal(Replication.Confirmed, (await state.AddItemAsync("hosted", "torch")).Replication);
            Assert.Equal(Replication.Confirmed, (await state.ShareAsync(TestCluster.SampleItem(500), "node")).Replication);
        }

        Assert.True(File.Exists(Path.Combine(settings.DataDirectory, "state", "ddata.db")));
        await using var again = await TestNode.StartAsync(settings);
        var restarted = GameState.For(again.System);
        // Nothing is written after the restart: what the view shows was loaded from the durable store.
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(["torch"], (await restarted.GetPlayerAsync("hosted"))?.Inventory);
            Assert.Equal(1, (await restarted.ListCatalogAsync(null, 0, 10)).Total);
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_node_started_with_WithP2PNode_gossips_at_most_four_buckets_per_message()
    {
        // A peer whose buckets all differ (one writing forgeries, which honest nodes drop) is answered with up to ten
        // such messages per gossip tick: at 16 buckets each, that grew with the catalog until 7 nodes with 2 forgers
        // decided at p99 ≈ 300 ms (docs/benchmarks.md, "Four keys per gossip message").
        using var data = new TempDataDirectory();
        await using var node = await TestNode.StartAsync(data.Settings() with { Admission = AdmitAll.Instance });
        Assert.Equal(4, Akka.DistributedData.ReplicatorSettings.Create(node.System).MaxDeltaElements);
    }
}
