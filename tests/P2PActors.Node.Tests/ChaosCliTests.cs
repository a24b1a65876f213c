using P2PActors.Node.Cli;

namespace P2PActors.Node.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCli
{
    public const string Name = "chaos-cli";
}

/// <summary>The <c>chaos</c> command end to end, in this process: real nodes, real remoting on 127.0.0.1.</summary>
[Collection(ChaosCli.Name)]
public sealed class ChaosCliTests
{
    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NodeCli.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Chaos_with_one_equivocating_node_of_four_prints_a_passing_report_and_exits_0()
    {
        var (exitCode, output, error) = await RunAsync("chaos", "--nodes", "4", "--byzantine", "1", "--mode", "equivocate", "--items", "20", "--seed", "5");

        Assert.True(exitCode == ExitCodes.Ok, output + error);
        Assert.Contains("Chaos run: 4 nodes, 1 Byzantine (node 4 equivocate)", output, StringComparison.Ordinal);
        Assert.Matches(@"INVALID ACCEPTED\s+0\s", output);
        Assert.Matches(@"invalid rejected\s+10 / 10", output);
        Assert.Matches(@"valid accepted\s+10 / 10", output);
        Assert.Contains("validators flagged: node 4 (equivocate)", output, StringComparison.Ordinal);
        Assert.Contains("RESULT: PASS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chaos_with_remote_tls_runs_its_nodes_over_tls_and_says_so()
    {
        var (exitCode, output, error) = await RunAsync("chaos", "--nodes", "4", "--byzantine", "1", "--mode", "tamper-headers", "--items", "12", "--remote-tls");

        Assert.True(exitCode == ExitCodes.Ok, output + error);
        Assert.Matches(@"remoting\s+TLS \(akka\.ssl\.tcp;", output);
        Assert.Contains("RESULT: PASS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chaos_where_the_Byzantine_nodes_are_a_quorum_reports_invalid_content_accepted_and_exits_3()
    {
        var (exitCode, output, error) = await RunAsync("chaos", "-n", "4", "-b", "3", "-m", "approve-all", "-i", "12", "--invalid-share", "1");

        Assert.True(exitCode == ExitCodes.GuaranteeBroken, output + error);
        Assert.Contains("EXCEEDS f", output, StringComparison.Ordinal);
        Assert.Matches(@"INVALID ACCEPTED\s+[1-9]", output);
        Assert.Contains("RESULT: FAIL", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--byzantine: 4 must leave at least one honest node", "--nodes", "4", "--byzantine", "4")]
    [InlineData("--byzantine: -1 must not be negative", "--byzantine", "-1")]
    [InlineData("--mode: unknown mode 'evil'", "--mode", "equivocate,evil")]
    [InlineData("--mode: 'honest' is not a Byzantine mode", "--mode", "honest")]
    [InlineData("--nodes: 17 must be between 1 and 16", "--nodes", "17")]
    [InlineData("--items: 0 must be between 1", "--items", "0")]
    [InlineData("--warmup: -1 must be between 0", "--warmup", "-1")]
    [InlineData("--invalid-share: 1.5 must be between 0 and 1", "--invalid-share", "1.5")]
    [InlineData("--timeout", "--timeout", "soon")]
    // Past about 49 days the run's cancellation timer threw (a stack trace, exit 1).
    [InlineData("--timeout: 100.00:00:00 must be between 00:00:05 and 1.00:00:00", "--timeout", "100.00:00:00")]
    [InlineData("--decision-timeout-ms: 0 ms", "--decision-timeout-ms", "0")]
    // node's spelling of the same flag is taken too.
    [InlineData("--decision-timeout-ms: 0 ms", "--decision-timeout", "0")]
    [InlineData("--share-batch-wait: 101 ms must be between 0 and 100 ms", "--share-batch-wait", "101")]
    [InlineData("--sybils: -1 must not be negative", "--sybils", "-1")]
    // An unhandled ArgumentException from Path.GetFullPath, with its stack trace, before.
    [InlineData("--data-dir: '' is not a folder path", "--data-dir", "")]
    [InlineData("--sybils: 4 nodes and 13 Sybils make 17; at most 16", "--nodes", "4", "--sybils", "13")]
    [InlineData("--sybil-mode: unknown mode 'evil'", "--sybil-mode", "evil")]
    [InlineData("--sybil-mode: 'honest' is not a Byzantine mode", "--sybil-mode", "honest")]
    [InlineData("--sybil-mode: one mode, not a list", "--sybil-mode", "approve-all,reject-all")]
    public async Task Chaos_refuses_bad_flags_with_exit_code_2_before_starting_anything(string expectedInError, params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(["chaos", .. args]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("", output);
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Starting", error, StringComparison.Ordinal);
    }
}
