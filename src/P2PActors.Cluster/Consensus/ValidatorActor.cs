using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
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

    private const int MaxTrackedProposers = 4096;

    private readonly ValidatorIdentity _identity;
    private readonly ConsensusOptions _options;
    private readonly ConsensusSnapshot _snapshot;
    private readonly ByzantineBehaviour _byzantine;
    private readonly ContentValidator _validator = new();
    private readonly Dictionary<Address, TokenBucket> _buckets = [];
    private readonly string _selfAddress;
    private StateKeys? _keys;
    private long _delayed;

    public ValidatorActor(ValidatorIdentity identity, ConsensusOptions options, ConsensusSnapshot snapshot)
    {
        _identity = identity;
        _options = options;
        _snapshot = snapshot;
        _byzantine = new ByzantineBehaviour(options.Byzantine, identity);
        _selfAddress = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

        Receive<IdentityChallenge>(c =>
        {
            if (c.Nonce is { Length: > 0 and <= 256 })
                Sender.Tell(new IdentityProof(_identity.ValidatorId, c.Nonce, _identity.Sign(IdentityProofs.SignedBytes(c.Nonce, _selfAddress))));
        });
        Receive<Proposal>(Handle);
        Receive<ConsensusProtocol.DelayedReply>(d => d.To.Tell(d.Message, Self));
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ValidatorIdentity identity, ConsensusOptions options, ConsensusSnapshot snapshot) =>
        Akka.Actor.Props.Create(() => new ValidatorActor(identity, options, snapshot));

    private void Handle(Proposal proposal)
    {
        if (_byzantine.Mode == ByzantineMode.Silent)
            return;
        var contentId = proposal.ContentId;
        if (contentId is not { Length: > 0 and <= Vote.MaxContentIdLength } || proposal.Json is null)
        {
            Refuse(contentId ?? "", MalformedId);
            return;
        }
        if (!TakeToken(Sender.Path.Address))
        {
            Refuse(contentId, RateLimited);
            return;
        }
        var current = _snapshot.View.Current;
        if (current is null || proposal.Epoch != current.Epoch || !string.Equals(proposal.SetHash, current.Hash, StringComparison.Ordinal))
        {
            Refuse(contentId, current is null
                ? $"{UnknownEpoch}: this validator has no validator set yet"
                : $"{UnknownEpoch}: this validator votes in epoch {current.Epoch} (set {current.Hash[..12]}), not {proposal.Epoch}");
            return;
        }
        var (approve, rules, content) = Judge(proposal.Json, contentId);
        var honest = _identity.Vote(contentId, current.Epoch, approve, rules);
        var votes = _byzantine.Respond(honest);
        if (_byzantine.ForgesCatalogEntries && !approve)
            ForgeCatalogEntry(contentId, content, current);
        foreach (var vote in votes)
        {
            if (_byzantine.DelaysAnswers)
                Timers.StartSingleTimer(++_delayed, new ConsensusProtocol.DelayedReply(Sender, vote), _options.DecisionTimeout * 2);
            else
                Sender.Tell(vote);
        }
    }

    /// <summary>The honest verdict: size before parsing, then parse, id, and every local rule.</summary>
    private (bool Approve, IReadOnlyList<string> Rules, GameContent? Content) Judge(string json, string contentId)
    {
        if (json.Length > _options.MaxContentBytes || Encoding.UTF8.GetByteCount(json) > _options.MaxContentBytes)
            return (false, [Oversized], null);
        GameContent content;
        try
        {
            content = ContentJson.Deserialize(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return (false, [Malformed], null);
        }
        var result = _validator.Check(content with { Id = contentId });
        if (result.IsValid && string.Equals(content.Id, contentId, StringComparison.Ordinal))
            return (true, [], content);
        var rules = new List<string>(result.Rules.Count + 1);
        if (!string.Equals(content.Id, contentId, StringComparison.Ordinal) || result.Rules.Contains(Rules.IdMismatch))
            rules.Add(IdMismatch);
        foreach (var rule in result.Rules)
        {
            if (rule != Rules.IdMismatch && rules.Count < Vote.MaxRules)
                rules.Add(rule);
        }
        return (false, rules, content);
    }

    private bool TakeToken(Address proposer)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_buckets.TryGetValue(proposer, out var bucket))
        {
            if (_buckets.Count >= MaxTrackedProposers)
                _buckets.Clear();
            _buckets[proposer] = bucket = new TokenBucket(_options.ProposalsPerSecondPerProposer, _options.ProposalBurst, now);
        }
        return bucket.TryTake(now);
    }

    private void Refuse(string contentId, string reason) =>
        Sender.Tell(new ProposalRefused(contentId, _identity.ValidatorId, reason));

    /// <summary>
    /// <see cref="ByzantineMode.ForgeSignatures"/>: puts content the honest rules reject into the replicated catalog,
    /// under a certificate of votes with garbage signatures from every member. Honest nodes must refuse the entry.
    /// </summary>
    private void ForgeCatalogEntry(string contentId, GameContent? content, ValidatorSet set)
    {
        if (GameState.TryGet(Context.System) is not { } state || StateValidation.CatalogId(contentId) is not null)
            return;
        _keys ??= state.Settings.CreateKeys();
        var forged = new Certificate(contentId, set.Epoch, set.Hash,
            set.Members.Select(m => new Vote(m, contentId, set.Epoch, true, [], RandomNumberGenerator.GetBytes(ValidatorKeys.SignatureLength))).ToList());
        var header = new CatalogHeader(contentId, content?.Type ?? ContentType.Item, "forged", "byzantine",
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _selfAddress, forged);
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Update(_keys.CatalogKey(contentId), LWWDictionary<string, CatalogHeader>.Empty,
            WriteLocal.Instance, d => d.SetItem(self, contentId, header)));
    }
}
