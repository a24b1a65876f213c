using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace P2PActors.Node.Tests;

/// <summary>
/// What a person reads on the console (issue 14 §3): one log format for every line, Akka's included, with Akka's
/// arguments where its messages put them, and a normal stop without an ERROR or a stack trace.
/// </summary>
public sealed partial class LogOutputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>The node's format: <c>[HH:mm:ss LVL] Source: message</c>.</summary>
    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (VRB|DBG|INF|WRN|ERR|FTL)\] \S.*: ")]
    private static partial Regex NodeFormat();

    /// <summary>Akka's own console format, which must not appear: <c>[INFO][12/03/2026 …][Thread 0007]…</c>.</summary>
    [GeneratedRegex(@"\[(DEBUG|INFO|WARNING|ERROR)\]\[")]
    private static partial Regex AkkaFormat();

    [GeneratedRegex(@"Node \[akka\.tcp://p2pactors@127\.0\.0\.1:(\d+)\] is JOINING itself \(with roles \[([^\]]*)\], version \[[0-9][^\]]*\]\)")]
    private static partial Regex JoiningItself();

    [Fact]
    public async Task A_node_writes_every_line_in_its_one_format_with_akkas_arguments_in_place_and_a_sigterm_stops_it_without_an_error()
    {
        var port = NodeProcess.FreePortRange(1);
        await using var node = NodeProcess.Start("log-format", dataDirectory =>
        [
            "node", "--http-url", "http://127.0.0.1:0", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory, "--roles", "web", "--log-level", "Information",
        ]);

        var joining = await node.LineAsync(line => line.Contains("is JOINING itself", StringComparison.Ordinal)).WaitAsync(Patience);
        await node.LineAsync(line => line.Contains("Application started", StringComparison.Ordinal)).WaitAsync(Patience);
        var exitCode = await node.StopAsync(Patience);

        var match = JoiningItself().Match(joining);
        Assert.True(match.Success, joining);
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), match.Groups[1].Value);
        Assert.Equal("web", match.Groups[2].Value);
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Output}");
        Assert.All(node.Lines, line => Assert.Matches(NodeFormat(), line));
        AssertQuiet(node.Output);
    }

    /// <summary>Whether SIGINT (signal 2, bit 1 of the mask) is ignored by this process, read from /proc (Linux).</summary>
    private static bool IgnoresSigint()
    {
        if (!File.Exists("/proc/self/status"))
            return false;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & 0b10) != 0;
    }

    [Fact]
    public async Task Ctrl_c_of_a_whole_cluster_stops_it_without_an_error_a_stack_trace_or_a_shutdown_timeout()
    {
        // A process started as a background job of a non-interactive shell ignores SIGINT, and so does every child it
        // starts: the command could never see the Ctrl+C, and the test would only time out. Say so instead.
        Assert.False(IgnoresSigint(),
            "SIGINT is ignored in this test process (the tests were started as a background job without job control, e.g. "
            + "`cmd &` in a script); the cluster command would inherit that. Run the tests in the foreground or with `set -m`.");
        var httpBase = NodeProcess.FreePortRange(3);
        var remotingBase = NodeProcess.FreePortRange(3, avoid: httpBase);
        await using var command = NodeProcess.Start("log-cluster", dataDirectory =>
        [
            "cluster", "--nodes", "3", "--log-level", "Information",
            "--base-http-port", httpBase.ToString(CultureInfo.InvariantCulture),
            "--base-port", remotingBase.ToString(CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory,
        ]);
        var allUp = command.LineAsync(line => line.StartsWith("All 3 nodes are Up", StringComparison.Ordinal));
        await Task.WhenAny(allUp, command.WaitForExitAsync()).WaitAsync(Patience);
        Assert.True(allUp.IsCompleted, $"the cluster did not come up\n{command.Output}");
        var children = command.Children();
        Assert.True(children.Count == 3, $"expected 3 node processes, found {children.Count}");

        // What a terminal's Ctrl+C delivers to the command (the nodes run in sessions of their own).
        using (var interrupt = Process.Start("kill", ["-INT", command.Id.ToString(CultureInfo.InvariantCulture)]))
            await interrupt.WaitForExitAsync();
        var exitCode = await command.ExitCodeAsync(Patience);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{command.Output}");
        Assert.All(children, pid => Assert.False(NodeProcess.IsRunning(pid), $"node process {pid} still runs"));
        Assert.Contains("Stopping the nodes...", command.Output, StringComparison.Ordinal);
        AssertQuiet(command.Output);
    }

    /// <summary>
    /// The end of a <c>chaos</c> run (issue 14 §3): the built executable runs four nodes in one process, one of them
    /// equivocating, and stops them all when the report is written. Its whole output — the report on stdout, progress
    /// and the nodes' Akka errors on stderr, the stop of every node included, since the process has exited — holds no
    /// ERROR line, no stack trace and no shutdown timeout.
    /// </summary>
    [Fact]
    public async Task The_end_of_a_chaos_run_prints_no_error_a_stack_trace_or_a_shutdown_timeout()
    {
        await using var chaos = NodeProcess.Start("log-chaos", dataDirectory =>
        [
            "chaos", "--nodes", "4", "--byzantine", "1", "--mode", "equivocate", "--items", "8", "--seed", "5",
            "--data-dir", dataDirectory,
        ]);

        var exitCode = await chaos.ExitCodeAsync(Patience);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{chaos.Output}");
        Assert.Contains("Chaos run: 4 nodes, 1 Byzantine (node 4 equivocate)", chaos.Output, StringComparison.Ordinal);
        Assert.Contains("RESULT: PASS", chaos.Output, StringComparison.Ordinal);
        // Progress goes to stderr, where the nodes' errors would: it is read, too.
        Assert.Contains("Starting 4 nodes (1 Byzantine)...", chaos.Output, StringComparison.Ordinal);
        AssertQuiet(chaos.Output);
    }

    private static void AssertQuiet(string output)
    {
        var lines = output.Split('\n');
        Assert.DoesNotContain(lines, line => line.Contains(" ERR] ", StringComparison.Ordinal) || line.Contains(" FTL] ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.Contains('(', StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("timed out", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => AkkaFormat().IsMatch(line));
    }
}
