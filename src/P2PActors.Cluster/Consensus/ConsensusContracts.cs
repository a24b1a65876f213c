namespace P2PActors.Cluster.Consensus;

/// <summary>
/// How a node misbehaves when started Byzantine (chaos testing). <see cref="Honest"/> is every real node.
/// A Byzantine node stays a normal cluster member otherwise: it generates, stores and gossips as usual.
/// </summary>
public enum ByzantineMode
{
    Honest,
    /// <summary>Signs an approval for every proposal, valid or not.</summary>
    ApproveAll,
    /// <summary>Signs a rejection for every proposal, valid or not.</summary>
    RejectAll,
    /// <summary>Sends two different signed votes (approve and reject) for each proposal.</summary>
    Equivocate,
    /// <summary>Sends votes whose signatures do not verify, and writes catalog entries with forged certificates.</summary>
    ForgeSignatures,
    /// <summary>Answers with votes it signed earlier for other content or another epoch.</summary>
    Replay,
    /// <summary>Never answers a proposal.</summary>
    Silent,
    /// <summary>Answers every proposal, but only after the proposer's timeout.</summary>
    Slow,
    /// <summary>Votes honestly, but proposes content that breaks the balance rules.</summary>
    Overpowered,
    /// <summary>A normal member that never answers an identity challenge (so it never proves its key to anyone).</summary>
    Mute,
    /// <summary>Answers the identity challenges of only half of its challengers (every other one, in the order they first asked).</summary>
    PartialMute,
    /// <summary>
    /// Votes honestly, but rewrites every genuine catalog entry it sees with a false type, name and author and a created
    /// time far in the future, keeping the genuine certificate.
    /// </summary>
    TamperHeaders,
}

/// <summary>Consensus knobs: flag/env/appsettings map onto these (see NodeSettings).</summary>
public sealed record ConsensusOptions
{
    /// <summary>
    /// A proposal without a decision after this long ends undecided — never accepted — unless <see cref="ReAsk"/> opens
    /// a second window of the same length for it.
    /// </summary>
    public TimeSpan DecisionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A proposal still undecided at <see cref="DecisionTimeout"/> whose quorum is still reachable is sent once more to
    /// the validators that cast no counted vote, for one more window (docs/consensus.md, "Re-ask").
    /// </summary>
    public bool ReAsk { get; init; } = true;

    /// <summary>
    /// While proposal batches arrive together, a validator starts its turn this long after the first batch reaches it,
    /// so the batches of every coordinator arriving meanwhile are judged together and signed with one batch signature:
    /// every node that admits the shared entries checks one root fewer. At 3 ms (4 nodes, sharing) the signature checks
    /// halved and sharing ran a sixth faster, while decisions at 7 nodes with 2 Byzantine peers were no slower at p99
    /// (benchmarks-history.md, "validator turns that wait a few ms"). A lone batch on a quiet validator is judged at once
    /// (<see cref="TurnPacing"/>). Zero never waits. Never longer than a turn may last (a tenth of <see cref="DecisionTimeout"/>).
    /// </summary>
    public TimeSpan VoteTurnWait { get; init; } = TimeSpan.FromMilliseconds(3);

    /// <summary>Proposals per second a validator serves from one proposer before it refuses them (token bucket).</summary>
    public int ProposalsPerSecondPerProposer { get; init; } = 5_000;

    /// <summary>Burst size of that token bucket.</summary>
    public int ProposalBurst { get; init; } = 10_000;

    /// <summary>Proposals whose canonical JSON is longer than this are refused before anything else is done.</summary>
    public int MaxContentBytes { get; init; } = 512 * 1024;

    public ByzantineMode Byzantine { get; init; } = ByzantineMode.Honest;

    /// <summary>
    /// How far a proposed catalog header's created time may lie from a validator's clock for it to sign the header
    /// (either way: clock skew between nodes). A certified entry can thus never be dated further into the future than
    /// this past its vote. Catalog entries certified by earlier releases, whose votes bind no header, are admitted only
    /// when their created time is at most this far ahead of the admitting node's clock.
    /// </summary>
    public TimeSpan HeaderClockWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Closed validator membership: the validator ids (public keys) allowed to vote. A cluster member whose proven key
    /// is not listed stays a member but never enters a validator set. Null: open membership — every Up member becomes
    /// a validator, which only suits local development (anyone who reaches the remoting port can add validators).
    /// </summary>
    public IReadOnlySet<string>? AllowedValidators { get; init; }

