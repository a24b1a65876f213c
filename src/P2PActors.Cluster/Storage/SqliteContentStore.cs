using Microsoft.Data.Sqlite;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Storage;

/// <summary>
/// The content store as one SQLite table of canonical JSON keyed by content id. Each call takes a pooled
/// connection, so reads may run on any thread while the store actor writes.
/// </summary>
public sealed class SqliteContentStore : IContentStore
{
    private readonly string _connectionString;

    public SqliteContentStore(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = Open();
        using var command = connection.CreateCommand();
        // WAL lets readers proceed while a batch is being written.
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS content (
                id TEXT NOT NULL PRIMARY KEY,
                type TEXT NOT NULL,
                seed INTEGER NOT NULL,
                json TEXT NOT NULL,
                stored_at INTEGER NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    public void PutMany(IReadOnlyCollection<GameContent> contents)
    {
        if (contents.Count == 0)
            return;
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR IGNORE INTO content (id, type, seed, json, stored_at) VALUES ($id, $type, $seed, $json, $at)";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var seed = command.Parameters.Add("$seed", SqliteType.Integer);
        var json = command.Parameters.Add("$json", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var content in contents)
        {
            id.Value = content.Id ?? throw new ArgumentException("content without an id cannot be stored", nameof(contents));
            type.Value = ContentTypes.WireName(content.Type);
            seed.Value = content.Seed;
            json.Value = ContentJson.Serialize(content);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public GameContent? Get(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM content WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is string json ? ContentJson.Deserialize(json) : null;
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM content";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => SqliteConnection.ClearPool(new SqliteConnection(_connectionString));

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
