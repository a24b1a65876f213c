using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Event;
using static P2PActors.Cluster.Consensus.ConsensusProtocol;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// The proposer at <c>/user/consensus</c>. One actor tallies every proposal of this node (no actor per proposal): it
/// sends the canonical JSON to every validator of the current set, counts each signed vote once with a
/// <see cref="VoteTally"/>, and answers as soon as the tally accepts (a quorum of valid approvals) or rejects
/// (acceptance has become impossible). A proposal still pending at its timeout is undecided — never accepted. The
/// tally lives on until the timeout so that a validator's second, different vote is still caught as equivocation.
/// </summary>
public sealed class ConsensusCoordinator : ReceiveActor
{
    public const string Name = "consensus";

    private readonly ConsensusOptions _options;
    private readonly ConsensusSnapshot _snapshot;
    private readonly IActorRef _registry;
    private readonly string _proposer;
    private readonly string _selfValidatorId;
    private readonly IActorRef _selfValidator;
    private readonly bool _trustOwnVotes;
    private readonly Dictionary<string, PendingProposal> _pending = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProposalOutbox<IActorRef> _outbox = new();
    private readonly Events.RecentDecisions _decisions = Events.RecentDecisions.For(Context.System);
    /// <summary>The current proposal's reachable validators, reused: the outbox copies them, and this runs per proposal.</summary>
    private readonly List<IActorRef> _validators = [];
    private bool _flushQueued;
    private long _sequence;

    public ConsensusCoordinator(ConsensusOptions options, ConsensusSnapshot snapshot, IActorRef registry, string selfValidatorId, IActorRef selfValidator)
    {
        _selfValidatorId = selfValidatorId;
        _selfValidator = selfValidator;
        // An honest node's own validator signs in this process: its votes need no signature check here.
        _trustOwnVotes = options.Byzantine == ByzantineMode.Honest;
        _options = options;
        _snapshot = snapshot;
        _registry = registry;
        _proposer = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

        Receive<Propose>(propose =>
        {
            Start(propose, OutcomeWaiter.Actor(Sender));
            ScheduleFlush();
        });
        Receive<ProposeAll>(all =>
        {
            if (all.Items is null || all.Replies is null || all.Items.Count != all.Replies.Count)
                return;
            for (var i = 0; i < all.Items.Count; i++)
                Start(all.Items[i], OutcomeWaiter.Task(all.Replies[i]));
            ScheduleFlush();
        });
        Receive<Requeued>(requeued =>
        {
            Start(requeued.Propose, requeued.Waiter);
            ScheduleFlush();
        });
        Receive<Vote>(vote => Handle(vote, Sender));
        Receive<ProposalRefused>(refused => Handle(refused, Sender));
        Receive<VoteBatch>(Handle);
        Receive<FlushProposals>(_ =>
        {
            _flushQueued = false;
            Flush();
        });
        Receive<ProposalTimeout>(Handle);
    }

    public static Props Props(ConsensusOptions options, ConsensusSnapshot snapshot, IActorRef registry, string selfValidatorId, IActorRef selfValidator) =>
        Akka.Actor.Props.Create(() => new ConsensusCoordinator(options, snapshot, registry, selfValidatorId, selfValidator));

