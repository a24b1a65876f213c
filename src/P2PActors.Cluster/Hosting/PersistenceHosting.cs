using System.Text.RegularExpressions;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Npgsql;
using P2PActors.Cluster.Storage;

namespace P2PActors.Cluster.Hosting;

/// <summary>Where the journal and snapshots of player memory live.</summary>
public enum PersistenceProvider
{
    /// <summary>The embedded default: <c>{DataDirectory}/p2pactors.db</c>, one writer.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by any number of nodes (each persistence id is written by one node at a time).</summary>
    PostgreSql,
}

public static class PersistenceProviders
{
    private static readonly IReadOnlyDictionary<string, PersistenceProvider> ByName =
        new Dictionary<string, PersistenceProvider>(StringComparer.OrdinalIgnoreCase)
        {
            ["sqlite"] = PersistenceProvider.Sqlite,
            ["postgresql"] = PersistenceProvider.PostgreSql,
        };

    /// <summary>The names an operator writes: sqlite, postgresql.</summary>
    public static IReadOnlyList<string> Names { get; } = ByName.Keys.ToArray();

    public static string Name(PersistenceProvider provider) => ByName.First(kv => kv.Value == provider).Key;

    public static bool TryParse(string? name, out PersistenceProvider provider)
    {
        provider = PersistenceProvider.Sqlite;
        return name is not null && ByName.TryGetValue(name.Trim(), out provider);
    }

    /// <summary>
    /// Why <paramref name="connectionString"/> cannot be a PostgreSQL connection string, or null when it can. The
    /// reason names keywords only, never values, so a password never reaches a log.
    /// </summary>
    public static string? PostgresConnectionStringProblem(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return "is required with the postgresql provider, e.g. Host=db;Username=p2pactors;Password=...;Database=p2pactors";
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return $"is not a PostgreSQL connection string ({SafeReason(connectionString, e.Message)})";
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            return "has no Host";
        // Npgsql takes any integer here and throws only when it connects (ArgumentOutOfRangeException, a stack trace).
        return builder.Port is < 1 or > 65535 ? $"has Port={builder.Port}, which must be between 1 and 65535" : null;
    }

    /// <summary>
    /// Npgsql's message names the keyword it could not set ("Couldn't set pasword"), never a value, which is what an
    /// operator needs to fix a typo. But an unquoted ';' in a password turns its tail into a "keyword": a name that
    /// occurs after <c>Password=</c> is therefore not repeated.
    /// </summary>
    private static string SafeReason(string connectionString, string message)
    {
        var password = Regex.Match(connectionString, @"(?i)(?:^|;)\s*(?:password|pwd)\s*=");
        if (!password.Success)
            return message;
        var fragments = connectionString[(password.Index + password.Length)..]
            .Split([';', '='], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return fragments.Any(f => Regex.IsMatch(message, $@"(?i)(?<![A-Za-z0-9]){Regex.Escape(f)}(?![A-Za-z0-9])"))
            ? "a keyword after Password= is not understood; quote a password that holds ';' or '=', e.g. Password='a;b'"
            : message;
    }

    /// <summary>host:port/database as user: enough to recognise the database, and no password.</summary>
    public static string DescribePostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as {builder.Username}";
    }
}

public static class PersistenceHosting
{
    /// <summary>
    /// The default journal and snapshot store through Akka.Persistence.Sql: SQLite in <see cref="NodeSettings.PersistenceDatabasePath"/>,
    /// or PostgreSQL at <see cref="NodeSettings.PostgresConnectionString"/>. Either way the tables are created on
    /// first start, so a new database needs no migration step.
    /// </summary>
    public static AkkaConfigurationBuilder WithP2PPersistence(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        switch (settings.Persistence)
        {
            case PersistenceProvider.PostgreSql:
                // The generic provider name lets linq2db pick the dialect from the server's version.
                return builder.WithSqlPersistence(settings.PostgresConnectionString!, ProviderName.PostgreSQL, autoInitialize: true);
            default:
                return builder
                    .WithSqlPersistence(PrepareSqlite(settings.PersistenceDatabasePath), ProviderName.SQLiteMS, autoInitialize: true)
                    // SQLite has one writer: parallel journal writers only queue on its lock (busy waits), so use one.
                    .AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
        }
    }

    /// <summary>Creates the journal's SQLite file in WAL mode (readers never block the writer) and returns its connection string.</summary>
    private static string PrepareSqlite(string path)
    {
        var connectionString = SqliteFiles.ConnectionString(path, pooling: true);
        using var connection = SqliteFiles.Open(connectionString, SqliteFiles.WalMode);
        return connectionString;
    }
}
