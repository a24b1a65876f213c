using System.Collections.Concurrent;
using System.Diagnostics;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Cluster.Chaos;

/// <summary>
/// A chaos run: starts a <see cref="ChaosCluster"/>, drives the seeded <see cref="ChaosWorkload"/> through the
/// consensus of every node (proposers round-robin, Byzantine ones included — an overpowered node proposes the
/// overpowered twin of its item), shares what is accepted, then checks every honest node's catalog and reports.
/// The ground truth for "valid" is <see cref="ContentValidator"/> on exactly what was proposed.
/// </summary>
public static class ChaosHarness
{
    private const string Author = "chaos";

    /// <summary>How long the catalog check of all honest nodes may take, after the workload.</summary>
    private static readonly TimeSpan CatalogCheckBudget = TimeSpan.FromSeconds(90);

    public static async Task<ChaosReport> RunAsync(ChaosOptions options, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid chaos options: " + string.Join("; ", problems), nameof(options));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Timeout);

        var items = ChaosWorkload.Create(options.Items, options.Seed, options.InvalidShare);
        progress?.Report($"Starting {options.Nodes} nodes ({options.Byzantine} Byzantine)" +
                         (options.Sybils > 0 ? $" and {options.Sybils} Sybils ({(options.Closed ? "closed" : "open")} validator membership)..." : "..."));
        await using var cluster = await ChaosCluster.StartAsync(options, deadline.Token).ConfigureAwait(false);
        var set = cluster.Nodes[0].Consensus.Snapshot.View.Current!;
        progress?.Report($"Cluster formed: {QuorumMath.Describe(set.Count)}.");
        IReadOnlyList<ItemResult?> warmupResults = [];
        if (options.Warmup > 0)
        {
            // Driven exactly as the workload is, outcomes forgotten; only its shares count, in the catalog check below.
            var warmup = ChaosWorkload.CreateWarmup(options.Warmup, options.Seed, options.InvalidShare, items);
            progress?.Report($"Warming up with {warmup.Count} items (not counted)...");
            warmupResults = await ProposeAllAsync(cluster, warmup, options, deadline.Token).ConfigureAwait(false);
        }
        progress?.Report($"Proposing {items.Count} items...");

        var (results, duration, cpu, signatures, memory) = await DriveAsync(cluster, items, options, deadline.Token).ConfigureAwait(false);
        progress?.Report("Checking the honest nodes' catalogs...");
        // The catalogs hold the warm-up's shares as well: they are checked like the rest.
        var warmupShares = warmupResults.Where(r => r?.Shared == true).Select(r => r!.Item.ContentId).ToList();
        var shared = results.Where(r => r.Shared).Select(r => r.Item.ContentId).Concat(warmupShares).ToHashSet(StringComparer.Ordinal);
        // The check gets its own budget: a run whose workload used up --timeout still reports what the catalogs hold.
        using var checkBudget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        checkBudget.CancelAfter(CatalogCheckBudget);
        var catalogs = new List<CatalogCheck>();
        foreach (var node in cluster.Honest)
            catalogs.Add(await CheckCatalogAsync(node, shared, checkBudget.Token, ct).ConfigureAwait(false));

        var flagged = results.SelectMany(r => r.Outcome?.Equivocators ?? [])
            .Concat(cluster.Honest.SelectMany(n => n.Consensus.Snapshot.View.Equivocations.Keys))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return Summarise(options, cluster, set, results, duration, cpu, catalogs, flagged) with
        {
            Warmup = options.Warmup,
            WarmupShared = warmupShares.Count,
            SignatureChecks = signatures.Checked,
            SignatureCacheHits = signatures.Cached,
            Memory = memory,
        };
    }

    private sealed record ItemResult(ChaosItem Item, int Proposer, ProposalOutcome? Outcome, string? Failure, bool Shared)
    {
        /// <summary>Whether what was proposed is valid content: the harness's truth, worked out after the timed window (<see cref="Judge"/>).</summary>
        public bool Valid { get; init; }

        /// <summary>Whether an accepted item's certificate verifies on an honest node, also worked out after the window.</summary>
        public bool CertificateVerifies { get; init; }

        /// <summary>From the decision to the catalog's answer to the share; null when nothing was shared.</summary>
        public TimeSpan? ShareElapsed { get; init; }

        public bool Accepted => Outcome?.Decision == ProposalDecision.Accepted;
        public bool Rejected => Outcome?.Decision == ProposalDecision.Rejected;
        public bool Undecided => Outcome?.Decision == ProposalDecision.Undecided;
    }

