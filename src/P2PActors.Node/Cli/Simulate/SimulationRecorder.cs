using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>
/// What the bots did and saw, shared by all of them: per operation the answered count and an HdrHistogram of the
/// latency, errors by code, consensus outcomes of shares, position deliveries, and completions per second for the
/// throughput chart. Thread-safe; each histogram has its own lock because HdrHistogram's LongHistogram is not.
/// </summary>
public sealed class SimulationRecorder
{
    /// <summary>Latencies in microseconds up to 5 minutes at 3 significant digits; a longer one is clamped.</summary>
    private const long HighestMicros = 300_000_000;

    private readonly ConcurrentDictionary<string, OperationLog> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, long> _completedPerSecond = new();
    private readonly LongHistogram _delivery = new(HighestMicros, 3);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _accepted, _rejected, _undecided, _shareFailed, _invalidAttempted, _invalidRefused, _invalidAdmitted;
    private long _delivered, _due, _subscribed, _removeNotApplied;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Completed(string operation, TimeSpan latency)
    {
        Log(operation).Record(latency);
        _completedPerSecond.AddOrUpdate((long)_clock.Elapsed.TotalSeconds, 1, (_, n) => n + 1);
    }

    /// <summary>An error frame (by its code) or a failure of our own (<c>timeout</c>, <c>closed</c>) for an operation.</summary>
    public void Failed(string operation, string code, TimeSpan latency)
    {
        Log(operation).Fail(latency);
        _errors.AddOrUpdate(code, 1, (_, n) => n + 1);
        _completedPerSecond.AddOrUpdate((long)_clock.Elapsed.TotalSeconds, 1, (_, n) => n + 1);
    }

    public void ShareAccepted() => Interlocked.Increment(ref _accepted);

    public void ShareRejected() => Interlocked.Increment(ref _rejected);

    public void ShareUndecided() => Interlocked.Increment(ref _undecided);

    public void ShareFailed() => Interlocked.Increment(ref _shareFailed);

    public void InvalidAttempted() => Interlocked.Increment(ref _invalidAttempted);

    public void InvalidRefused() => Interlocked.Increment(ref _invalidRefused);

    public void InvalidAdmitted() => Interlocked.Increment(ref _invalidAdmitted);

    /// <summary>The node said a remove found nothing, though this bot's acknowledged writes say the item is held.</summary>
    public void RemoveNotApplied() => Interlocked.Increment(ref _removeNotApplied);

    public void Subscribed() => Interlocked.Increment(ref _subscribed);

    public void Unsubscribed() => Interlocked.Decrement(ref _subscribed);

    /// <summary>A move was acknowledged: every other subscribed bot in the zone is due one delivery of it.</summary>
    public void MoveAcknowledged(bool moverSubscribed)
    {
        var others = Interlocked.Read(ref _subscribed) - (moverSubscribed ? 1 : 0);
        if (others > 0)
            Interlocked.Add(ref _due, others);
    }

    public void Delivered(TimeSpan sinceMove)
    {
        Interlocked.Increment(ref _delivered);
        var micros = Math.Clamp((long)(sinceMove.TotalMilliseconds * 1000), 0, HighestMicros);
        lock (_delivery)
            _delivery.RecordValue(micros);
    }

    public long TotalCompleted => _operations.Values.Sum(o => o.Count + o.Failures);

    public long TotalErrors => _errors.Values.Sum();

    public ConsensusFigures Consensus => new(
        Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), Interlocked.Read(ref _undecided), Interlocked.Read(ref _shareFailed),
        Interlocked.Read(ref _invalidAttempted), Interlocked.Read(ref _invalidRefused), Interlocked.Read(ref _invalidAdmitted));

    public long RemovesNotApplied => Interlocked.Read(ref _removeNotApplied);

    public ReachFigures Reach()
    {
        lock (_delivery)
        {
            return new ReachFigures(Interlocked.Read(ref _delivered), Interlocked.Read(ref _due),
                _delivery.TotalCount == 0 ? null : LatencyFigures.From(_delivery));
        }
    }

    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);

    public IReadOnlyList<OperationFigures> Operations(TimeSpan loadTime) =>
        _operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Figures(o.Key, loadTime)).ToList();

    /// <summary>Answers (acknowledgements and errors) per whole second since the recorder started.</summary>
    public IReadOnlyList<double> CompletedPerSecond(int seconds) =>
        Enumerable.Range(0, Math.Max(0, seconds)).Select(s => (double)_completedPerSecond.GetValueOrDefault(s)).ToList();

    /// <summary>The 99th percentile of an operation's latency so far, in ms; null before its first answer.</summary>
    public double? P99Ms(string operation) => _operations.TryGetValue(operation, out var log) ? log.P99Ms() : null;

    private OperationLog Log(string operation) => _operations.GetOrAdd(operation, _ => new OperationLog());

    private sealed class OperationLog
    {
        private readonly LongHistogram _histogram = new(HighestMicros, 3);
        private long _failures;

        public long Count { get; private set; }

        public long Failures => Interlocked.Read(ref _failures);

        public void Record(TimeSpan latency)
        {
            var micros = Math.Clamp((long)(latency.TotalMilliseconds * 1000), 0, HighestMicros);
            lock (_histogram)
            {
                _histogram.RecordValue(micros);
                Count++;
            }
        }

        public void Fail(TimeSpan latency) => Interlocked.Increment(ref _failures);

        public double? P99Ms()
        {
            lock (_histogram)
                return _histogram.TotalCount == 0 ? null : _histogram.GetValueAtPercentile(99) / 1000.0;
        }

        public OperationFigures Figures(string name, TimeSpan loadTime)
        {
            lock (_histogram)
            {
                var seconds = Math.Max(loadTime.TotalSeconds, 0.001);
                return new OperationFigures(name, Count, Failures, Math.Round(Count / seconds, 2),
                    _histogram.TotalCount == 0 ? null : LatencyFigures.From(_histogram));
            }
        }
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencyFigures(double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    internal static LatencyFigures From(HistogramBase histogram) => new(
        Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(95)), Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetMaxValue()));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>One operation: acknowledged answers, error answers (or no answer), acknowledgements per second of load, latency of the acknowledged ones.</summary>
public sealed record OperationFigures(string Operation, long Count, long Errors, double PerSecond, LatencyFigures? Latency);

/// <summary>
/// Shares as the bots saw them answered. The invalid figures count the bots' deliberately invalid shares (an id of
/// content that exists nowhere) and, with an overpowered node, the characters, items and quests shared through it
/// (the node boosts them past the balance rules; those also count in accepted / rejected / undecided, being real
/// votes). <c>InvalidAdmitted</c> counts invalid shares answered <c>shared</c>: it must be 0. An invalid share left
/// undecided or unanswered is attempted but neither refused nor admitted.
/// </summary>
public sealed record ConsensusFigures(long Accepted, long Rejected, long Undecided, long Failed, long InvalidAttempted, long InvalidRefused, long InvalidAdmitted);

/// <summary>
/// Position pushes of other bots' moves received, against those due (each acknowledged move times the other bots
/// subscribed to the zone at that moment). The node coalesces pushes per player (newest wins), so a reach under 1 is
/// by design under load; <c>Latency</c> is from the move's timestamp on its node to the push's arrival.
/// </summary>
public sealed record ReachFigures(long Delivered, long Due, LatencyFigures? Latency)
{
    public double Ratio => Due == 0 ? 0 : Math.Round((double)Delivered / Due, 4);
}
