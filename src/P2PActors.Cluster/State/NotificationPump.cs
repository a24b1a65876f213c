using Akka.Actor;
using Akka.DistributedData;

namespace P2PActors.Cluster.State;

/// <summary>
/// Asks the replicator to notify subscribers every <see cref="GameStateSettings.FastNotifyInterval"/>
/// (<c>Replicator.FlushChanges</c>), but only while the state is in use: it runs for
/// <see cref="GameStateSettings.FastNotifyActiveWindow"/> after the last change or write the node saw
/// (<see cref="Touch"/>), then sleeps without a timer until the next one. An idle node then costs no wake-ups,
/// and the first change after a quiet period is delivered by the replicator's own tick
/// (<see cref="GameStateSettings.NotifySubscribersInterval"/>) and wakes the pump for the ones that follow.
/// </summary>
public sealed class NotificationPump
{
    private readonly IActorRef _replicator;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly long _activeTicks;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _lastActivity;
    private int _sleeping;

    private NotificationPump(IActorRef replicator, TimeSpan interval, TimeSpan activeWindow, TimeProvider time)
    {
        _replicator = replicator;
        _interval = interval;
        _time = time;
        _activeTicks = (long)Math.Min(activeWindow.TotalSeconds * time.TimestampFrequency, long.MaxValue / 2);
        _lastActivity = time.GetTimestamp();
    }

    /// <summary>
    /// Starts the pump; it stops when the ActorSystem terminates. <paramref name="time"/> is its clock, for the ticks
    /// and the active window (the system's unless given): a test holds the window's clock still, so a slow machine
    /// cannot end the window before the flushes the test checks were sent.
    /// </summary>
    public static NotificationPump Start(
        ActorSystem system, IActorRef replicator, TimeSpan interval, TimeSpan activeWindow, TimeProvider? time = null)
    {
        var pump = new NotificationPump(replicator, interval, activeWindow, time ?? TimeProvider.System);
        var stop = new CancellationTokenSource();
        system.RegisterOnTermination(stop.Cancel);
        _ = Task.Run(async () =>
        {
            try
            {
                await pump.RunAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The ActorSystem terminated.
            }
            finally
            {
                stop.Dispose();
            }
        });
        return pump;
    }

    /// <summary>The state changed or was written: keep (or start) flushing notifications. Safe from any thread.</summary>
    public void Touch()
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
            _wake.Release();
    }

    /// <summary>True while the pump waits for the next <see cref="Touch"/>: no flush is sent until then.</summary>
    public bool Sleeping => Volatile.Read(ref _sleeping) == 1;

    private bool Active => _time.GetTimestamp() - Volatile.Read(ref _lastActivity) <= _activeTicks;

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // At least one flush per wake-up, even when this thread ran later than the window after the Touch.
            using (var timer = new PeriodicTimer(_interval, _time))
            {
                do
                {
                    if (!await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) return;
                    _replicator.Tell(FlushChanges.Instance);
                }
                while (Active);
            }

            Volatile.Write(ref _sleeping, 1);
            // A Touch between the last check and the flag would otherwise be missed: look again, and if it came,
            // take the flag back, unless Touch already did (then its Release is pending and the wait returns at once).
            if (Active && Interlocked.Exchange(ref _sleeping, 0) == 1)
                continue;
            await _wake.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
