using System.CommandLine;
using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>chaos --nodes 7 --byzantine 2 --mode equivocate --items 1000</c>: starts a whole cluster in this process, some
/// of it Byzantine, drives a seeded workload of valid and deliberately invalid content through consensus and prints
/// the report. Exits <see cref="ExitCodes.GuaranteeBroken"/> when invalid content was accepted or an honest node's
/// catalog holds an entry whose certificate or content does not check out.
/// </summary>
public static class ChaosCommand
{
    public static Command Create()
    {
        var defaults = new ChaosOptions();
        var nodes = new Option<int>("--nodes", "-n") { Description = $"Nodes to start in this process, 1 to {ChaosOptions.MaxNodes}", DefaultValueFactory = _ => defaults.Nodes };
        var byzantine = new Option<int>("--byzantine", "-b") { Description = "How many of them are Byzantine (the last ones), at most nodes - 1", DefaultValueFactory = _ => 1 };
        var mode = new Option<string>("--mode", "-m")
        {
            Description = $"Byzantine behaviour, or a comma list handed out round-robin: {string.Join(", ", ChaosModes.Byzantine.Select(ByzantineModes.WireName))}",
            DefaultValueFactory = _ => "equivocate",
        };
        var items = new Option<int>("--items", "-i") { Description = "How many proposals the workload makes", DefaultValueFactory = _ => defaults.Items };
        var warmup = new Option<int>("--warmup") { Description = "Proposals made (and shared) before the timed workload, from a workload of their own, and not counted: measures warmed-up nodes", DefaultValueFactory = _ => defaults.Warmup };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the workload; the same seed proposes the same content", DefaultValueFactory = _ => defaults.Seed };
        var invalidShare = new Option<double>("--invalid-share") { Description = "Fraction of the workload that is deliberately invalid, 0 to 1", DefaultValueFactory = _ => defaults.InvalidShare };
        var concurrency = new Option<int>("--concurrency") { Description = "Proposals in flight at once", DefaultValueFactory = _ => defaults.Concurrency };
        var decisionTimeout = new Option<int>("--decision-timeout-ms", "--decision-timeout") { Description = "A proposal without a decision after this many ms ends undecided (after a second window when it is asked again)", DefaultValueFactory = _ => (int)defaults.DecisionTimeout.TotalMilliseconds };
        var timeout = new Option<TimeSpan>("--timeout", "-t") { Description = "Bound on the whole run (start-up, workload, catalog check), hh:mm:ss or seconds", DefaultValueFactory = _ => defaults.Timeout };
        var noReAsk = new Option<bool>("--no-reask") { Description = "Do not ask silent validators again when a proposal is undecided at the timeout (measures the re-ask)" };
        var shareBatchWait = new Option<int>("--share-batch-wait") { Description = "Milliseconds a share waits before it is pushed to the peers, so the shares of that moment travel together, 0 to 100", DefaultValueFactory = _ => (int)defaults.ShareBatchWait.TotalMilliseconds };
        var noShare = new Option<bool>("--no-share") { Description = "Decide only: do not share accepted content into the catalog (measures consensus alone; the catalog check then finds nothing)" };
        var sybils = new Option<int>("--sybils") { Description = "Extra members an attacker adds beyond --nodes; they vote but do not propose", DefaultValueFactory = _ => 0 };
        var sybilMode = new Option<string>("--sybil-mode")
        {
            Description = $"How the Sybils vote: {string.Join(", ", ChaosModes.Byzantine.Select(ByzantineModes.WireName))}",
            DefaultValueFactory = _ => ByzantineModes.WireName(defaults.SybilMode),
        };
        var closed = new Option<bool>("--closed") { Description = "Closed validator membership: only the --nodes nodes' keys (made before they start) are listed, so Sybils get no vote" };
        var remoteTls = new Option<bool>("--remote-tls") { Description = "Remoting over TLS between the nodes (mutual, pinned to one self-signed certificate made for the run), as a cluster with --remote-tls-certificate runs; plain TCP without" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the nodes keep their data; a temporary folder, deleted afterwards, when omitted" };
        var command = new Command("chaos", "Run a cluster with Byzantine peers in this process, drive valid and invalid content through consensus, print what happened.")
        {
            nodes, byzantine, mode, items, warmup, seed, invalidShare, concurrency, decisionTimeout, noReAsk, timeout, noShare, shareBatchWait, sybils, sybilMode, closed, remoteTls, dataDir,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var modes = ChaosModes.ParseList(parseResult.GetValue(mode), out var modeProblems);
            var sybilModes = ChaosModes.ParseList(parseResult.GetValue(sybilMode), out var sybilModeProblems);
            var problems = modeProblems.Concat(sybilModeProblems.Select(p => p.Replace("--mode", "--sybil-mode", StringComparison.Ordinal))).ToList();
            if (sybilModes.Count > 1)
                problems.Add("--sybil-mode: one mode, not a list: every Sybil behaves the same");
            var options = new ChaosOptions
            {
                Nodes = parseResult.GetValue(nodes),
                Byzantine = parseResult.GetValue(byzantine),
                Modes = modes,
                Items = parseResult.GetValue(items),
                Warmup = parseResult.GetValue(warmup),
                Seed = parseResult.GetValue(seed),
                InvalidShare = parseResult.GetValue(invalidShare),
                Concurrency = parseResult.GetValue(concurrency),
                DecisionTimeout = TimeSpan.FromMilliseconds(parseResult.GetValue(decisionTimeout)),
                Timeout = parseResult.GetValue(timeout),
                DataDirectory = parseResult.GetValue(dataDir),
                ShareAccepted = !parseResult.GetValue(noShare),
                ReAsk = !parseResult.GetValue(noReAsk),
                ShareBatchWait = TimeSpan.FromMilliseconds(parseResult.GetValue(shareBatchWait)),
                Sybils = parseResult.GetValue(sybils),
                SybilMode = sybilModes.Count > 0 ? sybilModes[0] : defaults.SybilMode,
                Closed = parseResult.GetValue(closed),
                RemoteTls = parseResult.GetValue(remoteTls),
                ConfigureLoggers = ErrorsOnStandardError(),
            };
            return RunAsync(options, problems, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(ChaosOptions options, IReadOnlyList<string> modeProblems, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Mode problems replace the option's own complaint about an empty list; the rest are the options' checks.
        var problems = modeProblems.Concat(options.Validate().Where(p => modeProblems.Count == 0 || !p.StartsWith("--mode", StringComparison.Ordinal))).ToList();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                await error.WriteLineAsync(problem);
            await error.WriteLineAsync("Run 'chaos --help' to see the options.");
            return ExitCodes.Usage;
        }

        ChaosReport report;
        try
        {
            report = await ChaosHarness.RunAsync(options, new SynchronousProgress(error), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Chaos run cancelled.");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is TimeoutException or IOException or OperationCanceledException)
        {
            await error.WriteLineAsync($"Chaos run failed: {e.Message}");
            return ExitCodes.Failure;
        }
        await output.WriteLineAsync(report.ToTable());
        return report.Passed ? ExitCodes.Ok : ExitCodes.GuaranteeBroken;
    }

    /// <summary>
    /// The nodes' Akka errors in the node's one log format, on stderr: the report owns stdout, and a chaos run is judged
    /// by its report, so only errors are worth a line.
    /// </summary>
    private static Action<Akka.Hosting.LoggerConfigBuilder> ErrorsOnStandardError()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Error" })
            .Build();
        var logger = Hosting.NodeLogging.Create(configuration, toStandardError: true);
        Serilog.Log.Logger = logger;
        return loggers => Hosting.NodeLogging.ConfigureAkka(loggers, logger);
    }

    /// <summary>Progress lines straight to stderr, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(TextWriter error) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (error)
                error.WriteLine(value);
        }
    }
}
