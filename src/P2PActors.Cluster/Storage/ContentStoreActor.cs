using Akka.Actor;
using Akka.Event;
using P2PActors.Cluster.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Storage;

/// <summary>
/// Owns writes to the <see cref="IContentStore"/>. Writes are batched: the first content after a flush starts the flush
/// delay (or, with none, schedules a flush behind everything already in the mailbox), so a stream of generations
/// becomes one transaction per delay and a generation never waits for SQLite. Lookups see unflushed content too, so a
/// GET right after a POST finds it. What a crash loses is the unflushed batch: at most one flush delay of content.
/// While the store's writes fail (a full disk, a file gone read-only) the batch is kept and retried, up to
/// <see cref="MaxPending"/> items: content past that is not kept (an acknowledged store is told so), so a node whose
/// disk fails keeps serving instead of filling its memory with every generation until it dies.
/// Runs on its own thread (<see cref="DispatcherId"/>) because SQLite calls block.
/// </summary>
public sealed class ContentStoreActor : ReceiveActor, IWithTimers
{
    public const string DispatcherId = "p2pactors.content-store-dispatcher";

    public const string DispatcherHocon = """
        p2pactors.content-store-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
        }
        """;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly IContentStore _store;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, GameContent> _pending = new(StringComparer.Ordinal);
    private readonly TimeSpan _flushDelay;
    private bool _flushScheduled;
    private bool _retrying;
    /// <summary>Items not kept since the last failed write was logged (the store failing and <see cref="MaxPending"/> reached).</summary>
    private long _dropped;

    /// <param name="flushDelay">
    /// How long stored content may wait for more to share its transaction; zero flushes behind what is already in the
    /// mailbox. A batch that reaches <see cref="MaxBatch"/> items is written at once.
    /// </param>
    public ContentStoreActor(IContentStore store, TimeSpan flushDelay = default)
    {
        _store = store;
        _flushDelay = flushDelay;
        Receive<StoreContent>(Store);
        Receive<StoreGenerated>(m => { Enqueue(m.Content); });
        Receive<GetContent>(Get);
        Receive<Flush>(_ => DoFlush());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Items written at once without waiting for the flush delay.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>
    /// Most items waiting in memory for the store. Reached only while writes fail (otherwise a batch this size is
    /// written at once); a seeded request makes the same content again, so that much of what is not kept comes back.
    /// </summary>
    public const int MaxPending = 10 * MaxBatch;

    public static Props PropsFor(IContentStore store, TimeSpan flushDelay = default) =>
        Props.Create(() => new ContentStoreActor(store, flushDelay)).WithDispatcher(DispatcherId);

    protected override void PostStop()
    {
        try
        {
            _store.PutMany(_pending.Values);
        }
        catch (Exception e)
        {
            _log.Error(e, "Writing {0} content items at shutdown failed; they are lost from this node's store", _pending.Count);
        }
        _store.Dispose();
    }

    private void Store(StoreContent message)
    {
        var content = message.Content;
        if (content is null || !ContentJson.HasValidId(content))
        {
            if (message.Ack)
                Sender.Tell(new ContentRejected("content id does not match its body"));
            return;
        }
        var kept = Enqueue(content);
        if (message.Ack)
            Sender.Tell(kept
                ? new ContentStored(content.Id!)
                : new ContentRejected($"this node's content store is failing and already holds {MaxPending} items waiting to be written; not kept"));
    }

    /// <summary>False when the content was not kept: the store is failing and <see cref="MaxPending"/> items wait.</summary>
    private bool Enqueue(GameContent content)
    {
        if (_pending.Count >= MaxPending && !_pending.ContainsKey(content.Id!))
        {
            if (IsStored(content.Id!)) return true;
            _dropped++;
            return false;
        }
        _pending.TryAdd(content.Id!, content);
        if (_pending.Count >= MaxBatch && !_retrying)
        {
            Timers.Cancel(Flush.Instance);
            DoFlush();
        }
        else if (!_flushScheduled)
        {
            _flushScheduled = true;
            if (_flushDelay > TimeSpan.Zero)
                Timers.StartSingleTimer(Flush.Instance, Flush.Instance, _flushDelay);
            else
                Self.Tell(Flush.Instance);
        }
        return true;
    }

    /// <summary>Whether the store already holds the id (content is immutable); false when it cannot be read either.</summary>
    private bool IsStored(string id)
    {
        try
        {
            return _store.Get(id) is not null;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    private void Get(GetContent message)
    {
        if (_pending.TryGetValue(message.Id, out var pending))
        {
            Sender.Tell(new ContentFound(pending));
            return;
        }
        try
        {
            Sender.Tell(_store.Get(message.Id) is { } content ? new ContentFound(content) : new ContentNotFound(message.Id));
        }
        catch (Exception e)
        {
            _log.Error(e, "Reading content {0} failed", message.Id);
            // An answer of its own, not a failure: an ask would throw it, and the caller would answer with a 500.
            Sender.Tell(new ContentUnreadable(message.Id, e.Message));
        }
    }

    private void DoFlush()
    {
        _flushScheduled = false;
        if (_dropped > 0)
        {
            _log.Warning("{0} content items were not kept: {1} were already waiting for the failing store", _dropped, MaxPending);
            _dropped = 0;
        }
        if (_pending.Count == 0)
            return;
        try
        {
            _store.PutMany(_pending.Values);
            _pending.Clear();
            _retrying = false;
        }
        catch (Exception e)
        {
            // Keep the batch: it is retried until the store accepts it, and lookups keep finding it meanwhile.
            _log.Error(e, "Writing {0} content items failed; retrying in {1}", _pending.Count, RetryDelay);
            _flushScheduled = true;
            _retrying = true;
            Timers.StartSingleTimer(Flush.Instance, Flush.Instance, RetryDelay);
        }
    }

    /// <summary>
    /// Content this node's own generator just made: its id was computed from its body moments ago, so it is not
    /// hashed again. Local only — it is not a network message, so no peer can skip the check.
    /// </summary>
    internal sealed record StoreGenerated(GameContent Content);

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }
}
