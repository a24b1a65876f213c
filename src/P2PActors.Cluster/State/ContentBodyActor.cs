using Akka.Actor;
using Akka.Event;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.Storage;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.State;

/// <summary>
/// Keep this body (already verified against its id) in the local store; with <paramref name="Shared"/>, the header this
/// node is sharing it under, kept so the share survives a crash before its catalog bucket is written.
/// </summary>
public sealed record StoreContentBody(string Id, string Json, CatalogHeader? Shared = null);

/// <summary>Asks for the headers of this node's latest shares, newest first, at most <paramref name="Limit"/>.</summary>
public sealed record LoadSharedHeaders(int Limit);

public sealed record SharedHeaders(IReadOnlyList<CatalogHeader> Headers);

public sealed record ContentBodyStored(string Id);

/// <summary>
/// Holds the full content bodies this node generated, shared or fetched, in SQLite. Peers ask it with
/// <see cref="FetchContentBody"/>; bodies are not replicated through DData because a single map can exceed a
/// remoting frame and most nodes never need most bodies. The id is the SHA-256 of the canonical JSON, so whoever
/// receives a body checks it and a lying peer cannot substitute content.
/// Stores are group-committed, as the replicator's durable store is: every store already in the mailbox when the
/// commit runs goes into one transaction and is acknowledged after it, so a busy node does not pay two commits (body
/// and header) per share. A read commits what is pending first, so it sees every store sent before it.
/// </summary>
public sealed class ContentBodyActor : ReceiveActor
{
    public const string Name = "p2p-content-bodies";

    /// <summary>The store's file, in the data directory it is given.</summary>
    public const string FileName = "catalog-bodies.db";

    /// <summary>Shared headers kept for recovery; older ones are deleted.</summary>
    public const int MaxSharedHeadersKept = 20_000;

    private readonly SqliteConnection _connection;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _headersStored;
    /// <summary>Stores waiting for the next commit, and whom to tell once it is done.</summary>
    private readonly List<(StoreContentBody Store, IActorRef ReplyTo)> _pending = [];
    private bool _commitQueued;

    /// <summary>Queued behind the stores already in the mailbox: they all go into one transaction.</summary>
    private sealed class CommitPending
    {
        public static readonly CommitPending Instance = new();
    }

    public ContentBodyActor(string? dataDirectory)
    {
        string source;
        if (dataDirectory is null)
            source = "Data Source=:memory:";
        else
        {
            var path = Path.Combine(dataDirectory, FileName);
            SqliteFiles.EnsureDirectoryFor(path);
            source = SqliteFiles.ConnectionString(path, pooling: false);
        }
        _connection = SqliteFiles.Open(source,
            SqliteFiles.WalWriter,
            "CREATE TABLE IF NOT EXISTS content_body (id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS shared_header (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, header TEXT NOT NULL)");

        Receive<StoreContentBody>(Enqueue);
        Receive<CommitPending>(_ => Commit());
        Receive<FetchContentBody>(msg =>
        {
            Commit();
            Fetch(msg);
        });
        Receive<LoadSharedHeaders>(msg =>
        {
            Commit();
            Load(msg);
        });
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
        // Stores taken from the mailbox but not committed yet are written before the connection closes.
        Commit();
        _connection.Dispose();
        base.PostStop();
    }

    private void Enqueue(StoreContentBody msg)
    {
        _pending.Add((msg, Sender));
        if (_commitQueued) return;
        _commitQueued = true;
        Self.Tell(CommitPending.Instance);
    }

    private void Commit()
    {
        _commitQueued = false;
        if (_pending.Count == 0) return;
        var batch = _pending.ToArray();
        _pending.Clear();
        try
        {
            using (var transaction = _connection.BeginTransaction())
            {
                foreach (var (store, _) in batch)
                    Write(store, transaction);
                transaction.Commit();
            }
            foreach (var (store, replyTo) in batch)
                replyTo.Tell(new ContentBodyStored(store.Id));
        }
        catch (SqliteException e)
        {
            // The transaction rolled back; each store is tried again on its own, so one that fails fails alone.
            _log.Warning("Could not store {0} content bodies together ({1}); storing them one by one", batch.Length, e.Message);
            foreach (var (store, replyTo) in batch)
                StoreAlone(store, replyTo);
        }
    }

