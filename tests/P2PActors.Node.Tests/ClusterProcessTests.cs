using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace P2PActors.Node.Tests;

/// <summary>
/// <c>cluster --nodes 3</c> run as a user runs it: the built DLL starts three real node processes that form one
/// cluster over real remoting; a position written over HTTP on node 1 is read back from node 3.
/// </summary>
public sealed partial class ClusterProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"^node (\d+): (http://127\.0\.0\.1:\d+)")]
    private static partial Regex NodeLine();

    [Fact]
    public async Task Cluster_command_starts_three_nodes_that_share_state_and_stops_them_on_sigterm()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-cluster-process-" + Guid.NewGuid().ToString("N"));
        var httpBase = FreePortRange(3);
        var remotingBase = FreePortRange(3, avoid: httpBase);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "P2PActors.Node.dll"), "cluster", "--nodes", "3",
                "--base-http-port", httpBase.ToString(CultureInfo.InvariantCulture),
                "--base-port", remotingBase.ToString(CultureInfo.InvariantCulture),
                "--data-dir", dataDirectory,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var addresses = new Dictionary<int, string>();
        var allUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
            {
                output.AppendLine(e.Data);
                if (NodeLine().Match(e.Data) is { Success: true } match)
                    addresses[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)] = match.Groups[2].Value;
                if (e.Data.StartsWith("All 3 nodes are Up", StringComparison.Ordinal))
                    allUp.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
                output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var childIds = new List<int>();
        try
        {
            await Task.WhenAny(allUp.Task, process.WaitForExitAsync()).WaitAsync(Patience);
            Assert.True(allUp.Task.IsCompleted, $"the cluster did not come up\n{Output()}");
            Assert.Equal([1, 2, 3], addresses.Keys.Order());
            childIds.AddRange(ChildrenOf(process.Id));
            Assert.True(childIds.Count == 3, $"expected 3 node processes, found {childIds.Count}");

            using var node1 = new HttpClient { BaseAddress = new Uri(addresses[1]) };
            using var node3 = new HttpClient { BaseAddress = new Uri(addresses[3]) };
            // The command waits on the seed's view; node 3 hears of the last Up through gossip a moment later.
            var membershipDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var cluster = await node3.GetFromJsonAsync<JsonElement>("/api/cluster");
                if (cluster.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3)
                    break;
                Assert.True(DateTime.UtcNow < membershipDeadline, $"node 3 does not see 3 members up: {cluster}");
                await Task.Delay(50);
            }

            using var put = await node1.PutAsync("/api/players/traveller/position",
                new StringContent("""{ "zone": "harbour", "x": 3.25, "y": 9 }""", Encoding.UTF8, "application/json"));
            Assert.True(put.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            JsonElement? seen = null;
            while (seen is null)
            {
                var state = await node3.GetFromJsonAsync<JsonElement>("/api/state");
                seen = state.GetProperty("online").EnumerateArray()
                    .Select(p => (JsonElement?)p)
                    .FirstOrDefault(p => p!.Value.GetProperty("playerId").GetString() == "traveller");
                if (seen is null)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"node 3 never saw the position written on node 1: {state}");
                    await Task.Delay(50);
                }
            }
            var position = seen.Value.GetProperty("position");
            Assert.Equal("harbour", position.GetProperty("zone").GetString());
            Assert.Equal(3.25, position.GetProperty("x").GetDouble());

            // Content generated and shared on node 1 is served by node 3, which fetches the body from its holder.
            using var generated = await node1.PostAsync("/api/content/quest",
                new StringContent("""{ "playerId": "traveller", "seed": 7 }""", Encoding.UTF8, "application/json"));
            var body = await generated.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
            var contentId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            // Three validators: all three must approve (threshold ⌊2·3/3⌋+1 = 3) before the content is shared. The
            // first vote between freshly started processes can outlast the 500 ms decision timeout; "undecided" (503)
            // says to try again, as a client would.
            HttpResponseMessage share;
            var attempts = 0;
            do
            {
                share = await node1.PostAsync("/api/catalog",
                    new StringContent($$"""{ "contentId": "{{contentId}}", "author": "traveller" }""", Encoding.UTF8, "application/json"));
            }
            while (share.StatusCode == HttpStatusCode.ServiceUnavailable && ++attempts < 5);
            Assert.True(share.StatusCode == HttpStatusCode.Created, await share.Content.ReadAsStringAsync());
            share.Dispose();
            var fetchDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                using var fetched = await node3.GetAsync($"/api/content/{contentId}");
                if (fetched.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Equal(body, await fetched.Content.ReadAsStringAsync());
                    break;
                }
                Assert.True(DateTime.UtcNow < fetchDeadline, $"node 3 never served content shared on node 1: {fetched.StatusCode}");
                await Task.Delay(50);
            }

            using (var preview = await node3.GetAsync($"/api/content/{contentId}/preview.png?size=64"))
            {
                Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
                Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
            }

            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                await term.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(Patience);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{Output()}");
            foreach (var child in childIds)
                Assert.False(IsRunning(child), $"node process {child} is still running after the cluster command exited");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            foreach (var child in childIds.Where(IsRunning))
                Process.GetProcessById(child).Kill(entireProcessTree: true);
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A stray temp directory is harmless.
            }
        }

        string Output()
        {
            lock (output)
                return output.ToString();
        }
    }

    /// <summary>A run of consecutive ports that are free right now (a small race with other programs is accepted).</summary>
    private static int FreePortRange(int count, int avoid = -1)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            if (avoid >= 0 && Math.Abs(first - avoid) < 2 * count)
                continue;
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, first + i);
                    listener.Start();
                    listeners.Add(listener);
                }
                return first;
            }
            catch (SocketException)
            {
                // Taken; try another range.
            }
            finally
            {
                foreach (var listener in listeners)
                    listener.Stop();
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free ports found");
    }

    /// <summary>Direct children from /proc: the node processes the cluster command started.</summary>
    private static List<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == parent)
            .ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        // A zombie (exited, not yet reaped) counts as stopped.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
