using Microsoft.AspNetCore.Builder;
using P2PActors.Node.Cli;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// <c>health</c>, the container health check: exit 0 only for a node that answers /health with 200. The process
/// environment is read (P2PActors__HttpUrl), so these run in the environment collection.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class HealthCommandTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NodeCli.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task An_up_node_is_healthy()
    {
        var (exitCode, output, error) = await RunAsync("health", "--url", node.App.Urls.Single());

        Assert.True(exitCode == ExitCodes.Ok, error);
        Assert.Contains("answered 200", output, StringComparison.Ordinal);
        Assert.Contains("1 of 1 members up", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_url_it_asks_the_configured_http_address_and_a_wildcard_host_on_loopback()
    {
        var port = new Uri(node.App.Urls.Single()).Port;
        Environment.SetEnvironmentVariable("P2PActors__HttpUrl", $"http://0.0.0.0:{port}");
        try
        {
            var (exitCode, output, error) = await RunAsync("health");

            Assert.True(exitCode == ExitCodes.Ok, error);
            Assert.Contains($"http://127.0.0.1:{port}/health answered 200", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__HttpUrl", null);
        }
    }

    [Fact]
    public async Task Without_url_it_reads_the_environments_appsettings_file_as_the_node_does()
    {
        // The file sits next to the binary, as appsettings.json does; a name of its own keeps other tests from it.
        var port = new Uri(node.App.Urls.Single()).Port;
        var environment = $"Health{Guid.NewGuid():N}";
        var file = Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json");
        await File.WriteAllTextAsync(file, $$"""{ "P2PActors": { "HttpUrl": "http://127.0.0.1:{{port}}" } }""");
        Environment.SetEnvironmentVariable("DOTNET_ENVIRONMENT", environment);
        try
        {
            var (exitCode, output, error) = await RunAsync("health");

            Assert.True(exitCode == ExitCodes.Ok, error);
            Assert.Contains($"http://127.0.0.1:{port}/health answered 200", output, StringComparison.Ordinal);

            // The same file edited into invalid JSON: named, exit 2, no stack trace (it threw before).
            await File.WriteAllTextAsync(file, """{ "P2PActors": { "HttpUrl": "http://127.0.0.1:1" "Port": 0 } }""");
            (exitCode, output, error) = await RunAsync("health");

            Assert.Equal(ExitCodes.Usage, exitCode);
            Assert.Equal("", output);
            Assert.Contains($"appsettings.{environment}.json", error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOTNET_ENVIRONMENT", null);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Nothing_listening_is_unhealthy_with_exit_code_1()
    {
        var port = NodeProcess.FreePortRange(1);

        var (exitCode, output, error) = await RunAsync("health", "--url", $"http://127.0.0.1:{port}", "--timeout", "00:00:03");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal("", output);
        Assert.Contains("unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_still_joining_is_unhealthy_with_exit_code_1()
    {
        // A seed nobody answers on: the node stays Joining, so /health says 503.
        var seedPort = NodeProcess.FreePortRange(1);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-health-" + Guid.NewGuid().ToString("N"));
        await using var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Port"] = "0",
            ["P2PActors:SeedNodes"] = $"akka.tcp://p2pactors@127.0.0.1:{seedPort}",
            ["P2PActors:DataDirectory"] = dataDirectory,
            ["Serilog:MinimumLevel:Default"] = "Error",
        });
        await app.StartAsync();
        try
        {
            var (exitCode, _, error) = await RunAsync("health", "--url", app.Urls.Single());

            Assert.Equal(ExitCodes.Failure, exitCode);
            Assert.Contains("answered 503", error, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("--url", "--url", "ftp://127.0.0.1:5080")]
    [InlineData("--url", "--url", "not a url")]
    [InlineData("port 0", "--url", "http://127.0.0.1:0")]
    [InlineData("--timeout", "--timeout", "00:00:00")]
    [InlineData("--timeout", "--timeout", "soon")]
    public async Task Bad_arguments_are_usage_errors_naming_the_flag(string expectedInError, params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(["health", .. args]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("", output);
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
    }
}
