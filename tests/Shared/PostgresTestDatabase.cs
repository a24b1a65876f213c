using Npgsql;

namespace P2PActors.Testing;

/// <summary>
/// A database of its own on the test server (<see cref="Components.PostgresConnectionString"/>, whose role has
/// CREATEDB), created for one test and dropped after it, so that tests running at the same time or one after the
/// other never see each other's journal. Use it only from a test marked <c>[PostgresFact]</c>/<c>[PostgresTheory]</c>.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    private readonly string _server;

    public PostgresTestDatabase()
    {
        _server = Components.PostgresConnectionString
                  ?? throw new InvalidOperationException($"{Components.PostgresVariable} is not set; mark the test [PostgresFact]");
        Name = "p2ptest_" + Guid.NewGuid().ToString("N");
        // The name is made here from a GUID, so it is safe to splice into DDL (which takes no parameters).
        Execute(_server, $"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The server's connection string with this database.</summary>
    public string ConnectionString { get; }

    /// <summary>The single value <paramref name="sql"/> answers in this database; <c>@id</c> is bound to <paramref name="id"/>.</summary>
    public long Count(string sql, string id)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>The rows <paramref name="sql"/> answers (a number and a flag each), as "number (deleted)", comma-separated.</summary>
    public string Rows(string sql, string id)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add($"{reader.GetInt64(0)}{(reader.GetBoolean(1) ? " (deleted)" : "")}");
        return string.Join(", ", rows);
    }

    public void Dispose()
    {
        using (var probe = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(probe);
        // FORCE ends the connections a node left open (its pool outlives the actor system until collected).
        Execute(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
