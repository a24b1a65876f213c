using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusClusterTests : TestKit
{
    [Fact]
    public async Task Four_honest_nodes_accept_valid_content_with_a_certificate_every_node_verifies_and_reject_invalid_content()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[0].View.Current!;
            Assert.Equal(3, set.Threshold);

            var valid = ConsensusCluster.Valid(ContentType.Item, 11);
            var accepted = await nodes[1].Client.ProposeAsync(valid);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.NotNull(accepted.Certificate);
            Assert.True(accepted.Approvals >= 3);
            foreach (var node in nodes)
                Assert.True(CertificateVerifier.Verify(accepted.Certificate, valid.Id!, node.View.Registry).IsValid);

            // The shared entry carries the certificate and every node admits it.
            await AwaitAssertAsync(async () =>
            {
                foreach (var node in nodes)
                {
                    var header = await node.State.FindCatalogEntryAsync(valid.Id!);
                    Assert.NotNull(header);
                    Assert.Equal(accepted.Certificate, header.Certificate);
                }
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

            var invalid = ConsensusCluster.Overpowered(12);
            var rejected = await nodes[2].Client.ProposeAsync(invalid);
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);
            Assert.Null(rejected.Certificate);
            Assert.Contains(rejected.Rules, r => r.StartsWith("balance.", StringComparison.Ordinal));
            Assert.Null(await nodes[0].State.FindCatalogEntryAsync(invalid.Id!));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
