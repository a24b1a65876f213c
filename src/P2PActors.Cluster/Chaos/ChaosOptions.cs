using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Chaos;

/// <summary>
/// One chaos run: <see cref="Nodes"/> nodes in this process, the last <see cref="Byzantine"/> of them Byzantine
/// with <see cref="Modes"/> assigned round-robin, driving <see cref="Items"/> proposals of a seeded workload; then
/// <see cref="Sybils"/> extra members, all <see cref="SybilMode"/>, that an attacker adds beyond them.
/// </summary>
public sealed record ChaosOptions
{
    public const int MaxNodes = 16;

    public const int MaxItems = 1_000_000;

    public int Nodes { get; init; } = 4;

    public int Byzantine { get; init; }

    /// <summary>The Byzantine behaviours, handed out round-robin to the Byzantine nodes.</summary>
    public IReadOnlyList<ByzantineMode> Modes { get; init; } = [ByzantineMode.ApproveAll];

    public int Items { get; init; } = 100;

    /// <summary>
    /// Proposals made (and shared, as the workload is) before the timed workload, from a workload of their own, and
    /// counted nowhere in the report's figures: a short run measures the nodes warmed up (code compiled, connections
    /// and caches filled) instead of their start-up. 0, the default, measures from the first proposal on.
    /// </summary>
    public int Warmup { get; init; }

    /// <summary>
    /// Extra members an attacker adds (Sybils), after the <see cref="Nodes"/> nodes. They vote (as <see cref="SybilMode"/>)
    /// but do not propose: the workload is the same as without them, so a run with and without them compare.
    /// </summary>
    public int Sybils { get; init; }

    /// <summary>How the Sybil members behave; approving everything is the attack that lets invalid content in.</summary>
    public ByzantineMode SybilMode { get; init; } = ByzantineMode.ApproveAll;

    /// <summary>
    /// Closed validator membership: every node runs with the list of the <see cref="Nodes"/> nodes' validator keys,
    /// made before they start, so the Sybils are members without a vote. Open (false): every member that proves its key votes.
    /// </summary>
    public bool Closed { get; init; }

    /// <summary>
    /// Remoting over TLS between the nodes, as a cluster started with <c>--remote-tls-certificate</c> runs: mutual TLS,
    /// every node presenting one self-signed certificate made for the run and pinning it. Off: plain TCP.
    /// </summary>
    public bool RemoteTls { get; init; }

    /// <summary>All nodes started: the <see cref="Nodes"/> and the <see cref="Sybils"/>.</summary>
    public int TotalNodes => Nodes + Sybils;

    /// <summary>Whether node <paramref name="index"/> (0-based) is one of the Sybils.</summary>
    public bool IsSybil(int index) => index >= Nodes;

    public long Seed { get; init; } = 1;

    /// <summary>Fraction of the workload that is deliberately invalid.</summary>
    public double InvalidShare { get; init; } = 0.5;

    /// <summary>Proposals in flight at once, over all proposers.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>The proposers' decision timeout: a proposal without a decision by then ends undecided.</summary>
    public TimeSpan DecisionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether a proposal undecided at the timeout, with its quorum still reachable, is asked again once.</summary>
    public bool ReAsk { get; init; } = true;

    /// <summary>How long a share waits to be pushed with others (<see cref="State.GameStateSettings.ShareBatchWait"/>).</summary>
    public TimeSpan ShareBatchWait { get; init; } = State.GameStateSettings.DefaultShareBatchWait;

    /// <summary>Bound on the whole run (start-up, workload, catalog check); what is unfinished by then is reported.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Share accepted content (with its certificate) into the catalog, as a real proposer does; off measures consensus alone.</summary>
    public bool ShareAccepted { get; init; } = true;

    /// <summary>Where the nodes keep their data; a fresh temporary folder (deleted afterwards) when null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Lowest Akka log level the nodes print (the chaos report is the output; Byzantine nodes make honest ones warn a lot).</summary>
    public Akka.Event.LogLevel LogLevel { get; init; } = Akka.Event.LogLevel.ErrorLevel;

    /// <summary>
    /// How every node's Akka log events are written; null: <see cref="StandardErrorLogger"/> at <see cref="LogLevel"/>.
    /// The <c>chaos</c> command routes them through the node's Serilog format instead.
    /// </summary>
    public Action<Akka.Hosting.LoggerConfigBuilder>? ConfigureLoggers { get; init; }

