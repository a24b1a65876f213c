using Akka.Actor;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>How a proposal's accepted content is shared: under which author, or not at all (benchmarks, dry runs).</summary>
public sealed record ProposalOptions(string Author = "anonymous", bool Share = true)
{
    public static readonly ProposalOptions Default = new();

    public static readonly ProposalOptions DecideOnly = new(Share: false);
}

/// <summary>
/// The front door to the vote: <see cref="ProposeAsync(GameContent, CancellationToken)"/> puts content to the node's
/// validators and, when they accept it, shares it in the catalog together with its certificate.
/// </summary>
public sealed class ConsensusClient
{
    private readonly ActorSystem _system;
    private readonly ConsensusRuntime _runtime;

    private ConsensusClient(ActorSystem system, ConsensusRuntime runtime)
    {
        _system = system;
        _runtime = runtime;
    }

    public static ConsensusClient For(ActorSystem system) => new(system, ConsensusRuntime.For(system));

    public ConsensusRuntime Runtime => _runtime;

    /// <summary>True on an <see cref="ByzantineMode.Overpowered"/> node: <see cref="ProposeAsync(GameContent, ProposalOptions, CancellationToken)"/> overpowers what it proposes.</summary>
    public bool IsOverpowered => _runtime.Options.Byzantine == ByzantineMode.Overpowered;

    /// <summary>The longest a proposal can take: its decision timeout plus slack for a busy node.</summary>
    public TimeSpan AskTimeout => _runtime.Options.DecisionTimeout + TimeSpan.FromSeconds(10);

    public Task<ProposalOutcome> ProposeAsync(GameContent content, CancellationToken ct = default) =>
        ProposeAsync(content, ProposalOptions.Default, ct);

