using System.Globalization;
using P2PActors.Testing.Browser;

namespace P2PActors.Node.Tests.Browser;

/// <summary>
/// Node processes (the built DLL, as a user runs it) forming one cluster: Akka remoting on 127.0.0.1, HTTP on the
/// browser network's host address, so the page loads from an address the namespaced Chromium can reach.
/// </summary>
public sealed class PageCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private PageCluster(List<NodeProcess> nodes, List<Uri> urls)
    {
        Nodes = nodes;
        Urls = urls;
    }

    public List<NodeProcess> Nodes { get; }

    /// <summary>Each node's page, <c>http://10.213.x.y:port/</c>.</summary>
    public List<Uri> Urls { get; }

    /// <param name="nodeArgs">Settings every node gets after the harness's own (e.g. a shorter presence timeout).</param>
    public static async Task<PageCluster> StartAsync(BrowserNetwork network, int count, IReadOnlyList<string>? nodeArgs = null)
    {
        var httpBase = NodeProcess.FreePortRange(count);
        var remotingBase = NodeProcess.FreePortRange(count, avoid: httpBase);
        var nodes = new List<NodeProcess>();
        var urls = new List<Uri>();
        var seed = $"akka.tcp://p2pactors@127.0.0.1:{remotingBase.ToString(CultureInfo.InvariantCulture)}";
        var cluster = new PageCluster(nodes, urls);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var url = new Uri($"http://{network.HostAddress}:{(httpBase + i).ToString(CultureInfo.InvariantCulture)}/");
                urls.Add(url);
                var port = (remotingBase + i).ToString(CultureInfo.InvariantCulture);
                nodes.Add(NodeProcess.Start($"page-{i + 1}", dataDirectory =>
                [
                    "node", "--http-url", url.ToString().TrimEnd('/'), "--port", port, "--host", "127.0.0.1",
                    "--data-dir", dataDirectory, "--log-level", "Warning", "--decision-timeout", "3000",
                    .. i == 0 ? Array.Empty<string>() : ["--seed-node", seed],
                    .. nodeArgs ?? [],
                ]));
            }
            await cluster.WaitForMembersAsync(count);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every running node listens for HTTP and sees <paramref name="up"/> members Up (its /ws members push).</summary>
    public async Task WaitForMembersAsync(int up)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            if (node.HasExited)
                continue;
            var listening = node.LineAsync(line => line.Contains("Now listening on", StringComparison.Ordinal));
            await Task.WhenAny(listening, node.WaitForExitAsync()).WaitAsync(Patience);
            if (!listening.IsCompleted)
                throw new InvalidOperationException($"node {i + 1} exited before it listened\n{node.Output}");
            await NodeSignals.MembersUpAsync(Urls[i], up, Patience, () => node.Output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