    /// <summary>The behaviour of node <paramref name="index"/> (0-based): honest for the first Nodes − Byzantine.</summary>
    public ByzantineMode ModeOf(int index)
    {
        if (IsSybil(index))
            return SybilMode;
        var firstByzantine = Nodes - Byzantine;
        return index < firstByzantine ? ByzantineMode.Honest : Modes[(index - firstByzantine) % Modes.Count];
    }

    /// <summary>Every problem with these options, phrased for the operator (flag names as the CLI spells them).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Nodes is < 1 or > MaxNodes)
            problems.Add($"--nodes: {Nodes} must be between 1 and {MaxNodes}");
        if (DataDirectory is not null && (string.IsNullOrWhiteSpace(DataDirectory) || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            problems.Add($"--data-dir: '{DataDirectory}' is not a folder path");
        if (Byzantine < 0)
            problems.Add($"--byzantine: {Byzantine} must not be negative");
        else if (Byzantine > Math.Max(Nodes - 1, 0))
            problems.Add($"--byzantine: {Byzantine} must leave at least one honest node (at most --nodes - 1 = {Math.Max(Nodes - 1, 0)})");
        if (Sybils < 0)
            problems.Add($"--sybils: {Sybils} must not be negative");
        else if (Nodes + Sybils > MaxNodes)
            problems.Add($"--sybils: {Nodes} nodes and {Sybils} Sybils make {Nodes + Sybils}; at most {MaxNodes} nodes run in one process");
        if (SybilMode == ByzantineMode.Honest)
            problems.Add("--sybil-mode: 'honest' is not a Byzantine mode");
        if (Modes.Count == 0)
            problems.Add("--mode: at least one Byzantine mode is required");
        else if (Modes.Contains(ByzantineMode.Honest))
            problems.Add("--mode: 'honest' is not a Byzantine mode; use --byzantine 0 for an all-honest cluster");
        if (Items is < 1 or > MaxItems)
            problems.Add($"--items: {Items} must be between 1 and {MaxItems}");
        if (Warmup is < 0 or > MaxItems)
            problems.Add($"--warmup: {Warmup} must be between 0 and {MaxItems}");
        if (double.IsNaN(InvalidShare) || InvalidShare is < 0 or > 1)
            problems.Add($"--invalid-share: {InvalidShare} must be between 0 and 1");
        if (Concurrency is < 1 or > 10_000)
            problems.Add($"--concurrency: {Concurrency} must be between 1 and 10000");
        if (Seed is < 0 or > P2PActors.Content.Generation.Seeds.Max)
            problems.Add($"--seed: {Seed} must be between 0 and {P2PActors.Content.Generation.Seeds.Max}");
        if (DecisionTimeout < TimeSpan.FromMilliseconds(10) || DecisionTimeout > TimeSpan.FromMinutes(1))
            problems.Add($"--decision-timeout-ms: {DecisionTimeout.TotalMilliseconds} ms must be between 10 ms and 1 minute");
        if (ShareBatchWait < TimeSpan.Zero || ShareBatchWait > TimeSpan.FromMilliseconds(100))
            problems.Add($"--share-batch-wait: {ShareBatchWait.TotalMilliseconds} ms must be between 0 and 100 ms");
        // Above about 49 days a cancellation timer cannot hold it; a day is more than any run needs.
        if (Timeout < TimeSpan.FromSeconds(5) || Timeout > TimeSpan.FromDays(1))
            problems.Add($"--timeout: {Timeout} must be between 00:00:05 and 1.00:00:00");
        return problems;
    }
}

/// <summary>Lists of Byzantine modes as the command line spells them (<c>approve-all,forge-signatures</c>), see <see cref="ByzantineModes"/>.</summary>
public static class ChaosModes
{
    public static IReadOnlyList<ByzantineMode> Byzantine { get; } = Enum.GetValues<ByzantineMode>().Where(m => m != ByzantineMode.Honest).ToArray();

    /// <summary>A comma-separated list ("equivocate,silent"); the unknown names are returned as problems.</summary>
    public static IReadOnlyList<ByzantineMode> ParseList(string? text, out IReadOnlyList<string> problems)
    {
        var modes = new List<ByzantineMode>();
        var errors = new List<string>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ByzantineModes.TryParse(part, out var mode))
                modes.Add(mode);
            else
                errors.Add($"--mode: unknown mode '{part}'; use one or more of {string.Join(", ", Byzantine.Select(ByzantineModes.WireName))} (comma-separated)");
        }
        if (modes.Count == 0 && errors.Count == 0)
            errors.Add($"--mode: no mode given; use one or more of {string.Join(", ", Byzantine.Select(ByzantineModes.WireName))} (comma-separated)");
        problems = errors;
        return modes;
    }
}
