using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using P2PActors.Cluster.Replicas;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// One per node. Writes the profiles of the sharing players whose memory lives on this node into DistributedData,
/// keeps a <see cref="SharedProfilesView"/> of every node's shared profiles from replicator notifications (each entry
/// validated: a peer's update that does not check out is refused and logged), and answers recommendations from a
/// <see cref="RecommendationIndex"/> over the accepted profiles.
/// <para>
/// Building the index over 10,000 profiles takes a few hundred milliseconds, so it is built on the thread pool from an
/// immutable snapshot of the view and handed back to the actor as a message; the actor keeps answering from the
/// previous index meanwhile. Changes are debounced (<see cref="SharedProfilesSettings.RebuildDelay"/>) so a burst of
/// updates costs one build, a query that finds the index behind starts a build at once, and every answer says whether
/// the index already reflects everything this node has accepted.
/// </para>
/// </summary>
public sealed class SharedProfilesActor : ReceiveActor, IWithTimers
{
    public const string Name = "p2p-shared-profiles";
    private const string RebuildTimer = "rebuild-index";

    private readonly IActorRef _replicator;
    private readonly UniqueAddress _self;
    private readonly IWriteConsistency _write;
    private readonly TimeSpan _rebuildDelay;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private SharedProfilesView _view;
    private RecommendationIndex _index = RecommendationIndex.Empty;
    private long _version;
    private long _indexVersion;
    private bool _building;
    /// <summary>Whether this node has created every bucket it does not hold yet (after the first one it saw change).</summary>
    private bool _holdsEveryBucket;
    /// <summary>The profile buckets read from a peer as this node comes up (<see cref="StartCatchUp"/>), 16 at a time.</summary>
    private readonly CatchUpReads _catchUp;
    /// <summary>Whether the one read out is the first bucket's, whose answer decides whether the rest are read.</summary>
    private bool _probing;

