using System.Diagnostics;
using System.Net.Sockets;

namespace P2PActors.Testing;

/// <summary>
/// The component rule of DEVELOPERS.md for tests that need Chromium, PostgreSQL or Docker: where the component is
/// missing the test reports itself skipped with a one-line reason, except with <c>CI=true</c>, where it runs and so
/// fails. The attributes (ComponentFacts.cs) decide at discovery; each probe runs once per test process.
/// </summary>
public static class Components
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Connection string of the test database (.ci/run sets it after starting PostgreSQL).</summary>
    public const string PostgresVariable = "P2P_TEST_POSTGRES";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } s ? s : null;

    private static readonly Lazy<string?> MissingPostgresReason = new(ProbePostgres);
    private static readonly Lazy<string?> MissingDockerReason = new(ProbeDocker);

    /// <summary>Why PostgreSQL cannot be used, or null when it can.</summary>
    public static string? MissingPostgres => MissingPostgresReason.Value;

    /// <summary>Why Chromium cannot be used, or null when it can.</summary>
    public static string? MissingChromium => File.Exists(ChromiumPath) ? null : $"Chromium is not installed at {ChromiumPath} (apt-get install chromium)";

    /// <summary>
    /// Why the browser tests cannot make their own network namespace (they run Chromium inside one so that WebRTC
    /// traffic stays inside the test run), or null when they can: it takes root and iproute2's <c>ip netns</c>.
    /// </summary>
    public static string? MissingNetworkNamespaces =>
        !File.Exists(IpPath) ? $"iproute2 is not installed at {IpPath} (apt-get install iproute2); the browser tests run Chromium in a network namespace"
        : !IsRoot() ? "the browser tests create a network namespace for Chromium, which needs root"
        : null;

    public const string IpPath = "/usr/sbin/ip";

    private static bool IsRoot()
    {
        // "Uid:\treal\teffective\t..." — the effective uid decides whether ip netns may create namespaces.
        var uid = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uid?.Split('\t', StringSplitOptions.RemoveEmptyEntries) is [_, _, "0", ..];
    }

    /// <summary>The default node's ports, which the documented examples talk to (HTTP, remoting).</summary>
    public static readonly int[] DefaultNodePorts = [5080, 4053];

    /// <summary>
    /// Why the documented shell examples cannot run here, or null when they can: they need bash, curl and jq, and run
    /// next to a default node of their own, so the default ports must be free (the README's node, left running in
    /// another terminal, holds them).
    /// </summary>
    public static string? MissingExampleTools
    {
        get
        {
            var tools = new[] { "bash", "curl", "jq" }.Where(tool => !OnPath(tool)).ToList();
            if (tools.Count > 0)
                return $"the documented examples need {string.Join(", ", tools)} on PATH (apt-get install {string.Join(' ', tools)})";
            var busy = DefaultNodePorts.Where(port => !IsFree(port)).ToList();
            return busy.Count > 0
                ? $"the documented examples start a default node, but 127.0.0.1:{string.Join(" and :", busy)} is in use (a node already running?)"
                : null;
        }
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));

    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Why Docker cannot be used, or null when it can.</summary>
    public static string? MissingDocker => MissingDockerReason.Value;

    /// <summary>The skip reason for a test needing a component that is <paramref name="missing"/>: none in CI, where it must fail.</summary>
    public static string? SkipUnlessCi(string? missing) => missing is null || InCi ? null : missing + "; skipped (CI=true makes this a failure)";

    private static string? ProbePostgres()
    {
        if (PostgresConnectionString is not { } connection)
            return $"{PostgresVariable} is not set (a PostgreSQL connection string; .ci/run sets it)";
        var host = "localhost";
        var port = 5432;
        foreach (var part in connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2)
                continue;
            if (pair[0].Equals("Host", StringComparison.OrdinalIgnoreCase) || pair[0].Equals("Server", StringComparison.OrdinalIgnoreCase))
                host = pair[1];
            else if (pair[0].Equals("Port", StringComparison.OrdinalIgnoreCase) && int.TryParse(pair[1], out var p))
                port = p;
        }
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(3)) ? null : $"PostgreSQL at {host}:{port} did not answer";
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return $"PostgreSQL at {host}:{port} is not reachable ({e.GetBaseException().Message})";
        }
    }

    private static string? ProbeDocker()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!docker.WaitForExit(15_000))
            {
                docker.Kill(entireProcessTree: true);
                return "docker info did not answer within 15 s";
            }
            if (docker.ExitCode != 0)
                return "no Docker engine answers (docker info failed: " + docker.StandardError.ReadToEnd().Trim().Split('\n')[0] + ")";
            return Process.Start(new ProcessStartInfo("docker-compose", "version --short") { RedirectStandardOutput = true }) is { } compose
                   && compose.WaitForExit(15_000) && compose.ExitCode == 0
                ? null
                : "docker-compose is not installed (apt-get install docker-compose)";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "docker is not installed (apt-get install docker.io docker-compose)";
        }
    }
}
