using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace P2PActors.Benchmarks;

/// <summary>
/// N node processes started from the built DLL on 127.0.0.1 (node 1 is the seed, as the <c>cluster</c> command does),
/// each with a data folder of its own under the temp folder; disposing stops them with SIGTERM (a kill if one hangs)
/// and deletes the folders. Harnesses read each node's CPU and memory from /proc.
/// </summary>
internal sealed class BenchNodes : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"p2pactors-bench-{Guid.NewGuid():N}");

    public IReadOnlyList<Uri> HttpUrls { get; private set; } = [];

    public IReadOnlyList<Process> Processes => _processes;

    /// <summary>The node DLL next to this repository's build unless <c>--node-dll</c> names another.</summary>
    public static string NodeDll(string[] args)
    {
        var fallback = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory,
            "../../../../../src/P2PActors.Node/bin/Release/net10.0/P2PActors.Node.dll"));
        return Path.GetFullPath(HarnessProbe.StringOption(args, "--node-dll", fallback));
    }

    public static Task<BenchNodes> StartAsync(string nodeDll, int count, CancellationToken ct, params string[] nodeArguments) =>
        StartAsync(nodeDll, count, IPAddress.Loopback, ct, nodeArguments);

    /// <summary>
    /// As above with HTTP (the page and <c>/ws</c>) on <paramref name="httpHost"/>, e.g. the host end of a browser
    /// network namespace, so a Chromium inside it can load the page; Akka remoting stays on 127.0.0.1.
    /// </summary>
    public static async Task<BenchNodes> StartAsync(string nodeDll, int count, IPAddress httpHost, CancellationToken ct, params string[] nodeArguments)
    {
        var nodes = new BenchNodes();
        try
        {
            var ports = FreePorts(2 * count);
            var urls = new List<Uri>();
            var seed = $"akka.tcp://p2pactors@127.0.0.1:{ports[count]}";
            for (var i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                var url = $"http://{httpHost}:{ports[i]}";
                urls.Add(new Uri(url));
                foreach (var argument in new[]
                         {
                             nodeDll, "node", "--http-url", url, "--port", ports[count + i].ToString(CultureInfo.InvariantCulture),
                             "--data-dir", Path.Combine(nodes._root, $"node-{i + 1}"), "--log-level", "Warning",
                         })
                    start.ArgumentList.Add(argument);
                foreach (var argument in nodeArguments)
                    start.ArgumentList.Add(argument);
                if (i > 0)
                {
                    start.ArgumentList.Add("--seed-node");
                    start.ArgumentList.Add(seed);
                }
                var process = Process.Start(start) ?? throw new IOException("dotnet did not start");
                var prefix = $"[node-{i + 1}] ";
                // Warnings and errors of the nodes go to stderr with their name, so a failing run says why.
                process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine(prefix + line); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(prefix + line); };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                nodes._processes.Add(process);
            }
            nodes.HttpUrls = urls;
            await nodes.WaitUntilUpAsync(ct);
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Until every node's <c>/api/cluster</c> lists every node as up.</summary>
    private async Task WaitUntilUpAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var url in HttpUrls)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
                    throw new InvalidOperationException($"a node process exited during startup with code {dead.ExitCode}");
                try
                {
                    var cluster = await http.GetFromJsonElementAsync(new Uri(url, "/api/cluster"), ct);
                    if (cluster.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") >= _processes.Count)
                        break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
                {
                    // Not listening yet.
                }
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>User + system CPU seconds of a node process so far, from /proc/PID/stat.</summary>
    public static double CpuSeconds(Process process)
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident and peak resident memory in MiB, from /proc/PID/status.</summary>
    public static (double Rss, double Peak) Memory(Process process)
    {
        double Read(string key) => File.ReadLines($"/proc/{process.Id}/status")
            .Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0)
            .FirstOrDefault();
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }
        foreach (var process in _processes)
        {
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // No node got as far as creating its folder.
        }
    }
}

internal static class HttpJson
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient http, Uri uri, CancellationToken ct)
    {
        using var response = await http.GetAsync(uri, ct);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
    }
}
