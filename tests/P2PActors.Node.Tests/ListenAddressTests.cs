using System.Net;
using System.Net.Sockets;
using P2PActors.Node.Cli;

namespace P2PActors.Node.Tests;

/// <summary>
/// An address the node cannot listen on is a setting to fix: one line naming it and exit code 2, before the actor
/// system starts. Before, a remoting host that is not this machine's printed about 88 lines of Akka's bind traces, and an
/// HTTP port in use started the cluster, stopped it again and exited 1, as for a crash a supervisor should retry.
/// </summary>
public sealed class ListenAddressTests : IDisposable
{
    // TEST-NET-1 (RFC 5737): documentation only, never an address of this or any machine.
    private const string NotThisMachine = "192.0.2.1";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"p2pactors-listen-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
    }

    private async Task<(int ExitCode, string Error)> RunNodeAsync(params string[] flags)
    {
        using var error = new StringWriter();
        // Bounded: a node that takes the address runs until stopped.
        var exitCode = await NodeCli.RunAsync(["node", "--data-dir", _dataDirectory, .. flags], TextWriter.Null, error)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, error.ToString());
    }

    private static void AssertOneLineNaming(string setting, string expected, (int ExitCode, string Error) run)
    {
        Assert.True(run.ExitCode == ExitCodes.Usage, $"exit code {run.ExitCode}\n{run.Error}");
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.Error);
        Assert.StartsWith(setting, lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remoting_host_that_is_not_this_machines_is_named()
    {
        var run = await RunNodeAsync("--host", NotThisMachine, "--port", "0", "--http-url", "http://127.0.0.1:0");

        AssertOneLineNaming("--host / P2PActors:Host", $"'{NotThisMachine}' is not an address of this machine", run);
    }

    [Fact]
    public async Task A_remoting_host_name_that_does_not_resolve_is_named()
    {
        // Prevents: the bind failed inside the actor system, and the node stopped on about 90 lines of traces and
        // "One or more errors occurred" four times over, never naming --host. (.invalid never resolves: RFC 6761.)
        var run = await RunNodeAsync("--host", "no-such-node.invalid", "--port", "0", "--http-url", "http://127.0.0.1:0");

        AssertOneLineNaming("--host / P2PActors:Host", "'no-such-node.invalid' does not resolve to an address here", run);
    }

    [Fact]
    public async Task An_http_address_that_is_not_this_machines_is_named()
    {
        var run = await RunNodeAsync("--port", "0", "--http-url", $"http://{NotThisMachine}:0");

        AssertOneLineNaming("--http-url / P2PActors:HttpUrl", $"'{NotThisMachine}' is not an address of this machine", run);
    }

    [Fact]
    public async Task An_http_port_in_use_is_named()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await RunNodeAsync("--port", "0", "--http-url", $"http://127.0.0.1:{port}");

        AssertOneLineNaming("--http-url / P2PActors:HttpUrl", $"port {port} of 127.0.0.1 is already in use", run);
    }
}
