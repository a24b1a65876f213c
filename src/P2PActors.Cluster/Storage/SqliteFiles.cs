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

    /// <summary>
    /// Why the existing SQLite file at <paramref name="path"/> cannot be read, and whether that is damage to the file
    /// itself (not a database, or corrupt) rather than a failure to open it now (locked by another program, no
    /// permission, an I/O error); null when it reads (or does not exist yet). Reads the header and the schema only, so
    /// it costs a few milliseconds whatever the file's size, and a file it refuses is left as it was. Opened as the
    /// stores open it (read-write, never created), so it refuses only what the store itself could not open; a file
    /// left in WAL mode by a crash opens as it would for the store.
    /// </summary>
    public static (string Reason, bool Damaged)? Unreadable(string path)
    {
        if (!File.Exists(path))
            return null;
        // A second to wait for a lock another program holds, not the stores' 30: the node is not started meanwhile.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 1 }.ToString();
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master";
            command.ExecuteScalar();
            return null;
        }
        catch (SqliteException e)
        {
            // SQLite's sentence ends in a full stop; the caller quotes it mid-sentence. 26: not a database, 11: corrupt.
            return (e.Message.TrimEnd('.'), e.SqliteErrorCode is 26 or 11);
        }
    }

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
