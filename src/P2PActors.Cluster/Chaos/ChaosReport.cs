using System.Globalization;
using System.Text;

namespace P2PActors.Cluster.Chaos;

/// <summary>How the proposals of one kind of content (valid, or one flaw) ended.</summary>
public sealed record FlawTally(ChaosFlaw Flaw, int Items, int Accepted, int Rejected, int Undecided, int Failed);

/// <summary>
/// What one honest node's replicated catalog held after the run: entries whose certificate does not verify against
/// that node's own registry, and entries whose certificate verifies but whose content breaks the rules (possible
/// only when more than f validators are Byzantine), each counted as a failure.
/// </summary>
/// <param name="Refusals">How often this node's certificate admission refused an entry during the run (forged or
/// unverifiable entries other nodes wrote into the replicated catalog; each look counts).</param>
public sealed record CatalogCheck(string Node, int Entries, int Unverifiable, int InvalidContent, int Unreadable, long Refusals, IReadOnlyList<string> Problems)
{
    /// <summary>Entries shared in the run (warm-up included) that this node does not list.</summary>
    public int Missing { get; init; }
}

/// <summary>
/// The result of a chaos run. <see cref="InvalidAccepted"/> must be 0, and so must every catalog failure: that is
/// what <see cref="Passed"/> says. Latencies are decision latencies (proposal to decision) of the proposals that
/// decided; undecided ones end at the decision timeout and are counted, not timed.
/// </summary>
public sealed record ChaosReport(
    int Nodes,
    int Byzantine,
    IReadOnlyList<string> NodeModes,
    IReadOnlyList<string> NodeValidators,
    int Validators,
    int Threshold,
    int MaxFaulty,
    long Seed,
    int Items,
    int ValidItems,
    int InvalidItems,
    int ValidAccepted,
    int ValidRejected,
    int ValidUndecided,
    int InvalidRejected,
    int InvalidAccepted,
    int InvalidUndecided,
    int Failed,
    IReadOnlyList<string> FailureSamples,
    int EquivocatingProposals,
    IReadOnlyList<string> FlaggedValidators,
    int BadCertificates,
    TimeSpan LatencyP50,
    TimeSpan LatencyP99,
    TimeSpan WorkloadDuration,
    double ItemsPerSecond,
    IReadOnlyList<FlawTally> ByFlaw,
    IReadOnlyList<CatalogCheck> Catalogs,
    IReadOnlyList<string> InvalidAcceptedSamples)
{
    /// <summary>
    /// How many Byzantine nodes hold a vote in the set (a mute one is left out of it); null: all of them.
    /// </summary>
    public int? ByzantineInSet { get; init; }

    /// <summary>Members left out of the validator set, each as "node 3 (mute): why".</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    /// <summary>Extra members an attacker added beyond <see cref="Nodes"/> (counted in neither Nodes nor Byzantine).</summary>
    public int Sybils { get; init; }

    /// <summary>Whether the run used closed validator membership (only the nodes' listed keys vote).</summary>
    public bool Closed { get; init; }

    /// <summary>
    /// The first valid items left undecided, each with its proposer, the approvals it had of the threshold, when it
    /// ended and any refusals: whether one proposer or one missing validator held them up, and whether too late or not
    /// at all.
    /// </summary>
    public IReadOnlyList<string> UndecidedSamples { get; init; } = [];

    /// <summary>The protocol of the nodes' remoting addresses, as the cluster came up: <c>akka.ssl.tcp</c> is TLS (<see cref="ChaosOptions.RemoteTls"/>).</summary>
    public string Transport { get; init; } = "akka.tcp";

    /// <summary>How many of the <see cref="Sybils"/> hold a vote in the set: 0 in closed membership.</summary>
    public int SybilsInSet { get; init; }

    /// <summary>Proposals made before the timed workload and counted nowhere else in this report (<see cref="ChaosOptions.Warmup"/>).</summary>
    public int Warmup { get; init; }

    /// <summary>How many of the warm-up's items were shared: the honest catalogs hold them beside the workload's.</summary>
    public int WarmupShared { get; init; }

    /// <summary>How many accepted items were shared into the catalog, and the time from decision to the catalog's answer.</summary>
    public int Shared { get; init; }

    public TimeSpan ShareP50 { get; init; }

    public TimeSpan ShareP99 { get; init; }

    /// <summary>CPU time the whole in-process cluster spent over the workload (all nodes share the process).</summary>
    public TimeSpan WorkloadCpu { get; init; }

    /// <summary>
    /// Batch signatures the nodes checked by Ed25519 over the workload (their <see cref="VerifiedSignatureCache"/>
    /// misses: tallies and catalog admission, all nodes); the harness's own referee check is not counted.
    /// </summary>
    public long SignatureChecks { get; init; }

    /// <summary>Batch signatures the nodes found already checked in their caches over the workload.</summary>
    public long SignatureCacheHits { get; init; }

    /// <summary>What the whole in-process cluster allocated and collected over the workload.</summary>
    public ChaosMemory Memory { get; init; } = new(0, 0, 0, 0, TimeSpan.Zero);

    /// <summary>CPU per proposal over the workload, in milliseconds.</summary>
    public double CpuMsPerItem => Items > 0 ? WorkloadCpu.TotalMilliseconds / Items : 0;

    /// <summary>More Byzantine validators than the validator set tolerates: the guarantees no longer hold.</summary>
    public bool ExceedsTolerance => (ByzantineInSet ?? Byzantine) > MaxFaulty;

    public int Undecided => ValidUndecided + InvalidUndecided;

    public int CatalogUnverifiable => Catalogs.Sum(c => c.Unverifiable);

    public int CatalogInvalidContent => Catalogs.Sum(c => c.InvalidContent);

    public int CatalogMissing => Catalogs.Sum(c => c.Missing);

    /// <summary>
    /// No invalid content accepted, no accepted proposal with a certificate that fails, no bad catalog entry on an honest
    /// node, and no shared entry missing from one.
    /// </summary>
    public bool Passed => InvalidAccepted == 0 && BadCertificates == 0 && CatalogUnverifiable == 0 && CatalogInvalidContent == 0 && CatalogMissing == 0;

    public string ToTable()
    {
        var text = new StringBuilder();
        var modes = NodeModes.Select((m, i) => (Mode: m, Index: i)).Where(x => x.Mode != "honest" && x.Index < Nodes).ToList();
        var byzantine = modes.Count == 0 ? "none" : string.Join(", ", modes.Select(x => $"node {x.Index + 1} {x.Mode}"));
        text.AppendLine(Invariant($"Chaos run: {Nodes} nodes, {Byzantine} Byzantine ({byzantine})") +
                        (Sybils > 0 ? Invariant($", and {Sybils} Sybil members (nodes {Nodes + 1}–{Nodes + Sybils}, {NodeModes[^1]})") : ""));
        var voting = ByzantineInSet ?? Byzantine;
        text.AppendLine(Invariant($"Validators n = {Validators}, accept at {Threshold} approvals, tolerates f = {MaxFaulty}: ") +
                        (ExceedsTolerance ? $"{voting} Byzantine EXCEEDS f — the 2/3 guarantees do not hold" : $"{voting} Byzantine is within f") +
                        (voting - SybilsInSet < Byzantine ? Invariant($" ({Byzantine - voting + SybilsInSet} Byzantine left out of the set)") : "") +
                        (SybilsInSet > 0 ? Invariant($" ({SybilsInSet} of them Sybils)") : ""));
        text.AppendLine(Invariant($"Workload: seed {Seed}, {Items} items ({ValidItems} valid, {InvalidItems} invalid)") +
                        (Warmup > 0 ? Invariant($", after a warm-up of {Warmup} items not counted here (the catalogs below hold its {WarmupShared} shares too)") : ""));
        text.AppendLine();
        Row(text, "valid accepted", $"{ValidAccepted} / {ValidItems}");
        Row(text, "valid rejected", ValidRejected);
        Row(text, "valid undecided", ValidUndecided);
        Row(text, "invalid rejected", $"{InvalidRejected} / {InvalidItems}");
        Row(text, "INVALID ACCEPTED", $"{InvalidAccepted}   (must be 0)");
        Row(text, "invalid undecided", InvalidUndecided);
        Row(text, "undecided (total)", Undecided);
        Row(text, "proposals failed", Failed);
        Row(text, "equivocations detected", $"{EquivocatingProposals} proposals; validators flagged: {Flagged()}");
        Row(text, "left out of the set", LeftOut.Count == 0 ? "none" : string.Join("; ", LeftOut));
        Row(text, "remoting", Transport == "akka.ssl.tcp" ? "TLS (akka.ssl.tcp; mutual, one pinned certificate made for the run)" : $"plain TCP ({Transport})");
        Row(text, "validator membership", Closed ? "closed (only the nodes' listed keys vote)" : "open (every member that proves its key votes)");
        if (Sybils > 0)
            Row(text, "Sybil members", Invariant($"{Sybils}, of which {SybilsInSet} had a vote") + (SybilsInSet == 0 ? " (not on the validator list)" : " — counted among the Byzantine validators above"));
        Row(text, "bad certificates", $"{BadCertificates}   (accepted, but the certificate fails on an honest node)");
        Row(text, "decision latency", Invariant($"p50 {LatencyP50.TotalMilliseconds:0.0} ms, p99 {LatencyP99.TotalMilliseconds:0.0} ms"));
        if (Shared > 0)
            Row(text, "share latency", Invariant($"p50 {ShareP50.TotalMilliseconds:0.0} ms, p99 {ShareP99.TotalMilliseconds:0.0} ms ({Shared} shared)"));
        Row(text, "throughput", Invariant($"{ItemsPerSecond:0} items/s ({WorkloadDuration.TotalSeconds:0.00} s)"));
        Row(text, "CPU", Invariant($"{CpuMsPerItem:0.00} ms per item, all nodes ({WorkloadCpu.TotalSeconds:0.0} s over the workload)"));
        Row(text, "memory", Invariant($"{(Items > 0 ? Memory.AllocatedBytes / 1024.0 / Items : 0):0.0} KiB allocated per item; GCs gen0 {Memory.Gen0} gen1 {Memory.Gen1} gen2 {Memory.Gen2}, paused {Memory.Paused.TotalMilliseconds:0} ms") +
                                (WorkloadDuration > TimeSpan.Zero ? Invariant($" ({100 * Memory.Paused / WorkloadDuration:0.0} % of the workload)") : ""));
        if (Memory.LiveHeapGrowthBytes is { } grown)
            Row(text, "live heap", Invariant($"{grown / 1024.0 / 1024.0:+0.0;-0.0} MiB over the workload, all nodes") +
                                   (Shared > 0 ? Invariant($" ({grown / 1024.0 / Shared:0.0} KiB per shared entry)") : ""));
        Row(text, "batch signatures", Invariant($"{SignatureChecks} Ed25519 checks, {SignatureCacheHits} found already checked (all nodes, over the workload)"));
        text.AppendLine();
        text.AppendLine("  by kind                 items  accepted  rejected  undecided  failed");
        foreach (var tally in ByFlaw)
        {
            text.AppendLine(Invariant(
                $"  {FlawName(tally.Flaw),-22}{tally.Items,7}{tally.Accepted,10}{tally.Rejected,10}{tally.Undecided,11}{tally.Failed,8}"));
        }
        text.AppendLine();
        text.AppendLine("  honest catalog          entries  unverifiable  invalid content  unreadable  refusals  missing");
        foreach (var catalog in Catalogs)
        {
            text.AppendLine(Invariant(
                $"  {catalog.Node,-22}{catalog.Entries,9}{catalog.Unverifiable,14}{catalog.InvalidContent,17}{catalog.Unreadable,12}{catalog.Refusals,10}{catalog.Missing,9}"));
        }
        foreach (var sample in InvalidAcceptedSamples.Take(5))
            text.AppendLine("  invalid accepted: " + sample);
        foreach (var sample in UndecidedSamples.Take(5))
            text.AppendLine("  valid undecided: " + sample);
        foreach (var problem in Catalogs.SelectMany(c => c.Problems).Take(5))
            text.AppendLine("  catalog: " + problem);
        foreach (var failure in FailureSamples.Take(3))
            text.AppendLine("  failed: " + failure);
        text.AppendLine();
        text.Append(Passed
            ? "RESULT: PASS — no invalid content accepted, every honest catalog entry carries a certificate that verifies, every shared entry is listed on every honest node"
            : "RESULT: FAIL — " + string.Join("; ", FailureReasons()));
        return text.ToString();
    }

    /// <summary>The flagged validators by node ("node 4"), or their id prefix when no node here has that key.</summary>
    private string Flagged()
    {
        if (FlaggedValidators.Count == 0)
            return "none";
        return string.Join(", ", FlaggedValidators.Select(id =>
        {
            var index = NodeValidators.ToList().IndexOf(id);
            return index >= 0 ? $"node {index + 1} ({NodeModes[index]})" : id[..Math.Min(12, id.Length)];
        }));
    }

    private IEnumerable<string> FailureReasons()
    {
        if (InvalidAccepted > 0) yield return $"{InvalidAccepted} invalid item(s) accepted";
        if (BadCertificates > 0) yield return $"{BadCertificates} accepted proposal(s) with a certificate that fails";
        if (CatalogUnverifiable > 0) yield return $"{CatalogUnverifiable} honest catalog entr(ies) without a valid certificate";
        if (CatalogInvalidContent > 0) yield return $"{CatalogInvalidContent} honest catalog entr(ies) with invalid content";
        if (CatalogMissing > 0) yield return $"{CatalogMissing} shared entr(ies) missing from honest catalogs (counted per node)";
    }

    private static string FlawName(ChaosFlaw flaw) => flaw switch
    {
        ChaosFlaw.None => "valid",
        ChaosFlaw.Overpowered => "overpowered",
        ChaosFlaw.Profanity => "profanity",
        ChaosFlaw.UnreachableSpawn => "unreachable spawn",
        ChaosFlaw.BrokenDialog => "broken dialog",
        _ => flaw.ToString(),
    };

    private static void Row(StringBuilder text, string label, object value) =>
        text.AppendLine(Invariant($"  {label,-24}{value}"));

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Allocation and garbage collection of the whole process (every node runs in it): bytes allocated per item move far
/// less between runs than throughput does on a shared machine, so they show what a change saves.
/// </summary>
public sealed record ChaosMemory(long AllocatedBytes, int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    /// <summary>
    /// How much the live heap grew over the workload, each end measured after a full collection (outside the timed
    /// window): what the run left behind on every node, the shared catalog above all. Null when not measured.
    /// </summary>
    public long? LiveHeapGrowthBytes { get; init; }

    public static ChaosMemory Now() => new(GC.GetTotalAllocatedBytes(precise: false),
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static ChaosMemory operator -(ChaosMemory after, ChaosMemory before) => new(after.AllocatedBytes - before.AllocatedBytes,
        after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.Paused - before.Paused);
}
