using System.Collections.Concurrent;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Events;

namespace P2PActors.Cluster.Tests.Events;

/// <summary>The latest decisions a consensus subscription starts with: each passed on once, the oldest dropped past the capacity.</summary>
public sealed class RecentDecisionsTests() : TestKit("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.remote.dot-netty.tcp.port = 0")
{
    private static ProposalOutcome Outcome(int n) =>
        new($"{n:x64}", ProposalDecision.Rejected, 1, 1, 1, 0, 1, ["rule"], [], null, TimeSpan.FromMilliseconds(1), []);

    [Fact]
    public async Task A_subscription_starts_with_the_latest_decisions_once_each_then_takes_new_ones_live()
    {
        // Prevents: an empty log until the next vote for a page that opens late, and a decision kept just before the
        // subscription read the list but published just after it reaching the page twice.
        var recent = RecentDecisions.For(Sys);
        for (var n = 0; n < RecentDecisions.Capacity + 5; n++) recent.Announce(Sys, Outcome(n));
        var kept = recent.Snapshot();
        Assert.Equal(RecentDecisions.Capacity, kept.Count);
        Assert.Equal(Outcome(5).ContentId, kept[0].Outcome.ContentId);

        var seen = new ConcurrentQueue<INodeEvent>();
        using var subscription = await NodeEvents.For(Sys).SubscribeAsync(NodeEventTopics.Consensus, seen.Enqueue, RecentDecisions.Capacity);
        Assert.Equal(kept.Select(d => d.Outcome.ContentId), seen.OfType<ConsensusDecided>().Select(d => d.Outcome.ContentId));

        // The race, forced: the last kept decision published (again) after the subscription read it; then a new one.
        Sys.EventStream.Publish(kept[^1]);
        recent.Announce(Sys, Outcome(1000));
        await AwaitAssertAsync(() => Assert.Equal(Outcome(1000).ContentId, seen.OfType<ConsensusDecided>().Last().Outcome.ContentId));
        Assert.Equal(RecentDecisions.Capacity + 1, seen.OfType<ConsensusDecided>().Count());

        // A subscription with little room takes the newest few; an older kept one arriving live is not passed on either
        // (it would land below newer ones in the page's log).
        var few = new ConcurrentQueue<INodeEvent>();
        using var small = await NodeEvents.For(Sys).SubscribeAsync(NodeEventTopics.Consensus, few.Enqueue, 5);
        var latest = recent.Snapshot();
        Assert.Equal(latest.TakeLast(5).Select(d => d.Sequence), few.OfType<ConsensusDecided>().Select(d => d.Sequence));
        Sys.EventStream.Publish(latest[0]);
        recent.Announce(Sys, Outcome(2000));
        await AwaitAssertAsync(() => Assert.Equal(Outcome(2000).ContentId, few.OfType<ConsensusDecided>().Last().Outcome.ContentId));
        Assert.Equal(6, few.OfType<ConsensusDecided>().Count());
    }
}
