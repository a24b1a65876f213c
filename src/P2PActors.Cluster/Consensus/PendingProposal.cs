using System.Diagnostics;
using Akka.Actor;
using static P2PActors.Cluster.Consensus.ConsensusProtocol;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// One proposal's bookkeeping while its vote runs: the tally, refusals, late votes and who waits for the outcome.
/// The rules — when it is decided, what a late vote may still change, what the outcome says — live here, apart from
/// the coordinator actor, which only routes messages, sends batches and keeps the timer.
/// </summary>
internal sealed class PendingProposal(string json, EntryHeader? header, VoteTally tally, long sequence, long startTicks, IReadOnlyList<string> unreachable)
{
    public string Json { get; } = json;
    /// <summary>The catalog header the votes are cast for (their digest is checked by <see cref="Tally"/>).</summary>
    public EntryHeader? Header { get; } = header;
    /// <summary>Proposals of the same id with another body or header: started once this one is removed.</summary>
    public List<(Propose Propose, OutcomeWaiter Waiter)>? Queued { get; set; }
    public VoteTally Tally { get; private set; } = tally;
    public long Sequence { get; } = sequence;
    public long StartTicks { get; } = startTicks;
    /// <summary>Who wants the outcome: actors (an ask) or tasks (<see cref="ProposeAll"/>).</summary>
    public List<OutcomeWaiter> Waiters { get; } = new(1);
    public Dictionary<string, string> Refusals { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<string> Unreachable { get; } = unreachable;
    public ProposalOutcome? Outcome { get; set; }
    public ICancelable? Timer { get; set; }

    /// <summary>Whether the validators that had not voted were asked a second time (at most once per proposal).</summary>
    public bool ReAsked { get; private set; }

    /// <summary>
    /// The validators worth asking again when the first window closed undecided: every member of the set that has cast
    /// no counted vote (a refusal — expired, rate-limited — is no vote, so it is asked again). Empty, and no second
    /// window, when even all of them approving could not reach the threshold, or when they were already asked again:
    /// a proposal is never kept alive without a quorum it could still reach, and never longer than two windows.
    /// </summary>
    public IReadOnlyList<string> ReAskCandidates()
    {
        if (ReAsked || Outcome is not null)
            return [];
        var silent = Tally.Set.Members.Where(id => !Tally.HasVoted(id)).ToList();
        return Tally.ApprovalCount + silent.Count >= Tally.Threshold ? silent : [];
    }

    /// <summary>
    /// Re-asked validators whose answer to the first ask had not come when the second window opened. Each validator
    /// answers its asks in order, so the next refusal from one of them answers the first ask (typically "expired",
    /// sent by a validator too busy to reach the proposal in time) and says nothing about the second: counted, it
    /// ended a proposal undecided a moment into its second window although the re-asked validator was about to vote.
    /// </summary>
    private HashSet<string>? _firstAnswerDue;

    /// <summary>
    /// The second window opens for <paramref name="asked"/>: refusals from the first are forgotten, and those of them
    /// that had not answered yet have a first answer still on its way (<see cref="Refuse"/>).
    /// </summary>
    public void OpenSecondWindow(IEnumerable<string> asked)
    {
        ReAsked = true;
        foreach (var id in asked)
        {
            if (!Refusals.ContainsKey(id))
                (_firstAnswerDue ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
        }
        Refusals.Clear();
    }

    /// <summary>
    /// Notes a validator's refusal; false when it is the late answer to the first ask of a re-asked validator, which
    /// is dropped. A validator that never answered the first ask has its refusal of the second dropped instead: the
    /// proposal then waits for the window to close, as it would for a silent validator — later, never wrong.
    /// </summary>
    public bool Refuse(string validatorId, string reason)
    {
        if (_firstAnswerDue?.Remove(validatorId) == true)
            return false;
        Refusals[validatorId] = reason;
        return true;
    }

    /// <summary>First votes that arrived after the decision: kept unverified, checked only if a second one follows.</summary>
    private Dictionary<string, Vote>? _late;

    /// <summary>
    /// Whether <paramref name="vote"/> must be counted. Before the decision every vote is. After it, a validator's first
    /// vote can change nothing and is only kept, unverified (no signature check wasted on it); a second, different vote
    /// from it makes both worth counting, since together they may prove equivocation.
    /// </summary>
    public bool ShouldCount(Vote vote, VerifiedSignatureCache signatures)
    {
        if (Outcome is null || Tally.HasVoted(vote.ValidatorId))
            return true;
        _late ??= new Dictionary<string, Vote>(StringComparer.Ordinal);
        if (!_late.TryGetValue(vote.ValidatorId, out var first))
        {
            // Kept until the timeout: an equivocator's second vote usually follows right behind the first.
            _late[vote.ValidatorId] = vote;
            return false;
        }
        if (first.SameStatementAs(vote))
            return false;
        Tally = Tally.Add(first, signatureVerified: false, signatures).Tally;
        return true;
    }

    /// <summary>Counts a vote; <paramref name="verified"/> only for this node's own validator's votes.</summary>
    public TallyStep Count(Vote vote, bool verified, VerifiedSignatureCache signatures)
    {
        var step = Tally.Add(vote, verified, signatures);
        Tally = step.Tally;
        // A first-window vote arriving late answered the first ask: a refusal after it answers the second.
        _firstAnswerDue?.Remove(vote.ValidatorId);
        return step;
    }

    /// <summary>The decision the votes and refusals allow now; null while it could still go either way.</summary>
    public ProposalDecision? Decide() => Tally.Decision switch
    {
        TallyDecision.Accepted => ProposalDecision.Accepted,
        TallyDecision.Rejected => ProposalDecision.Rejected,
        // Nobody left who could still vote: no point waiting for the timeout.
        _ when Tally.Outstanding - RefusedWithoutVote() - Unreachable.Count <= 0 => ProposalDecision.Undecided,
        _ => null,
    };

    /// <summary>
    /// Refusals from validators that have not voted: one that both voted and refused (a late first-window vote, or a
    /// Byzantine node sending both) is outstanding no longer and must not be taken off twice.
    /// </summary>
    private int RefusedWithoutVote()
    {
        if (Refusals.Count == 0)
            return 0;
        var count = 0;
        foreach (var id in Refusals.Keys)
        {
            if (!Tally.HasVoted(id))
                count++;
        }
        return count;
    }

    /// <summary>What the callers are told: the tally's counts, the broken rules, refusals and, when accepted, the certificate.</summary>
    public ProposalOutcome ToOutcome(ProposalDecision decision)
    {
        var rules = new List<string>();
        foreach (var rejection in Tally.Rejections)
        {
            foreach (var rule in rejection.Rules)
            {
                if (!rules.Contains(rule))
                    rules.Add(rule);
            }
        }
        var refusals = Refusals.Values.Distinct(StringComparer.Ordinal).ToList();
        if (Unreachable.Count > 0)
            refusals.Add($"{Unreachable.Count} validator(s) of the set have no verified endpoint");
        return new ProposalOutcome(
            Tally.ContentId,
            decision,
            Tally.Epoch,
            Tally.Set.Count,
            Tally.Threshold,
            Tally.ApprovalCount,
            Tally.RejectionCount,
            rules,
            Tally.Equivocators.Order(StringComparer.Ordinal).ToList(),
            decision == ProposalDecision.Accepted ? Tally.Certificate : null,
            Stopwatch.GetElapsedTime(StartTicks),
            refusals,
            Header);
    }
}