    /// <summary>
    /// Proposes <paramref name="content"/> as it is (its id as claimed; validators recompute it). Accepted content is
    /// shared when <see cref="ProposalOptions.Share"/> is set; the outcome is returned once that write is done.
    /// An <see cref="ByzantineMode.Overpowered"/> node proposes <see cref="ByzantineBehaviour.Overpower"/>ed content
    /// instead, without checking it: that is its misbehaviour, and the outcome's content id says what was proposed.
    /// </summary>
    public async Task<ProposalOutcome> ProposeAsync(GameContent content, ProposalOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        if (IsOverpowered)
            content = ByzantineBehaviour.Overpower(content);
        var propose = new ConsensusProtocol.Propose(ContentJson.Serialize(content), content.Id ?? "", HeaderFor(content, options.Author));
        var outcome = (await ProposeAllAsync([propose], ct).ConfigureAwait(false))[0];
        if (outcome.Decision == ProposalDecision.Accepted && options.Share)
            await ShareAsync(content, outcome, ct).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// The catalog header content is proposed under: its type and name, <paramref name="author"/>, created now, held
    /// by this node. The validators sign its digest, so the content is shared under exactly this header.
    /// </summary>
    public EntryHeader HeaderFor(GameContent content, string author)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new EntryHeader(content.Type, content.DisplayName, author, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), GameState.For(_system).HolderAddress);
    }

    /// <summary>
    /// Shares accepted content in the catalog under the header its votes were cast for, with its certificate (an
    /// <see cref="ArgumentException"/> when <paramref name="outcome"/> is not an acceptance of <paramref name="content"/>).
    /// </summary>
    public Task<WriteResult> ShareAsync(GameContent content, ProposalOutcome outcome, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Decision != ProposalDecision.Accepted || outcome.Header is not { } header || outcome.ContentId != content.Id)
            throw new ArgumentException($"content {content.Id} was not accepted under a catalog header", nameof(outcome));
        return GameState.For(_system).ShareAsync(content, header.Author, header.CreatedMs, outcome.Certificate.ToProof(), ct);
    }

    /// <summary>
    /// Proposes many pieces of content at once (see <see cref="ProposeAsync(GameContent, ProposalOptions, CancellationToken)"/>
    /// for one): they reach the coordinator in one message, so they travel to the validators in few batches. The
    /// outcomes come back in the order of <paramref name="contents"/>; accepted content is shared when
    /// <see cref="ProposalOptions.Share"/> is set.
    /// </summary>
    public async Task<IReadOnlyList<ProposalOutcome>> ProposeManyAsync(IReadOnlyList<GameContent> contents, ProposalOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(options);
        var proposed = new GameContent[contents.Count];
        var items = new ConsensusProtocol.Propose[contents.Count];
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i] ?? throw new ArgumentException($"contents[{i}] is null", nameof(contents));
            if (IsOverpowered)
                content = ByzantineBehaviour.Overpower(content);
            proposed[i] = content;
            items[i] = new ConsensusProtocol.Propose(ContentJson.Serialize(content), content.Id ?? "", HeaderFor(content, options.Author));
        }
        var outcomes = await ProposeAllAsync(items, ct).ConfigureAwait(false);
        if (options.Share)
        {
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (outcomes[i].Decision == ProposalDecision.Accepted)
                    await ShareAsync(proposed[i], outcomes[i], ct).ConfigureAwait(false);
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Proposes raw JSON under a claimed id, exactly as given: for bad-input paths (malformed JSON, a wrong id,
    /// oversized content). The header names the type and name the JSON gives when it parses (validators judge the
    /// content before the header). Nothing is shared.
    /// </summary>
    public async Task<ProposalOutcome> ProposeRawAsync(string json, string claimedId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(claimedId);
        GameContent? parsed = null;
        try
        {
            // Oversized content is refused before any header is looked at: not worth parsing here.
            if (json.Length <= _runtime.Options.MaxContentBytes)
                parsed = ContentJson.Deserialize(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // Unreadable: the validators reject it as malformed before they look at the header.
        }
        var header = parsed is null
            ? new EntryHeader(ContentType.Item, "", ProposalOptions.Default.Author, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), GameState.For(_system).HolderAddress)
            : HeaderFor(parsed, ProposalOptions.Default.Author);
        return (await ProposeAllAsync([new ConsensusProtocol.Propose(json, claimedId, header)], ct).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// One message to the coordinator (a single proposal shares one with its concurrent peers, see
    /// <see cref="ProposalFunnel"/>), one task per proposal: cheaper than an ask (no temporary actor, no scheduled
    /// timeout per proposal). The coordinator answers every proposal by its decision timeout; the wait is bounded by
    /// <see cref="AskTimeout"/> all the same and ends, like an ask, in <see cref="AskTimeoutException"/>.
    /// </summary>
    private async Task<ProposalOutcome[]> ProposeAllAsync(ConsensusProtocol.Propose[] items, CancellationToken ct)
    {
        var replies = new TaskCompletionSource<ProposalOutcome>[items.Length];
        for (var i = 0; i < replies.Length; i++)
            replies[i] = new TaskCompletionSource<ProposalOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (items.Length == 1)
            _runtime.Funnel.Enqueue(items[0], replies[0]);
        else
            _runtime.Coordinator.Tell(new ConsensusProtocol.ProposeAll(items, replies));
        try
        {
            if (replies.Length == 1)
                return [await replies[0].Task.WaitAsync(AskTimeout, ct).ConfigureAwait(false)];
            return await Task.WhenAll(replies.Select(r => r.Task)).WaitAsync(AskTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"The consensus coordinator did not answer {items.Length} proposal(s) within {AskTimeout}.");
        }
    }

    /// <summary>Every validator this node knows, with the set it currently counts votes in.</summary>
    public ValidatorOverview Validators() => ValidatorOverview.From(_runtime.Snapshot.View);
}

/// <summary>One validator as <c>GET /api/validators</c> lists it.</summary>
/// <param name="NoVote">Why a member that proved this key is left out of the set (closed membership), else null.</param>
public sealed record ValidatorInfo(string Id, string? Address, bool InCurrentSet, bool Equivocating, int EvidenceCount, string? NoVote = null);

/// <summary>An Up member left out of the validator set because no usable identity proof names it.</summary>
/// <param name="Address">Its node address.</param>
/// <param name="ClaimedId">The validator id it claims in its self-signed binding, if any (display only: nothing proved it).</param>
/// <param name="Reason">Why, e.g. "no answer to identity challenges within 5 s".</param>
public sealed record LeftOutMember(string Address, string? ClaimedId, string Reason);

/// <summary>The validators this node knows and the quorum arithmetic of its current set.</summary>
public sealed record ValidatorOverview(
    long Epoch,
    string? SetHash,
    int N,
    int Threshold,
    int F,
    string Tolerance,
    int KnownEpochs,
    IReadOnlyList<ValidatorInfo> Validators)
{
    /// <summary>Up members without a vote because they proved no key (mute, or several keys for one member).</summary>
    public IReadOnlyList<LeftOutMember> LeftOut { get; init; } = [];

    public static ValidatorOverview From(ConsensusView view)
    {
        var current = view.Current;
        var ids = view.Registry.Sets.SelectMany(s => s.Members).Concat(view.Endpoints.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var validators = ids.Select(id => new ValidatorInfo(
            id,
            view.AddressOf(id),
            current?.Contains(id) ?? false,
            view.Equivocations.ContainsKey(id),
            view.Equivocations.GetValueOrDefault(id),
            view.NoVote.GetValueOrDefault(id))).ToList();
        var leftOut = view.LeftOut.OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => new LeftOutMember(l.Key, view.ClaimedAddresses.FirstOrDefault(c => c.Value == l.Key).Key, l.Value))
            .ToList();
        var overview = current is null
            ? new ValidatorOverview(0, null, 0, 0, 0, view.Waiting
                ? "no validator set yet: waiting for cluster members to prove their validator keys"
                : "no validator set: no Up member with a proven, listed validator key", view.Registry.Sets.Count(), validators)
            : new ValidatorOverview(current.Epoch, current.Hash, current.Count, current.Threshold, current.MaxFaulty,
                QuorumMath.Describe(current.Count), view.Registry.Sets.Count(), validators);
        return overview with { LeftOut = leftOut };
    }
}
