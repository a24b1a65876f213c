using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using P2PActors.Node.Cli;

namespace P2PActors.Node.Tests;

/// <summary>
/// A damaged data file is named before the node starts, and left as it was. Before, a damaged durable store stopped the
/// replicator while the node answered /health as healthy (and every write with a 503), and a damaged journal or
/// content store stopped the node with SQLite's message but no file name.
/// </summary>
public sealed partial class DataFileTests
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

    [Theory]
    [InlineData("state", "file", "is a file where the node keeps a folder")]
    [InlineData("content.db", "folder", "is a folder where the node keeps a SQLite file")]
    [InlineData("state/ddata.db", "folder", "is a folder where the node keeps a SQLite file")]
    [InlineData("validator.key", "file", "is not an Ed25519 private key")]
    [InlineData("validator.key", "folder", "is a folder where the node keeps its validator key")]
    public async Task A_wrong_kind_of_entry_in_the_data_folder_stops_the_node_before_it_starts_naming_it(string entry, string kind, string expected)
    {
        // Prevents: a file named state stopped the replicator while the node answered /health as up (and every write
        // with a 503); a folder where a SQLite file or the key belongs, or a key that is not one, stopped the node with
        // stack traces and, for SQLite, a message naming no file.
        string? path = null;
        await using var node = NodeProcess.Start("misplaced", dataDirectory =>
        {
            path = Path.Combine(dataDirectory, entry);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (kind == "folder") Directory.CreateDirectory(path);
            else File.WriteAllText(path, "not what the node keeps here\n");
            return ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory];
        });

        var exitCode = await node.ExitCodeAsync(Patience);
        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{node.Output}");
        Assert.Contains(Path.GetFullPath(path!), node.Output, StringComparison.Ordinal);
        Assert.Contains(expected, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
        if (kind == "folder") Assert.True(Directory.Exists(path));
        else Assert.Equal("not what the node keeps here\n", await File.ReadAllTextAsync(path!));
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [Fact]
    public async Task A_content_store_that_fails_while_the_node_runs_answers_503_naming_it_and_the_node_keeps_serving()
    {
        // Prevents: the store's read error reaching the endpoints as a thrown failure, which they answered with a 500
        // (GET /api/content/{id}, POST /api/catalog) though the request was fine.
        await using var node = NodeProcess.Start("store-fails", dataDirectory =>
            ["node", "--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory]);
        var listening = await node.LineAsync(line => ListeningOn().IsMatch(line)).WaitAsync(Patience);
        using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(listening).Groups[1].Value) };

        var id = await GenerateAsync(http, seed: 41);
        // The table goes only once the item is on disk: until then the store answers from the batch it still holds.
        var database = Path.Combine(node.DataDirectory, "content.db");
        await WaitUntilAsync(() => Scalar(database, $"SELECT COUNT(*) FROM content WHERE id = '{id}'") == 1);
        Scalar(database, "DROP TABLE content");

        using var read = await http.GetAsync($"/api/content/{id}");
        var readBody = await read.Content.ReadAsStringAsync();
        Assert.True(read.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)read.StatusCode}: {readBody}");
        Assert.Contains("could not be read from this node's store", readBody, StringComparison.Ordinal);
        Assert.Contains("no such table", readBody, StringComparison.Ordinal);

        using var share = await http.PostAsync("/api/catalog", new StringContent($$"""{ "contentId": "{{id}}" }""", Encoding.UTF8, "application/json"));
        var shareBody = await share.Content.ReadAsStringAsync();
        Assert.True(share.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)share.StatusCode}: {shareBody}");
        Assert.Contains("content store could not be read", shareBody, StringComparison.Ordinal);

        // The node keeps serving, and content generated now is kept (in the batch the store retries) and served.
        var later = await GenerateAsync(http, seed: 42);
        using var again = await http.GetAsync($"/api/content/{later}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(node.HasExited);
    }

    private static async Task<string> GenerateAsync(HttpClient http, long seed)
    {
        using var generated = await http.PostAsync("/api/content/item",
            new StringContent($$"""{ "playerId": "store", "seed": {{seed}} }""", Encoding.UTF8, "application/json"));
        var body = await generated.Content.ReadAsStringAsync();
        Assert.True(generated.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static long Scalar(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long n ? n : 0;
    }

    private static async Task WaitUntilAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}
