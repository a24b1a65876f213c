using Akka.Actor;
using Akka.Event;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Storage;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.State;

/// <summary>Keep this body (already verified against its id) in the local store.</summary>
public sealed record StoreContentBody(string Id, string Json);

public sealed record ContentBodyStored(string Id);

/// <summary>
/// Holds the full content bodies this node generated, shared or fetched, in SQLite. Peers ask it with
/// <see cref="FetchContentBody"/>; bodies are not replicated through DData because a single map can exceed a
/// remoting frame and most nodes never need most bodies. The id is the SHA-256 of the canonical JSON, so whoever
/// receives a body checks it and a lying peer cannot substitute content.
/// </summary>
public sealed class ContentBodyActor : ReceiveActor
{
    public const string Name = "p2p-content-bodies";

    private readonly SqliteConnection _connection;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ContentBodyActor(string? dataDirectory)
    {
        string source;
        if (dataDirectory is null)
            source = "Data Source=:memory:";
        else
        {
            var path = Path.Combine(dataDirectory, "catalog-bodies.db");
            SqliteFiles.EnsureDirectoryFor(path);
            source = SqliteFiles.ConnectionString(path, pooling: false);
        }
        _connection = SqliteFiles.Open(source,
            SqliteFiles.WalWriter,
            "CREATE TABLE IF NOT EXISTS content_body (id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL)");

        Receive<StoreContentBody>(Store);
        Receive<FetchContentBody>(Fetch);
    }

    public static Props Props(string? dataDirectory) => Akka.Actor.Props.Create(() => new ContentBodyActor(dataDirectory));

    /// <summary>Parses a body and checks it against the id it claims; null when it is not that content.</summary>
    public static GameContent? Verify(string id, string json)
    {
        try
        {
            var content = ContentJson.Deserialize(json);
            return string.Equals(ContentJson.ComputeId(content), id, StringComparison.Ordinal) ? content with { Id = id } : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    protected override void PostStop()
    {
        _connection.Dispose();
        base.PostStop();
    }

    private void Store(StoreContentBody msg)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO content_body (id, json) VALUES ($id, $json) ON CONFLICT(id) DO NOTHING";
            command.Parameters.AddWithValue("$id", msg.Id);
            command.Parameters.AddWithValue("$json", msg.Json);
            command.ExecuteNonQuery();
            Sender.Tell(new ContentBodyStored(msg.Id));
        }
        catch (SqliteException e)
        {
            _log.Error(e, "Could not store content body {0}", msg.Id);
            Sender.Tell(new Status.Failure(e));
        }
    }

    private void Fetch(FetchContentBody msg)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT json FROM content_body WHERE id = $id";
        command.Parameters.AddWithValue("$id", msg.Id);
        Sender.Tell(command.ExecuteScalar() is string json ? new ContentBodyFound(msg.Id, json) : new ContentBodyMissing(msg.Id));
    }
}
