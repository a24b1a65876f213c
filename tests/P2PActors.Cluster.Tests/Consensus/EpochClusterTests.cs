using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// Membership changes that reused an epoch number while epochs were made of Akka up-numbers: a member replaced by
/// another (same up-number), and a full-cluster restart on the same data folders (up-numbers start again at 1).
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class EpochClusterTests : TestKit
{
    [Fact]
    public async Task A_member_replaced_by_another_makes_a_new_epoch_every_node_agrees_on_and_content_still_decides()
    {
        var nodes = (await ConsensusCluster.StartAsync(this, 3)).ToList();
        try
        {
            var before = nodes[0].View.Current!;
            var early = ConsensusCluster.Valid(ContentType.Item, 301);
            var earlyOutcome = await nodes[0].Client.ProposeAsync(early);
            Assert.Equal(ProposalDecision.Accepted, earlyOutcome.Decision);

            // The third node leaves and is removed; a new one joins in its place (and gets the up-number it had).
            await nodes[2].Node.Cluster.LeaveAsync();
            await nodes[2].DisposeAsync();
            nodes.RemoveAt(2);
            await AwaitAssertAsync(() => Assert.All(nodes, n => Assert.Equal(2, n.Node.Cluster.State.Members.Count)),
                ConsensusCluster.ConvergeTimeout, TimeSpan.FromMilliseconds(50));
            await ConsensusCluster.SameSetAsync(this, nodes, 2);
            nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), nodes[0].Address));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 3);
            await ConsensusCluster.SameSetAsync(this, nodes, 3);

            var after = nodes[0].View.Current!;
            Assert.NotEqual(before.Epoch, after.Epoch);
            Assert.Contains(nodes[2].Runtime.Identity.ValidatorId, after.Members);

            var valid = ConsensusCluster.Valid(ContentType.Item, 302);
            var accepted = await nodes[2].Client.ProposeAsync(valid);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.Equal(after.Epoch, accepted.Certificate!.Epoch);
            var rejected = await nodes[1].Client.ProposeAsync(ConsensusCluster.Overpowered(303));
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);

            // The certificate of the earlier set still verifies everywhere, the newcomer included.
            await AwaitAssertAsync(() =>
            {
                foreach (var node in nodes)
                {
                    Assert.True(CertificateVerifier.Verify(earlyOutcome.Certificate, early.Id!, node.View.Registry).IsValid, $"{node.Address} refused the earlier certificate");
                    Assert.True(CertificateVerifier.Verify(accepted.Certificate, valid.Id!, node.View.Registry).IsValid);
                }
            }, ConsensusCluster.ConvergeTimeout, TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task After_a_full_cluster_restart_on_the_same_data_every_node_agrees_on_the_set_and_old_certificates_verify()
    {
        var dirs = Enumerable.Range(0, 5).Select(_ => TestCluster.NewDataDirectory()).ToArray();
        var certified = new List<(string Id, Certificate Certificate)>();
        var nodes = new List<ConsensusNode>();
        try
        {
            // History: A, B, C, D certify content; D leaves and E takes its place; A, B, C, E certify more.
            nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), null, dataDirectory: dirs[0]));
            for (var i = 1; i < 4; i++)
                nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), nodes[0].Address, dataDirectory: dirs[i]));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 4);
            await ConsensusCluster.SameSetAsync(this, nodes, 4);
            certified.Add(await CertifyAsync(nodes[1], 401));

            await nodes[3].Node.Cluster.LeaveAsync();
            await nodes[3].DisposeAsync();
            nodes.RemoveAt(3);
            await ConsensusCluster.SameSetAsync(this, nodes, 3);
            nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), nodes[0].Address, dataDirectory: dirs[4]));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 4);
            await ConsensusCluster.SameSetAsync(this, nodes, 4);
            certified.Add(await CertifyAsync(nodes[3], 402));
            await AllAdmittedAsync(nodes, certified);

            // Everyone stops; A, B, C and E start again on their folders.
            await ConsensusCluster.DisposeAllAsync(nodes);
            nodes.Clear();
            nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), null, dataDirectory: dirs[0]));
            foreach (var dir in new[] { dirs[1], dirs[2], dirs[4] })
                nodes.Add(ConsensusCluster.StartNode(new ConsensusOptions(), nodes[0].Address, dataDirectory: dir));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 4);
            await ConsensusCluster.SameSetAsync(this, nodes, 4);
            Assert.DoesNotContain(nodes[0].View.Current!.Epoch, certified.Select(c => c.Certificate.Epoch));

            // Old certificates verify on every node and the catalog admits their entries; new content decides.
            await AllAdmittedAsync(nodes, certified);
            certified.Add(await CertifyAsync(nodes[2], 403));
            var rejected = await nodes[3].Client.ProposeAsync(ConsensusCluster.Overpowered(404));
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);
            await AllAdmittedAsync(nodes, certified);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
            foreach (var dir in dirs)
                TestCluster.DeleteDataDirectory(dir);
        }
    }

    private static async Task<(string, Certificate)> CertifyAsync(ConsensusNode node, long seed)
    {
        var content = ConsensusCluster.Valid(ContentType.Item, seed);
        var outcome = await node.Client.ProposeAsync(content);
        Assert.Equal(ProposalDecision.Accepted, outcome.Decision);
        return (content.Id!, outcome.Certificate!);
    }

    private Task AllAdmittedAsync(IReadOnlyList<ConsensusNode> nodes, IReadOnlyList<(string Id, Certificate Certificate)> certified) =>
        AwaitAssertAsync(async () =>
        {
            foreach (var node in nodes)
            {
                foreach (var (id, certificate) in certified)
                {
                    Assert.Equal(CertificateCheck.Valid, CertificateVerifier.Verify(certificate, id, node.View.Registry));
                    Assert.NotNull(await node.State.FindCatalogEntryAsync(id));
                }
            }
        }, ConsensusCluster.ConvergeTimeout, TimeSpan.FromMilliseconds(100));
}
