using P2PActors.Node.Cli;

namespace P2PActors.Node.Tests;

/// <summary>
/// A damaged data file is named before the node starts, and left as it was. Before, a damaged durable store stopped the
/// replicator while the node answered /health as healthy (and every write with a 503), and a damaged journal or
/// content store stopped the node with SQLite's message but no file name.
/// </summary>
public sealed class DataFileTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("content.db")]
    [InlineData("p2pactors.db")]
    [InlineData("state/ddata.db")]
    [InlineData("state/catalog-bodies.db")]
    public async Task A_damaged_data_file_stops_the_node_before_it_starts_naming_the_file_and_leaves_it_as_it_was(string file)
    {
        // Not a SQLite file: no "SQLite format 3" header (a disk that lost the file's first pages, a file copied over it).
        var garbage = Enumerable.Range(0, 12_288).Select(i => (byte)(i * 31 % 251)).ToArray();
        string? path = null;
        await using var node = NodeProcess.Start("damaged", dataDirectory =>
        {
            path = Path.Combine(dataDirectory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, garbage);
            return ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory];
        });

        var exitCode = await node.ExitCodeAsync(Patience);
        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{node.Output}");
        Assert.Contains($"{Path.GetFullPath(path!)} cannot be read (SQLite Error 26: 'file is not a database')", node.Output, StringComparison.Ordinal);
        Assert.Contains("left the file as it is", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", node.Output, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path!));
    }
}
