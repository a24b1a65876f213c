using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using P2PActors.Node.Cli;
using P2PActors.Node.Cli.Simulate;
using Spectre.Console;

namespace P2PActors.Node.Tests;

/// <summary>
/// <c>simulate</c>: bad options stop it before anything starts (exit code 2), the duration and ledger rules on their
/// own, and one real run as a user runs it — the built DLL starting three node processes with thirty bots for 20 s —
/// whose report.json must show every kind of operation, convergence, nothing lost and nothing invalid admitted.
/// </summary>
// Alone (no other collection in parallel): its runs start 3–4 node processes and 30 bots on the 2 cores, and beside the
// compose test they are the likely reason its restarted node missed its 2-minute catch-up in two CI runs (it passes alone).
[Collection(ChaosCli.Name)]
public sealed class SimulateCommandTests
{
    [Theory]
    [InlineData("--nodes", "simulate", "--nodes", "0")]
    [InlineData("--nodes", "simulate", "--nodes", "17")]
    [InlineData("--players", "simulate", "--players", "0")]
    [InlineData("--players", "simulate", "--players", "5001")]
    [InlineData("--duration", "simulate", "--duration", "soon")]
    [InlineData("--duration", "simulate", "--duration", "0")]
    [InlineData("--duration", "simulate", "--duration", "-5")]
    [InlineData("--settle", "simulate", "--settle", "forever")]
    [InlineData("--warmup", "simulate", "--warmup", "later")]
    [InlineData("--warmup", "simulate", "--warmup", "-1")]
    [InlineData("--warmup: 02:00:00 must be between 0 and 01:00:00", "simulate", "--warmup", "2:00:00")]
    [InlineData("--move-rate", "simulate", "--move-rate", "50")]
    [InlineData("--seed", "simulate", "--seed", "-1")]
    [InlineData("--targets", "simulate", "--targets", "not a url")]
    [InlineData("--targets", "simulate", "--targets", "http://example.com:5080")]
    [InlineData("--targets", "simulate", "--targets", "http://127.0.0.1:5081,http://127.0.0.1:5081")]
    [InlineData("--targets", "simulate", "--targets", "ftp://127.0.0.1:5081")]
    [InlineData("--nodes: not with --targets", "simulate", "--targets", "http://127.0.0.1:5081", "--nodes", "3")]
    [InlineData("--base-http-port", "simulate", "--base-http-port", "70000")]
    [InlineData("overlap", "simulate", "--base-http-port", "30000", "--base-port", "30001")]
    [InlineData("--bogus", "simulate", "--bogus")]
    [InlineData("--byzantine: 3 must be between 0 and nodes - 1 (2)", "simulate", "--nodes", "3", "--byzantine", "3")]
    [InlineData("--byzantine: 1 must be between 0 and nodes - 1 (0)", "simulate", "--nodes", "1", "--byzantine", "1")]
    [InlineData("--byzantine: -1", "simulate", "--byzantine", "-1")]
    [InlineData("--mode: unknown mode 'sneaky'", "simulate", "--byzantine", "1", "--mode", "equivocate,sneaky")]
    [InlineData("--mode: honest is not a Byzantine mode", "simulate", "--byzantine", "1", "--mode", "honest")]
    [InlineData("--mode: no mode given", "simulate", "--byzantine", "1", "--mode", ",")]
    [InlineData("--mode: only with --byzantine", "simulate", "--mode", "silent")]
    [InlineData("--byzantine: not with --targets", "simulate", "--targets", "http://127.0.0.1:5081", "--byzantine", "1", "--mode", "equivocate")]
    [InlineData("--persistence: 'mysql' is not a persistence provider", "simulate", "--persistence", "mysql")]
    [InlineData("--persistence: not with --targets", "simulate", "--targets", "http://127.0.0.1:5081", "--persistence", "sqlite")]
    [InlineData("--postgres: not with --targets", "simulate", "--targets", "http://127.0.0.1:5081", "--postgres", "Host=127.0.0.1")]
    [InlineData("--postgres: only with --persistence postgresql", "simulate", "--postgres", "Host=127.0.0.1")]
    [InlineData("--postgres: only with --persistence postgresql", "simulate", "--persistence", "sqlite", "--postgres", "Host=127.0.0.1")]
    [InlineData("has no Host; --persistence postgresql needs it", "simulate", "--persistence", "postgresql", "--postgres", "Port=5432")]
    [InlineData("--view: Argument 'bogus' not recognized", "simulate", "--view", "bogus")]
    // A DateTime past its end: the run crashed with a stack trace after starting its nodes.
    [InlineData("--startup-timeout: 10675199.02:48:05 must be between", "simulate", "--startup-timeout", "10675199.02:48:05")]
    public async Task Bad_options_are_named_on_stderr_with_exit_code_2(string expectedInError, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(args, output, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(expectedInError, error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task A_report_folder_that_is_a_file_is_refused_before_the_run()
    {
        // This test's own assembly stands for any file: a run used to play to the end, print PASS and then fail on
        // writing its report (exit 1).
        var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["simulate", "--report", typeof(SimulateCommandTests).Assembly.Location], TextWriter.Null, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--report:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("is a file; give a folder", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Without <c>--postgres</c> and without the environment variable the nodes would inherit, postgresql has nothing
    /// to connect to: refused before any node starts. In a child process whose environment empties that variable, so
    /// the outcome does not depend on the environment the tests run in.
    /// </summary>
    [Fact]
    public async Task Postgresql_without_a_connection_string_is_refused_with_exit_code_2()
    {
        await using var command = NodeProcess.Start("simulate-nopg", _ => ["simulate", "--persistence", "postgresql"],
            new Dictionary<string, string> { [SimulateOptions.PostgresEnvironmentVariable] = "" });

        var exitCode = await command.ExitCodeAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{command.Output}");
        Assert.Contains("--postgres (or P2PActors__PostgresConnectionString in the environment) is required", command.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Starting", command.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_nodes_are_byzantine_with_the_modes_round_robin_and_get_the_persistence_flag()
    {
        var options = new SimulateOptions
        {
            Nodes = 6,
            Byzantine = 3,
            Modes = [P2PActors.Cluster.Consensus.ByzantineMode.Overpowered, P2PActors.Cluster.Consensus.ByzantineMode.Silent],
            Persistence = "sqlite",
        };

        Assert.Empty(options.Validate());
        Assert.Equal(["--persistence", "sqlite"], options.NodeArguments(2));
        Assert.Equal(["--byzantine", "overpowered", "--persistence", "sqlite"], options.NodeArguments(3));
        Assert.Equal(["--byzantine", "silent", "--persistence", "sqlite"], options.NodeArguments(4));
        Assert.Equal(["--byzantine", "overpowered", "--persistence", "sqlite"], options.NodeArguments(5));
        Assert.Equal("Byzantine: node 4 overpowered, node 5 silent, node 6 overpowered", SimulateCommand.ByzantineSummary(options));
        Assert.Empty(new SimulateOptions { Nodes = 3 }.NodeArguments(2));
    }

    [Theory]
    [InlineData(SimulateView.Auto, true, false, true)]     // a terminal: the dashboard
    [InlineData(SimulateView.Auto, true, true, false)]     // > file, a pipe, CI
    [InlineData(SimulateView.Auto, false, false, false)]   // another writer (tests): lines
    [InlineData(SimulateView.Live, false, true, true)]
    [InlineData(SimulateView.Lines, true, false, false)]
    public void The_dashboard_is_drawn_in_a_terminal_or_when_asked(SimulateView view, bool outputIsConsole, bool redirected, bool live) =>
        Assert.Equal(live, LiveView.UsesLive(view, outputIsConsole, redirected));

    /// <summary>
    /// The dashboard rendered into a plain 140-column console: every figure fed in must come out in its own row, in
    /// the column its header names.
    /// </summary>
    [Fact]
    public void The_dashboard_shows_the_snapshot_figures_in_their_rows()
    {
        var snapshot = new LiveSnapshot(10.0, 20, 345, 4321, Stopping: true,
            [
                new OperationFigures("move", 2718, 3, 0, new LatencyFigures(4.2, 9.9, 31.4, 80)),
                new OperationFigures("share", 57, 0, 0, new LatencyFigures(120.5, 300, 456.7, 600)),
            ],
            new Dictionary<string, long> { ["timeout"] = 3, ["rate-limited"] = 11 },
            new ConsensusFigures(Accepted: 41, Rejected: 5, Undecided: 2, Failed: 1, InvalidAttempted: 9, InvalidRefused: 8, InvalidAdmitted: 1),
            new ReachFigures(900, 1000, new LatencyFigures(1, 2, 3.3, 4)),
            [
                new LiveNode("n1", new Uri("http://127.0.0.1:5081/"), new NodePoint(10, CpuPercent: 87.4, WorkingSetMb: 213.4, ManagedMb: 90.2, Gen0: 14, Gen1: 3, Gen2: 1, WsConnections: 10)),
                new LiveNode("n2[equivocate]", new Uri("http://127.0.0.1:5082/"), null),
            ]);
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 140;

        console.Write(LiveView.Render(snapshot));

        var text = writer.ToString();
        var lines = text.Split('\n');
        // The cells after the one reading `key` on the line that has it: that row, column by column. Cells are split at
        // the column rules and at runs of spaces (tables side by side have no rule between them).
        IReadOnlyList<string> After(string key)
        {
            var cells = lines.Select(l => Regex.Split(l, @"│|\s{2,}").Select(c => c.Trim()).Where(c => c.Length > 0).ToList()).Single(cells => cells.Contains(key));
            return cells.Skip(cells.IndexOf(key) + 1).ToList();
        }
        Assert.Equal(["count", "errors", "p50 ms", "p99 ms"], After("operation").Take(4));
        Assert.Equal(["2718", "3", "4.2", "31.4"], After("move").Take(4));
        Assert.Equal(["57", "0", "120.5", "456.7"], After("share").Take(4));
        Assert.Equal("41", After("accepted")[0]);
        Assert.Equal("5", After("rejected")[0]);
        Assert.Equal("2", After("undecided")[0]);
        Assert.Equal("9", After("invalid attempted")[0]);
        Assert.Equal("8", After("invalid refused")[0]);
        Assert.Equal("1", After("invalid admitted")[0]);
        Assert.Equal("900/1000", After("delivered / due")[0]);
        Assert.Equal("0.9", After("reach")[0]);
        Assert.Equal("3", After("timeout")[0]);
        Assert.Equal("11", After("rate-limited")[0]);
        Assert.Equal(["CPU %", "working set MB", "managed MB", "GC gen0/1/2", "ws"], After("address").Take(5));
        Assert.Equal(["127.0.0.1:5081", "87", "213", "90", "14/3/1", "10"], After("n1").Take(6));
        // Not scraped twice yet: no CPU to show, and nothing made up.
        Assert.Equal(["127.0.0.1:5082", "-", "-", "-", "-", "-"], After("n2[equivocate]").Take(6));
        Assert.Contains("10 s / 20 s", text, StringComparison.Ordinal);
        Assert.Contains("345 ops/s (average 432.1)", text, StringComparison.Ordinal);
        Assert.Contains("stopping (Ctrl+C)", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20", 20.0)]
    [InlineData("2.5", 2.5)]
    [InlineData("00:01:30", 90.0)]
    [InlineData("1:00:00", 3600.0)]
    public void Duration_is_seconds_or_hh_mm_ss(string text, double seconds)
    {
        Assert.True(SimulateOptions.TryParseDuration(text, out var duration, out var problem), problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("twenty")]
    [InlineData("")]
    [InlineData("NaN")]
    public void Duration_that_is_neither_is_refused(string text) =>
        Assert.False(SimulateOptions.TryParseDuration(text, out _, out _));

    [Fact]
    public void Ledger_expects_acknowledged_writes_and_tolerates_unanswered_ones()
    {
        var ledger = new PlayerLedger("p1", "http://127.0.0.1:1/");
        ledger.AddAcknowledged("sword");
        ledger.AddAcknowledged("shield");
        ledger.RemoveAcknowledged("sword");
        ledger.ItemUnanswered("potion");      // may or may not have been added
        ledger.MoveAcknowledged(new Position("z", 1.5, 2.5));
        ledger.MoveUnanswered(new Position("z", 2.5, 2.5));

        Assert.True(ledger.InventoryMatches(["shield"], out _, out _));
        Assert.True(ledger.InventoryMatches(["shield", "potion"], out _, out _));
        Assert.False(ledger.InventoryMatches(["shield", "sword"], out _, out var extra));
        Assert.Equal(["sword"], extra);
        Assert.False(ledger.InventoryMatches([], out var missing, out _));
        Assert.Equal(["shield"], missing);
        Assert.True(ledger.Allows(new Position("z", 1.5, 2.5)));
        Assert.True(ledger.Allows(new Position("z", 2.5, 2.5)));
        Assert.False(ledger.Allows(new Position("z", 3.5, 2.5)));
        Assert.False(ledger.Allows(null));
    }

    [Fact]
    public void The_warmup_leaves_operations_and_errors_out_of_the_figures_but_keeps_every_consensus_count()
    {
        var recorder = new SimulationRecorder();
        recorder.Completed(BotOperations.Move, TimeSpan.FromMilliseconds(900));   // a cold node's slow answer
        recorder.Failed(BotOperations.Move, "unavailable", TimeSpan.FromSeconds(5));
        recorder.Subscribed();
        recorder.Subscribed();
        recorder.MoveAcknowledged(moverSubscribed: true);
        recorder.Delivered(TimeSpan.FromMilliseconds(700));
        recorder.InvalidAttempted();
        recorder.InvalidAdmitted();                                                 // a safety figure: never dropped

        recorder.StartMeasuring();
        recorder.Completed(BotOperations.Move, TimeSpan.FromMilliseconds(4));
        recorder.Completed(BotOperations.Move, TimeSpan.FromMilliseconds(6));
        recorder.MoveAcknowledged(moverSubscribed: true);                           // still 2 subscribed: 1 due

        Assert.True(recorder.Measuring);
        var move = Assert.Single(recorder.Operations(TimeSpan.FromSeconds(1)));
        Assert.Equal(2, move.Count);
        Assert.Equal(0, move.Errors);
        Assert.InRange(move.Latency!.MaxMs, 5.9, 6.1);
        Assert.Empty(recorder.Errors);
        Assert.Equal(1, recorder.WarmupErrors["unavailable"]);
        var reach = recorder.Reach();
        Assert.Equal(0, reach.Delivered);
        Assert.Equal(1, reach.Due);
        Assert.Null(reach.Latency);
        Assert.Equal(1, recorder.Consensus.InvalidAttempted);
        Assert.Equal(1, recorder.Consensus.InvalidAdmitted);
        Assert.Equal(2, recorder.TotalCompleted);
    }

    [Theory]
    [InlineData(null, true)]                                                         // no answer: timed out or the connection dropped
    [InlineData("""{"type":"error","code":"unavailable","id":"7"}""", true)]        // the node's ask ran out; the actor may still write
    [InlineData("""{"type":"error","code":"internal","id":"7"}""", true)]
    [InlineData("""{"type":"error","code":"invalid-field","id":"7"}""", false)]     // refused: nothing was written
    [InlineData("""{"type":"error","code":"rate-limited","id":"7"}""", false)]
    [InlineData("""{"type":"inventory-added","id":"7"}""", false)]
    public void A_write_answered_unavailable_may_have_landed_and_is_not_counted_lost(string? frame, bool unknown)
    {
        JsonElement? answer = frame is null ? null : JsonDocument.Parse(frame).RootElement;
        // The bot marks such an item uncertain (the ledger test above): the 3 x 1,000 run counted an add answered
        // 'unavailable', present on every node, as a lost acknowledged write.
        Assert.Equal(unknown, Bot.OutcomeUnknown(answer));
    }

    [Fact]
    public async Task Three_nodes_thirty_players_twenty_seconds_converge_with_every_operation_and_nothing_lost()
    {
        var httpBase = NodeProcess.FreePortRange(3);
        var remotingBase = NodeProcess.FreePortRange(3, avoid: httpBase);
        string? reportDirectory = null;
        await using var command = NodeProcess.Start("simulate", dataDirectory =>
        {
            reportDirectory = Path.Combine(dataDirectory, "report");
            return
            [
                "simulate", "--nodes", "3", "--players", "30", "--duration", "20",
                "--base-http-port", httpBase.ToString(CultureInfo.InvariantCulture),
                "--base-port", remotingBase.ToString(CultureInfo.InvariantCulture),
                "--data-dir", Path.Combine(dataDirectory, "nodes"),
                "--report", reportDirectory,
            ];
        });

        var exitCode = await command.ExitCodeAsync(TimeSpan.FromSeconds(150));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{command.Output}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reportDirectory!, "report.json")));
        var root = report.RootElement;
        var counts = root.GetProperty("operations").EnumerateArray()
            .ToDictionary(o => o.GetProperty("operation").GetString()!, o => o.GetProperty("count").GetInt64());
        // Every kind the issue asks for: join, come back with the token, move, generate each content type, rate,
        // inventory add and remove, both halves of a trade, share, and share something invalid.
        foreach (var operation in new[]
                 {
                     "hello", "resume", "subscribe", "move", "generate-character", "generate-item", "generate-quest", "generate-map",
                     "generate-dialog", "rate", "inventory-add", "inventory-remove", "trade-give", "trade-take", "share", "share-invalid",
                 })
            Assert.True(counts.GetValueOrDefault(operation) > 0, $"no acknowledged {operation}: {string.Join(", ", counts)}");

        var convergence = root.GetProperty("convergence");
        Assert.True(convergence.GetProperty("converged").GetBoolean(), convergence.ToString());
        Assert.Equal(0, convergence.GetProperty("disagreements").GetInt32());
        Assert.Equal(0, convergence.GetProperty("missingWrites").GetInt32());
        Assert.Equal(0, convergence.GetProperty("invalidInCatalog").GetInt32());
        Assert.Equal(30, convergence.GetProperty("players").GetInt32());
        Assert.True(convergence.GetProperty("acknowledgedMoves").GetInt64() > 0, convergence.ToString());
        var catalogSizes = convergence.GetProperty("catalogSizes").EnumerateArray().Select(s => s.GetInt32()).ToList();
        Assert.Equal(3, catalogSizes.Count);
        Assert.True(catalogSizes.All(s => s == catalogSizes[0] && s > 1), convergence.ToString());

        var consensus = root.GetProperty("consensus");
        Assert.Equal(0, consensus.GetProperty("invalidAdmitted").GetInt64());
        Assert.True(consensus.GetProperty("accepted").GetInt64() > 0, consensus.ToString());
        Assert.True(consensus.GetProperty("invalidAttempted").GetInt64() > 0, consensus.ToString());
        Assert.Equal(consensus.GetProperty("invalidAttempted").GetInt64(), consensus.GetProperty("invalidRefused").GetInt64());

        Assert.True(root.GetProperty("reach").GetProperty("delivered").GetInt64() > 0, root.GetProperty("reach").ToString());
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.True(n.GetProperty("series").GetArrayLength() > 0, n.ToString()));

        Assert.Contains("PASS", await File.ReadAllTextAsync(Path.Combine(reportDirectory!, "report.md")), StringComparison.Ordinal);
        foreach (var chart in new[] { "ops-per-second.png", "latency.png", "node-cpu.png", "node-memory.png" })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(reportDirectory!, chart));
            Assert.True(bytes.Length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{chart} is not a PNG");
        }
        Assert.Contains("ops/s", command.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// One node of four equivocating (within f = 1): the honest three still decide every share, nothing invalid is
    /// admitted, every node converges, and the report says which node was Byzantine. The nodes are started with
    /// <c>--persistence sqlite</c> too, so the flag is seen to reach them.
    /// </summary>
    [Fact]
    public async Task Four_nodes_one_equivocating_converge_and_the_report_names_the_byzantine_node()
    {
        var httpBase = NodeProcess.FreePortRange(4);
        var remotingBase = NodeProcess.FreePortRange(4, avoid: httpBase);
        string? reportDirectory = null;
        await using var command = NodeProcess.Start("simulate-byz", dataDirectory =>
        {
            reportDirectory = Path.Combine(dataDirectory, "report");
            return
            [
                "simulate", "--nodes", "4", "--byzantine", "1", "--mode", "equivocate", "--players", "12", "--duration", "10",
                "--persistence", "sqlite",
                "--base-http-port", httpBase.ToString(CultureInfo.InvariantCulture),
                "--base-port", remotingBase.ToString(CultureInfo.InvariantCulture),
                "--data-dir", Path.Combine(dataDirectory, "nodes"),
                "--report", reportDirectory,
            ];
        });

        var exitCode = await command.ExitCodeAsync(TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{command.Output}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reportDirectory!, "report.json")));
        var root = report.RootElement;
        var convergence = root.GetProperty("convergence");
        Assert.True(convergence.GetProperty("converged").GetBoolean(), convergence.ToString());
        Assert.Equal(0, convergence.GetProperty("missingWrites").GetInt32());
        Assert.Equal(0, convergence.GetProperty("invalidInCatalog").GetInt32());
        var consensus = root.GetProperty("consensus");
        Assert.Equal(0, consensus.GetProperty("invalidAdmitted").GetInt64());
        Assert.True(consensus.GetProperty("accepted").GetInt64() > 0, consensus.ToString());

        Assert.Equal("sqlite", root.GetProperty("persistence").GetString());
        var behaviours = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("behaviour").GetString()).ToList();
        Assert.Equal(["honest", "honest", "honest", "equivocate"], behaviours);
        Assert.Contains("Byzantine nodes: node 4 (equivocate)", await File.ReadAllTextAsync(Path.Combine(reportDirectory!, "report.md")), StringComparison.Ordinal);
        Assert.Contains("n4[equivocate]", command.Output, StringComparison.Ordinal);
    }
}
