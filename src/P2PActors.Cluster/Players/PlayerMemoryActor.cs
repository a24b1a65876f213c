using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using P2PActors.Cluster.Preferences;

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
        _state = PlayerMemoryState.Empty(playerId, options.HistoryLimit).WithPreferences(options.Preferences);
        PersistenceId = PersistenceIdFor(playerId);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is PlayerMemoryState snapshot)
                _state = snapshot.WithHistoryLimit(options.HistoryLimit).WithPreferences(options.Preferences);
        });
        Recover<IPlayerMemoryEvent>(e => _state = _state.Apply(e));
        // A publication lost to a crash between the journal write and the replicator is repeated on the next wake-up;
        // the node's shared-profiles actor ignores it when the replicated profile is already current.
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Sharing)
                PublishShared();
        });

        Command<GetLearnedPatterns>(_ => Sender.Tell(new PlayerPatterns(_state.PlayerId, _state.Patterns)));
        Command<RecordGenerated>(Buffer);
        Command<RateContent>(Rate);
        Command<SetSharing>(ChangeSharing);
        Command<GetRatings>(_ => Sender.Tell(_state.ToRatingList()));
        Command<GetPreferences>(_ => Sender.Tell(_state.ToPreferences()));
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
        // A stored snapshot holds everything up to its sequence number, so the older snapshots and the events it
        // covers go: recovery never reads them again, and the journal would otherwise keep every recording and rating
        // of every player for good (the history is capped, the journal was not).
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            DeleteCoveredEvents(s.Metadata.SequenceNr);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Snapshot of {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
        Command<DeleteMessagesSuccess>(d => DeleteEnded(d.ToSequenceNr));
        Command<DeleteMessagesFailure>(f =>
        {
            // Not retried as such: the next snapshot's deletion covers these events too.
            _log.Warning(f.Cause, "Deleting the journal events of {0} its snapshot holds failed", PersistenceId);
            DeleteEnded(f.ToSequenceNr);
        });
    }

    public override string PersistenceId { get; }

    /// <summary>The newest stored snapshot's sequence number: the journal events up to it may go.</summary>
    private long _deleteWanted;

    /// <summary>A deletion of journal events is in flight.</summary>
    private bool _deleting;

    /// <summary>
    /// Deletes the events up to <paramref name="toSequenceNr"/>, one deletion at a time: Akka's journal runs deletions
    /// concurrently, and two of one player's in flight at once deadlocked in PostgreSQL (40P01, the later one lost), so
    /// a snapshot stored meanwhile waits for the deletion in flight and then deletes up to itself.
    /// </summary>
    private void DeleteCoveredEvents(long toSequenceNr)
    {
        _deleteWanted = Math.Max(_deleteWanted, toSequenceNr);
        if (_deleting)
            return;
        _deleting = true;
        DeleteMessages(_deleteWanted);
    }

    private void DeleteEnded(long toSequenceNr)
    {
        _deleting = false;
        if (_deleteWanted > toSequenceNr)
            DeleteCoveredEvents(_deleteWanted);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string PersistenceIdFor(string playerId) => "player-" + playerId;

    public static Props PropsFor(string playerId, PlayerMemoryOptions options) =>
        Props.Create(() => new PlayerMemoryActor(playerId, options));

    /// <summary>Persist, not PersistAsync: the rating is answered only once it is journaled.</summary>
    private void Rate(RateContent command)
    {
        if (_state.Check(command) is { } rejection)
        {
            Sender.Tell(rejection);
            return;
        }
        var replyTo = Sender;
        var replaced = _state.Ratings.Get(command.ContentId) is not null;
        var wasPersonalised = _state.Personalised;
        PersistAll(_state.Handle(command), e =>
        {
            _state = _state.Apply(e);
            SnapshotWhenDue();
            if (_state.Personalised != wasPersonalised)
            {
                PersonalisationListener.Announce(Context.System, new PlayerPersonalised(_state.PlayerId, _state.Personalised));
            }
            if (e is ContentRated rated)
            {
                replyTo.Tell(new ContentRatingStored(_state.PlayerId, rated.Rating, replaced, _state.Ratings.Count, _state.Personalised));
                if (_state.Sharing)
                    PublishShared();
            }
        });
    }

    private void ChangeSharing(SetSharing command)
    {
        var replyTo = Sender;
        var events = _state.Handle(command);
        if (events.Count == 0)
        {
            // Already so; publishing again repairs a publication that never reached the replicator.
            if (_state.Sharing)
                PublishShared();
            replyTo.Tell(_state.ToSharingState(_options.MaxSharedRatings));
            return;
        }
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            SnapshotWhenDue();
            if (_state.Sharing)
                PublishShared();
            else
                SharedProfiles.Tell(new WithdrawSharedProfile(_state.PlayerId));
            replyTo.Tell(_state.ToSharingState(_options.MaxSharedRatings));
        });
    }

    private void PublishShared() =>
        SharedProfiles.Tell(new PublishSharedProfile(_state.ToSharedEntry(_options.MaxSharedRatings)));

    /// <summary>The shared-profiles actor of the node this entity lives on.</summary>
    private ActorSelection SharedProfiles => Context.System.ActorSelection("/user/" + SharedProfilesActor.Name);

    private void SnapshotWhenDue()
    {
        if (LastSequenceNr % _options.SnapshotEvery == 0)
            SaveSnapshot(_state);
    }

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
