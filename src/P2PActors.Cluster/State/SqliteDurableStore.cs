using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Serialization;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Storage;

namespace P2PActors.Cluster.State;

/// <summary>
/// Durable store for the DData replicator on SQLite (the LMDB store does not load on this platform).
/// Stores are group-committed: every <see cref="Store"/> already in the mailbox when a flush runs goes into one
/// transaction, and each is acknowledged only after that transaction commits — durable before the reply,
/// without one fsync per update.
/// </summary>
public sealed class SqliteDurableStore : ReceiveActor
{
    private const int LoadBatchSize = 64;

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SerializerWithStringManifest _serializer;
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, DurableDataEnvelope> _pending = new(StringComparer.Ordinal);
    private readonly List<StoreReply> _replies = [];
    private bool _flushScheduled;

    public SqliteDurableStore(Config config)
    {
        var path = config.GetString("sqlite.path");
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("akka.cluster.distributed-data.durable.sqlite.path must be set");
        SqliteFiles.EnsureDirectoryFor(path);
        _connection = SqliteFiles.Open(SqliteFiles.ConnectionString(path, pooling: false),
            SqliteFiles.WalWriter,
            "CREATE TABLE IF NOT EXISTS ddata (key TEXT PRIMARY KEY NOT NULL, manifest TEXT NOT NULL, envelope BLOB NOT NULL)");
        _serializer = (SerializerWithStringManifest)Context.System.Serialization.FindSerializerForType(typeof(DurableDataEnvelope));

        Receive<LoadAll>(_ => LoadEverything());
        Receive<Store>(Enqueue);
        Receive<Flush>(_ => DoFlush());
    }

    protected override void PostStop()
    {
        DoFlush();
        _connection.Dispose();
        base.PostStop();
    }

    private void LoadEverything()
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, manifest, envelope FROM ddata";
            using var reader = command.ExecuteReader();
            var batch = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>();
            while (reader.Read())
            {
                var envelope = (DurableDataEnvelope)_serializer.FromBinary((byte[])reader[2], reader.GetString(1));
                batch[reader.GetString(0)] = envelope;
                if (batch.Count < LoadBatchSize) continue;
                Sender.Tell(new LoadData(batch.ToImmutable()));
                batch.Clear();
            }
            if (batch.Count > 0) Sender.Tell(new LoadData(batch.ToImmutable()));
            Sender.Tell(LoadAllCompleted.Instance);
        }
        catch (Exception e)
        {
            throw new LoadFailedException("failed to load durable distributed data from SQLite", e);
        }
    }

    private void Enqueue(Store store)
    {
        _pending[store.Key] = store.Data;
        if (store.Reply is { } reply) _replies.Add(reply);
        if (_flushScheduled) return;
        _flushScheduled = true;
        Self.Tell(Flush.Instance);
    }

    private void DoFlush()
    {
        _flushScheduled = false;
        if (_pending.Count == 0) return;
        var ok = true;
        try
        {
            using var tx = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO ddata (key, manifest, envelope) VALUES ($k, $m, $v) ON CONFLICT(key) DO UPDATE SET manifest = excluded.manifest, envelope = excluded.envelope";
            var key = command.Parameters.Add("$k", SqliteType.Text);
            var manifest = command.Parameters.Add("$m", SqliteType.Text);
            var value = command.Parameters.Add("$v", SqliteType.Blob);
            foreach (var (k, envelope) in _pending)
            {
                key.Value = k;
                manifest.Value = _serializer.Manifest(envelope);
                value.Value = _serializer.ToBinary(envelope);
                command.ExecuteNonQuery();
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            ok = false;
            _log.Error(e, "Failed to store [{0}] distributed data entries", _pending.Count);
        }
        foreach (var reply in _replies)
            reply.ReplyTo.Tell(ok ? reply.SuccessMessage : reply.FailureMessage);
        _pending.Clear();
        _replies.Clear();
    }
}
