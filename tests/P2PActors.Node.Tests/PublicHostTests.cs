using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// A node in a container binds remoting to every interface and tells peers a name they can resolve (the compose
/// service name, or the container's host name for scaled nodes).
/// </summary>
public sealed class PublicHostTests
{
    [Fact]
    public async Task A_node_bound_to_every_interface_advertises_its_public_host_and_comes_up()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-public-host-" + Guid.NewGuid().ToString("N"));
        await using var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Host"] = "0.0.0.0",
            ["P2PActors:PublicHost"] = "localhost",
            ["P2PActors:Port"] = "0",
            ["P2PActors:DataDirectory"] = dataDirectory,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<ActorSystem>());
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            // Joining itself goes through the advertised address, so Up proves "localhost" reaches the 0.0.0.0 socket.
            await up.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal("localhost", cluster.SelfAddress.Host);
            Assert.NotEqual(0, cluster.SelfAddress.Port);
        }
        finally
        {
            await app.StopAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold a file a moment longer; a stray temporary directory is harmless.
            }
        }
    }

    [Fact]
    public void Without_a_public_host_a_wildcard_bind_advertises_the_machine_host_name()
    {
        var options = new NodeOptions { Host = "0.0.0.0" };

        Assert.Empty(options.Validate());
        Assert.Equal(System.Net.Dns.GetHostName(), options.AdvertisedHost);
        Assert.Equal("10.0.0.5", new NodeOptions { Host = "10.0.0.5" }.AdvertisedHost);
        Assert.Equal("node1", new NodeOptions { Host = "0.0.0.0", PublicHost = "node1" }.AdvertisedHost);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("0:0:0:0:0:0:0:0")]
    [InlineData("[0::0]")]
    [InlineData("not a host")]
    public void A_public_host_peers_cannot_connect_to_is_refused_naming_the_setting(string publicHost)
    {
        var problems = new NodeOptions { PublicHost = publicHost }.Validate();

        var problem = Assert.Single(problems);
        Assert.Contains("--public-host / P2PActors:PublicHost", problem, StringComparison.Ordinal);
    }
}
