namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A token bucket on a monotonic clock (<see cref="System.Diagnostics.Stopwatch"/> ticks): <see cref="TryTake"/> spends
/// one token, refilled at a fixed rate up to the burst. Not thread-safe: one owner (a validator, a WebSocket reader) uses it.
/// </summary>
public sealed class TokenBucket(double perSecond, double burst, long nowTicks)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _lastTicks = nowTicks;

    public bool TryTake(long nowTicks)
    {
        var elapsed = (nowTicks - _lastTicks) / (double)System.Diagnostics.Stopwatch.Frequency;
        _lastTicks = nowTicks;
        _tokens = Math.Min(_burst, _tokens + elapsed * perSecond);
        if (_tokens < 1)
            return false;
        _tokens -= 1;
        return true;
    }
}
