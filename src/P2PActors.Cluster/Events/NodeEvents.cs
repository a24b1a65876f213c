using Akka.Actor;
using Akka.Cluster;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Events;

/// <summary>What a page can watch of its node. Flags: one subscription may take several.</summary>
[Flags]
public enum NodeEventTopics
{
    None = 0,
    /// <summary>Every proposal this node decides (<see cref="ConsensusDecided"/>), starting with the latest it decided (<see cref="RecentDecisions"/>).</summary>
    Consensus = 1,
    /// <summary>Cluster membership (<see cref="MembersChanged"/>), starting with the current members.</summary>
    Members = 2,
    /// <summary>The validator set and what is known of each validator (<see cref="ValidatorsChanged"/>), starting with the current one.</summary>
    Validators = 4,
}

public interface INodeEvent;

/// <summary>
/// Published on the ActorSystem's EventStream by the <see cref="ConsensusCoordinator"/> once per proposal it decides
/// (accepted with its certificate, rejected with the broken rules, undecided with the refusals), through
/// <see cref="RecentDecisions.Announce"/>, which keeps the latest for subscribers that come later.
/// </summary>
public sealed record ConsensusDecided(ProposalOutcome Outcome, long DecidedAtMs, long Sequence) : INodeEvent;

/// <summary>One cluster member as a page shows it (the same shape as <c>GET /health</c>'s members).</summary>
public sealed record MemberInfo(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable);

/// <summary>
/// The members after a change. <see cref="Change"/> names what happened to <see cref="Member"/> (<c>joined</c>,
/// <c>up</c>, <c>leaving</c>, <c>exited</c>, <c>downed</c>, <c>removed</c>, <c>unreachable</c>, <c>reachable</c>);
/// the first event of a subscription is <c>current</c> with no member.
/// </summary>
public sealed record MembersChanged(string Change, MemberInfo? Member, IReadOnlyList<MemberInfo> Members) : INodeEvent;

/// <summary>The node's view of the validators changed (new set, new endpoint, equivocation caught); the first event is the current view.</summary>
public sealed record ValidatorsChanged(ValidatorOverview Overview) : INodeEvent;

/// <summary>
/// The node's event streams for pages: consensus outcomes on this node, membership and validator-set changes.
/// Obtain with <see cref="For"/>; each <see cref="SubscribeAsync"/> gets its own small actor, stopped by disposing.
/// </summary>
public sealed class NodeEvents(ActorSystem system)
{
    public static NodeEvents For(ActorSystem system) => new(system);

    /// <summary>
    /// Calls <paramref name="sink"/> with every event of <paramref name="topics"/>, in order, from one actor's thread
    /// (keep it short: queue the event and return). Completes once the subscription is in place, so nothing that
    /// happens afterwards is missed; the current members and validator view come first.
    /// </summary>
    /// <param name="replay">How many of the latest decisions a <see cref="NodeEventTopics.Consensus"/> subscription starts
    /// with (at most <see cref="RecentDecisions.Capacity"/>; none by default: a counter must not count them twice).</param>
    public async Task<IDisposable> SubscribeAsync(NodeEventTopics topics, Action<INodeEvent> sink, int replay = 0,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var snapshot = ConsensusRuntime.TryGet(system)?.Snapshot;
        var actor = system.ActorOf(Props.Create(() => new NodeEventsForwarder(topics, sink, snapshot, Math.Max(0, replay), ready)));
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        }
        catch
        {
            system.Stop(actor);
            throw;
        }
        return new Subscription(() => system.Stop(actor));
    }

    private sealed class Subscription(Action stop) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) stop();
        }
    }
}

/// <summary>One subscriber's feed: EventStream, cluster events and the consensus snapshot, turned into <see cref="INodeEvent"/>s.</summary>
internal sealed class NodeEventsForwarder : ReceiveActor
{
    private readonly NodeEventTopics _topics;
    private readonly Action<INodeEvent> _sink;
    private readonly ConsensusSnapshot? _snapshot;
    private readonly TaskCompletionSource _ready;
    private readonly int _replay;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private Action<ConsensusView>? _onView;
    private ValidatorOverview? _lastOverview;
    /// <summary>The last decision passed on from <see cref="RecentDecisions"/>: its live copy, and earlier ones', are not passed on again.</summary>
    private long _replayedUpTo;

