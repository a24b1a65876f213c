using P2PActors.Node.Cli;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Tests;

/// <summary>Keys made before a node first starts, and validator lists read from a file.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"p2pactors-keys-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NodeCli.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Keys_makes_the_key_once_and_prints_the_same_validator_id_every_time()
    {
        var (exitCode, output, error) = await RunAsync("keys", "--data-dir", _directory);
        Assert.True(exitCode == ExitCodes.Ok, error);
        var id = output.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        var keyFile = Path.Combine(_directory, "validator.key");
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        var again = await RunAsync("keys", "--data-dir", _directory);
        Assert.Equal((ExitCodes.Ok, id), (again.ExitCode, again.Output.Trim()));
        // The id is the public half of the key in the file: the node started on this folder votes under it.
        using var identity = Cluster.Consensus.ValidatorIdentity.LoadOrCreate(_directory);
        Assert.Equal(id, identity.ValidatorId);
    }

    [Fact]
    public async Task Keys_refuses_a_file_that_is_not_a_key_without_replacing_it()
    {
        Directory.CreateDirectory(_directory);
        var keyFile = Path.Combine(_directory, "validator.key");
        await File.WriteAllTextAsync(keyFile, "not a key");
        var (exitCode, _, error) = await RunAsync("keys", "--data-dir", _directory);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("is not an Ed25519 private key", error, StringComparison.Ordinal);
        Assert.Equal("not a key", await File.ReadAllTextAsync(keyFile));
    }

    [Fact]
    public async Task A_validators_file_names_each_bad_line_and_the_node_does_not_start()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "validators.txt");
        await File.WriteAllLinesAsync(file,
        [
            "# node 1",
            new string('a', 64) + "   # trailing comment",
            "",
            "not-a-key",
            new string('B', 64),
        ]);
        var (exitCode, _, error) = await RunAsync("node", "--validators-file", file, "--data-dir", _directory);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("line 4: 'not-a-key' is not a validator id", error, StringComparison.Ordinal);
        Assert.Contains($"line 5: '{new string('B', 64)}' is not a validator id", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2", error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, "# nobody yet\n");
        (exitCode, _, error) = await RunAsync("node", "--validators-file", file, "--data-dir", _directory);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("lists no validator id", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validators_file_of_garbage_names_five_lines_and_counts_the_rest()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "validators.txt");
        await File.WriteAllLinesAsync(file, Enumerable.Range(1, 1000).Select(i => $"garbage-{i}"));
        var (exitCode, _, error) = await RunAsync("node", "--validators-file", file, "--data-dir", _directory);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("line 5: 'garbage-5' is not a validator id", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 6:", error, StringComparison.Ordinal);
        Assert.Contains("995 more lines are not validator ids either", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validators_file_that_never_ends_is_refused_by_its_size()
    {
        // Read whole before it is checked: /dev/zero took memory until the process died.
        var (exitCode, _, error) = await RunAsync("node", "--validators-file", "/dev/zero", "--data-dir", _directory);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains($"is larger than {NodeOptions.MaxValidatorsFileBytes} bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_data_dir_is_named_with_exit_code_2()
    {
        // The error message itself took the full path of "", which threw again: a stack trace and exit 1.
        var (exitCode, _, error) = await RunAsync("keys", "--data-dir", "");
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--data-dir: ''", error, StringComparison.Ordinal);
    }
}

/// <summary>
/// <c>keys</c> without <c>--data-dir</c> reads the node's own DataDirectory setting, as the node does (its image sets
/// <c>P2PActors__DataDirectory=/data</c>). It reads the process environment, so it runs in the environment collection.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class KeysDefaultDirectoryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"p2pactors-keys-env-{Guid.NewGuid():N}");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("P2PActors__DataDirectory", null);
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Keys_without_a_data_dir_uses_the_nodes_configured_data_directory()
    {
        Environment.SetEnvironmentVariable("P2PActors__DataDirectory", _directory);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await NodeCli.RunAsync(["keys"], output, error);

        Assert.True(exitCode == ExitCodes.Ok, error.ToString());
        Assert.True(File.Exists(Path.Combine(_directory, "validator.key")), "the key was not made in the configured folder");
        using var identity = Cluster.Consensus.ValidatorIdentity.LoadOrCreate(_directory);
        Assert.Equal(identity.ValidatorId, output.ToString().Trim());
    }
}
