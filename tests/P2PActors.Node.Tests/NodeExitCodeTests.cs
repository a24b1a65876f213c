using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using P2PActors.Node.Cli;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// The node's exit code decides whether a supervisor restarts it (docker-compose's restart: on-failure): a stop that
/// was asked for is 0, a node the cluster downed is 1 so that a fresh incarnation rejoins.
/// </summary>
public sealed class NodeExitCodeTests
{
    private static async Task<(WebApplication App, ActorSystem System, string DataDirectory)> StartAsync()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-exit-" + Guid.NewGuid().ToString("N"));
        var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Port"] = "0",
            ["P2PActors:DataDirectory"] = dataDirectory,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        var system = app.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (app, system, dataDirectory);
    }

    private static void Delete(string dataDirectory)
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold a file a moment longer; a stray temporary directory is harmless.
        }
    }

    [Fact]
    public async Task A_node_the_cluster_downs_stops_and_exits_with_1()
    {
        var (app, system, dataDirectory) = await StartAsync();
        await using (app)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);

            cluster.Down(cluster.SelfAddress);
            // What app.RunAsync does after start: the host stops once the downed actor system asks it to.
            await app.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(60));
            using var error = new StringWriter();
            var exitCode = await NodeCommand.ExitCodeAfterRunAsync(system, error);

            Assert.Equal(ExitCodes.Failure, exitCode);
            Assert.Contains("downed", error.ToString(), StringComparison.Ordinal);
        }
        Delete(dataDirectory);
    }

    [Fact]
    public async Task A_node_stopped_on_purpose_exits_with_0()
    {
        var (app, system, dataDirectory) = await StartAsync();
        await using (app)
        {
            await app.StopAsync();
            using var error = new StringWriter();
            var exitCode = await NodeCommand.ExitCodeAfterRunAsync(system, error);

            Assert.Equal(ExitCodes.Ok, exitCode);
            Assert.Equal("", error.ToString());
        }
        Delete(dataDirectory);
    }
}
