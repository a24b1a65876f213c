using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Hosting;
using Spectre.Console;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>
/// <c>simulate --nodes 3 --players 30 --duration 20</c>: starts a local cluster (as <c>cluster</c> does) or drives
/// running nodes (<c>--targets</c>), spreads bot players over them that speak <c>/ws</c> as pages do, shows a live
/// dashboard in a terminal (or prints a line of figures per second when the output is redirected), then checks that
/// every node converged on the acknowledged writes and writes the report.
/// Exit codes: 0 pass, 3 a guarantee broke (no convergence, an acknowledged write missing, invalid content admitted),
/// 1 the run could not be carried out (nodes did not start, no zone could be shared), 2 bad options.
/// </summary>
public static class SimulateCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var defaults = new SimulateOptions();
        var nodes = new Option<int>("--nodes", "-n") { Description = $"Nodes to start on 127.0.0.1, 1 to {SimulateOptions.MaxNodes} (not with --targets)", DefaultValueFactory = _ => defaults.Nodes };
        var players = new Option<int>("--players", "-p") { Description = $"Bot players, spread round-robin over the nodes, 1 to {SimulateOptions.MaxPlayers}", DefaultValueFactory = _ => defaults.Players };
        var duration = new Option<string>("--duration", "-d") { Description = "How long the bots play: hh:mm:ss or seconds", DefaultValueFactory = _ => "20" };
        var targets = new Option<string?>("--targets") { Description = "Drive these running nodes instead of starting some: comma-separated base URLs on this machine (http://127.0.0.1:5081,...)" };
        var report = new Option<string?>("--report") { Description = "Folder to write report.json, report.md and the PNG charts to (created if need be)" };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the bots' choices (moves, content seeds, the operation mix)", DefaultValueFactory = _ => defaults.Seed };
        var warmup = new Option<string>("--warmup", "-w") { Description = "Load played before --duration and left out of the figures (not of the consensus counts or the convergence check): hh:mm:ss or seconds. Fresh nodes spend their first ~30 s of load in the JIT", DefaultValueFactory = _ => "0" };
        var settle = new Option<string>("--settle") { Description = "How long the convergence check waits for the nodes to agree after the load: hh:mm:ss or seconds", DefaultValueFactory = _ => "30" };
        var moveRate = new Option<double>("--move-rate") { Description = "Moves per second per bot (most moves are followed by one other operation)", DefaultValueFactory = _ => defaults.MoveRate };
        var baseHttpPort = new Option<int>("--base-http-port") { Description = "HTTP port of the first started node, the others follow; 0: free ports", DefaultValueFactory = _ => 0 };
        var basePort = new Option<int>("--base-port") { Description = "Remoting port of the first started node, the others follow; 0: free ports", DefaultValueFactory = _ => 0 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Parent folder of the started nodes' data; a temporary folder, deleted afterwards, when omitted" };
        var startupTimeout = new Option<TimeSpan>("--startup-timeout") { Description = "How long to wait for the started nodes to be Up, hh:mm:ss or seconds", DefaultValueFactory = _ => defaults.StartupTimeout };
        var logLevel = new Option<string>("--log-level") { Description = "Lowest log level the started nodes write (on stderr, prefixed with their name)", DefaultValueFactory = _ => defaults.LogLevel };
        logLevel.AcceptOnlyFromAmong("Verbose", "Debug", "Information", "Warning", "Error", "Fatal");
        var byzantine = new Option<int>("--byzantine", "-b") { Description = "How many of the started nodes run Byzantine (the last ones), at most nodes - 1", DefaultValueFactory = _ => 0 };
        var mode = new Option<string>("--mode", "-m")
        {
            Description = $"Byzantine behaviour, or a comma list handed out round-robin: {string.Join(", ", ChaosModes.Byzantine.Select(ByzantineModes.WireName))}",
            DefaultValueFactory = _ => "equivocate",
        };
        var persistence = new Option<string?>("--persistence") { Description = $"The started nodes' journal and snapshot store: {string.Join(" or ", PersistenceProviders.Names)} [default: the node's, sqlite]" };
        var postgres = new Option<string?>("--postgres") { Description = $"PostgreSQL connection string for --persistence postgresql (or {SimulateOptions.PostgresEnvironmentVariable} in the environment, kept out of ps)" };
        var view = new Option<string>("--view")
        {
            Description = "While the bots play: live (a dashboard redrawn each second), lines (one line of figures per second), or auto (live in a terminal, lines when the output is redirected)",
            DefaultValueFactory = _ => "auto",
        };
        view.AcceptOnlyFromAmong("auto", "live", "lines");
        var command = new Command("simulate", "Many bot players on many nodes over /ws: a live view, a report with charts, and a convergence check.")
        {
            nodes, players, duration, warmup, targets, report, seed, settle, moveRate, baseHttpPort, basePort, dataDir, startupTimeout, logLevel,
            byzantine, mode, persistence, postgres, view,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var problems = new List<string>();
            if (!SimulateOptions.TryParseDuration(parseResult.GetValue(duration), out var durationValue, out var durationProblem))
                problems.Add($"--duration: {durationProblem}");
            if (!SimulateOptions.TryParseDuration(parseResult.GetValue(warmup), out var warmupValue, out var warmupProblem))
                problems.Add($"--warmup: {warmupProblem}");
            if (!SimulateOptions.TryParseDuration(parseResult.GetValue(settle), out var settleValue, out var settleProblem))
                problems.Add($"--settle: {settleProblem}");
            var targetList = SimulateOptions.ParseTargets(parseResult.GetValue(targets), problems);
            var modes = ChaosModes.ParseList(parseResult.GetValue(mode), out var modeProblems);
            problems.AddRange(modeProblems);
            // A mode without Byzantine nodes would do nothing; say so rather than run an honest cluster silently.
            if (parseResult.GetResult(mode) is { Implicit: false } && parseResult.GetValue(byzantine) == 0)
                problems.Add("--mode: only with --byzantine K (K >= 1): it says how the Byzantine nodes misbehave");
            if (parseResult.GetResult(targets) is not null)
            {
                foreach (var option in new Option[] { nodes, baseHttpPort, basePort, dataDir, startupTimeout })
                {
                    if (parseResult.GetResult(option) is { Implicit: false })
                        problems.Add($"{option.Name}: not with --targets, which drives nodes that already run");
                }
            }
            var options = new SimulateOptions
            {
                Nodes = parseResult.GetValue(nodes),
                Players = parseResult.GetValue(players),
                Duration = durationProblem is null ? durationValue : defaults.Duration,
                Warmup = warmupProblem is null ? warmupValue : defaults.Warmup,
                Targets = targetList,
                ReportDirectory = parseResult.GetValue(report),
                Seed = parseResult.GetValue(seed),
                SettleTimeout = settleProblem is null ? settleValue : defaults.SettleTimeout,
                MoveRate = parseResult.GetValue(moveRate),
                BaseHttpPort = parseResult.GetValue(baseHttpPort),
                BasePort = parseResult.GetValue(basePort),
                DataDirectory = parseResult.GetValue(dataDir),
                StartupTimeout = parseResult.GetValue(startupTimeout),
                LogLevel = parseResult.GetValue(logLevel)!,
                Byzantine = parseResult.GetValue(byzantine),
                Modes = modeProblems.Count == 0 ? modes : defaults.Modes,
                Persistence = parseResult.GetValue(persistence),
                PostgresConnectionString = parseResult.GetValue(postgres),
                View = Enum.Parse<SimulateView>(parseResult.GetValue(view)!, ignoreCase: true),
            };
            return RunAsync(options, problems, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(SimulateOptions options, IReadOnlyList<string> parseProblems, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var problems = parseProblems.Concat(options.Validate()).ToList();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                await error.WriteLineAsync(problem);
            await error.WriteLineAsync("Run 'simulate --help' to see the options.");
            return ExitCodes.Usage;
        }

        // Ctrl+C / SIGTERM end the load early; the convergence check and the report still run (bounded by --settle).
        using var loadStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var temporaryData = options.StartsNodes && options.DataDirectory is null
            ? Path.Combine(Path.GetTempPath(), $"p2pactors-simulate-{Guid.NewGuid():N}")
            : null;
        var children = new List<NodeChild>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            IReadOnlyList<Uri> nodes;
            if (options.StartsNodes)
            {
                var httpBase = options.BaseHttpPort != 0 ? options.BaseHttpPort : LocalCluster.FreePortRange(options.Nodes);
                var remotingBase = options.BasePort != 0 ? options.BasePort : LocalCluster.FreePortRange(options.Nodes, avoid: httpBase);
                var plan = new ClusterCommand.ClusterPlan(options.Nodes, httpBase, remotingBase, options.DataDirectory ?? temporaryData!, options.StartupTimeout, options.LogLevel)
                {
                    ExtraArguments = options.NodeArguments,
                    // Through the environment, not a flag: the connection string may hold a password, and flags show in ps.
                    ExtraEnvironment = options.PostgresConnectionString is { } connectionString
                        ? new Dictionary<string, string> { [SimulateOptions.PostgresEnvironmentVariable] = connectionString }
                        : null,
                };
                if (plan.Validate() is { Count: > 0 } planProblems)
                {
                    foreach (var problem in planProblems)
                        await error.WriteLineAsync(problem);
                    return ExitCodes.Usage;
                }
                await error.WriteLineAsync($"Starting {options.Nodes} nodes (HTTP {httpBase}-{httpBase + options.Nodes - 1}, remoting {remotingBase}-{remotingBase + options.Nodes - 1}), {ByzantineSummary(options)}, persistence {options.Persistence ?? "the node's default"}...");
                children = LocalCluster.StartAll(plan, error);
                if (!await LocalCluster.WaitUntilUpAsync(plan, children, error, loadStop.Token))
                    return ExitCodes.Failure;
                nodes = Enumerable.Range(0, options.Nodes).Select(i => new Uri(plan.HttpUrl(i) + "/")).ToList();
            }
            else
            {
                nodes = options.Targets;
            }

            var zone = await ShareZoneAsync(nodes, http, options.Seed, error, loadStop.Token);
            if (zone is null)
                return ExitCodes.Failure;
            var ledger = new AckLedger();
            ledger.ShareAccepted(zone.ContentId);
            var recorder = new SimulationRecorder();
            var overpowered = nodes.Where((_, i) => options.ModeOf(i) == ByzantineMode.Overpowered).ToHashSet();
            var context = new BotContext(zone, recorder, ledger, new TradeBoard(), RequestTimeout, overpowered);
            var runTag = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 3));
            var bots = Enumerable.Range(0, options.Players)
                .Select(i => new Bot(i, $"bot{i.ToString("D4", CultureInfo.InvariantCulture)}-{runTag}", nodes[i % nodes.Count], context, options.Seed, options.Warmup + options.Duration))
                .ToList();
            var scraper = new NodeMetricsScraper(nodes, http);
            await scraper.ScrapeAsync(0, CancellationToken.None);
            var startedAt = DateTimeOffset.UtcNow;
            await error.WriteLineAsync($"{options.Players} bots on {nodes.Count} nodes for {options.Duration}{(options.Warmup > TimeSpan.Zero ? $" after a warm-up of {options.Warmup}" : "")} in zone {zone.ContentId[..12]}… (Ctrl+C ends early, the report is still written)");

            var running = Task.WhenAll(bots.Select(bot => Task.Run(() => bot.RunAsync(options.Warmup + options.Duration, options.MoveRate, loadStop.Token), CancellationToken.None)));
            var outputIsConsole = ReferenceEquals(output, Console.Out);
            if (LiveView.UsesLive(options.View, outputIsConsole, Console.IsOutputRedirected))
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(output),
                    // A terminal says what it supports; --view live onto anything else asked for the cursor movements anyway.
                    Ansi = outputIsConsole && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.Yes,
                    Interactive = InteractionSupport.Yes,
                });
                long lastAnswers = 0;
                // Not cleared at the end: the last figures stay on screen above the report. The display ends (cursor
                // shown again) when the bots are done, Ctrl+C included, before anything else is printed.
                await console.Live(LiveView.Render(LiveSnapshot.Take(recorder, scraper, options, 0, 0, stopping: false)))
                    .AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Bottom)
                    .StartAsync(async live =>
                    {
                        void Show(double at, long answers)
                        {
                            lastAnswers = answers;
                            live.UpdateTarget(LiveView.Render(LiveSnapshot.Take(recorder, scraper, options, at, answers, loadStop.IsCancellationRequested)));
                            live.Refresh();
                        }

                        await FollowLoadAsync(running, recorder, scraper, options.Warmup, (at, answers) =>
                        {
                            Show(at, answers);
                            return Task.CompletedTask;
                        });
                        Show(recorder.Elapsed.TotalSeconds, lastAnswers);
                    });
            }
            else
            {
                await FollowLoadAsync(running, recorder, scraper, options.Warmup, async (at, answers) =>
                {
                    await output.WriteLineAsync(LiveLine(at, answers, recorder, scraper, options));
                    await output.FlushAsync(CancellationToken.None);
                });
            }
            await running;
            var loadTime = recorder.Elapsed;
            await scraper.ScrapeAsync(loadTime.TotalSeconds, CancellationToken.None);
            var cancelled = loadStop.IsCancellationRequested;

            await error.WriteLineAsync($"Load stopped after {loadTime.TotalSeconds:0.0} s; checking convergence (up to {options.SettleTimeout})...");
            var convergence = await new ConvergenceCheck(nodes, http, ledger).RunAsync(options.SettleTimeout, CancellationToken.None);
            var report = BuildReport(options, startedAt, loadTime, cancelled, zone, recorder, convergence, scraper);
            await output.WriteLineAsync();
            await output.WriteLineAsync(report.ToMarkdown());
            if (options.ReportDirectory is { } directory)
            {
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(Path.Combine(directory, "report.json"), report.ToJson(), CancellationToken.None);
                await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), report.ToMarkdown(), CancellationToken.None);
                var charts = ReportCharts.Write(report, directory);
                await error.WriteLineAsync($"Report written to {Path.GetFullPath(directory)}: report.json, report.md, {string.Join(", ", charts.Select(Path.GetFileName))}");
            }
            return report.Passed ? ExitCodes.Ok : ExitCodes.GuaranteeBroken;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Simulation failed: {e.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            await LocalCluster.StopAllAsync(children);
            if (temporaryData is not null)
            {
                try
                {
                    Directory.Delete(temporaryData, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A stray temporary folder is harmless.
                }
            }
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            loadStop.Cancel();
        }
    }

    private static SimulationReport BuildReport(SimulateOptions options, DateTimeOffset startedAt, TimeSpan loadTime, bool cancelled, ZoneMap zone,
        SimulationRecorder recorder, ConvergenceFigures convergence, NodeMetricsScraper scraper)
    {
        var operations = recorder.Operations(loadTime);
        var nodes = scraper.Nodes.Select((node, i) =>
        {
            var first = scraper.First(i);
            var last = scraper.Last(i);
            var series = scraper.Series(i);
            double Delta(Func<MetricsSample, double> pick) => first is null || last is null ? double.NaN : pick(last) - pick(first);
            return new NodeReport(node.ToString(), Delta(s => s.Accepted), Delta(s => s.Rejected), Delta(s => s.Undecided),
                Delta(s => s.Gen0), Delta(s => s.Gen1), Delta(s => s.Gen2),
                series.Where(p => double.IsFinite(p.CpuPercent)).Select(p => (double?)p.CpuPercent).Max(),
                series.Where(p => double.IsFinite(p.WorkingSetMb)).Select(p => (double?)p.WorkingSetMb).Max(), series,
                options.StartsNodes ? ByzantineModes.WireName(options.ModeOf(i)) : null);
        }).ToList();
        var total = operations.Sum(o => o.Count + o.Errors);
        return new SimulationReport(startedAt, options.StartsNodes, options.Players, options.Duration.TotalSeconds, Math.Round(loadTime.TotalSeconds, 2), cancelled,
            options.Seed, zone.ContentId, total, Math.Round(total / Math.Max(loadTime.TotalSeconds, 0.001), 2), operations, recorder.Reach(), recorder.Consensus,
            recorder.Errors, recorder.RemovesNotApplied, convergence, nodes, recorder.CompletedPerSecond((int)Math.Ceiling(loadTime.TotalSeconds)),
            options.StartsNodes ? options.Persistence ?? "default" : null, recorder.Measuring ? options.Warmup.TotalSeconds : 0, recorder.WarmupErrors);
    }

    /// <summary>
    /// Until the bots are done: each second, scrapes the nodes and hands <paramref name="tick"/> the seconds elapsed and
    /// the answers of the last second.
    /// </summary>
    private static async Task FollowLoadAsync(Task running, SimulationRecorder recorder, NodeMetricsScraper scraper, TimeSpan warmup, Func<double, long, Task> tick)
    {
        long previous = 0;
        var warming = warmup > TimeSpan.Zero;
        while (await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)) != running)
        {
            if (warming && recorder.Elapsed >= warmup)
            {
                // The measured window starts here: figures and node series from now on (the recorder's clock restarts).
                warming = false;
                recorder.StartMeasuring();
                scraper.Restart();
                await scraper.ScrapeAsync(0, CancellationToken.None);
                previous = 0;
                continue;
            }
            var at = recorder.Elapsed.TotalSeconds;
            await scraper.ScrapeAsync(at, CancellationToken.None);
            var total = recorder.TotalCompleted;
            await tick(at, total - previous);
            previous = total;
        }
    }

    /// <summary>"node 4 equivocate" style, for the start line; "no Byzantine nodes" when there are none.</summary>
    internal static string ByzantineSummary(SimulateOptions options)
    {
        var byzantine = Enumerable.Range(0, options.NodeCount).Where(i => options.ModeOf(i) != ByzantineMode.Honest)
            .Select(i => $"node {i + 1} {ByzantineModes.WireName(options.ModeOf(i))}").ToList();
        return byzantine.Count == 0 ? "no Byzantine nodes" : $"Byzantine: {string.Join(", ", byzantine)}";
    }

    private static string LiveLine(double at, long answers, SimulationRecorder recorder, NodeMetricsScraper scraper, SimulateOptions options)
    {
        var line = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var consensus = recorder.Consensus;
        line.Append(c, $"[{at,5:0}s] {answers,5} ops/s  move p99 {recorder.P99Ms(BotOperations.Move) ?? 0,7:0.0} ms  share p99 {recorder.P99Ms(BotOperations.Share) ?? 0,7:0.0} ms  errors {recorder.TotalErrors}");
        line.Append(c, $"  shares acc {consensus.Accepted} rej {consensus.Rejected} und {consensus.Undecided}  invalid admitted {consensus.InvalidAdmitted}");
        for (var i = 0; i < scraper.Nodes.Count; i++)
        {
            var last = scraper.Series(i).LastOrDefault();
            var label = LiveView.NodeLabel(options, i);
            line.Append(last is null ? FormattableString.Invariant($"  {label} -") : FormattableString.Invariant($"  {label} {last.CpuPercent:0}% {last.WorkingSetMb:0}MB"));
        }
        return line.ToString();
    }

    /// <summary>
    /// Generates a map on the first node and shares it (retrying while the vote is undecided: freshly started validators
    /// may still be proving their keys), then waits until every node lists it, so every bot can move in it at once.
    /// </summary>
    private static async Task<ZoneMap?> ShareZoneAsync(IReadOnlyList<Uri> nodes, HttpClient http, long seed, TextWriter error, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        ZoneMap? zone = null;
        var lastProblem = "";
        try
        {
            while (zone is null && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    using var generated = await http.PostAsJsonAsync(new Uri(nodes[0], "/api/content/map"),
                        new { playerId = "simulate-zone", seed = seed % (1L << 53), @params = new { generator = "overworld", width = 24, height = 24 } }, ct);
                    var body = await generated.Content.ReadAsStringAsync(ct);
                    if (!generated.IsSuccessStatusCode)
                    {
                        lastProblem = $"generating the map answered {(int)generated.StatusCode}: {body}";
                    }
                    else
                    {
                        using var content = JsonDocument.Parse(body);
                        var map = ZoneMap.FromContent(content.RootElement);
                        using var shared = await http.PostAsJsonAsync(new Uri(nodes[0], "/api/catalog"), new { contentId = map.ContentId, author = "simulate-zone" }, ct);
                        // 409: shared before (a run again with the same seed, or an attempt that timed out here but
                        // landed): the map is in the catalog all the same.
                        if (shared.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.Conflict)
                            zone = map;
                        else
                            lastProblem = $"sharing the map answered {(int)shared.StatusCode}: {await shared.Content.ReadAsStringAsync(ct)}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
                {
                    lastProblem = e.Message;
                }
                if (zone is null)
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            if (zone is null)
            {
                await error.WriteLineAsync($"Could not share a map to play in: {lastProblem}");
                return null;
            }
            foreach (var node in nodes)
            {
                while (true)
                {
                    try
                    {
                        var page = await http.GetStringAsync(new Uri(node, "/api/catalog?type=map&skip=0&take=1000"), ct);
                        if (page.Contains(zone.ContentId, StringComparison.Ordinal))
                            break;
                    }
                    catch (Exception e) when (e is HttpRequestException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
                    {
                        // Ask again below.
                    }
                    if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                    {
                        await error.WriteLineAsync($"The zone map never reached {node}'s catalog.");
                        return null;
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                }
            }
            return zone;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled before the bots started.");
            return null;
        }
    }
}
