using System.Collections.Immutable;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Keeps this node's <see cref="ConsensusView"/>. Akka membership says who the validators are: every Up member is
/// challenged for its key (nonce, signed with the member's address), and once every Up member has proved one, the
/// set of the current epoch forms. Trusted sets are attested in a replicated set, so nodes that did not witness an
/// epoch can still trust it (see <see cref="SetTrust"/>); equivocation evidence is replicated too and re-verified
/// here before a validator is flagged. Nothing read from the replicator is trusted without checking signatures.
/// </summary>
public sealed class ValidatorRegistryActor : ReceiveActor, IWithTimers
{
    public const string Name = "validator-registry";

    public static readonly GSetKey<SetAttestation> AttestationsKey = new(StateKeys.ConsensusPrefix + "attestations");
    public static readonly GSetKey<ValidatorBinding> BindingsKey = new(StateKeys.ConsensusPrefix + "bindings");
    public static readonly GSetKey<EquivocationEvidence> EvidenceKey = new(StateKeys.ConsensusPrefix + "evidence");

    private static readonly TimeSpan ChallengeRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(3);

    private sealed record Tick;

    private sealed record PendingChallenge(byte[] Nonce, DateTime SentAt);

    private readonly ValidatorIdentity _identity;
    private readonly IReadOnlySet<string>? _allowed;
    private readonly ConsensusSnapshot _snapshot;
    private readonly IActorRef _replicator;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, Member> _up = [];
    private readonly Dictionary<UniqueAddress, PendingChallenge> _pending = [];
    private readonly Dictionary<UniqueAddress, ValidatorEndpoint> _verified = [];
    private readonly HashSet<string> _attested = new(StringComparer.Ordinal);
    private readonly HashSet<EquivocationEvidence> _evidenceSeen = [];
    private readonly HashSet<EquivocationEvidence> _evidenceVerified = [];
    private IReadOnlyCollection<SetAttestation> _attestations = [];
    private ConsensusView _view;