    /// <summary>
    /// Proposes <paramref name="items"/> round-robin over all nodes, Byzantine ones included, at most
    /// <see cref="ChaosOptions.Concurrency"/> at a time; an item not proposed before <paramref name="ct"/> ends is null.
    /// </summary>
    private static async Task<ItemResult?[]> ProposeAllAsync(ChaosCluster cluster, IReadOnlyList<ChaosItem> items, ChaosOptions options, CancellationToken ct)
    {
        var results = new ItemResult?[items.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
                async (i, token) => results[i] = await ProposeAsync(cluster.Nodes[i % options.Nodes], items[i], options.ShareAccepted, token).ConfigureAwait(false))
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The run's time is up: what was not proposed stays null.
        }
        return results;
    }

    private static async Task<(IReadOnlyList<ItemResult> Results, TimeSpan Duration, TimeSpan Cpu, (long Checked, long Cached) Signatures, ChaosMemory Memory)> DriveAsync(ChaosCluster cluster, IReadOnlyList<ChaosItem> items, ChaosOptions options, CancellationToken ct)
    {
        var referee = cluster.Honest.First();
        // The nodes' batch-signature checks over the workload (tallies and catalog admission): each cache miss is one Ed25519 check.
        (long Checked, long Cached) Signatures() => (cluster.Nodes.Sum(n => n.Consensus.Snapshot.Signatures.Misses), cluster.Nodes.Sum(n => n.Consensus.Snapshot.Signatures.Hits));
        var signaturesBefore = Signatures();
        // Outside the timed window, like the one after it: the live heap before, so the report can say what the run
        // left behind (the catalog on every node) apart from what it only allocated.
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var memoryBefore = ChaosMemory.Now();
        var results = await ProposeAllAsync(cluster, items, options, ct).ConfigureAwait(false);
        var duration = Stopwatch.GetElapsedTime(started);
        // Every node runs in this process, so the process's CPU time over the workload is the cluster's.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var signaturesAfter = Signatures();
        var memory = (ChaosMemory.Now() - memoryBefore) with { LiveHeapGrowthBytes = GC.GetTotalMemory(forceFullCollection: true) - heapBefore };
        var registry = referee.Consensus.Snapshot.Registry;
        return (items.Select((item, i) => results[i] is { } result
                ? Judge(result, registry)
                : new ItemResult(item, i % options.Nodes, null, "not proposed before --timeout", false) { Valid = item.IsValid }).ToList(),
            duration, cpu, (signaturesAfter.Checked - signaturesBefore.Checked, signaturesAfter.Cached - signaturesBefore.Cached), memory);
    }

    /// <summary>
    /// The harness's own truth about an item, worked out after the timed window: whether what was proposed is valid
    /// content, and whether an accepted item's certificate verifies on an honest node, against that node's own registry
    /// and trusting nothing the proposer said. Checked inside the window, it was the harness's work counted as the
    /// cluster's: an uncached certificate check per accepted item was a fifth of a deciding run's CPU (perf, 2026-12-05).
    /// </summary>
    private static ItemResult Judge(ItemResult result, ValidatorRegistry registry) => result with
    {
        Valid = ContentValidator.Validate(result.Item.Content).IsValid,
        CertificateVerifies = result.Accepted && CertificateVerifier.Verify(result.Outcome!.Certificate, result.Item.ContentId, registry).IsValid,
    };

    private static async Task<ItemResult> ProposeAsync(ChaosNode proposer, ChaosItem item, bool share, CancellationToken ct)
    {
        var client = ConsensusClient.For(proposer.System);
        // An overpowered node proposes the inflated twin of its item; the truth is what was actually proposed.
        if (client.IsOverpowered)
        {
            var inflated = ByzantineBehaviour.Overpower(item.Content);
            item = inflated.Id == item.ContentId
                ? ChaosWorkload.Overpower(item)
                : item with { Content = inflated, Flaw = ChaosFlaw.Overpowered, Label = $"overpowered by node {proposer.Index + 1}: {item.Label}" };
        }
        ProposalOutcome outcome;
        try
        {
            // Decide only: the harness shares itself, so that a failed share is reported next to its outcome.
            outcome = await client.ProposeAsync(item.Content, new ProposalOptions(Author, Share: false), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ItemResult(item, proposer.Index, null, $"{proposer.Name}: {e.GetType().Name}: {e.Message}", false);
        }
        if (outcome.Decision != ProposalDecision.Accepted || !share)
            return new ItemResult(item, proposer.Index, outcome, null, false);
        try
        {
            var sharing = Stopwatch.GetTimestamp();
            await client.ShareAsync(item.Content, outcome, ct).ConfigureAwait(false);
            return new ItemResult(item, proposer.Index, outcome, null, true) { ShareElapsed = Stopwatch.GetElapsedTime(sharing) };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ItemResult(item, proposer.Index, outcome, $"{proposer.Name} could not share accepted content: {e.Message}", false);
        }
    }

    /// <summary>
    /// Waits (on catalog change notifications, bounded by the run's deadline) until the node lists as many entries
    /// as were shared, then re-checks every entry it admits: the certificate against this node's own registry (and the
    /// header it is listed under), and the content itself against the rules and the header's type and name. A shared
    /// entry the node does not list is missing: a Byzantine peer kept honest content out of this node's catalog (or it
    /// had not arrived within the check's patience).
    /// </summary>
    private static async Task<CatalogCheck> CheckCatalogAsync(ChaosNode node, IReadOnlySet<string> shared, CancellationToken ct, CancellationToken user)
    {
        var state = GameState.For(node.System);
        var registry = node.Consensus.Snapshot.Registry;
        var problems = new List<string>();
        var entries = new List<CatalogHeader>();
        try
        {
            using var subscription = await state.SubscribeAsync(ct: ct).ConfigureAwait(false);
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
            patience.CancelAfter(TimeSpan.FromSeconds(15));
            try
            {
                while ((await state.ListCatalogAsync(null, 0, 1, ct).ConfigureAwait(false)).Total < shared.Count)
                    await subscription.Changes.ReadAsync(patience.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException && !ct.IsCancellationRequested)
            {
                // Not fully replicated yet: check what has arrived.
            }
            for (var skip = 0; ; skip += 1000)
            {
                var page = await state.ListCatalogAsync(null, skip, 1000, ct).ConfigureAwait(false);
                entries.AddRange(page.Entries);
                if (page.Entries.Count == 0 || entries.Count >= page.Total)
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !user.IsCancellationRequested)
        {
            problems.Add($"{node.Name}: could not read the catalog{(ct.IsCancellationRequested ? " within the check's time budget" : "")}: {e.Message}");
        }

        var unverifiable = 0;
        var invalid = 0;
        var unreadable = 0;
        var found = new ConcurrentBag<(string Id, GameContent? Content)>();
        try
        {
            await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (entry, token) =>
            {
                try
                {
                    found.Add((entry.Id, await state.GetContentAsync(entry.Id, token).ConfigureAwait(false)));
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    found.Add((entry.Id, null));
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!user.IsCancellationRequested)
        {
            problems.Add($"{node.Name}: the check's time budget ran out; {entries.Count - found.Count} entries' content unchecked (counted unreadable)");
        }
        var contents = found.GroupBy(f => f.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Content, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // The certificate must bind the header the entry is listed under, not just its content.
            var check = CertificateVerifier.Verify(entry.Certificate.ToCertificate(), entry.Id, registry,
                headerDigest: EntryHeader.Compute(entry.Id, entry.Type, entry.Name, entry.Author, entry.CreatedMs, entry.Holder));
            if (!check.IsValid)
            {
                unverifiable++;
                problems.Add($"{node.Name} admitted {entry.Id[..12]} with a certificate that fails: {check}");
            }
            if (contents.GetValueOrDefault(entry.Id) is not { } content)
            {
                unreadable++;
                continue;
            }
            var result = ContentValidator.Validate(content);
            if (!result.IsValid || !ContentJson.HasValidId(content) || content.Id != entry.Id)
            {
                invalid++;
                problems.Add($"{node.Name} holds invalid content {entry.Id[..12]} ({string.Join(", ", result.Rules)})");
            }
            else if (content.Type != entry.Type || content.DisplayName != entry.Name)
            {
                invalid++;
                problems.Add($"{node.Name} lists {entry.Id[..12]} as {ContentTypes.WireName(entry.Type)} '{entry.Name}', but it is {ContentTypes.WireName(content.Type)} '{content.DisplayName}'");
            }
        }
        var listed = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var missing = shared.Where(id => !listed.Contains(id)).Order(StringComparer.Ordinal).ToList();
        foreach (var id in missing.Take(3))
            problems.Add($"{node.Name} does not list {id[..12]}, which was shared");
        var refusals = state.Settings.Admission is CertificateAdmission admission ? admission.Refused : 0;
        return new CatalogCheck(node.Name, entries.Count, unverifiable, invalid, unreadable, refusals, problems) { Missing = missing.Count };
    }

    private static ChaosReport Summarise(ChaosOptions options, ChaosCluster cluster, ValidatorSet set, IReadOnlyList<ItemResult> results, TimeSpan duration,
        TimeSpan cpu, IReadOnlyList<CatalogCheck> catalogs, IReadOnlyList<string> flagged)
    {
        var valid = results.Where(r => r.Valid).ToList();
        var invalid = results.Where(r => !r.Valid).ToList();
        var latencies = results
            .Where(r => r.Accepted || r.Rejected)
            .Select(r => r.Outcome!.Elapsed)
            .Order()
            .ToList();
        var shares = results.Where(r => r.ShareElapsed is not null).Select(r => r.ShareElapsed!.Value).Order().ToList();
        var byFlaw = results
            .GroupBy(r => r.Valid ? ChaosFlaw.None : r.Item.Flaw == ChaosFlaw.None ? ChaosFlaw.Overpowered : r.Item.Flaw)
            .OrderBy(g => g.Key)
            .Select(g => new FlawTally(g.Key, g.Count(), g.Count(r => r.Accepted), g.Count(r => r.Rejected), g.Count(r => r.Undecided), g.Count(r => r.Outcome is null)))
            .ToList();
        var view = cluster.Honest.First().Consensus.Snapshot.View;
        var byAddress = cluster.Nodes.ToDictionary(n => Akka.Cluster.Cluster.Get(n.System).SelfAddress.ToString(), StringComparer.Ordinal);
        var leftOut = view.LeftOut.OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => byAddress.TryGetValue(l.Key, out var node) ? $"{node.Name} ({ByzantineModes.WireName(node.Mode)}): {l.Value}" : $"{l.Key}: {l.Value}")
            .ToList();
        return new ChaosReport(
            Nodes: options.Nodes,
            Byzantine: options.Byzantine,
            NodeModes: cluster.Nodes.Select(n => ByzantineModes.WireName(n.Mode)).ToList(),
            NodeValidators: cluster.Nodes.Select(n => n.Consensus.ValidatorId).ToList(),
            Validators: set.Count,
            Threshold: set.Threshold,
            MaxFaulty: set.MaxFaulty,
            Seed: options.Seed,
            Items: results.Count,
            ValidItems: valid.Count,
            InvalidItems: invalid.Count,
            ValidAccepted: valid.Count(r => r.Accepted),
            ValidRejected: valid.Count(r => r.Rejected),
            ValidUndecided: valid.Count(r => r.Undecided),
            InvalidRejected: invalid.Count(r => r.Rejected),
            InvalidAccepted: invalid.Count(r => r.Accepted),
            InvalidUndecided: invalid.Count(r => r.Undecided),
            Failed: results.Count(r => r.Outcome is null),
            FailureSamples: results.Where(r => r.Failure is not null).Select(r => r.Failure!).Distinct().Take(5).ToList(),
            EquivocatingProposals: results.Count(r => r.Outcome?.Equivocators.Count > 0),
            FlaggedValidators: flagged,
            BadCertificates: results.Count(r => r.Accepted && !r.CertificateVerifies),
            LatencyP50: Percentile(latencies, 0.50),
            LatencyP99: Percentile(latencies, 0.99),
            WorkloadDuration: duration,
            ItemsPerSecond: duration > TimeSpan.Zero ? results.Count(r => r.Outcome is not null) / duration.TotalSeconds : 0,
            ByFlaw: byFlaw,
            Catalogs: catalogs,
            InvalidAcceptedSamples: invalid.Where(r => r.Accepted)
                .Select(r => $"#{r.Item.Index} {r.Item.Label} (proposed by node {r.Proposer + 1}, {r.Outcome!.Approvals} approvals)")
                .ToList())
        {
            ByzantineInSet = cluster.Nodes.Count(n => !n.IsHonest && set.Contains(n.Consensus.ValidatorId)),
            LeftOut = leftOut,
            Sybils = options.Sybils,
            Closed = options.Closed,
            Transport = cluster.Transport,
            UndecidedSamples = valid.Where(r => r.Undecided).Take(5)
                .Select(r => FormattableString.Invariant($"#{r.Item.Index} {r.Item.Label} (proposed by node {r.Proposer + 1}, {r.Outcome!.Approvals} of {r.Outcome.Threshold} approvals, {r.Outcome.Rejections} rejections, undecided after {r.Outcome.Elapsed.TotalMilliseconds:F0} ms{Refused(r.Outcome)})"))
                .ToList(),
            SybilsInSet = cluster.Nodes.Count(n => n.IsSybil && set.Contains(n.Consensus.ValidatorId)),
            ShareP50 = Percentile(shares, 0.50),
            ShareP99 = Percentile(shares, 0.99),
            Shared = shares.Count,
            WorkloadCpu = cpu,
        };
    }

    /// <summary>
    /// The refusals an undecided outcome carries (expired, rate-limited, no endpoint), for its sample line: they tell a
    /// validator that answered too late from one whose answer never came.
    /// </summary>
    private static string Refused(ProposalOutcome outcome) =>
        outcome.Refusals.Count == 0 ? "" : "; refused: " + string.Join(", ", outcome.Refusals);

    /// <summary>Nearest-rank percentile of sorted values; zero when there are none.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double quantile)
    {
        if (sorted.Count == 0)
            return TimeSpan.Zero;
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
