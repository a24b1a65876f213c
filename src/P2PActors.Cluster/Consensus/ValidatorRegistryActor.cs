using System.Collections.Immutable;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using P2PActors.Cluster.Replicas;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Keeps this node's <see cref="ConsensusView"/>. Akka membership says who the validators are: every Up member is
/// challenged for its key (nonce, signed with the member's address and uid). Every proof this node verifies goes into
/// a replicated set, so a member that answered any honest node is known to all of them; a member no proof names
/// after <see cref="ConsensusOptions.IdentityTimeout"/> is left out, and the set forms from the others
/// (<see cref="SetFormation"/>). Trusted sets are attested in a replicated set, so nodes that did not witness an
/// epoch can still trust it (see <see cref="SetTrust"/>); equivocation evidence is replicated too and re-verified
/// here before a validator is flagged. Nothing read from the replicator is trusted without checking signatures.
/// </summary>
public sealed class ValidatorRegistryActor : ReceiveActor, IWithTimers
{
    public const string Name = "validator-registry";

    public static readonly GSetKey<SetAttestation> AttestationsKey = new(StateKeys.ConsensusPrefix + "attestations");
    public static readonly GSetKey<ValidatorBinding> BindingsKey = new(StateKeys.ConsensusPrefix + "bindings");
    public static readonly GSetKey<EquivocationEvidence> EvidenceKey = new(StateKeys.ConsensusPrefix + "evidence");
    public static readonly GSetKey<MemberProof> ProofsKey = new(StateKeys.ConsensusPrefix + "proofs");

    /// <summary>Verified pieces of evidence against one validator beyond which reports of it are no longer replicated.</summary>
    public const int MaxEvidencePerValidator = 3;

    private static readonly TimeSpan ChallengeRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(3);

    private sealed record Tick;

    private sealed record PendingChallenge(byte[] Nonce, DateTime SentAt);

    private readonly ValidatorIdentity _identity;
    private readonly IReadOnlySet<string>? _allowed;
    private readonly TimeSpan _identityTimeout;
    private readonly ConsensusSnapshot _snapshot;
    private readonly IActorRef _replicator;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    /// <summary>Up members and when this node first saw each Up (its own clock: it only bounds the wait for a proof).</summary>
    private readonly Dictionary<UniqueAddress, DateTime> _up = [];
    private readonly Dictionary<UniqueAddress, PendingChallenge> _pending = [];
    /// <summary>The validator actor of each member that answered this node itself.</summary>
    private readonly Dictionary<UniqueAddress, IActorRef> _answered = [];
    private readonly Dictionary<UniqueAddress, IActorRef> _resolved = [];
    /// <summary>Every key a verified proof names, per member incarnation (address, uid), Up or not (yet).</summary>
    private readonly Dictionary<(string Address, long Uid), HashSet<string>> _keys = [];
    /// <summary>Proofs read from the replicated set already looked at, and (incarnation, key) pairs known to be in it.</summary>
    private readonly HashSet<MemberProof> _proofsSeen = [];
    private readonly HashSet<(string Address, long Uid, string ValidatorId)> _proofsShared = [];
    private readonly HashSet<string> _attested = new(StringComparer.Ordinal);
    private readonly HashSet<EquivocationEvidence> _evidenceSeen = [];
    private readonly HashSet<EquivocationEvidence> _evidenceVerified = [];
    private IReadOnlyCollection<SetAttestation> _attestations = [];
    private readonly AttestationChecks _attestationChecks = new();
    /// <summary>Bindings whose signature did not verify: not checked again each time the replicated set changes.</summary>
    private readonly HashSet<ValidatorBinding> _bindingsRefused = [];
    private ConsensusView _view;

