using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace P2PActors.Testing.Browser;

/// <summary>
/// A network namespace with a veth pair, made for one test run so that Chromium's WebRTC traffic stays inside it:
/// the host end has a private 10.213.x.y/30 address the nodes listen on, the namespace end the other address of the
/// /30 with a default route through the host end. Chromium runs inside through a wrapper script given to Playwright as
/// its executable (Playwright talks to Chromium over pipes, which <c>ip netns exec</c> passes on), so ICE gathers host
/// candidates on the namespace address only. Disposing removes the namespace, the veth pair and the wrapper, whatever
/// happened in the test. Shared by the browser tests and the benchmarks' <c>rtc-roundtrip</c> harness.
/// </summary>
public sealed class BrowserNetwork : IAsyncDisposable
{
    private readonly string _directory;

    private BrowserNetwork(string name, IPAddress host, IPAddress inside, string directory)
    {
        Name = name;
        HostAddress = host;
        NamespaceAddress = inside;
        _directory = directory;
        ChromiumWrapper = Path.Combine(directory, "chromium");
    }

    /// <summary>The namespace's name, <c>p2pt-</c> and six random hex digits; the veth ends are that plus h / n.</summary>
    public string Name { get; }

    /// <summary>The host end's address: the nodes listen here and the page loads from here.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The namespace end's address: Chromium's only address besides loopback.</summary>
    public IPAddress NamespaceAddress { get; }

    /// <summary>The executable to give Playwright: runs Debian's Chromium inside the namespace.</summary>
    public string ChromiumWrapper { get; }

    private string HostVeth => Name + "h";

    private string InsideVeth => Name + "n";

    public static async Task<BrowserNetwork> CreateAsync()
    {
        var missing = Components.MissingChromium ?? Components.MissingNetworkNamespaces;
        if (missing is not null)
            throw new InvalidOperationException(missing);
        var used = await RunAsync("-o", "-4", "addr", "show");
        for (var attempt = 0; ; attempt++)
        {
            var name = "p2pt-" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant();
            // A /30 holds exactly the two ends: .4k+1 for the host, .4k+2 inside.
            var third = Random.Shared.Next(0, 256);
            var fourth = Random.Shared.Next(0, 64) * 4;
            var host = IPAddress.Parse($"10.213.{third}.{fourth + 1}");
            var inside = IPAddress.Parse($"10.213.{third}.{fourth + 2}");
            if (used.Contains($"10.213.{third}.{fourth + 1}/", StringComparison.Ordinal) || used.Contains($"10.213.{third}.{fourth + 2}/", StringComparison.Ordinal))
            {
                if (attempt > 50)
                    throw new InvalidOperationException("no free 10.213.x.y/30 found");
                continue;
            }
            var directory = Path.Combine(Path.GetTempPath(), name);
            Directory.CreateDirectory(directory);
            var network = new BrowserNetwork(name, host, inside, directory);
            try
            {
                await network.SetUpAsync();
            }
            catch
            {
                await network.DisposeAsync();
                throw;
            }
            return network;
        }
    }

    private async Task SetUpAsync()
    {
        await RunAsync("netns", "add", Name);
        await RunAsync("link", "add", HostVeth, "type", "veth", "peer", "name", InsideVeth);
        await RunAsync("link", "set", InsideVeth, "netns", Name);
        await RunAsync("addr", "add", $"{HostAddress}/30", "dev", HostVeth);
        await RunAsync("link", "set", HostVeth, "up");
        await RunAsync("-n", Name, "addr", "add", $"{NamespaceAddress}/30", "dev", InsideVeth);
        await RunAsync("-n", Name, "link", "set", InsideVeth, "up");
        await RunAsync("-n", Name, "link", "set", "lo", "up");
        await RunAsync("-n", Name, "route", "add", "default", "via", HostAddress.ToString());

        // Chromium keeps only the last --disable-features switch and Playwright passes its own list, so the wrapper
        // merges every one it is given with ours into a single switch: mDNS candidates off, so ICE offers the
        // namespace address itself (nothing in the namespace could resolve a .local name).
        var script = $$"""
            #!/bin/sh
            # Written by P2PActors (browser tests or rtc-roundtrip benchmark): Chromium inside network namespace {{Name}}.
            features=WebRtcHideLocalIpsWithMdns
            for arg do
              shift
              case "$arg" in
                --disable-features=*) features="$features,${arg#--disable-features=}" ;;
                *) set -- "$@" "$arg" ;;
              esac
            done
            exec {{Components.IpPath}} netns exec {{Name}} {{Components.ChromiumPath}} "$@" "--disable-features=$features"
            """;
        await File.WriteAllTextAsync(ChromiumWrapper, script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows()) // namespaces exist only on Linux; the guard satisfies the platform analyzer
            File.SetUnixFileMode(ChromiumWrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting the namespace destroys its veth end, which takes the host end with it; the explicit delete covers a
        // set-up that failed before the pair moved into the namespace.
        await RunAsync(check: false, "netns", "del", Name);
        await RunAsync(check: false, "link", "del", HostVeth);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A stray temp directory holds one small script; nothing depends on it.
        }
    }

    /// <summary>The namespace's interfaces and routes, for assertions that nothing else is in there.</summary>
    public Task<string> DescribeInsideAsync() => RunAsync("-n", Name, "-o", "addr", "show");

    /// <summary>Whether the namespace still exists (after disposal it must not).</summary>
    public async Task<bool> ExistsAsync() =>
        (await RunAsync("netns", "list")).Split('\n').Any(l => l.Split(' ')[0] == Name);

    private static Task<string> RunAsync(params string[] arguments) => RunAsync(true, arguments);

    private static async Task<string> RunAsync(bool check, params string[] arguments)
    {
        var start = new ProcessStartInfo(Components.IpPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException(
                $"ip {string.Join(' ', arguments)} failed ({process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {(await error).Trim()}");
        return await output;
    }
}
