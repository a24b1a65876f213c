using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>Closed validator membership: a member whose key is not on the list stays a member and never votes.</summary>
[Collection(MultiNode.Collection)]
public sealed class ClosedMembershipTests : TestKit
{
    [Fact]
    public async Task Members_not_on_the_validator_list_have_no_vote_and_the_listed_ones_decide()
    {
        // Keys made beforehand (as the keys command does), four of them listed; two unlisted members join as well.
        var dirs = Enumerable.Range(0, 6).Select(_ => TestCluster.NewDataDirectory()).ToArray();
        var ids = dirs.Select(d =>
        {
            using var identity = ValidatorIdentity.LoadOrCreate(d);
            return identity.ValidatorId;
        }).ToArray();
        var listed = ids.Take(4).ToHashSet(StringComparer.Ordinal);
        var nodes = new List<ConsensusNode>();
        try
        {
            ConsensusOptions Options(int i) => new() { AllowedValidators = listed, KeyDirectory = dirs[i] };
            nodes.Add(ConsensusCluster.StartNode(Options(0), null));
            for (var i = 1; i < 6; i++)
                nodes.Add(ConsensusCluster.StartNode(Options(i), nodes[0].Address));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 6);
            await ConsensusCluster.SameSetAsync(this, nodes, 4);

            var set = nodes[0].View.Current!;
            Assert.Equal(listed.Order(StringComparer.Ordinal), set.Members);
            Assert.Equal(3, set.Threshold);
            foreach (var node in nodes)
            {
                var overview = ValidatorOverview.From(node.View);
                Assert.All(overview.Validators.Where(v => !listed.Contains(v.Id)), v =>
                {
                    Assert.False(v.InCurrentSet);
                    Assert.Equal("not on the validator list", v.NoVote);
                });
                Assert.Equal(2, overview.Validators.Count(v => v.NoVote is not null));
            }

            // An unlisted member may propose; only listed validators' votes count.
            var valid = ConsensusCluster.Valid(ContentType.Item, 501);
            var accepted = await nodes[5].Client.ProposeAsync(valid);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.All(accepted.Certificate!.Approvals, a => Assert.Contains(a.ValidatorId, listed));
            var rejected = await nodes[4].Client.ProposeAsync(ConsensusCluster.Overpowered(502));
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);

            // Votes signed by an unlisted member's real key count for nothing in a tally of the listed set.
            var tally = VoteTally.Start(valid.Id!, set.Epoch, nodes[0].View.Registry);
            var outsider = nodes[5].Runtime.Identity.Vote(valid.Id!, set, true, []);
            Assert.Equal(VoteDisposition.NotAMember, tally.Add(outsider).Disposition);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
            foreach (var dir in dirs)
                TestCluster.DeleteDataDirectory(dir);
        }
    }
}
