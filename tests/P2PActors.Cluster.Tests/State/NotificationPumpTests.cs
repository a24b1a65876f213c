using Akka.DistributedData;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The fast notification pump flushes while the state is in use and wakes no thread while it is idle.</summary>
public sealed class NotificationPumpTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Flushes_while_active_goes_quiet_when_idle_and_wakes_on_the_next_change()
    {
        var replicator = CreateTestProbe();
        var pump = NotificationPump.Start(Sys, replicator.Ref, TimeSpan.FromMilliseconds(5), activeWindow: TimeSpan.FromMilliseconds(300));

        // Active from the start: flushes every few milliseconds.
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));

        // Without activity the pump goes to sleep once the window has passed. Every flush it sent before that is
        // already in the probe's queue; after draining them, nothing follows.
        AwaitCondition(() => pump.Sleeping, TimeSpan.FromSeconds(10));
        replicator.ReceiveWhile(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), m => m as FlushChanges);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        Assert.True(pump.Sleeping);

        // A change wakes it at once, and it keeps flushing for the next window.
        pump.Touch();
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Touches_from_many_threads_never_lose_the_wake_up()
    {
        var replicator = CreateTestProbe();
        var pump = NotificationPump.Start(Sys, replicator.Ref, TimeSpan.FromMilliseconds(2), activeWindow: TimeSpan.FromMilliseconds(20));
        for (var round = 0; round < 20; round++)
        {
            replicator.ReceiveWhile(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), m => m as FlushChanges);
            Parallel.For(0, 8, _ => pump.Touch());
            replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        }
    }
}
