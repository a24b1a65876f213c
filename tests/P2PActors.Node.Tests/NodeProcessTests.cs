using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace P2PActors.Node.Tests;

/// <summary>
/// The built executable, started the way a user starts it (<c>dotnet P2PActors.Node.dll</c> plus flags): proves
/// that flags reach the node, that it serves, and that SIGTERM shuts it down cleanly with exit code 0.
/// </summary>
public sealed partial class NodeProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [Fact]
    public async Task The_executable_serves_with_its_flags_and_stops_cleanly_on_sigterm()
    {
        await using var node = NodeProcess.Start("node-process", dataDirectory =>
        [
            "node",
            "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory,
            "--cache-capacity", "5", "--passivation-idle", "00:00:30", "--request-timeout", "00:01:00", "--log-level", "Information",
        ]);

        var listening = await node.LineAsync(line => ListeningOn().IsMatch(line)).WaitAsync(Patience);
        using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(listening).Groups[1].Value) };
        using var response = await http.PostAsync("/api/content/item",
            new StringContent("""{ "playerId": "proc", "seed": 99, "params": { "rarity": "epic" } }""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var cliOut = new StringWriter();
        Assert.Equal(0, await Cli.NodeCli.RunAsync(["generate", "item", "--seed", "99", "-p", "rarity=epic"], cliOut, TextWriter.Null));
        Assert.Equal(cliOut.ToString().Trim(), body);

        var exitCode = await node.StopAsync(Patience);
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Output}");
        Assert.True(Directory.Exists(node.DataDirectory), "--data-dir holds the node's SQLite files");
    }
}
