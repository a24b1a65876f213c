using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P2PActors.Node.Tests;

/// <summary>
/// The built executable run as a user runs it (<c>dotnet P2PActors.Node.dll</c> plus arguments) in a child process,
/// with a fresh data directory of its own and its stdout and stderr captured for assertions and failure messages.
/// Disposing kills whatever is still running and deletes the data directory.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Seen)> _awaited = [];

    private NodeProcess(string dataDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory,
        bool defaultHangup = false)
    {
        DataDirectory = dataDirectory;
        // A test run started under nohup (as .ci/run is here) hands its children SIGHUP ignored, and a process keeps a
        // signal ignored that it was started with ignoring: coreutils' env puts the default back first.
        var start = new ProcessStartInfo(defaultHangup ? "/usr/bin/env" : "dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The node reads P2PActors__* settings from its environment, and tests of the ProcessEnvironment collection set
        // such variables in this process while other tests start nodes: a child must see only what its own test gives
        // it (a leaked P2PActors__Persistence, __SeedNodes or __HttpUrl would change what the node runs with).
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("P2PActors__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        if (defaultHangup)
        {
            start.ArgumentList.Add("--default-signal=HUP");
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "P2PActors.Node.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_output)
            {
                _output.AppendLine(e.Data);
                _lines.Add(e.Data);
                foreach (var (predicate, seen) in _awaited)
                {
                    if (predicate(e.Data))
                        seen.TrySetResult(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_output)
                _output.AppendLine(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// Starts the executable; <paramref name="arguments"/> is given the data directory to pass as <c>--data-dir</c>,
    /// and <paramref name="environment"/> adds variables to the inherited environment (e.g. <c>P2PActors__Persistence</c>).
    /// <paramref name="workingDirectory"/> is where relative paths resolve (default: the test's own).
    /// </summary>
    public static NodeProcess Start(string name, Func<string, IEnumerable<string>> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool defaultHangup = false)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"p2pactors-{name}-{Guid.NewGuid():N}");
        return new NodeProcess(dataDirectory, arguments(dataDirectory), environment, workingDirectory, defaultHangup);
    }

    /// <summary>The exit code, once the process has exited by itself within <paramref name="patience"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan patience)
    {
        await _process.WaitForExitAsync().WaitAsync(patience);
        return _process.ExitCode;
    }

    public string DataDirectory { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>The stdout lines written so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_output)
                return [.. _lines];
        }
    }

    /// <summary>The first stdout line (already written or still to come) that matches.</summary>
    public Task<string> LineAsync(Func<string, bool> predicate)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_lines.FirstOrDefault(predicate) is { } line)
                seen.TrySetResult(line);
            else
                _awaited.Add((predicate, seen));
        }
        return seen.Task;
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>Sends SIGTERM (or <paramref name="signal"/>, e.g. HUP for a closed terminal), as Ctrl+C or a service manager would, and answers the exit code once it has exited.</summary>
    public async Task<int> StopAsync(TimeSpan patience, string signal = "TERM")
    {
        using (var term = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(patience);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A stray temp directory is harmless.
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>A run of consecutive ports that are free right now: the CLI's own search (<c>LocalCluster</c>).</summary>
    public static int FreePortRange(int count, int avoid = -1) => P2PActors.Node.Cli.LocalCluster.FreePortRange(count, avoid);

    /// <summary>Direct children from /proc: the node processes a command such as <c>cluster</c> started.</summary>
    public List<int> Children() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == _process.Id)
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

    public static bool IsRunning(int pid)
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
