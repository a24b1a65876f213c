using System.Globalization;
using System.Text.Json;
using P2PActors.Node.Cli;
using P2PActors.Node.Cli.Simulate;

namespace P2PActors.Node.Tests;

/// <summary>
/// <c>simulate</c>: bad options stop it before anything starts (exit code 2), the duration and ledger rules on their
/// own, and one real run as a user runs it — the built DLL starting three node processes with thirty bots for 20 s —
/// whose report.json must show every kind of operation, convergence, nothing lost and nothing invalid admitted.
/// </summary>
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
    public async Task Bad_options_are_named_on_stderr_with_exit_code_2(string expectedInError, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(args, output, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(expectedInError, error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
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
}
