using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusByzantineTests : TestKit
{
    // A mute member never enters the set (MuteMemberTests); every other mode is a validator that misbehaves.
    public static TheoryData<ByzantineMode> Modes() => new(Enum.GetValues<ByzantineMode>().Where(m => m is not ByzantineMode.Honest and not ByzantineMode.Mute));

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task One_Byzantine_validator_of_four_changes_no_decision(ByzantineMode mode)
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions { Byzantine = i == 3 ? mode : ByzantineMode.Honest });
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var proposer = nodes[round];
                var valid = await proposer.Client.ProposeAsync(ConsensusCluster.Valid((ContentType)(round % 5), 300 + round));
                Assert.Equal(ProposalDecision.Accepted, valid.Decision);
                foreach (var node in nodes.Take(3))
                    Assert.True(CertificateVerifier.Verify(valid.Certificate, valid.ContentId, node.View.Registry).IsValid);

                var invalid = await proposer.Client.ProposeAsync(ConsensusCluster.Overpowered(400 + round));
                Assert.Equal(ProposalDecision.Rejected, invalid.Decision);
                Assert.Null(invalid.Certificate);
            }

            // What the Byzantine node itself proposes is judged by the honest majority too: an overpowered node
            // overpowers even valid content on the way out, every other mode is handed invalid content here.
            Assert.Equal(mode == ByzantineMode.Overpowered, nodes[3].Client.IsOverpowered);
            var fromByzantine = mode == ByzantineMode.Overpowered ? ConsensusCluster.Valid(ContentType.Character, 500) : ConsensusCluster.Overpowered(500);
            var outcome = await nodes[3].Client.ProposeAsync(fromByzantine);
            Assert.NotEqual(ProposalDecision.Accepted, outcome.Decision);
            Assert.NotEqual(mode == ByzantineMode.Overpowered, outcome.ContentId == fromByzantine.Id);
            foreach (var node in nodes.Take(3))
                Assert.Null(await node.State.FindCatalogEntryAsync(outcome.ContentId));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