    public ValidatorRegistryActor(ValidatorIdentity identity, ConsensusSnapshot snapshot, IActorRef replicator, IReadOnlySet<string>? allowed = null)
    {
        _identity = identity;
        _allowed = allowed;
        _snapshot = snapshot;
        _replicator = replicator;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _view = snapshot.View;

        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up))
                _up[member.UniqueAddress] = member;
            Refresh();
        });
        Receive<ClusterEvent.MemberUp>(e =>
        {
            _up[e.Member.UniqueAddress] = e.Member;
            Refresh();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            // Leaving, exiting, downed or removed: no longer a validator of the current epoch.
            if (e.Member.Status != MemberStatus.Up && _up.Remove(e.Member.UniqueAddress))
            {
                _pending.Remove(e.Member.UniqueAddress);
                _verified.Remove(e.Member.UniqueAddress);
                Refresh();
            }
        });
        Receive<Tick>(_ => Refresh());
        Receive<IdentityProof>(OnProof);
        Receive<Changed>(OnChanged);
        Receive<ConsensusProtocol.ReportEquivocation>(r =>
        {
            _replicator.Tell(Dsl.Update(EvidenceKey, GSet<EquivocationEvidence>.Empty, new WriteAll(ReplicationTimeout),
                set => set.Add(r.Evidence)));
            CheckEvidence([r.Evidence]);
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<UpdateTimeout>(u => _log.Debug("Consensus registry write to {0} not confirmed by every peer yet; gossip carries it", u.Key.Id));
        Receive<IUpdateFailure>(f => _log.Warning("Consensus registry write to {0} failed: {1}", f.Key.Id, f));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ValidatorIdentity identity, ConsensusSnapshot snapshot, IActorRef replicator, IReadOnlySet<string>? allowed = null) =>
        Akka.Actor.Props.Create(() => new ValidatorRegistryActor(identity, snapshot, replicator, allowed));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        _replicator.Tell(new Subscribe(AttestationsKey, Self));
        _replicator.Tell(new Subscribe(BindingsKey, Self));
        _replicator.Tell(new Subscribe(EvidenceKey, Self));
        var binding = ValidatorBinding.Create(_cluster.SelfAddress.ToString(), _identity);
        _replicator.Tell(Dsl.Update(BindingsKey, GSet<ValidatorBinding>.Empty, WriteLocal.Instance, set => set.Add(binding)));
        Timers.StartPeriodicTimer("challenge", new Tick(), ChallengeRetry);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Refresh()
    {
        var now = DateTime.UtcNow;
        foreach (var (address, member) in _up)
        {
            if (_verified.ContainsKey(address))
                continue;
            if (_pending.TryGetValue(address, out var pending) && now - pending.SentAt < ChallengeRetry)
                continue;
            var nonce = RandomNumberGenerator.GetBytes(32);
            _pending[address] = new PendingChallenge(nonce, now);
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / ValidatorActor.Name).Tell(new IdentityChallenge(nonce), Self);
        }
        Recompute();
    }

    private void OnProof(IdentityProof proof)
    {
        var from = Sender.Path.Address.HasLocalScope ? _cluster.SelfAddress : Sender.Path.Address;
        var match = _pending.FirstOrDefault(p => p.Key.Address.Equals(from));
        if (match.Value is null)
            return;
        var address = match.Key;
        if (!IdentityProofs.Verify(proof, match.Value.Nonce, address.Address.ToString()))
        {
            _log.Warning("Member {0} answered its identity challenge with a proof that does not verify; it stays out of the validator set", address.Address);
            return;
        }
        _pending.Remove(address);
        _verified[address] = new ValidatorEndpoint(proof.ValidatorId, address.Address.ToString(), Sender);
        Recompute();
    }

    private void OnChanged(Changed changed)
    {
        if (changed.Key.Equals(AttestationsKey))
        {
            _attestations = changed.Get(AttestationsKey).Elements;
            Recompute();
        }
        else if (changed.Key.Equals(BindingsKey))
        {
            var claimed = _view.ClaimedAddresses;
            foreach (var binding in changed.Get(BindingsKey).Elements)
            {
                if (!claimed.ContainsKey(binding.ValidatorId) && binding.Verify())
                    claimed = claimed.SetItem(binding.ValidatorId, binding.Address);
            }
            Publish(_view with { ClaimedAddresses = claimed });
        }
        else if (changed.Key.Equals(EvidenceKey))
        {
            CheckEvidence(changed.Get(EvidenceKey).Elements);
        }
    }

    private void Recompute()
    {
        var registry = _view.Registry;
        var current = _view.Current;
        var noVote = _view.NoVote;
        if (_up.Count > 0 && _up.Keys.All(_verified.ContainsKey))
        {
            var proven = _up.Keys.Select(a => _verified[a].ValidatorId).ToArray();
            // Closed membership: a member whose key is not listed stays a member without a vote.
            var ids = _allowed is null ? proven : proven.Where(_allowed.Contains).ToArray();
            noVote = NoVoteFor(proven.Except(ids, StringComparer.Ordinal));
            if (ids.Length == 0)
            {
                _log.Warning("No Up member's validator key is on the validator list; no validator set forms");
            }
            else if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
            {
                _log.Error("Two Up members proved the same validator key; no validator set forms until one of them leaves");
            }
            else
            {
                var set = new ValidatorSet(Epochs.FromMembers(_up.Keys), ids);
                if (registry.TryGetSet(set.Epoch, out var known) && !known.Equals(set))
                {
                    _log.Error("Epoch {0} is already trusted with another validator set; keeping the trusted one", set.Epoch);
                }
                else
                {
                    if (!Equals(current, set))
                        LogSet(set);
                    registry = registry.With(set);
                    current = set;
                }
            }
        }
        registry = SetTrust.Extend(registry, _attestations);

        var endpoints = ImmutableDictionary<string, ValidatorEndpoint>.Empty.WithComparers(StringComparer.Ordinal);
        foreach (var endpoint in _verified.Values)
            endpoints = endpoints.SetItem(endpoint.ValidatorId, endpoint);

        var setsChanged = registry.Sets.Count() != _view.Registry.Sets.Count();
        Publish(_view with { Registry = registry, Current = current, Endpoints = endpoints, NoVote = noVote });
        if (setsChanged)
        {
            AttestAll(registry);
            CheckEvidence(_evidenceSeen.Except(_evidenceVerified).ToList());
            // Catalog entries refused earlier may carry certificates of a set learnt just now.
            GameStateRefresh();
        }
    }

    private ImmutableDictionary<string, string> NoVoteFor(IEnumerable<string> unlisted)
    {
        var result = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        foreach (var id in unlisted)
        {
            if (!_view.NoVote.ContainsKey(id))
                _log.Warning("Member {0} (validator {1}) is not on the validator list: it is a cluster member without a vote", _view.AddressOf(id) ?? "?", id);
            result = result.SetItem(id, "not on the validator list");
        }
        return result;
    }

    private void LogSet(ValidatorSet set)
    {
        if (set.ToleratesByzantine)
            _log.Info("Validator set of epoch {0}: {1}", set.Epoch, QuorumMath.Describe(set.Count));
        else
            _log.Warning("Validator set of epoch {0}: {1}", set.Epoch, QuorumMath.Describe(set.Count));
    }

    /// <summary>Honest nodes attest every set they trust, so later joiners can check certificates of those epochs.</summary>
    private void AttestAll(ValidatorRegistry registry)
    {
        var fresh = registry.Sets
            .Where(s => _attested.Add(s.Hash))
            .Select(s => SetAttestation.Create(s, _identity))
            .ToList();
        if (fresh.Count == 0)
            return;
        _replicator.Tell(Dsl.Update(AttestationsKey, GSet<SetAttestation>.Empty, new WriteAll(ReplicationTimeout),
            set => fresh.Aggregate(set, (acc, a) => acc.Add(a))));
    }

    private void CheckEvidence(IEnumerable<EquivocationEvidence> evidence)
    {
        var counts = _view.Equivocations;
        foreach (var item in evidence)
        {
            if (item is null || _evidenceVerified.Contains(item))
                continue;
            _evidenceSeen.Add(item);
            if (!item.Verify(_view.Registry) || item.ValidatorId is not { } id)
                continue;
            _evidenceVerified.Add(item);
            counts = counts.SetItem(id, counts.GetValueOrDefault(id) + 1);
            _log.Warning("Validator {0} equivocated on content {1} in epoch {2}", id[..12], item.First.ContentId, item.First.Epoch);
        }
        if (!ReferenceEquals(counts, _view.Equivocations))
            Publish(_view with { Equivocations = counts });
    }

    private void Publish(ConsensusView view)
    {
        _view = view;
        _snapshot.Publish(view);
    }

    private void GameStateRefresh()
    {
        var state = GameState.TryGet(Context.System);
        state?.Actor.Tell(new GameStateProtocol.RefreshAdmission());
    }
}
