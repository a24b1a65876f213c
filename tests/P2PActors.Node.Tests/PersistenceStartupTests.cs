using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using P2PActors.Node.Cli;
using P2PActors.Testing;

namespace P2PActors.Node.Tests;

/// <summary>
/// The executable with <c>--persistence</c>: bad settings and an unreachable database end it with exit code 2 and a
/// message naming the setting (never a hang, never a stack trace, never the password), and a node on PostgreSQL keeps
/// player memory there rather than in its data directory.
/// </summary>
public sealed partial class PersistenceStartupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string PostgresSetting = "--postgres / P2PActors:PostgresConnectionString";

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    private static string[] NodeArguments(string dataDirectory, params string[] more) =>
        ["--http-url", "http://127.0.0.1:0", "--port", "0", "--data-dir", dataDirectory, .. more];

    [Fact]
    public async Task An_unknown_provider_in_the_environment_exits_2_naming_the_setting_and_the_allowed_values()
    {
        await using var node = NodeProcess.Start("unknown-provider", dir => NodeArguments(dir),
            new Dictionary<string, string> { ["P2PActors__Persistence"] = "mongodb" });

        var exitCode = await node.ExitCodeAsync(Patience);

        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{node.Output}");
        Assert.Contains("--persistence / P2PActors:Persistence: 'mongodb'", node.Output, StringComparison.Ordinal);
        Assert.Contains("expected one of sqlite, postgresql", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    [PostgresTheory]
    [InlineData("password", "password authentication failed")]
    [InlineData("database", "does not exist")]
    public async Task A_refused_login_exits_2_without_retrying_naming_the_setting_and_never_printing_the_password(string wrong, string serverSays)
    {
        var builder = new NpgsqlConnectionStringBuilder(Components.PostgresConnectionString);
        if (wrong == "password")
            builder.Password = "wrong-" + Guid.NewGuid().ToString("N");
        else
            builder.Database = "missing_" + Guid.NewGuid().ToString("N");
        var connection = builder.ConnectionString;
        // Ten minutes of start-up patience: the node ends within the test's patience only if it does not retry.
        await using var node = NodeProcess.Start("refused-login", dir =>
            NodeArguments(dir, "--persistence", "postgresql", "--postgres", connection, "--database-timeout", "00:10:00"));

        var exitCode = await node.ExitCodeAsync(Patience);

        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{node.Output}");
        Assert.Contains(PostgresSetting, node.Output, StringComparison.Ordinal);
        Assert.Contains(serverSays, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not reachable", node.Output, StringComparison.Ordinal);
        // The test server's own password is also its user name, which the message rightly shows; a made-up one is not.
        if (wrong == "password")
            Assert.DoesNotContain(builder.Password!, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_retried_until_the_timeout_and_then_exits_2_naming_the_settings()
    {
        var closedPort = NodeProcess.FreePortRange(1);
        var password = "secret-" + Guid.NewGuid().ToString("N");
        var connection = $"Host=127.0.0.1;Port={closedPort};Username=p2p;Password={password};Database=p2p";
        await using var node = NodeProcess.Start("unreachable-db", dir =>
            NodeArguments(dir, "--persistence", "postgresql", "--postgres", connection, "--database-timeout", "00:00:03"));

        var exitCode = await node.ExitCodeAsync(Patience);

        Assert.True(exitCode == ExitCodes.Usage, $"exit code {exitCode}\n{node.Output}");
        // One warning line per failed attempt, then the verdict on stderr.
        var retries = node.Lines.Where(l => l.Contains("WRN", StringComparison.Ordinal) && l.Contains("not reachable (attempt", StringComparison.Ordinal)).ToList();
        Assert.True(retries.Count >= 2, node.Output);
        Assert.Contains($"127.0.0.1:{closedPort}", retries[0], StringComparison.Ordinal);
        Assert.Contains(PostgresSetting, node.Output, StringComparison.Ordinal);
        Assert.Contains("--database-timeout / P2PActors:DatabaseStartupTimeout (00:00:03", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_node_on_postgresql_keeps_player_memory_in_the_database_not_in_its_data_directory()
    {
        using var database = new PostgresTestDatabase();
        string[] Arguments(string dir) => NodeArguments(dir, "--persistence", "postgresql", "--postgres", database.ConnectionString);

        string contentId;
        await using (var first = NodeProcess.Start("pg-first", Arguments))
        {
            using var http = await ConnectAsync(first);
            using var generated = await http.PostAsync("/api/content/item",
                new StringContent("""{ "playerId": "pgproc", "seed": 5 }""", Encoding.UTF8, "application/json"));
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await generated.Content.ReadAsStringAsync());
            contentId = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            using var rated = await http.PostAsJsonAsync($"/api/content/{contentId}/ratings", new { playerId = "pgproc", stars = 4 });
            Assert.True(rated.StatusCode == HttpStatusCode.Created, await rated.Content.ReadAsStringAsync());

            Assert.Contains(first.Lines, l => l.Contains("Journal and snapshots in PostgreSQL", StringComparison.Ordinal));
            Assert.Equal(0, await first.StopAsync(Patience));
            Assert.False(File.Exists(Path.Combine(first.DataDirectory, "p2pactors.db")), "no SQLite journal next to a PostgreSQL one");
        }
        Assert.True(database.Count("SELECT COUNT(*) FROM journal WHERE persistence_id = @id", "player-pgproc") >= 2);

        // A new node with an empty data directory: the rating can only have come from PostgreSQL.
        await using var second = NodeProcess.Start("pg-second", Arguments);
        using var again = await ConnectAsync(second);
        using var ratings = JsonDocument.Parse(await again.GetStringAsync("/api/players/pgproc/ratings"));
        var rating = Assert.Single(ratings.RootElement.GetProperty("ratings").EnumerateArray());
        Assert.Equal(contentId, rating.GetProperty("contentId").GetString());
        Assert.Equal(4, rating.GetProperty("stars").GetInt32());
        Assert.Equal(0, await second.StopAsync(Patience));
    }

    private static async Task<HttpClient> ConnectAsync(NodeProcess node)
    {
        var listening = await Task.WhenAny(node.LineAsync(line => ListeningOn().IsMatch(line)), node.WaitForExitAsync().ContinueWith(_ => "")).Unwrap()
            .WaitAsync(Patience);
        Assert.True(listening.Length > 0, $"the node exited before it listened\n{node.Output}");
        return new HttpClient { BaseAddress = new Uri(ListeningOn().Match(listening).Groups[1].Value) };
    }
}
