using System.Diagnostics;
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
        var dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-node-process-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "P2PActors.Node.dll"), "node",
                "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory,
                "--cache-capacity", "5", "--passivation-idle", "00:00:30", "--request-timeout", "00:01:00", "--log-level", "Information",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
                listening.TrySetResult(match.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
                output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var baseAddress = await listening.Task.WaitAsync(Patience);
            using var http = new HttpClient { BaseAddress = new Uri(baseAddress) };
            using var response = await http.PostAsync("/api/content/item",
                new StringContent("""{ "playerId": "proc", "seed": 99, "params": { "rarity": "epic" } }""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var cliOut = new StringWriter();
            Assert.Equal(0, await Cli.NodeCli.RunAsync(["generate", "item", "--seed", "99", "-p", "rarity=epic"], cliOut, TextWriter.Null));
            Assert.Equal(cliOut.ToString().Trim(), body);

            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await term.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(Patience);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{output}");
            Assert.True(Directory.Exists(dataDirectory), "--data-dir holds the node's SQLite files");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A stray temp directory is harmless.
            }
        }
    }
}
