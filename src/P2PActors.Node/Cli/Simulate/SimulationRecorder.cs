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

    // Consensus and correctness counters cover the whole run, warm-up included: a safety figure is never discarded.
    private long _accepted, _rejected, _undecided, _shareFailed, _invalidAttempted, _invalidRefused, _invalidAdmitted;
    private long _subscribed, _removeNotApplied;
    // Throughput, latency, reach and errors are per window: the warm-up's window is swapped out by StartMeasuring.
    private Window _window = new();
    private IReadOnlyDictionary<string, long> _warmupErrors = new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Time since the measured window began (since the recorder was made, when there is no warm-up).</summary>
    public TimeSpan Elapsed => Current.Clock.Elapsed;

    /// <summary>True once <see cref="StartMeasuring"/> ended a warm-up.</summary>
    public bool Measuring { get; private set; }

    /// <summary>Errors by code seen during the warm-up, reported apart so that none is hidden.</summary>
    public IReadOnlyDictionary<string, long> WarmupErrors => _warmupErrors;

    private Window Current => Volatile.Read(ref _window);

    /// <summary>
    /// Ends the warm-up: operation counts, latencies, reach, errors and the per-second series start again from here,
    /// so a freshly started node's JIT and cache filling do not stand in the steady-state figures. An answer that
    /// straddles the switch lands in the new window with its full latency.
    /// </summary>
    public void StartMeasuring()
    {
        Measuring = true;
        var old = Interlocked.Exchange(ref _window, new Window());
        _warmupErrors = new SortedDictionary<string, long>(old.Errors, StringComparer.Ordinal);
    }

    public void Completed(string operation, TimeSpan latency)
    {
        var window = Current;
        window.Log(operation).Record(latency);
        window.CountAnswer();
    }

    /// <summary>An error frame (by its code) or a failure of our own (<c>timeout</c>, <c>closed</c>) for an operation.</summary>
    public void Failed(string operation, string code, TimeSpan latency)
    {
        var window = Current;
        window.Log(operation).Fail(latency);
        window.Errors.AddOrUpdate(code, 1, (_, n) => n + 1);
        window.CountAnswer();
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
            Interlocked.Add(ref Current.Due, others);
    }

    public void Delivered(TimeSpan sinceMove)
    {
        var window = Current;
        Interlocked.Increment(ref window.Delivered);
        var micros = Math.Clamp((long)(sinceMove.TotalMilliseconds * 1000), 0, HighestMicros);
        lock (window.Delivery)
            window.Delivery.RecordValue(micros);
    }

    public long TotalCompleted => Current.Operations.Values.Sum(o => o.Count + o.Failures);

    public long TotalErrors => Current.Errors.Values.Sum();

    public ConsensusFigures Consensus => new(
        Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), Interlocked.Read(ref _undecided), Interlocked.Read(ref _shareFailed),
        Interlocked.Read(ref _invalidAttempted), Interlocked.Read(ref _invalidRefused), Interlocked.Read(ref _invalidAdmitted));

    public long RemovesNotApplied => Interlocked.Read(ref _removeNotApplied);

    public ReachFigures Reach()
    {
        var window = Current;
        lock (window.Delivery)
        {
            return new ReachFigures(Interlocked.Read(ref window.Delivered), Interlocked.Read(ref window.Due),
                window.Delivery.TotalCount == 0 ? null : LatencyFigures.From(window.Delivery));
        }
    }

    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(Current.Errors, StringComparer.Ordinal);

    public IReadOnlyList<OperationFigures> Operations(TimeSpan loadTime) =>
        Current.Operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Figures(o.Key, loadTime)).ToList();

    /// <summary>Answers (acknowledgements and errors) per whole second since the measured window began.</summary>
    public IReadOnlyList<double> CompletedPerSecond(int seconds)
    {
        var perSecond = Current.CompletedPerSecond;
        return Enumerable.Range(0, Math.Max(0, seconds)).Select(s => (double)perSecond.GetValueOrDefault(s)).ToList();
    }

    /// <summary>The 99th percentile of an operation's latency so far in this window, in ms; null before its first answer.</summary>
    public double? P99Ms(string operation) => Current.Operations.TryGetValue(operation, out var log) ? log.P99Ms() : null;

    /// <summary>One window's figures: the warm-up's, then the measured one's.</summary>
    private sealed class Window
    {
        public readonly ConcurrentDictionary<string, OperationLog> Operations = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, long> Errors = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<long, long> CompletedPerSecond = new();
        public readonly LongHistogram Delivery = new(HighestMicros, 3);
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public long Delivered;
        public long Due;

        public OperationLog Log(string operation) => Operations.GetOrAdd(operation, _ => new OperationLog());

        public void CountAnswer() => CompletedPerSecond.AddOrUpdate((long)Clock.Elapsed.TotalSeconds, 1, (_, n) => n + 1);
    }

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