    private void Start(Propose propose, OutcomeWaiter waiter)
    {
        var start = Stopwatch.GetTimestamp();
        if (_pending.TryGetValue(propose.ContentId, out var running))
        {
            if (!string.Equals(running.Json, propose.Json, StringComparison.Ordinal) || !Equals(running.Header, propose.Header))
            {
                // Votes name the content id and header, not the body: a different body (or header) under the same id
                // waits for its own vote.
                (running.Queued ??= []).Add((propose, waiter));
                return;
            }
            // The same content proposed again while its vote runs: one vote, every caller gets its outcome.
            if (running.Outcome is { } outcome)
                waiter.Answer(outcome);
            else
                running.Waiters.Add(waiter);
            return;
        }

        var view = _snapshot.View;
        if (view.Current is not { } set)
        {
            Decided(waiter, Immediate(propose.ContentId, ProposalDecision.Undecided, null, [], [view.Waiting
                ? "no validator set yet: waiting for cluster members to prove their validator keys"
                : "no validator set: no Up member with a proven, listed validator key"], start));
            return;
        }
        if (string.IsNullOrEmpty(propose.ContentId) || propose.ContentId.Length > Vote.MaxContentIdLength)
        {
            Decided(waiter, Immediate(propose.ContentId ?? "", ProposalDecision.Rejected, set, [ValidatorActor.MalformedId], [], start));
            return;
        }
        var bytes = propose.Json.Length > _options.MaxContentBytes ? propose.Json.Length : Encoding.UTF8.GetByteCount(propose.Json);
        if (bytes > _options.MaxContentBytes)
        {
            Decided(waiter, Immediate(propose.ContentId, ProposalDecision.Rejected, set, [ValidatorActor.Oversized], [], start));
            return;
        }

        // Wall clock, for validators in other processes: past it, nobody waits for their vote any more.
        var deadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)_options.DecisionTimeout.TotalMilliseconds;
        var proposal = new Proposal(propose.Json, propose.ContentId, set.Epoch, set.Hash, _proposer, deadline, propose.Header);
        // One hash per proposal: every vote is then matched against it byte for byte.
        var headerDigest = propose.Header?.Digest(propose.ContentId);
        if (_outbox.MustDrainBefore(bytes))
            Flush();
        List<string>? unreachable = null;
        _validators.Clear();
        foreach (var member in set.Members)
        {
            if (view.Endpoints.TryGetValue(member, out var endpoint))
                _validators.Add(endpoint.Validator);
            else
                (unreachable ??= []).Add(member);
        }
        _outbox.Add(proposal, bytes, _validators);
        var pending = new PendingProposal(propose.Json, propose.Header, VoteTally.Start(propose.ContentId, set.Epoch, view.Registry, headerDigest),
            ++_sequence, start, unreachable ?? (IReadOnlyList<string>)[]);
        pending.Waiters.Add(waiter);
        pending.Timer = Context.System.Scheduler.ScheduleTellOnceCancelable(
            _options.DecisionTimeout, Self, new ProposalTimeout(propose.ContentId, pending.Sequence), Self);
        _pending[propose.ContentId] = pending;
    }

    /// <summary>After proposals were queued: flush once whatever already waits in the mailbox has been queued too.</summary>
    private void ScheduleFlush()
    {
        if (_outbox.Count == 0 || _flushQueued)
            return;
        // Zero-linger batching: whatever reaches the mailbox before this flush travels in the same batch, so a
        // busy coordinator sends few, full batches; an idle one pays one hop through its own mailbox (Akka has no
        // public way to peek at it).
        _flushQueued = true;
        Self.Tell(FlushProposals.Instance);
    }

    /// <summary>Sends every validator its queued proposals, one <see cref="ProposalBatch"/> each.</summary>
    private void Flush()
    {
        foreach (var (validator, proposals) in _outbox.Drain())
            validator.Tell(new ProposalBatch(proposals), Self);
    }

    private void Handle(VoteBatch batch)
    {
        if (batch.Problem() is { } problem)
        {
            _log.Warning("Ignoring a vote batch from {0}: {1}", Sender.Path.Address, problem);
            return;
        }
        var sender = Sender;
        foreach (var vote in batch.Votes)
            Handle(vote, sender);
        foreach (var refused in batch.Refusals)
            Handle(refused, sender);
    }

    private void Handle(Vote vote, IActorRef sender)
    {
        if (vote?.ContentId is null || vote.ValidatorId is null || !_pending.TryGetValue(vote.ContentId, out var pending))
            return;
        if (!pending.ShouldCount(vote, _snapshot.Signatures))
            return;
        // Only this node's own validator actor is taken at its word; any other sender's votes are verified.
        var own = _trustOwnVotes && sender.Equals(_selfValidator) && vote.ValidatorId == _selfValidatorId;
        // A batch-signed vote's signature is checked once per batch: the others of its batch find it in the cache.
        var step = pending.Count(vote, own, _snapshot.Signatures);
        switch (step.Disposition)
        {
            case VoteDisposition.Equivocation:
                _registry.Tell(new ReportEquivocation(step.Tally.Evidence[^1]));
                break;
            case VoteDisposition.BadSignature or VoteDisposition.NotAMember or VoteDisposition.OtherContent or VoteDisposition.OtherEpoch
                or VoteDisposition.OtherHeader or VoteDisposition.Malformed:
                _log.Debug("Vote from {0} on {1} not counted: {2}", vote.ValidatorId, vote.ContentId, step.Disposition);
                break;
        }
        if (pending.Outcome is null)
            TryDecide(vote.ContentId, pending);
    }

    private void Handle(ProposalRefused refused, IActorRef sender)
    {
        if (refused?.ContentId is null || !_pending.TryGetValue(refused.ContentId, out var pending) || pending.Outcome is not null)
            return;
        // Refusals are unsigned; only the validator's own node may speak for it, and it only ever hastens "undecided".
        var view = _snapshot.View;
        if (refused.ValidatorId is null || !pending.Tally.Set.Contains(refused.ValidatorId) ||
            !view.Endpoints.TryGetValue(refused.ValidatorId, out var endpoint) || !SpeaksFor(sender, refused.ValidatorId, endpoint.Validator))
            return;
        if (pending.Refuse(refused.ValidatorId, refused.Reason ?? "refused"))
            TryDecide(refused.ContentId, pending);
    }

    /// <summary>This node's own validator speaks for itself; a remote sender only for the validator of its own node.</summary>
    private bool SpeaksFor(IActorRef sender, string validatorId, IActorRef endpoint) =>
        sender.Equals(_selfValidator)
            ? validatorId == _selfValidatorId
            : !sender.Path.Address.HasLocalScope && sender.Path.Address.Equals(endpoint.Path.Address);

    private void Handle(ProposalTimeout timeout)
    {
        if (!_pending.TryGetValue(timeout.ContentId, out var pending) || pending.Sequence != timeout.Sequence)
            return;
        if (TryReAsk(timeout.ContentId, pending))
            return;
        Remove(timeout.ContentId, pending);
        if (pending.Outcome is null)
            Reply(pending, pending.ToOutcome(ProposalDecision.Undecided));
    }

    private void TryDecide(string contentId, PendingProposal pending)
    {
        var decision = pending.Decide();
        if (decision is not { } decided)
            return;
        // Everyone left refused (expired, rate-limited): worth one more ask while the quorum is still reachable.
        if (decided == ProposalDecision.Undecided && TryReAsk(contentId, pending))
            return;
        Reply(pending, pending.ToOutcome(decided));
        if (decided == ProposalDecision.Undecided || pending.Tally.Outstanding == 0)
            Finish(contentId, pending);
    }

    /// <summary>
    /// A proposal that would end undecided while its quorum is still reachable gets one second window: the validators
    /// that cast no counted vote are sent it again with a new deadline (an honest validator that was slow, starved or
    /// refused it as expired answers the same verdict; signing the same statement twice is not equivocation).
    /// </summary>
    private bool TryReAsk(string contentId, PendingProposal pending)
    {
        if (!_options.ReAsk)
            return false;
        var candidates = pending.ReAskCandidates();
        if (candidates.Count == 0)
            return false;
        var view = _snapshot.View;
        _validators.Clear();
        foreach (var id in candidates)
        {
            if (view.Endpoints.TryGetValue(id, out var endpoint))
                _validators.Add(endpoint.Validator);
        }
        if (pending.Tally.ApprovalCount + _validators.Count < pending.Tally.Threshold)
            return false;
        pending.OpenSecondWindow(candidates);
        var deadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)_options.DecisionTimeout.TotalMilliseconds;
        var set = pending.Tally.Set;
        var proposal = new Proposal(pending.Json, contentId, set.Epoch, set.Hash, _proposer, deadline, pending.Header);
        var bytes = Encoding.UTF8.GetByteCount(pending.Json);
        if (_outbox.MustDrainBefore(bytes))
            Flush();
        _outbox.Add(proposal, bytes, _validators);
        ScheduleFlush();
        pending.Timer?.Cancel();
        pending.Timer = Context.System.Scheduler.ScheduleTellOnceCancelable(
            _options.DecisionTimeout, Self, new ProposalTimeout(contentId, pending.Sequence), Self);
        _log.Debug("Proposal {0}: asking {1} validator(s) again", contentId, _validators.Count);
        return true;
    }

    /// <summary>Every validator has spoken: no late vote can come to catch.</summary>
    private void Finish(string contentId, PendingProposal pending)
    {
        pending.Timer?.Cancel();
        Remove(contentId, pending);
    }

    private void Remove(string contentId, PendingProposal pending)
    {
        _pending.Remove(contentId);
        if (pending.Queued is null)
            return;
        foreach (var (propose, waiter) in pending.Queued)
            Self.Tell(new Requeued(propose, waiter));
    }

    /// <summary>A proposal decided before any vote: the caller gets it, and so do pages watching this node's outcomes.</summary>
    private void Decided(OutcomeWaiter waiter, ProposalOutcome outcome)
    {
        waiter.Answer(outcome);
        _decisions.Announce(Context.System, outcome);
    }

    private void Reply(PendingProposal pending, ProposalOutcome outcome)
    {
        pending.Outcome = outcome;
        // Once per proposal (a second caller of a decided proposal is answered, not announced again).
        _decisions.Announce(Context.System, outcome);
        foreach (var waiter in pending.Waiters)
            waiter.Answer(outcome);
        pending.Waiters.Clear();
    }

    private static ProposalOutcome Immediate(string contentId, ProposalDecision decision, ValidatorSet? set, IReadOnlyList<string> rules, IReadOnlyList<string> refusals, long start) =>
        new(contentId, decision, set?.Epoch ?? 0, set?.Count ?? 0, set?.Threshold ?? 0, 0, 0, rules, [], null, Stopwatch.GetElapsedTime(start), refusals);
}
