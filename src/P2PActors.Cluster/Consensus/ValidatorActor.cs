using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// This node's validator at <c>/user/validator</c>: proves its key to registry actors that challenge it, and votes on
/// proposals. Cheap refusals come first (size before parsing, rate limit, epoch), then the content is parsed, its id
/// recomputed and every local rule run; the vote names every rule broken. A refusal is unsigned and counts for
/// nothing; a vote is signed. How a Byzantine node deviates lives in <see cref="ByzantineBehaviour"/>.
/// </summary>
public sealed class ValidatorActor : ReceiveActor, IWithTimers
{
    public const string Name = "validator";

    public const string Oversized = "proposal.oversized";
    public const string Malformed = "proposal.malformed";
    public const string IdMismatch = "proposal.id-mismatch";
    public const string RateLimited = "rate-limited";
    public const string UnknownEpoch = "unknown-epoch";
    public const string MalformedId = "proposal.malformed-id";
    public const string Expired = "proposal.expired";

    private readonly ValidatorIdentity _identity;
    private readonly ConsensusOptions _options;
    private readonly ConsensusSnapshot _snapshot;
    private readonly ByzantineBehaviour _byzantine;
    private readonly ContentValidator _validator = new();
    private readonly ProposerRateLimiter _rateLimiter;
    /// <summary>Only on a node in <see cref="ByzantineMode.ForgeSignatures"/>; null on every honest validator.</summary>
    private readonly CatalogForger? _forger;
    private readonly string _selfAddress;
    private readonly long _selfUid;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<(ProposalBatch Batch, IActorRef Sender)> _inbox = new();
    /// <summary>Where judging resumes in the batch at the head of <see cref="_inbox"/>.</summary>
    private int _nextInBatch;
    private bool _workQueued;
    private readonly TurnPacing _pacing;
    /// <summary>Whether the turn queued now waited before it started.</summary>
    private bool _turnWaited;
    private long _delayed;

