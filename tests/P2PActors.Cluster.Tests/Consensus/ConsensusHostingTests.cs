using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusHostingTests : TestKit
{
    [Fact]
    public async Task A_WithP2PNode_node_certifies_what_it_shares_keeps_its_validator_key_and_still_admits_its_catalog_after_a_restart()
    {
        using var data = new TempDataDirectory();
        var settings = data.Settings();
        var content = ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string>(), 808);
        string validatorId;
        await using (var node = await TestNode.StartAsync(settings))
        {
            var runtime = ConsensusRuntime.For(node.System);
            var set = await runtime.Snapshot.WaitForSetAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([runtime.ValidatorId], set.Members);
            validatorId = runtime.ValidatorId;

            var outcome = await ConsensusClient.For(node.System).ProposeAsync(content);
            Assert.Equal(ProposalDecision.Accepted, outcome.Decision);
            var state = GameState.For(node.System);
            Assert.Equal(outcome.Certificate, (await state.FindCatalogEntryAsync(content.Id!))?.Certificate.ToCertificate());

            // The node's default admission checks certificates: an entry without one is refused.
            await Assert.ThrowsAsync<ArgumentException>(() => state.ShareAsync(TestCluster.SampleItem(9), "node"));
            Assert.Equal(1, (await state.ListCatalogAsync(null, 0, 10)).Total);
        }
        Assert.True(File.Exists(Path.Combine(settings.DataDirectory, ValidatorIdentity.FileName)));

        await using var again = await TestNode.StartAsync(settings);
        Assert.Equal(validatorId, ConsensusRuntime.For(again.System).ValidatorId);
        var restarted = GameState.For(again.System);
        await AwaitAssertAsync(async () =>
        {
            var header = await restarted.FindCatalogEntryAsync(content.Id!);
            Assert.NotNull(header?.Certificate);
            Assert.Equal(1, (await restarted.ListCatalogAsync(null, 0, 10)).Total);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }
}
