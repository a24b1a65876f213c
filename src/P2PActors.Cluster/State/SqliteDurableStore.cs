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
/// <para>
/// A <see cref="CatalogBucket"/> is kept one row per entry (all the variants of its id), and a store writes only the entries that differ from the
/// bucket this store last wrote under that key. The replicator stores a key's whole value on every change, and with
/// sharing every bucket changes every <see cref="GameStateSettings.CatalogPersistInterval"/> on every node: written
/// whole, each node serialised and wrote its entire catalog that often (half the catalog's serialisations in a
/// 6,000-item chaos run, and a cost that grew with the catalog). Entries are never removed from a bucket, so the rows
/// of a key together are its value. A bucket stored whole by an earlier release is read as before and replaced by its
/// rows at its first store.
/// </para>
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
    /// <summary>Per catalog key, the bucket its rows hold now: what the next store of the key is compared with.</summary>
    private readonly Dictionary<string, CatalogBucket> _storedCatalog = new(StringComparer.Ordinal);
    /// <summary>Catalog keys that still have a whole-bucket row in <c>ddata</c> (an earlier release's), deleted at their first store.</summary>
    private readonly HashSet<string> _wholeCatalogRows = new(StringComparer.Ordinal);
    private bool _flushScheduled;

    public SqliteDurableStore(Config config)
    {
        var path = config.GetString("sqlite.path");
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("akka.cluster.distributed-data.durable.sqlite.path must be set");
        SqliteFiles.EnsureDirectoryFor(path);
        _connection = SqliteFiles.Open(SqliteFiles.ConnectionString(path, pooling: false),
            SqliteFiles.WalWriter,
            "CREATE TABLE IF NOT EXISTS ddata (key TEXT PRIMARY KEY NOT NULL, manifest TEXT NOT NULL, envelope BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ddata_catalog_entry (key TEXT NOT NULL, id TEXT NOT NULL, slot BLOB NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID");
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
            var batch = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>();
            void Add(string key, DurableDataEnvelope envelope)
            {
                batch[key] = envelope;
                if (batch.Count < LoadBatchSize) return;
                Sender.Tell(new LoadData(batch.ToImmutable()));
                batch.Clear();
            }

            var wholeBuckets = new Dictionary<string, CatalogBucket>(StringComparer.Ordinal);
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT key, manifest, envelope FROM ddata";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = reader.GetString(0);
                    var envelope = (DurableDataEnvelope)_serializer.FromBinary((byte[])reader[2], reader.GetString(1));
                    if (envelope.Data is CatalogBucket whole)
                    {
                        wholeBuckets[key] = whole;
                        _wholeCatalogRows.Add(key);
                    }
                    else
                        Add(key, envelope);
                }
            }
            foreach (var (key, bucket) in ReadCatalogRows())
            {
                _storedCatalog[key] = bucket;
                Add(key, new DurableDataEnvelope(wholeBuckets.Remove(key, out var whole) ? whole.Merge(bucket) : bucket));
            }
            foreach (var (key, whole) in wholeBuckets)
                Add(key, new DurableDataEnvelope(whole));
            if (batch.Count > 0) Sender.Tell(new LoadData(batch.ToImmutable()));
            Sender.Tell(LoadAllCompleted.Instance);
        }
        catch (Exception e)
        {
            throw new LoadFailedException("failed to load durable distributed data from SQLite", e);
        }
    }

    /// <summary>The catalog buckets stored as rows, one key at a time.</summary>
    private IEnumerable<(string Key, CatalogBucket Bucket)> ReadCatalogRows()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, slot FROM ddata_catalog_entry ORDER BY key";
        using var reader = command.ExecuteReader();
        string? current = null;
        var slots = new List<CatalogSlot>();
        while (reader.Read())
        {
            var key = reader.GetString(0);
            if (current is not null && key != current)
            {
                yield return (current, CatalogBucket.FromSlots(slots));
                slots.Clear();
            }
            current = key;
            slots.AddRange(CatalogSlot.ManyFromUtf8Json((byte[])reader[1]));
        }
        if (current is not null) yield return (current, CatalogBucket.FromSlots(slots));
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
        var storedBuckets = new List<(string Key, CatalogBucket Bucket)>();
        try
        {
            using var tx = _connection.BeginTransaction();
            using var envelopes = Prepare(tx,
                "INSERT INTO ddata (key, manifest, envelope) VALUES ($k, $m, $v) ON CONFLICT(key) DO UPDATE SET manifest = excluded.manifest, envelope = excluded.envelope",
                ("$k", SqliteType.Text), ("$m", SqliteType.Text), ("$v", SqliteType.Blob));
            using var entries = Prepare(tx,
                "INSERT INTO ddata_catalog_entry (key, id, slot) VALUES ($k, $id, $s) ON CONFLICT(key, id) DO UPDATE SET slot = excluded.slot",
                ("$k", SqliteType.Text), ("$id", SqliteType.Text), ("$s", SqliteType.Blob));
            using var wholeRows = Prepare(tx, "DELETE FROM ddata WHERE key = $k", ("$k", SqliteType.Text));
            foreach (var (k, envelope) in _pending)
            {
                if (envelope.Data is CatalogBucket bucket)
                {
                    StoreEntries(entries, wholeRows, k, bucket);
                    storedBuckets.Add((k, bucket));
                    continue;
                }
                Run(envelopes, k, _serializer.Manifest(envelope), _serializer.ToBinary(envelope));
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            ok = false;
            _log.Error(e, "Failed to store [{0}] distributed data entries", _pending.Count);
        }
        if (ok)
        {
            // Only once committed: after a failed transaction the next store of a key is compared with what is on disk.
            foreach (var (k, bucket) in storedBuckets)
            {
                _storedCatalog[k] = bucket;
                _wholeCatalogRows.Remove(k);
            }
        }
        foreach (var reply in _replies)
            reply.ReplyTo.Tell(ok ? reply.SuccessMessage : reply.FailureMessage);
        _pending.Clear();
        _replies.Clear();
    }

    /// <summary>
    /// Writes the entries of <paramref name="bucket"/> that differ from the bucket last stored under
    /// <paramref name="key"/>, and drops the key's whole-bucket row if an earlier release left one.
    /// </summary>
    private void StoreEntries(SqliteCommand entries, SqliteCommand wholeRows, string key, CatalogBucket bucket)
    {
        _storedCatalog.TryGetValue(key, out var before);
        foreach (var id in bucket.Slots.Keys)
        {
            // Looks at the references first: variants carried over from the stored bucket cost nothing.
            if (before is not null && before.SameVariants(bucket, id)) continue;
            Run(entries, key, id, CatalogSlot.ToUtf8Json(bucket.Variants(id)));
        }
        // The whole bucket an earlier release stored is in the value just written: its rows replace it.
        if (_wholeCatalogRows.Contains(key)) Run(wholeRows, key);
    }

    private SqliteCommand Prepare(SqliteTransaction tx, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        command.ExecuteNonQuery();
    }
}