    public ValidatorRegistryActor(ValidatorIdentity identity, ConsensusSnapshot snapshot, IActorRef replicator, IReadOnlySet<string>? allowed = null, TimeSpan? identityTimeout = null)
    {
        _identity = identity;
        _allowed = allowed;
        _identityTimeout = identityTimeout ?? new ConsensusOptions().IdentityTimeout;
        _snapshot = snapshot;
        _replicator = replicator;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _view = snapshot.View;

        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up))
                _up.TryAdd(member.UniqueAddress, DateTime.UtcNow);
            Refresh();
        });
        Receive<ClusterEvent.MemberUp>(e =>
        {
            _up.TryAdd(e.Member.UniqueAddress, DateTime.UtcNow);
            Refresh();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            // Leaving, exiting, downed or removed: no longer a validator of the current epoch.
            if (e.Member.Status != MemberStatus.Up && _up.Remove(e.Member.UniqueAddress))
            {
                _pending.Remove(e.Member.UniqueAddress);
                _answered.Remove(e.Member.UniqueAddress);
                _resolved.Remove(e.Member.UniqueAddress);
                Refresh();
            }
        });
        Receive<Tick>(_ => Refresh());
        Receive<IdentityProof>(OnProof);
        Receive<Changed>(OnChanged);
        Receive<ConsensusProtocol.ReportEquivocation>(r =>
        {
            // One piece of evidence already proves the fault; an equivocator caught on every proposal would otherwise
            // grow the replicated set by one per proposal, and every write of it serialises the whole set (measured:
            // one equivocating peer of 4 cost 48 ms of CPU per item, docs/benchmarks.md "Consensus under attack").
            if (r.Evidence?.ValidatorId is not { } accused || _view.Equivocations.GetValueOrDefault(accused) >= MaxEvidencePerValidator)
                return;
            _replicator.Tell(Dsl.Update(EvidenceKey, GSet<EquivocationEvidence>.Empty, new WriteAll(ReplicationTimeout),
                set => set.Add(r.Evidence)));
            CheckEvidence([r.Evidence]);
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<UpdateTimeout>(u => _log.Debug("Consensus registry write to {0} not confirmed by every peer yet; gossip carries it", u.Key.Id));
        Receive<IUpdateFailure>(f => _log.Warning("Consensus registry write to {0} failed: {1}", f.Key.Id, f));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ValidatorIdentity identity, ConsensusSnapshot snapshot, IActorRef replicator, IReadOnlySet<string>? allowed = null, TimeSpan? identityTimeout = null) =>
        Akka.Actor.Props.Create(() => new ValidatorRegistryActor(identity, snapshot, replicator, allowed, identityTimeout));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        _replicator.Tell(new Subscribe(AttestationsKey, Self));
        _replicator.Tell(new Subscribe(BindingsKey, Self));
        _replicator.Tell(new Subscribe(EvidenceKey, Self));
        _replicator.Tell(new Subscribe(ProofsKey, Self));
        HeldKeys.CreateMissing(Context.System, _replicator, [
            (AttestationsKey, GSet<SetAttestation>.Empty),
            (BindingsKey, GSet<ValidatorBinding>.Empty),
            (EvidenceKey, GSet<EquivocationEvidence>.Empty),
            (ProofsKey, GSet<MemberProof>.Empty),
        ]);
        var binding = ValidatorBinding.Create(_cluster.SelfAddress.ToString(), _identity);
        _replicator.Tell(Dsl.Update(BindingsKey, GSet<ValidatorBinding>.Empty, WriteLocal.Instance, set => set.Add(binding)));
        Timers.StartPeriodicTimer("challenge", new Tick(), ChallengeRetry);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Refresh()
    {
        var now = DateTime.UtcNow;
        foreach (var member in _up.Keys)
        {
            // A member some proof already names needs no challenge from here (its key is known, shared or not).
            if (_keys.ContainsKey(Incarnation(member)))
                continue;
            if (_pending.TryGetValue(member, out var pending) && now - pending.SentAt < ChallengeRetry)
                continue;
            var nonce = RandomNumberGenerator.GetBytes(32);
            _pending[member] = new PendingChallenge(nonce, now);
            Context.ActorSelection(ValidatorPath(member)).Tell(new IdentityChallenge(nonce), Self);
        }
        Recompute();
    }

    private static (string Address, long Uid) Incarnation(UniqueAddress member) => (member.Address.ToString(), member.Uid);

    private static ActorPath ValidatorPath(UniqueAddress member) => new RootActorPath(member.Address) / "user" / ValidatorActor.Name;

    private void OnProof(IdentityProof proof)
    {
        var from = Sender.Path.Address.HasLocalScope ? _cluster.SelfAddress : Sender.Path.Address;
        var match = _pending.FirstOrDefault(p => p.Key.Address.Equals(from));
        if (match.Value is null)
            return;
        var member = match.Key;
        var (address, uid) = Incarnation(member);
        if (!IdentityProofs.Verify(proof, match.Value.Nonce, address, uid))
        {
            _log.Warning("Member {0} answered its identity challenge with a proof that does not verify; it stays out of the validator set", address);
            return;
        }
        _pending.Remove(member);
        _answered[member] = Sender;
        AddKey(address, uid, proof.ValidatorId);
        if (_proofsShared.Add((address, uid, proof.ValidatorId)))
        {
            // Shared at once with every reachable node: a member that answers only some challengers is known to all.
            var shared = new MemberProof(address, uid, proof.ValidatorId, proof.Nonce, proof.Signature);
            _replicator.Tell(Dsl.Update(ProofsKey, GSet<MemberProof>.Empty, new WriteAll(ReplicationTimeout), set => set.Add(shared)));
        }
        Recompute();
    }

    private void AddKey(string address, long uid, string validatorId)
    {
        if (!_keys.TryGetValue((address, uid), out var keys))
            _keys[(address, uid)] = keys = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Add(validatorId) && keys.Count > 1)
            _log.Warning("Member {0} is named by proofs of {1} different validator keys; it stays out of the validator set", address, keys.Count);
    }

    /// <summary>Proofs other nodes verified. Each is checked here once (signed by the key it names, for the incarnation it names).</summary>
    private void OnProofs(IEnumerable<MemberProof> proofs)
    {
        var added = false;
        foreach (var proof in proofs)
        {
            if (proof is null || !_proofsSeen.Add(proof))
                continue;
            if (!proof.Verify())
            {
                _log.Warning("A shared identity proof for {0} does not verify; ignored", proof.Address);
                continue;
            }
            _proofsShared.Add((proof.Address, proof.Uid, proof.ValidatorId));
            AddKey(proof.Address, proof.Uid, proof.ValidatorId);
            added = true;
        }
        if (added)
            Recompute();
    }

    private void OnChanged(Changed changed)
    {
        if (changed.Key.Equals(ProofsKey))
        {
            OnProofs(changed.Get(ProofsKey).Elements);
        }
        else if (changed.Key.Equals(AttestationsKey))
        {
            _attestations = changed.Get(AttestationsKey).Elements;
            Recompute();
        }
        else if (changed.Key.Equals(BindingsKey))
        {
            var claimed = _view.ClaimedAddresses;
            foreach (var binding in changed.Get(BindingsKey).Elements)
            {
                if (binding?.ValidatorId is null || claimed.ContainsKey(binding.ValidatorId))
                    continue;
                if (_bindingsRefused.Contains(binding))
                    continue;
                if (binding.Verify())
                    claimed = claimed.SetItem(binding.ValidatorId, binding.Address);
                else
                    _bindingsRefused.Add(binding);
            }
            Publish(_view with { ClaimedAddresses = claimed });
        }
        else if (changed.Key.Equals(EvidenceKey))
        {
            // Each piece is checked when it first shows; one that did not verify is checked again only when the
            // registry learns a set (it may name an epoch unknown here yet), not on every write to the set.
            CheckEvidence(changed.Get(EvidenceKey).Elements.Where(e => e is not null && !_evidenceSeen.Contains(e)));
        }
    }

    private void Recompute()
    {
        var registry = _view.Registry;
        var noVote = _view.NoVote;
        var formation = SetFormation.Form(
            _up.Select(m => new MemberClaims(m.Key, m.Value, _keys.GetValueOrDefault(Incarnation(m.Key)) ?? (IReadOnlySet<string>)ImmutableHashSet<string>.Empty)).ToList(),
            DateTime.UtcNow, _identityTimeout);
        foreach (var (address, reason) in formation.LeftOut)
        {
            if (_view.LeftOut.GetValueOrDefault(address) != reason)
                _log.Warning("Member {0} is left out of the validator set: {1}", address, reason);
        }

        // No set while a member may still prove its key: a node without a set proposes nothing and votes on nothing.
        ValidatorSet? current = null;
        if (!formation.Waiting && formation.Proven.Count > 0)
        {
            var proven = formation.Proven.Select(p => p.ValidatorId).ToArray();
            // Closed membership: a member whose key is not listed stays a member without a vote.
            var ids = _allowed is null ? proven : proven.Where(_allowed.Contains).ToArray();
            noVote = NoVoteFor(proven.Except(ids, StringComparer.Ordinal));
            if (ids.Length == 0)
            {
                if (_view.Current is not null)
                    _log.Warning("No Up member's validator key is on the validator list; no validator set forms");
            }
            else
            {
                var set = new ValidatorSet(Epochs.FromMembers(formation.Proven.Select(p => p.Member)), ids);
                if (registry.TryGetSet(set.Epoch, out var known) && !known.Equals(set))
                {
                    _log.Error("Epoch {0} is already trusted with another validator set; keeping the trusted one", set.Epoch);
                    current = known;
                }
                else
                {
                    if (!Equals(_view.Current, set))
                        LogSet(set);
                    registry = registry.With(set);
                    current = set;
                }
            }
        }
        registry = SetTrust.Extend(registry, _attestations, _attestationChecks);

        var endpoints = ImmutableDictionary<string, ValidatorEndpoint>.Empty.WithComparers(StringComparer.Ordinal);
        foreach (var (member, id) in formation.Proven)
            endpoints = endpoints.SetItem(id, new ValidatorEndpoint(id, member.Address.ToString(), ValidatorRef(member)));

        var setsChanged = registry.Sets.Count() != _view.Registry.Sets.Count();
        Publish(_view with { Registry = registry, Current = current, Endpoints = endpoints, NoVote = noVote, LeftOut = formation.LeftOut, Waiting = formation.Waiting });
        if (setsChanged)
        {
            AttestAll(registry);
            CheckEvidence(_evidenceSeen.Except(_evidenceVerified).ToList());
            // Catalog entries refused earlier may carry certificates of a set learnt just now.
            GameStateRefresh();
        }
    }

    /// <summary>The member's validator actor: the one that answered this node, else resolved from its path (its key is known from a shared proof).</summary>
    private IActorRef ValidatorRef(UniqueAddress member)
    {
        if (_answered.TryGetValue(member, out var answered))
            return answered;
        if (!_resolved.TryGetValue(member, out var resolved))
            _resolved[member] = resolved = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(ValidatorPath(member));
        return resolved;
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