    private void StoreAlone(StoreContentBody msg, IActorRef replyTo)
    {
        try
        {
            Write(msg, transaction: null);
            replyTo.Tell(new ContentBodyStored(msg.Id));
        }
        catch (SqliteException e)
        {
            _log.Error(e, "Could not store content body {0}", msg.Id);
            replyTo.Tell(new Status.Failure(e));
        }
    }

    private void Write(StoreContentBody msg, SqliteTransaction? transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO content_body (id, json) VALUES ($id, $json) ON CONFLICT(id) DO NOTHING";
        command.Parameters.AddWithValue("$id", msg.Id);
        command.Parameters.AddWithValue("$json", msg.Json);
        command.ExecuteNonQuery();
        if (msg.Shared is { } header) StoreHeader(header, transaction);
    }

    /// <summary>Only the latest shares are ever read back, so older rows are pruned now and then (one in a thousand stores).</summary>
    private void StoreHeader(CatalogHeader header, SqliteTransaction? transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO shared_header (id, header) VALUES ($id, $header)";
        command.Parameters.AddWithValue("$id", header.Id);
        command.Parameters.AddWithValue("$header", JsonSerializer.Serialize(header, P2PJsonSerializer.ValueOptions));
        command.ExecuteNonQuery();
        if (++_headersStored % 1_000 != 0) return;
        using var prune = _connection.CreateCommand();
        prune.Transaction = transaction;
        prune.CommandText = "DELETE FROM shared_header WHERE seq <= (SELECT MAX(seq) FROM shared_header) - $keep";
        prune.Parameters.AddWithValue("$keep", MaxSharedHeadersKept);
        prune.ExecuteNonQuery();
    }

    /// <summary>A row that no longer parses (a file edited by hand, a format from the future) is skipped and logged, not fatal.</summary>
    private void Load(LoadSharedHeaders msg)
    {
        var headers = new List<CatalogHeader>();
        var skipped = 0;
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT header FROM shared_header ORDER BY seq DESC LIMIT $limit";
            command.Parameters.AddWithValue("$limit", Math.Clamp(msg.Limit, 0, MaxSharedHeadersKept));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                try
                {
                    if (JsonSerializer.Deserialize<CatalogHeader>(reader.GetString(0), P2PJsonSerializer.ValueOptions) is { } header) headers.Add(header);
                    else skipped++;
                }
                catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
                {
                    skipped++;
                }
            }
        }
        catch (SqliteException e)
        {
            _log.Error(e, "Could not read the shared headers back");
        }
        if (skipped > 0) _log.Warning("Skipped {0} stored shared headers that do not parse", skipped);
        Sender.Tell(new SharedHeaders(headers));
    }

    /// <summary>
    /// A store that cannot be read (a damaged file, a disk gone) is answered, not thrown: thrown, the read went
    /// unanswered and its asker waited out its timeout. This node learns why (a failure it can report); a peer asking
    /// for a body only learns that it cannot have it here, as from any node that does not hold it.
    /// </summary>
    private void Fetch(FetchContentBody msg)
    {
        // A peer's request is not checked by the serializer: a missing or malformed id is answered, not read (a null
        // one threw outside the store's errors and restarted this actor, reopening its database each time).
        if (StateValidation.CatalogId(msg.Id) is not null)
        {
            Sender.Tell(new ContentBodyMissing(msg.Id ?? ""));
            return;
        }
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT json FROM content_body WHERE id = $id";
            command.Parameters.AddWithValue("$id", msg.Id);
            Sender.Tell(command.ExecuteScalar() is string json ? new ContentBodyFound(msg.Id, json) : new ContentBodyMissing(msg.Id));
        }
        catch (SqliteException e)
        {
            _log.Error(e, "Could not read content body {0}", msg.Id);
            Sender.Tell(Sender.Path.Address.HasLocalScope
                ? new Status.Failure(new ContentStoreException($"This node's content store could not be read: {e.Message}", e))
                : new ContentBodyMissing(msg.Id));
        }
    }
}
