using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Storage;

namespace P2PActors.Cluster.Tests.Storage;

/// <summary>The start-up check of the node's SQLite files: a sound file passes however it was left, a damaged one is named.</summary>
public sealed class SqliteFilesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"p2pactors-sqlite-check-{Guid.NewGuid():N}");

    public SqliteFilesTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void A_file_not_there_yet_is_no_problem_and_is_not_made()
    {
        Assert.Null(SqliteFiles.Unreadable(PathOf("missing.db")));
        Assert.False(File.Exists(PathOf("missing.db")));
    }

    [Fact]
    public void A_file_that_is_not_SQLite_or_lost_its_first_pages_is_named_unreadable()
    {
        File.WriteAllText(PathOf("text.db"), "not a database at all, but long enough to hold a header of one hundred bytes or more........");
        var text = SqliteFiles.Unreadable(PathOf("text.db"));
        Assert.Contains("file is not a database", text?.Reason, StringComparison.Ordinal);
        Assert.True(text?.Damaged);

        var sound = PathOf("sound.db");
        using (var connection = SqliteFiles.Open(SqliteFiles.ConnectionString(sound, pooling: false),
                   "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO t (body) VALUES (zeroblob(100000))"))
        {
        }
        var bytes = File.ReadAllBytes(sound);
        Array.Clear(bytes, 0, 4096);
        File.WriteAllBytes(PathOf("headless.db"), bytes);
        Assert.True(SqliteFiles.Unreadable(PathOf("headless.db"))?.Damaged);
    }

    [Fact]
    public void A_sound_file_another_program_holds_locked_is_not_called_damaged()
    {
        var busy = PathOf("busy.db");
        // An exclusive transaction of another connection (say, a backup tool's): in rollback-journal mode no one else reads.
        using var holder = SqliteFiles.Open(SqliteFiles.ConnectionString(busy, pooling: false),
            "CREATE TABLE t (id INTEGER PRIMARY KEY)", "BEGIN EXCLUSIVE", "INSERT INTO t DEFAULT VALUES");
        var problem = SqliteFiles.Unreadable(busy);
        Assert.NotNull(problem);
        Assert.False(problem.Value.Damaged, problem.Value.Reason);
        Assert.Contains("locked", problem.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sound_file_left_in_WAL_mode_by_a_crash_reads_even_without_its_shared_memory_file()
    {
        var live = PathOf("live.db");
        // The writer stays open, as in a node killed mid-run: the rows are in the -wal file, not yet in the database.
        using var writer = SqliteFiles.Open(SqliteFiles.ConnectionString(live, pooling: false), SqliteFiles.WalWriter,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO t (body) VALUES ('kept')");
        Assert.True(File.Exists(live + "-wal"));
        var copy = PathOf("crashed.db");
        File.Copy(live, copy);
        File.Copy(live + "-wal", copy + "-wal");

        Assert.Null(SqliteFiles.Unreadable(copy));
        using var reader = SqliteFiles.Open(SqliteFiles.ConnectionString(copy, pooling: false));
        using var command = reader.CreateCommand();
        command.CommandText = "SELECT body FROM t";
        Assert.Equal("kept", command.ExecuteScalar());
    }
}
