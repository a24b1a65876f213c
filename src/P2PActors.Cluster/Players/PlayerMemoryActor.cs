using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;

namespace P2PActors.Cluster.Players;

/// <summary>
/// The Orleans-style virtual actor of one player: a sharding entity that exists while it is used, is passivated
/// when idle and recovers its <see cref="PlayerMemoryState"/> from the SQL journal on the next message.
/// Recordings are buffered and journaled together, as one <see cref="ContentRecordedBatch"/>, when the buffer is
/// full, when a short timer fires, before a snapshot read and before stopping: back-to-back generations cost one
/// journal write instead of one each, and SQLite's single writer keeps up.
/// </summary>
public sealed class PlayerMemoryActor : ReceivePersistentActor, IWithTimers
{
    private const string FlushTimer = "flush-records";

    private readonly PlayerMemoryOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<RecordGenerated> _pending = [];
    private PlayerMemoryState _state;

    public PlayerMemoryActor(string playerId, PlayerMemoryOptions options)
    {
        _options = options;
        _state = PlayerMemoryState.Empty(playerId, options.HistoryLimit);
        PersistenceId = PersistenceIdFor(playerId);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is PlayerMemoryState snapshot)
                _state = snapshot.WithHistoryLimit(options.HistoryLimit);
        });
        Recover<IPlayerMemoryEvent>(e => _state = _state.Apply(e));

        Command<GetLearnedPatterns>(_ => Sender.Tell(new PlayerPatterns(_state.PlayerId, _state.Patterns)));
        Command<RecordGenerated>(Buffer);
        Command<FlushRecords>(_ => Flush());
        // Flushed, then deferred behind the pending journal writes: a reader sees every record sent before its query.
        Command<GetPlayerSnapshot>(_ =>
        {
            Flush();
            var replyTo = Sender;
            DeferAsync(_state, _ => replyTo.Tell(_state.ToSnapshot()));
        });
        Command<StopPlayerMemory>(_ =>
        {
            Flush();
            DeferAsync(_state, _ => Context.Stop(Self));
        });
        Command<SaveSnapshotSuccess>(s =>
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Snapshot of {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string PersistenceIdFor(string playerId) => "player-" + playerId;

    public static Props PropsFor(string playerId, PlayerMemoryOptions options) =>
        Props.Create(() => new PlayerMemoryActor(playerId, options));

    private void Buffer(RecordGenerated command)
    {
        _pending.Add(command);
        if (_pending.Count >= _options.RecordBatchSize)
            Flush();
        else if (!Timers.IsTimerActive(FlushTimer))
            Timers.StartSingleTimer(FlushTimer, FlushRecords.Instance, _options.EffectiveRecordFlushDelay);
    }

    private void Flush()
    {
        Timers.Cancel(FlushTimer);
        if (_pending.Count == 0)
            return;
        var events = _state.Handle(_pending);
        _pending.Clear();
        if (events.Count == 0)
            return;
        // PersistAsync: the generator never waits for this write, and further commands are not stashed behind it.
        PersistAllAsync(events, e =>
        {
            _state = _state.Apply(e);
            if (LastSequenceNr % _options.SnapshotEvery == 0)
                SaveSnapshot(_state);
        });
    }

    private sealed class FlushRecords
    {
        public static readonly FlushRecords Instance = new();
    }
}

/// <summary>Routes every <see cref="IPlayerMemoryCommand"/> to the entity of its player; invalid ids route nowhere.</summary>
public sealed class PlayerMemoryMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    public override string? EntityId(object message) => message switch
    {
        IPlayerMemoryCommand c when PlayerIds.IsValid(c.PlayerId) => c.PlayerId,
        _ => null,
    };
}
