using Microsoft.Data.Sqlite;

namespace P2PActors.Cluster.Storage;

/// <summary>
/// How the node opens its SQLite files, so every store does it the same way. They all run in WAL mode (readers
/// never block the writer); connections that write commit with <c>synchronous=NORMAL</c>, which in WAL mode skips
/// the fsync per commit: a process crash loses nothing committed, a power loss can lose the commits since the last
/// checkpoint.
/// </summary>
internal static class SqliteFiles
{
    public const string WalMode = "PRAGMA journal_mode=WAL;";

    public const string WalWriter = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";

    public const string NormalSync = "PRAGMA synchronous=NORMAL;";

    /// <summary>Creates the directory the database file will live in, if it has one.</summary>
    public static void EnsureDirectoryFor(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
    }

    /// <summary>
    /// Pooled for a store that opens a connection per call (and may be read from any thread); unpooled for an
    /// actor that keeps one connection open for its lifetime and closes the file with it.
    /// </summary>
    public static string ConnectionString(string path, bool pooling) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = pooling,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Opens a connection and runs each statement (pragmas, <c>CREATE TABLE IF NOT EXISTS</c>) on it, in order.</summary>
    public static SqliteConnection Open(string connectionString, params string[] statements)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            foreach (var sql in statements)
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