    public NodeEventsForwarder(NodeEventTopics topics, Action<INodeEvent> sink, ConsensusSnapshot? snapshot, int replay, TaskCompletionSource ready)
    {
        _topics = topics;
        _replay = replay;
        _sink = sink;
        _snapshot = snapshot;
        _ready = ready;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);

        Receive<ConsensusDecided>(decided =>
        {
            if (decided.Sequence > _replayedUpTo) _sink(decided);
        });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members) _members[member.UniqueAddress] = member;
            foreach (var member in state.Unreachable) _unreachable.Add(member.UniqueAddress);
            _sink(new MembersChanged("current", null, Members()));
            // The current members are the last of the initial state: the subscription is complete.
            _ready.TrySetResult();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members.Remove(e.Member.UniqueAddress);
                _unreachable.Remove(e.Member.UniqueAddress);
            }
            else
                _members[e.Member.UniqueAddress] = e.Member;
            var change = e switch
            {
                ClusterEvent.MemberJoined => "joined",
                ClusterEvent.MemberUp or ClusterEvent.MemberWeaklyUp => "up",
                ClusterEvent.MemberLeft => "leaving",
                ClusterEvent.MemberExited => "exited",
                ClusterEvent.MemberDowned => "downed",
                ClusterEvent.MemberRemoved => "removed",
                _ => e.Member.Status.ToString().ToLowerInvariant(),
            };
            _sink(new MembersChanged(change, Info(e.Member), Members()));
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            _sink(new MembersChanged("unreachable", Info(e.Member), Members()));
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            _sink(new MembersChanged("reachable", Info(e.Member), Members()));
        });
        Receive<ConsensusView>(Validators);
    }

    protected override void PreStart()
    {
        if (_topics.HasFlag(NodeEventTopics.Consensus))
        {
            // Subscribed before the recent ones are read: a decision kept after the read is published after it, so it
            // comes live; one kept before may come live too, and is known by its sequence number (they are published
            // in that order, by the node's one coordinator).
            Context.System.EventStream.Subscribe(Self, typeof(ConsensusDecided));
            var recent = RecentDecisions.For(Context.System).Snapshot();
            foreach (var decided in recent.TakeLast(_replay))
                _sink(decided);
            if (recent.Count > 0) _replayedUpTo = recent[^1].Sequence;
        }
        if (_topics.HasFlag(NodeEventTopics.Members))
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        if (_topics.HasFlag(NodeEventTopics.Validators) && _snapshot is not null)
        {
            // Raised on the registry's thread: hop onto this actor's mailbox and return.
            var self = Self;
            _onView = view => self.Tell(view);
            _snapshot.Changed += _onView;
            Validators(_snapshot.View);
        }
        if (!_topics.HasFlag(NodeEventTopics.Members))
            _ready.TrySetResult();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        if (_topics.HasFlag(NodeEventTopics.Members))
            _cluster.Unsubscribe(Self);
        if (_onView is not null && _snapshot is not null)
            _snapshot.Changed -= _onView;
    }

    /// <summary>Only a view that changes what a page shows is passed on (the registry publishes on every bookkeeping step).</summary>
    private void Validators(ConsensusView view)
    {
        var overview = ValidatorOverview.From(view);
        if (_lastOverview is { } last && last.Epoch == overview.Epoch && last.SetHash == overview.SetHash
            && last.KnownEpochs == overview.KnownEpochs && last.Tolerance == overview.Tolerance
            && last.Validators.SequenceEqual(overview.Validators) && last.LeftOut.SequenceEqual(overview.LeftOut))
            return;
        _lastOverview = overview;
        _sink(new ValidatorsChanged(overview));
    }

    private List<MemberInfo> Members() =>
        _members.Values.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(Info).ToList();

    private MemberInfo Info(Member member) => new(
        member.Address.ToString(),
        member.Status.ToString().ToLowerInvariant(),
        member.Roles.Order(StringComparer.Ordinal).ToList(),
        !_unreachable.Contains(member.UniqueAddress));
}