    /// <summary>
    /// How long a node waits for a new Up member's identity proof (its own challenge answered, or a proof another node
    /// relayed) before it forms the validator set without that member. Meanwhile it has no set: it proposes nothing and
    /// refuses to vote. A proof that arrives later makes a new set with the member in it.
    /// </summary>
    public TimeSpan IdentityTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Folder of the persisted validator key (<see cref="ValidatorIdentity.LoadOrCreate"/>); null keeps an in-memory key.</summary>
    public string? KeyDirectory { get; init; }

    /// <summary>Every problem with these options, phrased for the operator; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (AllowedValidators is { } allowed)
        {
            if (allowed.Count == 0)
                problems.Add("AllowedValidators is empty: a closed validator membership needs at least one validator id");
            foreach (var id in allowed.Where(id => !ValidatorKeys.IsCanonicalId(id)))
                problems.Add($"AllowedValidators: '{id}' is not a validator id (64 lower-case hex characters)");
        }
        if (DecisionTimeout < TimeSpan.FromMilliseconds(1) || DecisionTimeout > TimeSpan.FromMinutes(1))
            problems.Add("DecisionTimeout must be between 1 ms and 1 minute");
        if (IdentityTimeout < TimeSpan.FromMilliseconds(100) || IdentityTimeout > TimeSpan.FromMinutes(10))
            problems.Add("IdentityTimeout must be between 100 ms and 10 minutes");
        if (VoteTurnWait < TimeSpan.Zero || VoteTurnWait > TimeSpan.FromSeconds(10))
            problems.Add("VoteTurnWait must be between 0 and 10 seconds");
        if (ProposalsPerSecondPerProposer < 1)
            problems.Add("ProposalsPerSecondPerProposer must be at least 1");
        if (ProposalBurst < 1)
            problems.Add("ProposalBurst must be at least 1");
        if (HeaderClockWindow < TimeSpan.FromSeconds(1) || HeaderClockWindow > TimeSpan.FromDays(1))
            problems.Add("HeaderClockWindow must be between 1 second and 1 day");
        if (MaxContentBytes < 1024)
            problems.Add("MaxContentBytes must be at least 1024");
        if (!Enum.IsDefined(Byzantine))
            problems.Add($"Byzantine mode {(int)Byzantine} is not defined");
        return problems;
    }
}

/// <summary>The kebab-case names of <see cref="ByzantineMode"/> used by flags, environment and appsettings.</summary>
public static class ByzantineModes
{
    private static readonly IReadOnlyDictionary<string, ByzantineMode> ByName = Enum.GetValues<ByzantineMode>()
        .ToDictionary(WireName, m => m, StringComparer.OrdinalIgnoreCase);

    /// <summary>approve-all, reject-all, equivocate, forge-signatures, replay, silent, slow, overpowered, mute, partial-mute, tamper-headers (and honest).</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<ByzantineMode>().Select(WireName).ToArray();

    public static string WireName(ByzantineMode mode) =>
        string.Concat(mode.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static bool TryParse(string? name, out ByzantineMode mode)
    {
        mode = ByzantineMode.Honest;
        return name is not null && ByName.TryGetValue(name.Trim(), out mode);
    }
}

public enum ProposalDecision { Accepted, Rejected, Undecided }

/// <summary>
/// What became of one proposal. <see cref="Certificate"/> is set only when accepted; <see cref="Rules"/> are the
/// rule names the counted rejections gave (the proposer's own finding when it refused up front, e.g. oversized);
/// <see cref="Refusals"/> say why validators would not vote at all (rate limited, another epoch), which is what
/// leaves a proposal undecided. <see cref="Header"/> is the catalog header the votes were cast for: accepted content
/// is shared under exactly it (any other header does not match the certificate).
/// </summary>
public sealed record ProposalOutcome(
    string ContentId,
    ProposalDecision Decision,
    long Epoch,
    int Validators,
    int Threshold,
    int Approvals,
    int Rejections,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> Equivocators,
    Certificate? Certificate,
    TimeSpan Elapsed,
    IReadOnlyList<string> Refusals,
    EntryHeader? Header = null);
