using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Hosting;
using P2PActors.Testing;

namespace P2PActors.Cluster.Tests;

/// <summary>
/// The journal and snapshot store a persistence test runs against, so one test body proves the same guarantee on
/// SQLite and on PostgreSQL. Each instance is private to one test: a SQLite file in the test's data directory or a
/// PostgreSQL database created for it.
/// </summary>
public abstract class JournalDatabase : IDisposable
{
    /// <summary><paramref name="settings"/> with the journal pointed here.</summary>
    public abstract NodeSettings Use(NodeSettings settings);

    /// <summary>Rows of the journal table for <paramref name="persistenceId"/> (the node must have stopped writing).</summary>
    public abstract long JournalEvents(NodeSettings settings, string persistenceId);

    /// <summary>Rows of the snapshot table for <paramref name="persistenceId"/>.</summary>
    public abstract long Snapshots(NodeSettings settings, string persistenceId);

    /// <summary>The journal rows of <paramref name="persistenceId"/> as "sequence number (deleted)", for a failure's message.</summary>
    public abstract string Describe(NodeSettings settings, string persistenceId);

    protected const string JournalRows = "SELECT sequence_number, deleted FROM journal WHERE persistence_id = @id ORDER BY sequence_number";

    /// <summary>Whether the journal lives in <see cref="NodeSettings.PersistenceDatabasePath"/> in the data directory.</summary>
    public abstract bool WritesSqliteFile { get; }

    public abstract void Dispose();

    protected const string JournalCount = "SELECT COUNT(*) FROM journal WHERE persistence_id = @id";
    protected const string SnapshotCount = "SELECT COUNT(*) FROM snapshot WHERE persistence_id = @id";
}

public sealed class SqliteJournal : JournalDatabase
{
    public override NodeSettings Use(NodeSettings settings) => settings with { Persistence = PersistenceProvider.Sqlite };

    public override long JournalEvents(NodeSettings settings, string persistenceId) => Count(settings, JournalCount, persistenceId);

    public override long Snapshots(NodeSettings settings, string persistenceId) => Count(settings, SnapshotCount, persistenceId);

    public override string Describe(NodeSettings settings, string persistenceId)
    {
        using var connection = new SqliteConnection($"Data Source={settings.PersistenceDatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = JournalRows;
        command.Parameters.AddWithValue("@id", persistenceId);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add($"{reader.GetInt64(0)}{(reader.GetBoolean(1) ? " (deleted)" : "")}");
        return string.Join(", ", rows);
    }

    public override bool WritesSqliteFile => true;

    public override void Dispose()
    {
        // The data directory, and the file in it, belong to the test's TempDataDirectory.
    }

    private static long Count(NodeSettings settings, string sql, string id)
    {
        using var connection = new SqliteConnection($"Data Source={settings.PersistenceDatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@id", id);
        return (long)command.ExecuteScalar()!;
    }
}

/// <summary>A fresh PostgreSQL database on the test server; only for tests marked <c>[PostgresFact]</c>.</summary>
public sealed class PostgresJournal : JournalDatabase
{
    private readonly PostgresTestDatabase _database = new();

    public override NodeSettings Use(NodeSettings settings) =>
        settings with { Persistence = PersistenceProvider.PostgreSql, PostgresConnectionString = _database.ConnectionString };

    public override long JournalEvents(NodeSettings settings, string persistenceId) => _database.Count(JournalCount, persistenceId);

    public override long Snapshots(NodeSettings settings, string persistenceId) => _database.Count(SnapshotCount, persistenceId);

    public override string Describe(NodeSettings settings, string persistenceId) => _database.Rows(JournalRows, persistenceId);

    public override bool WritesSqliteFile => false;

    public override void Dispose() => _database.Dispose();
}
