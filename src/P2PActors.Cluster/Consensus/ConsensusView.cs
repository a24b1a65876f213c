using System.Collections.Immutable;
using Akka.Actor;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A member whose key a verified identity proof names (this node's own challenge, or a proof another node shared), and
/// where to reach its validator actor.
/// </summary>
public sealed record ValidatorEndpoint(string ValidatorId, string Address, IActorRef Validator);

/// <summary>
/// What this node knows about validators at one moment, as an immutable value: the trusted registry (every set
/// it witnessed or saw attested by a quorum of a set it trusts), the current set it counts votes in (null while an
/// Up member may still prove its key, see <see cref="SetFormation"/>), the proof-verified endpoints, the Up members
/// left out of the set because no usable proof names them, and the validators caught equivocating
/// (with how many pieces of verified evidence), and the members that proved a key but have no vote (closed
/// membership: the key is not on the validator list), with the reason.
/// </summary>
public sealed record ConsensusView(
    ValidatorRegistry Registry,
    ValidatorSet? Current,
    ImmutableDictionary<string, ValidatorEndpoint> Endpoints,
    ImmutableDictionary<string, int> Equivocations,
    ImmutableDictionary<string, string> ClaimedAddresses)
{
    public static readonly ConsensusView Empty = new(
        ValidatorRegistry.Empty,
        null,
        ImmutableDictionary<string, ValidatorEndpoint>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Validator ids of Up members left out of the set, with why (e.g. not on the validator list).</summary>
    public ImmutableDictionary<string, string> NoVote { get; init; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Node addresses of Up members left out of the set because no usable identity proof names them, with why.</summary>
    public ImmutableDictionary<string, string> LeftOut { get; init; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>No set because an Up member without a proof is still within <see cref="ConsensusOptions.IdentityTimeout"/>.</summary>
    public bool Waiting { get; init; }

    /// <summary>The node address of a validator: verified by this node's own challenge when possible, else as the validator claimed it.</summary>
    public string? AddressOf(string validatorId) =>
        Endpoints.TryGetValue(validatorId, out var endpoint) ? endpoint.Address
        : ClaimedAddresses.TryGetValue(validatorId, out var claimed) ? claimed
        : null;
}

/// <summary>
/// The latest <see cref="ConsensusView"/>, readable from any thread (HTTP handlers, the catalog admission). Only
/// the node's <see cref="ValidatorRegistryActor"/> publishes; readers take one reference and work on that value.
/// </summary>
public sealed class ConsensusSnapshot
{
    private volatile ConsensusView _view = ConsensusView.Empty;

    /// <summary>Raised after every publish, on the publisher's thread; keep handlers short.</summary>
    public event Action<ConsensusView>? Changed;

    public ConsensusView View => _view;

    public ValidatorRegistry Registry => _view.Registry;

    /// <summary>
    /// The node's verified batch signatures, shared by everything that checks votes here (the coordinator's tallies,
    /// the catalog admission): a batch's signature is then checked once per node, whichever sees it first.
    /// </summary>
    public VerifiedSignatureCache Signatures { get; } = new();

    /// <summary>Completes once this node counts votes in a validator set.</summary>
    public async Task<ValidatorSet> WaitForSetAsync(TimeSpan timeout, CancellationToken ct = default) =>
        (await WaitForAsync(view => view.Current is not null, timeout, ct).ConfigureAwait(false)).Current!;

    /// <summary>Completes with the first view (the current one included) that satisfies <paramref name="condition"/>.</summary>
    public async Task<ConsensusView> WaitForAsync(Func<ConsensusView, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var reached = new TaskCompletionSource<ConsensusView>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ConsensusView view)
        {
            if (condition(view))
                reached.TrySetResult(view);
        }
        Changed += OnChanged;
        try
        {
            OnChanged(_view);
            return await reached.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        finally
        {
            Changed -= OnChanged;
        }
    }

    internal void Publish(ConsensusView view)
    {
        _view = view;
        Changed?.Invoke(view);
    }
}