    public SharedProfilesActor(SharedProfilesSettings settings, IActorRef replicator)
    {
        _replicator = replicator;
        _self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
        _write = new WriteMajority(settings.WriteTimeout);
        _rebuildDelay = settings.RebuildDelay;
        _view = SharedProfilesView.Empty(settings.CreateKeys());
        _catchUp = new CatchUpReads(replicator, Self, atOnce: 16, settings.WriteTimeout);

        Receive<PublishSharedProfile>(Publish);
        Receive<WithdrawSharedProfile>(Withdraw);
        Receive<Recommend>(Answer);
        Receive<GetSharedProfiles>(q => Sender.Tell(Info(q.PlayerId)));
        Receive<RebuildIndex>(_ => StartBuild());
        Receive<IndexBuilt>(OnIndexBuilt);
        Receive<Status.Failure>(f =>
        {
            _building = false;
            _log.Error(f.Cause, "Building the recommendation index failed");
        });
        Receive<Changed>(OnChanged);
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.UniqueAddress.Equals(_self)) StartCatchUp();
        });
        // A catch-up read's answer: what it brings arrives as Changed, since the read repair writes it to this replica.
        Receive<GetSuccess>(_ =>
        {
            _catchUp.Answered();
            // The peer holds the first bucket, so it holds them all (HeldKeys): read the rest.
            if (_probing) _catchUp.Start(_view.Keys.Keys.Skip(1));
            _probing = false;
        });
        Receive<NotFound>(_ =>
        {
            // Not even the first bucket: the peer shares no profile, and nothing more is asked of it.
            _probing = false;
            _catchUp.Answered();
        });
        Receive<GetFailure>(f =>
        {
            _log.Debug("Catching up shared profiles {0} from a peer timed out; gossip brings them", f.Key.Id);
            _probing = false;
            _catchUp.Answered();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<UpdateTimeout>(u => _log.Debug("Shared profiles in {0} not yet confirmed by a majority; gossip will carry them", u.Key.Id));
        Receive<ModifyFailure>(f => _log.Warning("Writing shared profiles to {0} failed: {1}", f.Key.Id, f.Cause.Message));
        Receive<StoreFailure>(_ => _log.Warning("The durable store could not save a shared-profiles write"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SharedProfilesSettings settings, IActorRef replicator) =>
        Akka.Actor.Props.Create(() => new SharedProfilesActor(settings, replicator));

    protected override void PreStart()
    {
        foreach (var key in _view.Keys.Keys)
            _replicator.Tell(new Subscribe(key, Self));
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        base.PostStop();
    }

    /// <summary>
    /// As this node comes up beside other members, it reads every profile bucket from one peer, a few at a time; the
    /// replicator merges what it reads into this replica (read repair) and the subscriptions bring it here, checked as a
    /// gossiped profile is. Nothing else brings a joiner the profiles shared before it came: gossip passes over the 512
    /// buckets a few keys at a time (about 21 ticks for a node's 832 keys), and until then recommendations asked on it
    /// leave those players out. The first bucket is read alone: a node holds every bucket once it holds one, so a peer
    /// that answers it not found shares no profile, and a cluster without shared profiles costs a joiner one read, not 512.
    /// </summary>
    private void StartCatchUp()
    {
        if (!CatchUpReads.HasUpPeer(Akka.Cluster.Cluster.Get(Context.System))) return;
        _probing = true;
        _catchUp.Start([_view.Keys.Keys[0]]);
    }

    private void Publish(PublishSharedProfile command)
    {
        var entry = command.Entry;
        var key = _view.Keys.KeyOf(entry.PlayerId);
        var bucket = _view.Keys.Bucket(entry.PlayerId);
        // Our own writes are checked like a peer's: an entry every other node would refuse is not worth sending.
        if (SharedProfileEntry.Validate(entry.PlayerId, entry, _view.Keys, bucket, out var problem) is null)
        {
            _log.Warning("Not publishing the shared profile of {0}: {1}", entry.PlayerId, problem);
            return;
        }
        // Decided against the replica's current value, not the view: a withdrawal still in the replicator's queue
        // must not make a re-publication look redundant. An unchanged profile (a memory waking up) changes nothing.
        _replicator.Tell(Dsl.Update(key, LWWDictionary<string, SharedProfileEntry>.Empty, _write,
            d => d.TryGetValue(entry.PlayerId, out var current) && current is not null && entry.SameAs(current)
                ? d
                : d.SetItem(_self, entry.PlayerId, entry)));
    }

    private void Withdraw(WithdrawSharedProfile command)
    {
        var key = _view.Keys.KeyOf(command.PlayerId);
        _replicator.Tell(Dsl.Update(key, LWWDictionary<string, SharedProfileEntry>.Empty, _write,
            d => d.ContainsKey(command.PlayerId) ? d.RemoveAsFullState(_self, command.PlayerId) : d));
    }

    private void OnChanged(Changed changed)
    {
        var bucket = _view.Keys.BucketOfKey(changed.Key.Id);
        if (bucket < 0 || changed.Data is not LWWDictionary<string, SharedProfileEntry> data)
            return;
        if (!_holdsEveryBucket)
        {
            // Once any bucket holds profiles, every bucket is held, empty until written: a bucket a node lacks can stay
            // out of gossip's reach for good (HeldKeys). Not before: 512 empty keys more make a gossip pass over all keys
            // take about 21 ticks instead of 8 in a cluster where nobody shares a profile (docs/architecture.md).
            _holdsEveryBucket = true;
            HeldKeys.CreateMissing(Context.System, _replicator, [.. HeldKeys.Of(_view.Keys.Keys, LWWDictionary<string, SharedProfileEntry>.Empty)]);
        }
        var (view, problems) = _view.Apply(bucket, data);
        _view = view;
        foreach (var problem in problems)
            _log.Warning("{0}", problem);
        _version++;
        ScheduleBuild();
    }

    private bool IndexCurrent => _indexVersion == _version;

    private void ScheduleBuild()
    {
        if (!_building && !IndexCurrent && !Timers.IsTimerActive(RebuildTimer))
            Timers.StartSingleTimer(RebuildTimer, RebuildIndex.Instance, _rebuildDelay);
    }

    /// <summary>The view is immutable, so the build may run anywhere; only its result comes back into the actor.</summary>
    private void StartBuild()
    {
        Timers.Cancel(RebuildTimer);
        if (_building || IndexCurrent)
            return;
        _building = true;
        var view = _view;
        var version = _version;
        Task.Run(() => new IndexBuilt(view.BuildIndex(), version)).PipeTo(Self);
    }

    private void OnIndexBuilt(IndexBuilt built)
    {
        _building = false;
        _index = built.Index;
        _indexVersion = built.Version;
        ScheduleBuild();
    }

    private void Answer(Recommend query)
    {
        var bucket = query.Target is null ? -1 : _view.Keys.Bucket(query.Target.PlayerId ?? "");
        // Unpacked without the pool: the target's own ids need not stay alive after the query.
        if (query.Target is null
            || SharedProfileEntry.Validate(query.Target.PlayerId!, query.Target, _view.Keys, bucket, out _) is not { } target
            || query.Take < 0 || query.Neighbours < 1)
        {
            Sender.Tell(new Status.Failure(new ArgumentException("not a valid recommendation query")));
            return;
        }
        // Someone is waiting: skip the debounce.
        StartBuild();
        var neighbours = _index.Neighbours(target, query.Neighbours).Count;
        var items = _index.Recommend(target, query.Neighbours, query.Type, query.Take);
        Sender.Tell(new RecommendationList(target.PlayerId, items, _index.PlayerCount, neighbours, IndexCurrent));
    }

    private SharedProfilesInfo Info(string? playerId)
    {
        return new SharedProfilesInfo(
            _view.ProfileCount,
            _view.Profiles.Sum(p => p.Ratings.Count),
            _view.RejectedCount,
            IndexCurrent,
            playerId is null ? null : _view.Find(playerId)?.Entry);
    }

    private sealed class RebuildIndex
    {
        public static readonly RebuildIndex Instance = new();
    }

    private sealed record IndexBuilt(RecommendationIndex Index, long Version);
}
