namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Proposals waiting for the coordinator's next flush, per validator endpoint. Kept apart from the actor so the
/// batching rule — at most <see cref="ProposalBatch.MaxProposals"/> proposals and about
/// <see cref="ProposalBatch.TargetBytes"/> per batch, each endpoint's list handed over whole — is testable without one.
/// </summary>
/// <typeparam name="TEndpoint">What a batch is sent to (the validator's actor in the coordinator).</typeparam>
public sealed class ProposalOutbox<TEndpoint>(int maxProposals = ProposalBatch.MaxProposals, long targetBytes = ProposalBatch.TargetBytes)
    where TEndpoint : notnull
{
    private readonly Dictionary<TEndpoint, List<Proposal>> _queued = [];

    /// <summary>Proposals queued since the last drain (each counted once, however many endpoints it goes to).</summary>
    public int Count { get; private set; }

    /// <summary>Their content bytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// True when a proposal of <paramref name="bytes"/> would overfill the batches being built: drain them first, so no
    /// batch breaks the limit a validator enforces (<see cref="ProposalBatch.Problem"/>).
    /// </summary>
    public bool MustDrainBefore(long bytes) => Count > 0 && (Count >= maxProposals || Bytes + bytes > targetBytes);

    /// <summary>Queues one proposal for every endpoint given.</summary>
    public void Add(Proposal proposal, long bytes, IReadOnlyList<TEndpoint> endpoints)
    {
        // Indexed: a foreach over the interface would allocate an enumerator for every proposal.
        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            if (!_queued.TryGetValue(endpoint, out var list))
                _queued[endpoint] = list = new List<Proposal>(8);
            list.Add(proposal);
        }
        Count++;
        Bytes += bytes;
    }

    /// <summary>
    /// Every endpoint's queued proposals, in the order they were added; the outbox starts empty again. The lists now
    /// belong to the caller's batches (a local validator reads them by reference), so they are never reused here.
    /// </summary>
    public IReadOnlyList<KeyValuePair<TEndpoint, List<Proposal>>> Drain()
    {
        if (Count == 0)
            return [];
        var batches = new List<KeyValuePair<TEndpoint, List<Proposal>>>(_queued.Count);
        foreach (var entry in _queued)
        {
            if (entry.Value.Count > 0)
                batches.Add(entry);
        }
        _queued.Clear();
        Count = 0;
        Bytes = 0;
        return batches;
    }
}
