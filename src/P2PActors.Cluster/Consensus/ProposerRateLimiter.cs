using Akka.Actor;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A validator's rate limit: one <see cref="TokenBucket"/> per proposing node, so one node's flood spends only its own
/// tokens. At most <see cref="MaxTrackedProposers"/> buckets are kept: past that all are forgotten (every proposer starts
/// again with a full burst) rather than letting made-up addresses grow the map without bound. Pure and not thread-safe:
/// the validator actor owns it and passes the clock in.
/// </summary>
public sealed class ProposerRateLimiter(double perSecond, double burst)
{
    public const int MaxTrackedProposers = 4096;

    private readonly Dictionary<Address, TokenBucket> _buckets = [];

    /// <summary>How many proposers hold a bucket now.</summary>
    public int Tracked => _buckets.Count;

    /// <summary>Spends one of <paramref name="proposer"/>'s tokens at <paramref name="nowTicks"/> (Stopwatch ticks); false when it has none left.</summary>
    public bool TryTake(Address proposer, long nowTicks)
    {
        if (!_buckets.TryGetValue(proposer, out var bucket))
        {
            if (_buckets.Count >= MaxTrackedProposers)
                _buckets.Clear();
            _buckets[proposer] = bucket = new TokenBucket(perSecond, burst, nowTicks);
        }
        return bucket.TryTake(nowTicks);
    }
}
