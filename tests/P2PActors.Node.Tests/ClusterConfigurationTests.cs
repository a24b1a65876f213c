using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Cli;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>Seed nodes and roles: flag beats environment beats appsettings, and a bad address stops the node before it starts.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ClusterConfigurationTests
{
    private const string SeedA = "akka.tcp://p2pactors@127.0.0.1:4053";
    private const string SeedB = "akka.tcp://p2pactors@127.0.0.1:4054";

    private static NodeOptions Resolve(Dictionary<string, string?> flags)
    {
        using var app = NodeHost.Build(flags);
        return app.Services.GetRequiredService<NodeOptions>();
    }

    [Fact]
    public void Appsettings_has_no_seed_nodes_so_a_node_forms_its_own_cluster()
    {
        var settings = ActorSystemSetup.ToSettings(Resolve([]));

        Assert.Empty(settings.SeedNodes);
        Assert.Empty(settings.Roles);
    }

    [Fact]
    public void Seed_nodes_and_roles_from_the_environment_are_replaced_whole_by_flags()
    {
        Environment.SetEnvironmentVariable("P2PActors__SeedNodes", $"{SeedA}, {SeedB}");
        Environment.SetEnvironmentVariable("P2PActors__Roles", "generator,web");
        try
        {
            var fromEnvironment = ActorSystemSetup.ToSettings(Resolve([]));
            var fromFlags = ActorSystemSetup.ToSettings(Resolve(new() { ["P2PActors:SeedNodes"] = SeedB, ["P2PActors:Roles"] = "validator" }));

            Assert.Equal([SeedA, SeedB], fromEnvironment.SeedNodes);
            Assert.Equal(["generator", "web"], fromEnvironment.Roles);
            Assert.Equal([SeedB], fromFlags.SeedNodes);
            Assert.Equal(["validator"], fromFlags.Roles);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__SeedNodes", null);
            Environment.SetEnvironmentVariable("P2PActors__Roles", null);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:4053", "is not a seed node address")]
    [InlineData("akka.tcp://p2pactors@127.0.0.1", "is not a seed node address")]
    [InlineData("akka.tcp://other@127.0.0.1:4053", "names actor system 'other'")]
    [InlineData("akka.udp://p2pactors@127.0.0.1:4053", "uses protocol 'akka.udp'")]
    public async Task A_bad_seed_node_flag_exits_with_2_and_says_what_is_wrong(string seed, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--seed-node", SeedA, "--seed-node", seed], output, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--seed-node", error.ToString());
        Assert.Contains(expected, error.ToString());
        Assert.Contains(seed, error.ToString());
    }

    [Fact]
    public async Task A_bad_role_exits_with_2()
    {
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["node", "--http-url", "http://127.0.0.1:0", "--roles", "web,bad role"], TextWriter.Null, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'bad role'", error.ToString());
    }

    [Theory]
    [InlineData("0", "--nodes")]
    [InlineData("17", "--nodes")]
    public async Task Cluster_refuses_a_node_count_outside_1_to_16(string nodes, string expected)
    {
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["cluster", "--nodes", nodes], TextWriter.Null, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(expected, error.ToString());
        Assert.Contains("between 1 and 16", error.ToString());
    }

    [Fact]
    public async Task Cluster_refuses_overlapping_port_ranges()
    {
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["cluster", "--nodes", "3", "--base-http-port", "5000", "--base-port", "5002"], TextWriter.Null, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("overlap", error.ToString());
    }

    [Fact]
    public async Task Cluster_refuses_ports_another_process_listens_on_naming_its_own_flags_and_starts_no_node()
    {
        // Another process holds the second node's remoting port (a node the user already runs, say).
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        using var error = new StringWriter();
        var data = Path.Combine(Path.GetTempPath(), "p2pactors-cluster-ports-" + Guid.NewGuid().ToString("N"));

        var exitCode = await NodeCli.RunAsync(["cluster", "--nodes", "2", "--base-port", (taken - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--base-http-port", (taken < 30000 ? taken + 1000 : taken - 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", data],
            TextWriter.Null, error);

        Assert.Equal(ExitCodes.Usage, exitCode);
        // Other ports of the plan may happen to be taken too (each its own line); this one is named in any case.
        Assert.Contains($"--base-port {taken - 1}: port {taken} (node 2's remoting) is in use", error.ToString());
        Assert.False(Directory.Exists(data), "a node was started");
    }

    [Fact]
    public async Task Cluster_refuses_a_startup_timeout_no_clock_can_reach()
    {
        // It started the nodes, then threw computing its deadline (past DateTime's end): a stack trace and exit 1.
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["cluster", "--nodes", "1", "--startup-timeout", "10675199.02:48:05"], TextWriter.Null, error)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--startup-timeout: 10675199.02:48:05 must be between 00:00:01 and 1.00:00:00", error.ToString());
    }

    [Fact]
    public async Task Cluster_whose_nodes_refuse_their_settings_exits_with_the_usage_code()
    {
        // Every node names the missing certificate and exits 2; the command said exit 1, as for a crash.
        var httpBase = NodeProcess.FreePortRange(1);
        var remotingBase = NodeProcess.FreePortRange(1, avoid: httpBase);
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"p2pactors-cluster-tls-{Guid.NewGuid():N}");
        using var error = new StringWriter();
        try
        {
            var exitCode = await NodeCli.RunAsync(["cluster", "--nodes", "1",
                    "--base-http-port", httpBase.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--base-port", remotingBase.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--data-dir", dataDirectory, "--remote-tls-certificate", "/nonexistent/remote.pfx"], TextWriter.Null, error)
                .WaitAsync(TimeSpan.FromSeconds(120));

            Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{error}");
            Assert.Contains("--remote-tls-certificate", error.ToString());
        }
        finally
        {
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
