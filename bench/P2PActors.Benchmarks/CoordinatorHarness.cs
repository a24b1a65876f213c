using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// The coordinator round trip as a distribution, with the process CPU time and allocations per request — figures
/// that say where the time goes on a shared machine, where a wall-clock median mostly measures the other tenants.
/// <c>dotnet P2PActors.Benchmarks.dll coordinator [--mode seeded|unseeded|client-hit|rate|store] [--seconds S] [--rounds N] [--warmup R]
/// [--persistence sqlite|postgresql --postgres CONNECTION]</c>:
/// the same node and requests as <see cref="CoordinatorBenchmarks"/> (R warm-up round trips in the set-up, 50,000 by
/// default), asked back to back for S seconds per round after 3 more seconds; each round prints one line (and the CPU
/// per request of each kind of thread), so rounds of two builds can be interleaved. <c>store</c> times the content
/// store alone; <c>rate</c> asks player memory for ratings, each answered once journaled. With <c>postgresql</c> the
/// journal goes to a fresh database made on that server (its role needs CREATEDB) and dropped at the end.
/// </summary>
public static class CoordinatorHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = StringOption(args, "--mode", "seeded");
        if (mode == "store")
            return StoreOnly();
        var seconds = double.Parse(StringOption(args, "--seconds", "5"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(StringOption(args, "--rounds", "3"), CultureInfo.InvariantCulture);
        var warmUp = int.Parse(StringOption(args, "--warmup", "50000"), CultureInfo.InvariantCulture);
        var persistence = StringOption(args, "--persistence", "sqlite");
        if (!P2PActors.Cluster.Hosting.PersistenceProviders.TryParse(persistence, out var provider))
            throw new ArgumentException($"--persistence {persistence}: expected one of {string.Join(", ", P2PActors.Cluster.Hosting.PersistenceProviders.Names)}");
        var server = provider == P2PActors.Cluster.Hosting.PersistenceProvider.PostgreSql
            ? StringOption(args, "--postgres", "") is { Length: > 0 } given ? given : throw new ArgumentException("--postgres is required with --persistence postgresql")
            : null;
        var node = new HarnessNode(warmUp, server);
        node.Setup();
        try
        {
            Func<Task> request = mode switch
            {
                "seeded" => node.SeededMissAsync,
                "unseeded" => node.UnseededAsync,
                "client-hit" => node.ClientHitAsync,
                "rate" => node.RateAsync,
                _ => throw new ArgumentException($"unknown mode {mode}"),
            };
            await RoundAsync(request, TimeSpan.FromSeconds(3), report: null, node);
            for (var i = 1; i <= rounds; i++)
                await RoundAsync(request, TimeSpan.FromSeconds(seconds), $"{mode} {persistence} round {i}", node);
        }
        finally
        {
            node.Cleanup();
        }
        return 0;
    }

    private static async Task RoundAsync(Func<Task> request, TimeSpan duration, string? report, HarnessNode node)
    {
        var (journalBefore, contentBefore) = node.Rows();
        var threadsBefore = ThreadCpu();
        var latencies = new List<double>(1 << 16);
        var process = Process.GetCurrentProcess();
        var load = LoadAverage();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var gen0Before = GC.CollectionCount(0);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var start = Stopwatch.GetTimestamp();
            await request();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        var wall = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        if (report is null)
            return;
        var (journalAfter, contentAfter) = node.Rows();
        var threadsAfter = ThreadCpu();
        latencies.Sort();
        var n = latencies.Count;
        double P(double q) => latencies[Math.Min(n - 1, (int)(q * n))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report}: n={n} wall/op={wall.TotalMicroseconds / n:F1}us p50={P(0.5):F1}us p90={P(0.9):F1}us p99={P(0.99):F1}us " +
            $"cpu/op={cpu.TotalMicroseconds / n:F1}us alloc/op={allocated / (double)n / 1024:F1}KB gen0={GC.CollectionCount(0) - gen0Before} " +
            $"journal rows/op={(journalAfter - journalBefore) / (double)n:F3} stored/op={(contentAfter - contentBefore) / (double)n:F3} " +
            $"load={load}->{LoadAverage()}"));
        var byName = new Dictionary<string, long>();
        foreach (var (tid, (name, ticks, _)) in threadsAfter)
        {
            var delta = ticks - (threadsBefore.TryGetValue(tid, out var before) ? before.Ticks : 0);
            byName[name] = byName.GetValueOrDefault(name) + delta;
        }
        // /proc reports clock ticks of 10 ms.
        Console.WriteLine("  threads (cpu us/op): " + string.Join(", ", byName.Where(p => p.Value > 0).OrderByDescending(p => p.Value)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value * 10_000.0 / n:F1}"))));
    }

    /// <summary>The content store's share alone: CPU per item of JSON + insert, in batches as the store actor writes them.</summary>
    private static int StoreOnly()
    {
        var parameters = new Dictionary<string, string> { ["level"] = "10" };
        var directory = Path.Combine(Path.GetTempPath(), "p2pactors-bench", Guid.NewGuid().ToString("N"));
        using (var store = new P2PActors.Cluster.Storage.SqliteContentStore(Path.Combine(directory, "content.db")))
        {
            foreach (var batch in new[] { 1, 10, 100, 1000 })
            {
                var contents = Enumerable.Range(0, 20_000).Select(i => P2PActors.Content.Generation.ContentFactory.Generate(
                    P2PActors.Content.Model.ContentType.Character, parameters, batch * 1_000_000L + i)).ToArray();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var json = Stopwatch.StartNew();
                foreach (var content in contents)
                    P2PActors.Content.Model.ContentJson.Serialize(content);
                var jsonUs = json.Elapsed.TotalMicroseconds / contents.Length;
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                foreach (var chunk in contents.Chunk(batch))
                    store.PutMany(chunk);
                var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / contents.Length;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"store batch={batch}: wall/item={wall.Elapsed.TotalMicroseconds / contents.Length:F1}us cpu/item={cpuUs:F1}us (json alone {jsonUs:F1}us) load={LoadAverage()}"));
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    private sealed class HarnessNode(int warmUpRequests, string? postgresServer) : CoordinatorNode
    {
        private readonly BenchDatabase? _database = postgresServer is null ? null : new BenchDatabase(postgresServer);

        protected override int WarmUpRequests => warmUpRequests;

        protected override P2PActors.Cluster.Hosting.NodeSettings ConfigureSettings(P2PActors.Cluster.Hosting.NodeSettings settings) =>
            _database is null
                ? settings
                : settings with { Persistence = P2PActors.Cluster.Hosting.PersistenceProvider.PostgreSql, PostgresConnectionString = _database.ConnectionString };

        public override void Cleanup()
        {
            base.Cleanup();
            _database?.Dispose();
        }

        public Task SeededMissAsync() => SeededMiss();

        public Task UnseededAsync() => Unseeded();

        public Task ClientHitAsync() => ClientHit();

        public Task RateAsync() => Rate();

        /// <summary>Rows the journal and the content store hold so far: how much each request writes, whatever the load.</summary>
        public (long Journal, long Content) Rows() =>
            (_database?.JournalRows() ?? Count(Path.Combine(DataDirectory, "p2pactors.db"), "journal"), Count(Path.Combine(DataDirectory, "content.db"), "content"));

        private static long Count(string path, string table)
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return (long)command.ExecuteScalar()!;
        }
    }
}

/// <summary>A database of the harness's own on a PostgreSQL server, so one run's journal never meets another's.</summary>
internal sealed class BenchDatabase : IDisposable
{
    private readonly string _server;
    private readonly string _name = "p2pbench_" + Guid.NewGuid().ToString("N");

    public BenchDatabase(string server)
    {
        _server = server;
        Execute(server, $"CREATE DATABASE \"{_name}\"");
        ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public long JournalRows()
    {
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM journal", connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        using (var probe = new Npgsql.NpgsqlConnection(ConnectionString))
            Npgsql.NpgsqlConnection.ClearPool(probe);
        Execute(_server, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
