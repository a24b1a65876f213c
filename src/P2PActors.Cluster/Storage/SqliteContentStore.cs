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
    private readonly Lock _writerLock = new();
    private Writer? _writer;

    public SqliteContentStore(string databasePath)
    {
        SqliteFiles.EnsureDirectoryFor(databasePath);
        _connectionString = SqliteFiles.ConnectionString(databasePath, pooling: true);
        using var connection = SqliteFiles.Open(_connectionString, SqliteFiles.WalMode, """
            CREATE TABLE IF NOT EXISTS content (
                id TEXT NOT NULL PRIMARY KEY,
                type TEXT NOT NULL,
                seed INTEGER NOT NULL,
                json TEXT NOT NULL,
                stored_at INTEGER NOT NULL
            );
            """);
    }

    public void PutMany(IReadOnlyCollection<GameContent> contents)
    {
        if (contents.Count == 0)
            return;
        lock (_writerLock)
        {
            _writer ??= Writer.Open(_connectionString);
            try
            {
                _writer.Insert(contents);
            }
            catch
            {
                // Start the next batch on a fresh connection rather than one a failure may have left unusable.
                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
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

    public void Dispose()
    {
        lock (_writerLock)
        {
            _writer?.Dispose();
            _writer = null;
        }
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    private SqliteConnection Open() => SqliteFiles.Open(_connectionString);

    /// <summary>
    /// The one connection that writes, kept open with its insert statement compiled once. Its commits run with
    /// <c>synchronous=NORMAL</c>: in WAL mode they do not wait for an fsync, so a process crash loses nothing
    /// committed, and a power loss or OS crash can lose the batches committed since the last checkpoint.
    /// </summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _id;
        private readonly SqliteParameter _type;
        private readonly SqliteParameter _seed;
        private readonly SqliteParameter _json;
        private readonly SqliteParameter _at;

        private Writer(SqliteConnection connection)
        {
            _connection = connection;
            _insert = connection.CreateCommand();
            _insert.CommandText = "INSERT OR IGNORE INTO content (id, type, seed, json, stored_at) VALUES ($id, $type, $seed, $json, $at)";
            _id = _insert.Parameters.Add("$id", SqliteType.Text);
            _type = _insert.Parameters.Add("$type", SqliteType.Text);
            _seed = _insert.Parameters.Add("$seed", SqliteType.Integer);
            _json = _insert.Parameters.Add("$json", SqliteType.Text);
            _at = _insert.Parameters.Add("$at", SqliteType.Integer);
            _insert.Prepare();
        }

        public static Writer Open(string connectionString) => new(SqliteFiles.Open(connectionString, SqliteFiles.NormalSync));

        public void Insert(IReadOnlyCollection<GameContent> contents)
        {
            using var transaction = _connection.BeginTransaction();
            _insert.Transaction = transaction;
            _at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var content in contents)
            {
                _id.Value = content.Id ?? throw new ArgumentException("content without an id cannot be stored", nameof(contents));
                _type.Value = ContentTypes.WireName(content.Type);
                _seed.Value = content.Seed;
                _json.Value = ContentJson.Serialize(content);
                _insert.ExecuteNonQuery();
            }
            transaction.Commit();
            _insert.Transaction = null;
        }

        public void Dispose()
        {
            _insert.Dispose();
            _connection.Dispose();
        }
    }
}
