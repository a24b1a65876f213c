using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;

namespace P2PActors.Cluster.Players;

/// <summary>
/// The Orleans-style virtual actor of one player: a sharding entity that exists while it is used, is passivated
/// when idle and recovers its <see cref="PlayerMemoryState"/> from the SQL journal on the next message.
/// </summary>
public sealed class PlayerMemoryActor : ReceivePersistentActor
{
    private readonly PlayerMemoryOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
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
        Command<RecordGenerated>(Record);
        // Deferred behind pending journal writes, so a reader sees every record sent before its query.
        Command<GetPlayerSnapshot>(_ =>
        {
            var replyTo = Sender;
            DeferAsync(_state, _ => replyTo.Tell(_state.ToSnapshot()));
        });
        Command<SaveSnapshotSuccess>(s =>
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Snapshot of {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(string playerId) => "player-" + playerId;

    public static Props PropsFor(string playerId, PlayerMemoryOptions options) =>
        Props.Create(() => new PlayerMemoryActor(playerId, options));

    private void Record(RecordGenerated command)
    {
        var events = _state.Handle(command);
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
