using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>
/// One node in the report: its address, what its consensus coordinator decided during the run, its series, and its
/// validator behaviour (<c>honest</c> or a Byzantine mode) when the command started it; null for <c>--targets</c>,
/// whose behaviour the command did not choose.
/// </summary>
public sealed record NodeReport(string Url, double AcceptedDecisions, double RejectedDecisions, double UndecidedDecisions,
    double Gen0Collections, double Gen1Collections, double Gen2Collections, double? PeakCpuPercent, double? PeakWorkingSetMb, IReadOnlyList<NodePoint> Series,
    string? Behaviour = null)
{
    public bool IsByzantine => Behaviour is not null and not "honest";
}

/// <summary>Everything a run found; written as report.json, report.md and printed.</summary>
public sealed record SimulationReport(
    DateTimeOffset StartedAt, bool StartedNodes, int Players, double RequestedSeconds, double LoadSeconds, bool Cancelled, long Seed, string Zone,
    long TotalOperations, double OperationsPerSecond, IReadOnlyList<OperationFigures> Operations, ReachFigures Reach, ConsensusFigures Consensus,
    IReadOnlyDictionary<string, long> Errors, long RemovesNotApplied, ConvergenceFigures Convergence, IReadOnlyList<NodeReport> Nodes,
    IReadOnlyList<double> CompletedPerSecond, string? Persistence = null, double WarmupSeconds = 0, IReadOnlyDictionary<string, long>? WarmupErrors = null)
{
    /// <summary>Convergence held, nothing acknowledged is missing, nothing invalid was admitted.</summary>
    public bool Passed => Convergence.Held && Consensus.InvalidAdmitted == 0;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# Simulation: {Players} players on {Nodes.Count} nodes");
        md.AppendLine();
        md.AppendLine(c, $"Started {StartedAt:u}, load {LoadSeconds:0.0} s of {RequestedSeconds:0.0} s{(Cancelled ? " (ended early by Ctrl+C)" : "")}, seed {Seed}, zone `{Zone}`, nodes {(StartedNodes ? "started by the command" : "given by --targets")}.");
        md.AppendLine();
        if (WarmupSeconds > 0)
        {
            var warmupErrors = WarmupErrors ?? new Dictionary<string, long>();
            md.AppendLine(c, $"After a warm-up of {WarmupSeconds:0.#} s, left out of the operation, delivery, error and node figures below (consensus outcomes and the convergence check cover the whole run); errors during the warm-up: {(warmupErrors.Count == 0 ? "none" : string.Join(", ", warmupErrors.Select(e => $"`{e.Key}` {e.Value}")))}.");
            md.AppendLine();
        }
        if (StartedNodes)
        {
            var byzantine = Nodes.Select((n, i) => (n, i)).Where(x => x.n.IsByzantine).Select(x => $"node {x.i + 1} ({x.n.Behaviour})").ToList();
            md.AppendLine(c, $"Byzantine nodes: {(byzantine.Count == 0 ? "none" : string.Join(", ", byzantine))}; persistence: {Persistence}.");
            md.AppendLine();
        }
        md.AppendLine(c, $"**{(Passed ? "PASS" : "FAIL")}** — {Verdict()}");
        md.AppendLine();
        md.AppendLine("## Operations");
        md.AppendLine();
        md.AppendLine("| operation | count | errors | per s | p50 ms | p95 ms | p99 ms | max ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var o in Operations)
        {
            var l = o.Latency;
            md.AppendLine(c, $"| {o.Operation} | {o.Count} | {o.Errors} | {o.PerSecond:0.##} | {l?.P50Ms:0.##} | {l?.P95Ms:0.##} | {l?.P99Ms:0.##} | {l?.MaxMs:0.##} |");
        }
        md.AppendLine(c, $"| **all** | {TotalOperations} | {Errors.Values.Sum()} | {OperationsPerSecond:0.##} | | | | |");
        md.AppendLine();
        md.AppendLine("## Position delivery (WebSocket reach)");
        md.AppendLine();
        md.AppendLine(c, $"{Reach.Delivered} pushes of other players' moves received of {Reach.Due} due: reach **{Reach.Ratio:0.####}** (pushes are coalesced per player, newest wins, so a busy zone delivers fewer than are due by design).");
        if (Reach.Latency is { } d)
            md.AppendLine(c, $"Move → push latency: p50 {d.P50Ms:0.##} ms, p95 {d.P95Ms:0.##} ms, p99 {d.P99Ms:0.##} ms, max {d.MaxMs:0.##} ms.");
        md.AppendLine();
        md.AppendLine("## Consensus (shares as the bots saw them)");
        md.AppendLine();
        md.AppendLine("| accepted | rejected | undecided | failed | invalid attempted | invalid refused | **invalid admitted** |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        var k = Consensus;
        md.AppendLine(c, $"| {k.Accepted} | {k.Rejected} | {k.Undecided} | {k.Failed} | {k.InvalidAttempted} | {k.InvalidRefused} | **{k.InvalidAdmitted}** |");
        md.AppendLine();
        md.AppendLine("## Errors by code");
        md.AppendLine();
        if (Errors.Count == 0)
            md.AppendLine("None.");
        foreach (var (code, count) in Errors)
            md.AppendLine(c, $"- `{code}`: {count}");
        if (RemovesNotApplied > 0)
            md.AppendLine(c, $"- removes the node did not apply though acknowledged adds say the item was held: {RemovesNotApplied}");
        md.AppendLine();
        md.AppendLine("## Convergence");
        md.AppendLine();
        var v = Convergence;
        md.AppendLine(c, $"{(v.Converged ? "Converged" : "Did not converge")} after {v.SettleSeconds:0.##} s ({v.Rounds} rounds): {v.Players} players, {v.AcknowledgedMoves} acknowledged moves, {v.AcknowledgedAdds} adds, {v.AcknowledgedRemoves} removes, {v.AcceptedShares} accepted shares checked on every node; catalog sizes {string.Join(", ", v.CatalogSizes)}.");
        md.AppendLine(c, $"Disagreements {v.Disagreements}, missing acknowledged writes {v.MissingWrites}, invalid shares in a catalog {v.InvalidInCatalog}.");
        foreach (var problem in v.Problems)
            md.AppendLine(c, $"- {problem}");
        md.AppendLine();
        md.AppendLine("## Nodes");
        md.AppendLine();
        md.AppendLine("| node | validator | accepted | rejected | undecided | GC gen0/1/2 | peak CPU % | peak working set MB |");
        md.AppendLine("|---|---|---:|---:|---:|---|---:|---:|");
        for (var i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            md.AppendLine(c, $"| {i + 1} {n.Url} | {n.Behaviour ?? "?"} | {n.AcceptedDecisions} | {n.RejectedDecisions} | {n.UndecidedDecisions} | {n.Gen0Collections}/{n.Gen1Collections}/{n.Gen2Collections} | {n.PeakCpuPercent:0.#} | {n.PeakWorkingSetMb:0.#} |");
        }
        md.AppendLine();
        md.AppendLine("![operations per second](ops-per-second.png)");
        md.AppendLine("![latency per operation](latency.png)");
        md.AppendLine("![CPU per node](node-cpu.png)");
        md.AppendLine("![memory per node](node-memory.png)");
        return md.ToString();
    }

    public string Verdict()
    {
        var reasons = new List<string>();
        if (!Convergence.Converged)
            reasons.Add($"the nodes did not agree within the settle time ({Convergence.Disagreements} disagreements)");
        if (Convergence.MissingWrites > 0)
            reasons.Add($"{Convergence.MissingWrites} acknowledged writes missing or wrong on some node");
        if (Consensus.InvalidAdmitted > 0 || Convergence.InvalidInCatalog > 0)
            reasons.Add($"invalid content admitted ({Consensus.InvalidAdmitted} answered shared, {Convergence.InvalidInCatalog} found in a catalog)");
        return reasons.Count == 0
            ? "every node agrees on positions, inventories and catalog, every acknowledged write is on every node, no invalid content admitted"
            : string.Join("; ", reasons);
    }
}
