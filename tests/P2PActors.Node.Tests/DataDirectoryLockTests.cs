using System.Globalization;
using System.Text.RegularExpressions;
using P2PActors.Node.Cli;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>One node per data folder: a second one on a folder in use exits with code 2 naming the holder, and a holder killed with SIGKILL leaves nothing to clean up.</summary>
public sealed partial class DataDirectoryLockTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [Fact]
    public void The_lock_is_exclusive_while_held_and_free_once_released()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"p2pactors-lock-{Guid.NewGuid():N}");
        try
        {
            var first = DataDirectoryLock.TryAcquire(directory, "node A", out _);
            Assert.NotNull(first);
            Assert.Null(DataDirectoryLock.TryAcquire(directory, "node B", out var holder));
            Assert.StartsWith("node A, pid ", holder, StringComparison.Ordinal);
            first.Dispose();
            using var second = DataDirectoryLock.TryAcquire(directory, "node B", out _);
            Assert.NotNull(second);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_lock_file_that_cannot_be_opened_is_an_error_of_its_own_not_a_folder_in_use()
    {
        // Prevents: every I/O error on the lock reported as "in use by" whoever the owner file, left by an earlier
        // run, names; a container restarting on a broken volume said so forever.
        var directory = Path.Combine(Path.GetTempPath(), $"p2pactors-lock-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, DataDirectoryLock.OwnerFileName), "node http://old:8080, pid 1, since last week\n");
            // A link to itself: opening it fails (too many levels of symbolic links) with no other process involved.
            File.CreateSymbolicLink(Path.Combine(directory, DataDirectoryLock.FileName), Path.Combine(directory, DataDirectoryLock.FileName));
            var error = Assert.ThrowsAny<IOException>(() => DataDirectoryLock.TryAcquire(directory, "node B", out _));
            Assert.DoesNotContain("another process", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_node_on_a_folder_in_use_exits_with_code_2_and_a_killed_holder_frees_it()
    {
        await using var first = NodeProcess.Start("lock-first", dataDirectory =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory]);
        var listening = await first.LineAsync(line => ListeningOn().IsMatch(line)).WaitAsync(Patience);
        var url = ListeningOn().Match(listening).Groups[1].Value;

        await using (var second = NodeProcess.Start("lock-second", _ =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", first.DataDirectory]))
        {
            var exitCode = await second.ExitCodeAsync(Patience);
            Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{second.Output}");
            Assert.Contains("is in use by node http://127.0.0.1:0", second.Output, StringComparison.Ordinal);
            Assert.Contains($"pid {first.Id}", second.Output, StringComparison.Ordinal);
        }
        // The first node kept serving.
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
            Assert.True((await http.GetAsync("/health")).IsSuccessStatusCode);

        // kill -9: the operating system drops the lock with the process; the next node starts on the same folder.
        System.Diagnostics.Process.GetProcessById(first.Id).Kill();
        await first.WaitForExitAsync().WaitAsync(Patience);
        await using var third = NodeProcess.Start("lock-third", _ =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", first.DataDirectory]);
        var started = await Task.WhenAny(third.LineAsync(line => ListeningOn().IsMatch(line)), third.WaitForExitAsync()).WaitAsync(Patience);
        Assert.False(third.HasExited, third.Output);
    }

    [Fact]
    public async Task A_second_node_on_a_remoting_port_in_use_exits_with_code_2_and_the_port_is_free_again_once_its_holder_is_killed()
    {
        var port = NodeProcess.FreePortRange(1);
        await using var first = NodeProcess.Start("port-first", dataDirectory =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory]);
        var listening = await first.LineAsync(line => ListeningOn().IsMatch(line)).WaitAsync(Patience);
        var url = ListeningOn().Match(listening).Groups[1].Value;

        // Before the check, this node bound the same port (address reuse) and came up healthy beside the first one.
        await using (var second = NodeProcess.Start("port-second", dataDirectory =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory]))
        {
            var exitCode = await second.ExitCodeAsync(Patience);
            Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{second.Output}");
            Assert.Contains($"--port / P2PActors:Port: 127.0.0.1:{port} is already in use", second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        }
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
            Assert.True((await http.GetAsync("/health")).IsSuccessStatusCode);

        // kill -9 leaves the first node's connections behind, but no listener: a node started at once binds the port.
        System.Diagnostics.Process.GetProcessById(first.Id).Kill();
        await first.WaitForExitAsync().WaitAsync(Patience);
        await using var third = NodeProcess.Start("port-third", dataDirectory =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory]);
        await Task.WhenAny(third.LineAsync(line => ListeningOn().IsMatch(line)), third.WaitForExitAsync()).WaitAsync(Patience);
        Assert.False(third.HasExited, third.Output);
    }
}
