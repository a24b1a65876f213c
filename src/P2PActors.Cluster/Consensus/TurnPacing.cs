namespace P2PActors.Cluster.Consensus;

/// <summary>
/// When a validator's next turn starts. The turn waits <see cref="ConsensusOptions.VoteTurnWait"/> after the first batch
/// reaches an idle validator so that the batches other coordinators send at the same moment are judged and signed with
/// it (one batch root for every node to check, not one per coordinator). That only pays while batches arrive together;
/// a lone proposal gains nothing and every decision on a quiet cluster paid the wait (4 nodes, one proposal at a time:
/// decision p50 3.7 ms with it against 0.6 ms without, docs/benchmarks.md). So the turn waits only until the first turn
/// is over, and then for <see cref="Memory"/> after a turn that started at once and still judged more than one batch or
/// left some queued. A turn that waited does not count: the wait itself gathers batches. A validator a little behind
/// the others in a fast stream of single proposals gathered two or three in each wait, so each wait kept the next one
/// on, and once two of four validators were in that state every decision waited again.
/// Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
internal sealed class TurnPacing(TimeSpan wait)
{
    /// <summary>How long batches that arrived together keep the wait on. Under load they coincide in nearly every turn.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(1);

    private static readonly long MemoryTicks = (long)(Memory.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    private bool _judged;
    private long? _coincidedAt;

    /// <summary>How long the turn that starts with a batch arriving at <paramref name="now"/> waits first.</summary>
    public TimeSpan WaitBefore(long now) =>
        wait > TimeSpan.Zero && (!_judged || (_coincidedAt is { } at && now - at < MemoryTicks)) ? wait : TimeSpan.Zero;

    /// <summary>
    /// A turn ended at <paramref name="now"/> having judged (some of) <paramref name="batches"/> batches, after waiting
    /// first or not (<paramref name="waited"/>).
    /// </summary>
    public void TurnEnded(int batches, bool leftQueued, bool waited, long now)
    {
        _judged = true;
        if (!waited && (batches > 1 || leftQueued))
            _coincidedAt = now;
    }
}
