using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
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

    public static async Task<PageCluster> StartAsync(BrowserNetwork network, int count)
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

    /// <summary>Waits until every running node sees <paramref name="up"/> members Up.</summary>
    public async Task WaitForMembersAsync(int up)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + Patience;
        for (var i = 0; i < Nodes.Count; i++)
        {
            if (Nodes[i].HasExited)
                continue;
            while (true)
            {
                try
                {
                    var cluster = await http.GetFromJsonAsync<JsonElement>(new Uri(Urls[i], "/api/cluster"));
                    if (cluster.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") >= up)
                        break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }
                if (Nodes[i].HasExited || DateTime.UtcNow > deadline)
                    throw new TimeoutException($"node {i + 1} did not see {up} members up\n{Nodes[i].Output}");
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