    public ValidatorActor(ValidatorIdentity identity, ConsensusOptions options, ConsensusSnapshot snapshot)
    {
        _identity = identity;
        _options = options;
        _snapshot = snapshot;
        // The node's own batch signatures go into its verified cache as they are made (see ValidatorIdentity.SignBatch).
        _byzantine = new ByzantineBehaviour(options.Byzantine, identity, snapshot.Signatures);
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
        _selfAddress = self.Address.ToString();
        _selfUid = self.Uid;
        _rateLimiter = new ProposerRateLimiter(options.ProposalsPerSecondPerProposer, options.ProposalBurst);
        _pacing = new TurnPacing(options.VoteTurnWait < TurnBudget ? options.VoteTurnWait : TurnBudget);
        _forger = _byzantine.ForgesCatalogEntries ? new CatalogForger(Context.System, _selfAddress) : null;

        Receive<IdentityChallenge>(c =>
        {
            if (c.Nonce is { Length: > 0 and <= 256 } && _byzantine.AnswersChallengeFrom(Sender.Path.Address.ToString()))
                Sender.Tell(new IdentityProof(_identity.ValidatorId, c.Nonce, _identity.Sign(IdentityProofs.SignedBytes(c.Nonce, _selfAddress, _selfUid))));
        });
        Receive<Proposal>(Handle);
        Receive<ProposalBatch>(Handle);
        Receive<JudgeQueued>(Handle);
        Receive<ConsensusProtocol.DelayedReply>(d => d.To.Tell(d.Message, Self));
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>How long one turn judges before it answers: a tenth of the decision timeout (50 ms by default).</summary>
    private TimeSpan TurnBudget => _options.DecisionTimeout / 10;

    /// <summary>Sent to itself when the first batch is queued: judge everything queued since.</summary>
    private sealed class JudgeQueued
    {
        public static readonly JudgeQueued Instance = new();
    }

    public static Props Props(ValidatorIdentity identity, ConsensusOptions options, ConsensusSnapshot snapshot) =>
        Akka.Actor.Props.Create(() => new ValidatorActor(identity, options, snapshot));

    private void Handle(Proposal proposal)
    {
        if (_byzantine.Mode == ByzantineMode.Silent)
            return;
        var refusals = new List<ProposalRefused>(1);
        var statements = new List<VoteStatement>(1);
        if (Serve(proposal, Sender, refusals) is { } statement)
            statements.Add(statement);
        foreach (var refusal in refusals)
            Sender.Tell(refusal);
        foreach (var votes in _byzantine.RespondAll(statements))
        {
            foreach (var vote in votes)
                Answer(Sender, vote);
        }
    }

    private void Handle(ProposalBatch batch)
    {
        if (_byzantine.Mode == ByzantineMode.Silent)
            return;
        if (batch.Problem(_options.MaxContentBytes) is { } problem)
        {
            // Nothing in it is worth a vote; its proposer's timeout settles whatever it carried.
            _log.Warning("Ignoring a proposal batch from {0}: {1}", Sender.Path.Address, problem);
            return;
        }
        _inbox.Enqueue((batch, Sender));
        if (!_workQueued)
        {
            // Every batch that reaches the mailbox before this message is judged in the same turn, and each proposer
            // gets one answer for all of them. While batches arrive together the turn waits VoteTurnWait first, so the
            // other coordinators' batches of the moment join it (TurnPacing); otherwise the message is next in line
            // and an idle validator pays only one hop through its own mailbox.
            _workQueued = true;
            var wait = _pacing.WaitBefore(Stopwatch.GetTimestamp());
            _turnWaited = wait > TimeSpan.Zero;
            // A .NET timer, not Akka's scheduler: that one ticks every 10 ms, so a 3 ms wait became 10-20 ms, which
            // added 5 ms to every decision's median and cost deciding alone a fifth of its throughput (measured).
            if (wait > TimeSpan.Zero)
                Task.Delay(wait).PipeTo(Self, success: () => JudgeQueued.Instance);
            else
                Self.Tell(JudgeQueued.Instance);
        }
    }

    /// <summary>
    /// Judges the queued batches (up to <see cref="ProposalBatch.MaxProposals"/> proposals, and for no longer than
    /// <see cref="TurnBudget"/>), signs every verdict of the turn with one batch signature, and answers each proposer
    /// with one <see cref="VoteBatch"/>. What is left waits for the next turn, so no vote is held back long by the
    /// proposals queued behind it (a cold or starved validator still answers the first ones in time).
    /// </summary>
    private void Handle(JudgeQueued _)
    {
        _workQueued = false;
        var answers = new Dictionary<IActorRef, (List<Vote> Votes, List<ProposalRefused> Refusals)>();
        var statements = new List<VoteStatement>();
        var askers = new List<IActorRef>();
        var judged = 0;
        var batches = 0;
        var started = Stopwatch.GetTimestamp();
        var budget = TurnBudget;
        while (judged < ProposalBatch.MaxProposals && Stopwatch.GetElapsedTime(started) < budget && _inbox.TryPeek(out var next))
        {
            var (batch, sender) = next;
            batches++;
            if (!answers.TryGetValue(sender, out var answer))
                answers[sender] = answer = (new List<Vote>(batch.Proposals.Count), []);
            while (_nextInBatch < batch.Proposals.Count && judged < ProposalBatch.MaxProposals && Stopwatch.GetElapsedTime(started) < budget)
            {
                var proposal = batch.Proposals[_nextInBatch++];
                if (proposal is null)
                    continue;
                judged++;
                if (Serve(proposal, sender, answer.Refusals) is { } statement)
                {
                    statements.Add(statement);
                    askers.Add(sender);
                }
            }
            if (_nextInBatch >= batch.Proposals.Count)
            {
                _inbox.Dequeue();
                _nextInBatch = 0;
            }
        }
        var responses = _byzantine.RespondAll(statements);
        for (var i = 0; i < responses.Count; i++)
            answers[askers[i]].Votes.AddRange(responses[i]);
        foreach (var (sender, (votes, refusals)) in answers)
            AnswerInBatches(sender, votes, refusals);
        _pacing.TurnEnded(batches, leftQueued: _inbox.Count > 0, _turnWaited, Stopwatch.GetTimestamp());
        if (_inbox.Count > 0)
        {
            _turnWaited = false;
            // Answer what is judged before starting on the rest, so a long queue does not hold back every vote.
            _workQueued = true;
            Self.Tell(JudgeQueued.Instance);
        }
    }

    private void AnswerInBatches(IActorRef to, List<Vote> votes, List<ProposalRefused> refusals)
    {
        if (votes.Count + refusals.Count <= VoteBatch.MaxEntries)
        {
            if (votes.Count > 0 || refusals.Count > 0)
                Answer(to, new VoteBatch(votes, refusals));
            return;
        }
        for (var i = 0; i < votes.Count; i += VoteBatch.MaxEntries)
            Answer(to, new VoteBatch(votes.GetRange(i, Math.Min(VoteBatch.MaxEntries, votes.Count - i)), []));
        for (var i = 0; i < refusals.Count; i += VoteBatch.MaxEntries)
            Answer(to, new VoteBatch([], refusals.GetRange(i, Math.Min(VoteBatch.MaxEntries, refusals.Count - i))));
    }

    /// <summary>
    /// The cheap refusals (added to <paramref name="refusals"/>), then the verdict: the honest statement on one
    /// proposal, unsigned yet, or null when refused.
    /// </summary>
    private VoteStatement? Serve(Proposal proposal, IActorRef sender, List<ProposalRefused> refusals)
    {
        var contentId = proposal.ContentId;
        if (contentId is not { Length: > 0 and <= Vote.MaxContentIdLength } || proposal.Json is null)
        {
            refusals.Add(Refusal(contentId ?? "", MalformedId));
            return null;
        }
        if (!_rateLimiter.TryTake(sender.Path.Address, Stopwatch.GetTimestamp()))
        {
            refusals.Add(Refusal(contentId, RateLimited));
            return null;
        }
        var current = _snapshot.View.Current;
        if (current is null || proposal.Epoch != current.Epoch || !string.Equals(proposal.SetHash, current.Hash, StringComparison.Ordinal))
        {
            refusals.Add(Refusal(contentId, current is null
                ? $"{UnknownEpoch}: this validator has no validator set yet"
                : $"{UnknownEpoch}: this validator votes in epoch {current.Epoch} (set {current.Hash[..12]}), not {proposal.Epoch}"));
            return null;
        }
        if (proposal.Deadline > 0 && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > proposal.Deadline)
        {
            // The proposer has stopped waiting: validating now would only slow down the proposals still wanted.
            refusals.Add(Refusal(contentId, Expired));
            return null;
        }
        if (proposal.Header is not { } header)
        {
            // Approvals bind a header (vote v3); a proposer of an earlier release sends none, and nothing this
            // validator could sign for it would let the content into the catalog.
            refusals.Add(Refusal(contentId, $"{HeaderRules.Missing}: this validator signs votes only for a proposed catalog header"));
            return null;
        }
        var (approve, rules, content) = Judge(proposal.Json, contentId);
        if (approve)
        {
            // The content is fine; the header it is to be listed under must be too, or the vote is a rejection.
            var broken = HeaderRules.Check(header, content!, ProposerAddress(sender), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _options.HeaderClockWindow);
            if (broken.Count > 0)
                (approve, rules) = (false, broken);
        }
        if (_forger is not null && !approve)
            _forger.Forge(contentId, content, current, Self);
        return new VoteStatement(contentId, current.Epoch, current.Hash, approve, rules, header.Digest(contentId));
    }

    /// <summary>The address a proposer's header must name as holder: its node's, as this node reaches it.</summary>
    private string ProposerAddress(IActorRef sender) =>
        sender.Path.Address.HasLocalScope ? _selfAddress : sender.Path.Address.ToString();

    private void Answer(IActorRef to, object reply)
    {
        if (_byzantine.DelaysAnswers)
            Timers.StartSingleTimer(++_delayed, new ConsensusProtocol.DelayedReply(to, reply), _options.DecisionTimeout * 2);
        else
            to.Tell(reply);
    }

    /// <summary>The honest verdict: size before parsing, then parse, id, and every local rule.</summary>
    private (bool Approve, IReadOnlyList<string> Rules, GameContent? Content) Judge(string json, string contentId)
    {
        if (json.Length > _options.MaxContentBytes || Encoding.UTF8.GetByteCount(json) > _options.MaxContentBytes)
            return (false, [Oversized], null);
        var verdict = _validator.CheckJson(json, contentId);
        if (!verdict.Parsed)
            return (false, [Malformed], null);
        var content = verdict.Content!;
        var result = verdict.Result!;
        if (verdict.IsApproved)
            return (true, [], content);
        var rules = new List<string>(result.Rules.Count + 1);
        if (!verdict.IdMatches || result.Rules.Contains(Rules.IdMismatch))
            rules.Add(IdMismatch);
        foreach (var rule in result.Rules)
        {
            if (rule != Rules.IdMismatch && rules.Count < Vote.MaxRules)
                rules.Add(rule);
        }
        return (false, rules, content);
    }

    private ProposalRefused Refusal(string contentId, string reason) => new(contentId, _identity.ValidatorId, reason);
}
