using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// No single member can freeze the validator set: one that never answers its identity challenge is left out after
/// a bounded wait, and one that answers only some challengers is known to every honest node through the proofs they
/// share, so every honest node holds the same set and later joiners get it too.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class MuteMemberTests : TestKit
{
    private static readonly TimeSpan IdentityTimeout = TimeSpan.FromSeconds(2);

    private static ConsensusOptions Options(ByzantineMode mode = ByzantineMode.Honest) => new() { Byzantine = mode, IdentityTimeout = IdentityTimeout };

    [Fact]
    public async Task A_mute_member_is_left_out_a_later_node_joins_the_set_and_votes_and_content_decides()
    {
        var nodes = new List<ConsensusNode>();
        try
        {
            nodes.Add(ConsensusCluster.StartNode(Options(), null));
            nodes.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            nodes.Add(ConsensusCluster.StartNode(Options(ByzantineMode.Mute), nodes[0].Address));
            nodes.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            var mute = nodes[2];
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 4);
            var honest = nodes.Where(n => n != mute).ToList();
            await ConsensusCluster.SameSetAsync(this, honest, 3);
            Assert.DoesNotContain(mute.Runtime.ValidatorId, honest[0].View.Current!.Members);

            // A fifth node joins: it waits its bounded time for the mute member, then holds the set the others hold.
            honest.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            nodes.Add(honest[^1]);
            var joiner = honest[^1];
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 5);
            await ConsensusCluster.SameSetAsync(this, honest, 4);
            var set = honest[0].View.Current!;
            Assert.Equal(honest.Select(n => n.Runtime.ValidatorId).Order(StringComparer.Ordinal), set.Members);

            // Flagged on every honest node: the mute member's address, with why.
            foreach (var node in honest)
            {
                var leftOut = Assert.Single(ValidatorOverview.From(node.View).LeftOut);
                Assert.Equal(mute.Address.ToString(), leftOut.Address);
                Assert.StartsWith(SetFormation.NoAnswer, leftOut.Reason);
            }

            var valid = ConsensusCluster.Valid(ContentType.Character, 601);
            var accepted = await joiner.Client.ProposeAsync(valid);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.Equal(set.Epoch, accepted.Epoch);
            Assert.Equal(4, accepted.Validators);
            var rejected = await honest[0].Client.ProposeAsync(ConsensusCluster.Overpowered(602));
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);
            Assert.Null(rejected.Certificate);

            await AssertVotesInSetAsync(honest[0], joiner, set, ConsensusCluster.Valid(ContentType.Item, 603));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_member_that_answers_only_half_of_its_challengers_is_in_the_one_set_every_honest_node_holds()
    {
        var nodes = new List<ConsensusNode>();
        try
        {
            nodes.Add(ConsensusCluster.StartNode(Options(), null));
            nodes.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            nodes.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            nodes.Add(ConsensusCluster.StartNode(Options(ByzantineMode.PartialMute), nodes[0].Address));
            var partial = nodes[3];
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 4);
            var honest = nodes.Where(n => n != partial).ToList();
            // Of four distinct challengers it answers two, so at least one honest node never got its own answer.
            await ConsensusCluster.SameSetAsync(this, honest, 4);
            Assert.Contains(partial.Runtime.ValidatorId, honest[0].View.Current!.Members);

            honest.Add(ConsensusCluster.StartNode(Options(), nodes[0].Address));
            nodes.Add(honest[^1]);
            var joiner = honest[^1];
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 5);
            await ConsensusCluster.SameSetAsync(this, honest, 5);
            var set = honest[0].View.Current!;
            Assert.Equal(nodes.Select(n => n.Runtime.ValidatorId).Order(StringComparer.Ordinal), set.Members);
            Assert.All(honest, n => Assert.Empty(n.View.LeftOut));

            var accepted = await joiner.Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Quest, 611));
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.Equal(5, accepted.Validators);
            var rejected = await honest[1].Client.ProposeAsync(ConsensusCluster.Overpowered(612));
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);

            await AssertVotesInSetAsync(honest[0], joiner, set, ConsensusCluster.Valid(ContentType.Item, 613));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task While_a_member_may_still_prove_its_key_a_node_has_no_set_and_proposes_nothing()
    {
        var nodes = new List<ConsensusNode>();
        try
        {
            // A long wait: the mute member keeps every node waiting for the whole test.
            var waiting = new ConsensusOptions { IdentityTimeout = TimeSpan.FromMinutes(5) };
            nodes.Add(ConsensusCluster.StartNode(waiting, null));
            nodes.Add(ConsensusCluster.StartNode(waiting, nodes[0].Address));
            nodes.Add(ConsensusCluster.StartNode(waiting with { Byzantine = ByzantineMode.Mute }, nodes[0].Address));
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 3);
            await AwaitAssertAsync(() => Assert.All(nodes, n =>
            {
                Assert.Null(n.View.Current);
                Assert.True(n.View.Waiting);
            }), ConsensusCluster.ConvergeTimeout, TimeSpan.FromMilliseconds(25));

            // The seed formed a set of one before the others joined; it must not keep proposing in it.
            var outcome = await nodes[0].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 621));
            Assert.Equal(ProposalDecision.Undecided, outcome.Decision);
            Assert.Null(outcome.Certificate);
            Assert.Contains(outcome.Refusals, r => r.Contains("waiting for cluster members to prove their validator keys", StringComparison.Ordinal));
            Assert.StartsWith("no validator set yet", ValidatorOverview.From(nodes[1].View).Tolerance);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    /// <summary>
    /// <paramref name="voter"/>'s validator, asked over remoting by <paramref name="asker"/>, signs a vote for
    /// <paramref name="set"/> that the asker's registry counts.
    /// </summary>
    private static async Task AssertVotesInSetAsync(ConsensusNode asker, ConsensusNode voter, ValidatorSet set, GameContent content)
    {
        var proposal = new Proposal(ContentJson.Serialize(content), content.Id!, set.Epoch, set.Hash, asker.Address.ToString(), Header: ConsensusCluster.HeaderAt(asker, content));
        var path = new RootActorPath(voter.Address) / "user" / ValidatorActor.Name;
        var answer = await asker.System.ActorSelection(path).Ask<VoteBatch>(new ProposalBatch([proposal]), TimeSpan.FromSeconds(10));
        Assert.Empty(answer.Refusals);
        var vote = Assert.Single(answer.Votes);
        Assert.Equal(voter.Runtime.ValidatorId, vote.ValidatorId);
        Assert.True(vote.Approve);
        Assert.True(asker.View.Registry.IsValidVote(vote));
    }
}
