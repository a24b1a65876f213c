using Akka.DistributedData;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The fast notification pump flushes while the state is in use and wakes no thread while it is idle.</summary>
public sealed class NotificationPumpTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Flushes_while_active_goes_quiet_when_idle_and_wakes_on_the_next_change()
    {
        // The window runs on a clock only the test moves; the ticks stay on the system's timer. A slow machine can
        // then delay flushes but not end the window before they are sent (CI once saw one flush where three were due).
        var clock = new HeldClock();
        var replicator = CreateTestProbe();
        var pump = NotificationPump.Start(Sys, replicator.Ref, TimeSpan.FromMilliseconds(5), Window, clock);

        // Active from the start: flushes every few milliseconds, for as long as the window lasts.
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        Assert.False(pump.Sleeping);

        // Without activity the pump goes to sleep once the window has passed. Every flush it sent before that is
        // already in the probe's queue; after draining them, nothing follows.
        clock.Advance(Window + TimeSpan.FromMilliseconds(1));
        AwaitCondition(() => pump.Sleeping, TimeSpan.FromSeconds(10));
        replicator.ReceiveWhile(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), m => m as FlushChanges);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        Assert.True(pump.Sleeping);

        // A change wakes it at once, and it keeps flushing for the next window.
        pump.Touch();
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        Assert.False(pump.Sleeping);

        // Once that window has passed too, it sleeps again.
        clock.Advance(Window + TimeSpan.FromMilliseconds(1));
        AwaitCondition(() => pump.Sleeping, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_wake_up_flushes_at_least_once_even_when_its_window_passed_before_the_pump_ran()
    {
        var clock = new HeldClock();
        var replicator = CreateTestProbe();
        var pump = NotificationPump.Start(Sys, replicator.Ref, TimeSpan.FromMilliseconds(5), Window, clock);
        clock.Advance(Window + TimeSpan.FromMilliseconds(1));
        AwaitCondition(() => pump.Sleeping, TimeSpan.FromSeconds(10));
        replicator.ReceiveWhile(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), m => m as FlushChanges);

        // The change and the end of its window come together, as when the pump's thread is late by a whole window.
        pump.Touch();
        clock.Advance(Window + TimeSpan.FromMilliseconds(1));
        replicator.ExpectMsg<FlushChanges>(TimeSpan.FromSeconds(3));
        AwaitCondition(() => pump.Sleeping, TimeSpan.FromSeconds(10));
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

    /// <summary>
    /// A clock that moves only when told. Its timers are the system's (the base <see cref="TimeProvider"/>'s), so the
    /// pump still ticks in real time.
    /// </summary>
    private sealed class HeldClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
