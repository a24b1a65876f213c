using System.Net;
using System.Net.Sockets;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using P2PActors.Node.Api;

namespace P2PActors.Node.Cli;

/// <summary>
/// Node processes on this machine started from this very build, shared by <c>cluster</c> and <c>simulate</c>: start
/// them, wait until the seed sees them all Up, and stop them in an order that lets each leave cleanly.
/// </summary>
internal static class LocalCluster
{
    /// <summary>A run of consecutive ports that are free right now (a small race with other programs is accepted).</summary>
    public static int FreePortRange(int count, int avoid = -1)
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
        throw new IOException("found no free range of ports on 127.0.0.1");
    }

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Starts one process per node of <paramref name="plan"/>; the caller stops them with <see cref="StopAllAsync"/>.</summary>
    public static List<NodeChild> StartAll(ClusterCommand.ClusterPlan plan, TextWriter error)
    {
        var children = new List<NodeChild>();
        try
        {
            for (var i = 0; i < plan.Nodes; i++)
                children.Add(NodeChild.Start(plan, i, error));
            return children;
        }
        catch
        {
            foreach (var child in children)
            {
                if (!child.Process.HasExited)
                    child.Process.Kill(entireProcessTree: true);
                child.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// The others first, together, while node 1 (the seed, and the leader: it has the lowest address) is still there
    /// to confirm their exit; then node 1 alone, once it has removed them. All at once, the last leader left waits for
    /// a confirmation nobody can give (CoordinatedShutdown's cluster-exiting timeout). Stopped while the others were
    /// still Exiting members in its view, node 1's own leave waited on them too: on a loaded CI machine that passed the
    /// 3 s timeout, and the stop logged it.
    /// </summary>
    public static async Task StopAllAsync(IReadOnlyList<NodeChild> children)
    {
        await Task.WhenAll(children.Skip(1).Select(c => c.StopAsync(TimeSpan.FromSeconds(30))));
        if (children.Count > 1 && !children[0].Process.HasExited)
            await WaitUntilAloneAsync(children[0], TimeSpan.FromSeconds(10));
        await Task.WhenAll(children.Take(1).Select(c => c.StopAsync(TimeSpan.FromSeconds(30))));
        foreach (var child in children)
            child.Dispose();
    }

    /// <summary>Polls the seed's <c>/api/cluster</c> until it lists every node as up; false on timeout, death or Ctrl+C.</summary>
    public static async Task<bool> WaitUntilUpAsync(ClusterCommand.ClusterPlan plan, IReadOnlyList<NodeChild> children, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(plan.HttpUrl(0)), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + plan.StartupTimeout;
        var lastSeen = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (children.FirstOrDefault(c => c.Process.HasExited) is { } dead)
            {
                await error.WriteLineAsync($"node {dead.Index + 1} exited during startup with code {dead.Process.ExitCode}; stopping the others.");
                return false;
            }
            try
            {
                var cluster = await http.GetFromJsonAsync<HealthEndpoints.ClusterHealth>("/api/cluster", ApiJsonOptions, cancellationToken);
                lastSeen = cluster?.Members.Count(m => m.Status == "up") ?? 0;
                // Up in the seed's view is membership only: a node joins before its HTTP server listens, and "all Up"
                // promises a user (and simulate's bots) that every node answers.
                if (lastSeen >= plan.Nodes && await AllAnswerAsync(plan, http, cancellationToken))
                    return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // The seed is not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                await error.WriteLineAsync($"Only {lastSeen} of {plan.Nodes} nodes were Up after {plan.StartupTimeout}; stopping them.");
                return false;
            }
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return false;
    }

    /// <summary>
    /// Polls the seed's <c>/api/cluster</c> until it lists no member but itself; gives up after
    /// <paramref name="patience"/> or when the seed has exited (it is stopped either way). A slow or failed answer is
    /// asked again: a loaded machine is when this wait matters.
    /// </summary>
    private static async Task WaitUntilAloneAsync(NodeChild seed, TimeSpan patience)
    {
        using var http = new HttpClient { BaseAddress = new Uri(seed.HttpUrl), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline && !seed.Process.HasExited)
        {
            try
            {
                var cluster = await http.GetFromJsonAsync<HealthEndpoints.ClusterHealth>("/api/cluster", ApiJsonOptions);
                if (cluster is null || cluster.Members.All(m => m.Address == cluster.SelfAddress))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // Not answering in time: ask again until the deadline.
            }
            await Task.Delay(PollInterval);
        }
    }

    private static async Task<bool> AllAnswerAsync(ClusterCommand.ClusterPlan plan, HttpClient http, CancellationToken cancellationToken)
    {
        for (var i = 1; i < plan.Nodes; i++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(plan.HttpUrl(i) + "/health"), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
        return true;
    }

    private static readonly System.Text.Json.JsonSerializerOptions ApiJsonOptions = CreateJsonOptions();

    private static System.Text.Json.JsonSerializerOptions CreateJsonOptions()
    {
        var options = new System.Text.Json.JsonSerializerOptions();
        ApiJson.Configure(options);
        return options;
    }

}

internal sealed class NodeChild : IDisposable
{
    private NodeChild(int index, Process process, string dataDirectory, string httpUrl)
    {
        Index = index;
        Process = process;
        DataDirectory = dataDirectory;
        HttpUrl = httpUrl;
        Exited = process.WaitForExitAsync();
    }

    public int Index { get; }

    public Process Process { get; }

    public string DataDirectory { get; }

    /// <summary>The node's HTTP base address, as the plan gave it.</summary>
    public string HttpUrl { get; }

    public Task Exited { get; }

    public static NodeChild Start(ClusterCommand.ClusterPlan plan, int index, TextWriter error)
    {
        var dataDirectory = Path.GetFullPath(Path.Combine(plan.DataDirectory, $"node-{index + 1}"));
        // In a session of its own (setsid execs in place, so the pid stays the node's): a terminal's Ctrl+C then
        // reaches only this command, which stops the nodes in an order that lets each leave cleanly.
        var setsid = OperatingSystem.IsLinux() ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) : null;
        // The dotnet host running this command when there is one (the SDK need not be on PATH); else the one on PATH.
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo(setsid ?? dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (setsid is not null)
            start.ArgumentList.Add(dotnet);
        // This build's own DLL: the nodes run exactly the code of the command that starts them.
        start.ArgumentList.Add(typeof(ClusterCommand).Assembly.Location);
        foreach (var argument in new[]
                 {
                     "node",
                     // The plan's addresses, whatever the environment the nodes inherit says (P2PActors__Host=0.0.0.0,
                     // a PublicHost or SystemName for another setup): the seed address below is built from them.
                     "--host", "127.0.0.1",
                     "--public-host", "127.0.0.1",
                     "--system-name", ClusterCommand.ClusterPlan.SystemName,
                     "--http-url", plan.HttpUrl(index),
                     "--port", (plan.BasePort + index).ToString(CultureInfo.InvariantCulture),
                     "--data-dir", dataDirectory,
                     "--log-level", plan.LogLevel,
                 })
            start.ArgumentList.Add(argument);
        if (!string.IsNullOrWhiteSpace(plan.RemoteTlsCertificate))
        {
            start.ArgumentList.Add("--remote-tls-certificate");
            start.ArgumentList.Add(Path.GetFullPath(plan.RemoteTlsCertificate));
        }
        if (!string.IsNullOrWhiteSpace(plan.RemoteTlsValidation))
        {
            start.ArgumentList.Add("--remote-tls-validation");
            start.ArgumentList.Add(plan.RemoteTlsValidation);
        }
        // Through the environment, not a flag: a node's flags show in ps.
        if (plan.RemoteTlsPassword is { } password)
            start.Environment["P2PActors__RemoteTlsPassword"] = password;
        foreach (var (name, value) in plan.ExtraEnvironment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        foreach (var argument in plan.ExtraArguments?.Invoke(index) ?? [])
            start.ArgumentList.Add(argument);
        // Node 1 forms the cluster: seeds inherited from the environment would send it to join another.
        start.Environment.Remove("P2PActors__SeedNodes");
        if (index > 0)
        {
            start.ArgumentList.Add("--seed-node");
            start.ArgumentList.Add(plan.SeedAddress);
        }
        var process = Process.Start(start) ?? throw new IOException("dotnet did not start");
        var prefix = $"[node-{index + 1}] ";
        process.OutputDataReceived += (_, e) => Forward(error, prefix, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(error, prefix, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeChild(index, process, dataDirectory, plan.HttpUrl(index));
    }

    private static void Forward(TextWriter error, string prefix, string? line)
    {
        if (line is null)
            return;
        try
        {
            lock (error)
                error.WriteLine(prefix + line);
        }
        catch (IOException)
        {
            // The terminal is gone (a hangup: writes fail with EIO). Thrown here, on the thread reading the node's
            // output, it would end this command while it is still stopping the nodes, and leave them running.
        }
    }

    /// <summary>SIGTERM first so the node leaves the cluster through CoordinatedShutdown; a kill if it hangs.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (Process.HasExited)
            return;
        if (OperatingSystem.IsWindows() || Kill(Process.Id, Sigterm) != 0)
            Process.Kill(entireProcessTree: true);
        try
        {
            await Exited.WaitAsync(patience);
        }
        catch (TimeoutException)
        {
            Process.Kill(entireProcessTree: true);
            await Exited;
        }
    }

    public void Dispose() => Process.Dispose();

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
