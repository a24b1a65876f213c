using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using P2PActors.Testing;

namespace P2PActors.Node.Tests;

/// <summary>
/// Two node processes of the built executable, given the same run-time certificate, form one cluster over TLS
/// remoting: both see two members Up at <c>akka.ssl.tcp://</c> addresses. The second runs with validation <c>none</c>
/// and says so at start-up.
/// </summary>
public sealed partial class RemoteTlsProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [Fact]
    public async Task Two_nodes_with_one_certificate_form_a_cluster_over_akka_ssl_tcp()
    {
        using var certificate = TestCertificate.Create();
        var ports = NodeProcess.FreePortRange(2);
        var seed = $"akka.ssl.tcp://p2pactors@127.0.0.1:{ports.ToString(CultureInfo.InvariantCulture)}";
        string[] Tls(string validation) =>
        [
            "--remote-tls-certificate", certificate.PfxPath, "--remote-tls-password", TestCertificate.Password,
            "--remote-tls-validation", validation, "--seed-node", seed, "--log-level", "Information",
        ];
        await using var first = NodeProcess.Start("tls-1", dataDirectory =>
        [
            "node", "--http-url", "http://127.0.0.1:0", "--port", ports.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory,
            .. Tls("pinned"),
        ]);
        await using var second = NodeProcess.Start("tls-2", dataDirectory =>
        [
            "node", "--http-url", "http://127.0.0.1:0", "--port", (ports + 1).ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory,
            .. Tls("none"),
        ]);

        var urls = new List<string>();
        foreach (var node in new[] { first, second })
        {
            var listening = node.LineAsync(line => ListeningOn().IsMatch(line));
            await Task.WhenAny(listening, node.WaitForExitAsync()).WaitAsync(Patience);
            Assert.True(listening.IsCompleted, $"the node did not start\n{node.Output}");
            urls.Add(ListeningOn().Match(await listening).Groups[1].Value);
        }

        foreach (var url in urls)
        {
            string Outputs() => $"--- node 1\n{first.Output}\n--- node 2\n{second.Output}";
            // Either node exiting ends the wait at once: the one watched closes its WebSocket, the other would only
            // be noticed after the patience.
            var up = NodeSignals.MembersUpAsync(new Uri(url), 2, Patience, Outputs);
            await Task.WhenAny(up, first.WaitForExitAsync(), second.WaitForExitAsync());
            Assert.True(up.IsCompleted, $"a node exited before {url} saw two members up\n{Outputs()}");
            var members = await up;
            Assert.All(NodeSignals.UpAddresses(members),
                address => Assert.StartsWith("akka.ssl.tcp://p2pactors@127.0.0.1:", address, StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            var health = await http.GetFromJsonAsync<JsonElement>("/health");
            Assert.StartsWith("akka.ssl.tcp://", health.GetProperty("cluster").GetProperty("selfAddress").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains(second.Lines, line => line.Contains("--remote-tls-validation none", StringComparison.Ordinal));
        Assert.DoesNotContain(first.Lines, line => line.Contains("--remote-tls-validation none", StringComparison.Ordinal));
        Assert.Equal(0, await second.StopAsync(Patience));
        Assert.Equal(0, await first.StopAsync(Patience));
    }

    [Fact]
    public async Task Cluster_command_passes_the_certificate_to_its_nodes_and_seeds_them_over_akka_ssl_tcp()
    {
        using var certificate = TestCertificate.Create();
        var httpBase = NodeProcess.FreePortRange(2);
        var remotingBase = NodeProcess.FreePortRange(2, avoid: httpBase);
        await using var command = NodeProcess.Start("tls-cluster", dataDirectory =>
        [
            "cluster", "--nodes", "2",
            "--base-http-port", httpBase.ToString(CultureInfo.InvariantCulture),
            "--base-port", remotingBase.ToString(CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory,
            "--remote-tls-certificate", certificate.PfxPath, "--remote-tls-password", TestCertificate.Password,
        ]);
        var childIds = new List<int>();
        try
        {
            var allUp = command.LineAsync(line => line.StartsWith("All 2 nodes are Up", StringComparison.Ordinal));
            await Task.WhenAny(allUp, command.WaitForExitAsync()).WaitAsync(Patience);
            Assert.True(allUp.IsCompleted, $"the TLS cluster did not come up\n{command.Output}");
            childIds.AddRange(command.Children());
            Assert.Contains(command.Lines, line => line.Contains(
                $"akka.ssl.tcp://p2pactors@127.0.0.1:{(remotingBase + 1).ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal));

            var exitCode = await command.StopAsync(Patience);
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{command.Output}");
        }
        finally
        {
            foreach (var child in childIds.Where(NodeProcess.IsRunning))
                Process.GetProcessById(child).Kill(entireProcessTree: true);
        }
    }
}
