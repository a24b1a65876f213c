using System.Collections.Concurrent;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Events;
using P2PActors.Cluster.Tests.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Events;

[Collection(MultiNode.Collection)]
public sealed class NodeEventsTests : TestKit
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_page_sees_outcomes_decided_on_its_node_members_coming_and_going_and_the_validator_set_growing()
    {
        ConsensusNode? a = null, b = null;
        try
        {
            a = ConsensusCluster.StartNode(new ConsensusOptions(), null);
            await TestCluster.AllUpAsync(this, [a.Node], 1);
            await a.Runtime.Snapshot.WaitForSetAsync(Converge);

            var events = new ConcurrentQueue<INodeEvent>();
            using var subscription = await NodeEvents.For(a.System).SubscribeAsync(
                NodeEventTopics.Consensus | NodeEventTopics.Members | NodeEventTopics.Validators, events.Enqueue);
            var watchingOnlyConsensus = new ConcurrentQueue<INodeEvent>();
            using var second = await NodeEvents.For(a.System).SubscribeAsync(NodeEventTopics.Consensus, watchingOnlyConsensus.Enqueue);

            // The current state comes first.
            var current = events.OfType<MembersChanged>().First();
            Assert.Equal("current", current.Change);
            Assert.Equal([a.Address.ToString()], current.Members.Select(m => m.Address));
            Assert.Equal(1, events.OfType<ValidatorsChanged>().Single().Overview.N);

            b = ConsensusCluster.StartNode(new ConsensusOptions(), a.Address);
            await AwaitAssertAsync(() =>
            {
                var up = events.OfType<MembersChanged>().LastOrDefault(e => e.Change == "up" && e.Member?.Address == b.Address.ToString());
                Assert.NotNull(up);
                Assert.Equal(2, up.Members.Count);
                Assert.All(up.Members, m => Assert.True(m.Reachable));
                var set = events.OfType<ValidatorsChanged>().Last().Overview;
                Assert.Equal(2, set.N);
                Assert.Equal(2, set.Threshold);
                Assert.Equal(0, set.F);
            }, Converge, TimeSpan.FromMilliseconds(50));
            await ConsensusCluster.SameSetAsync(this, [a, b], 2);

            var valid = ConsensusCluster.Valid(ContentType.Item, 11);
            var accepted = await a.Client.ProposeAsync(valid, ProposalOptions.DecideOnly);
            var overpowered = ConsensusCluster.Overpowered(12);
            var rejected = await a.Client.ProposeAsync(overpowered, ProposalOptions.DecideOnly);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);

            await AwaitAssertAsync(() =>
            {
                foreach (var queue in new[] { events, watchingOnlyConsensus })
                {
                    var outcomes = queue.OfType<ConsensusDecided>().Select(e => e.Outcome).ToList();
                    var yes = Assert.Single(outcomes, o => o.ContentId == valid.Id);
                    Assert.Equal(ProposalDecision.Accepted, yes.Decision);
                    Assert.Equal(2, yes.Certificate!.Approvals.Count);
                    var no = Assert.Single(outcomes, o => o.ContentId == overpowered.Id);
                    Assert.Equal(ProposalDecision.Rejected, no.Decision);
                    Assert.NotEmpty(no.Rules);
                }
            }, Converge, TimeSpan.FromMilliseconds(20));
            Assert.DoesNotContain(watchingOnlyConsensus, e => e is not ConsensusDecided);

            // B leaves: the page sees it go.
            await b.Node.Cluster.LeaveAsync();
            await AwaitAssertAsync(() =>
            {
                var removed = events.OfType<MembersChanged>().LastOrDefault(e => e.Change == "removed" && e.Member?.Address == b.Address.ToString());
                Assert.NotNull(removed);
                Assert.Equal([a.Address.ToString()], removed.Members.Select(m => m.Address));
            }, Converge, TimeSpan.FromMilliseconds(50));
            Assert.Contains(events.OfType<MembersChanged>(), e => e.Change == "leaving" && e.Member?.Address == b.Address.ToString());

            // A disposed subscription hears nothing more.
            second.Dispose();
            var count = watchingOnlyConsensus.Count;
            var later = await a.Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 13), ProposalOptions.DecideOnly);
            await AwaitAssertAsync(() => Assert.Contains(events.OfType<ConsensusDecided>(), e => e.Outcome.ContentId == later.ContentId), Converge);
            Assert.Equal(count, watchingOnlyConsensus.Count);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync([b, a]);
        }
    }
}
