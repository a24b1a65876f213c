using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The replicator's SQLite durable store, driven as the replicator drives it, on a real database file.</summary>
public sealed class SqliteDurableStoreTests : TestKit
{
    private const string Key = StateKeys.CatalogPrefix + "0a";

    private readonly string _directory = TestCluster.NewDataDirectory();

    public SqliteDurableStoreTests()
        : base(ConfigurationFactory.ParseString(P2PActors.Cluster.Serialization.SerializationSetup.Hocon + "\nakka.loglevel = WARNING").WithFallback(DistributedData.DefaultConfig()))
    {
    }

    private string DatabasePath => Path.Combine(_directory, "ddata.db");

    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"stored-{n}")));

    private static CatalogHeader Header(int n, string name = "Blade") =>
        new(Id(n), ContentType.Item, $"{name} {n}", "alice", 1_000 + n, "akka.tcp://p2pactors@127.0.0.1:4053",
            new Certificate(Id(n), 65_534, new string('e', 64),
                [new Vote(new string('1', 64), Id(n), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)(i + n)).ToArray())]).ToProof());

    private IActorRef StartStore()
    {
        var store = Sys.ActorOf(Props.Create(() => new SqliteDurableStore(ConfigurationFactory.ParseString($"sqlite.path = \"{DatabasePath}\""))));
        store.Tell(LoadAll.Instance);
        return store;
    }

    /// <summary>Everything a fresh store loads, as the replicator would receive it.</summary>
    private ImmutableDictionary<string, IReplicatedData> LoadEverything(IActorRef store)
    {
        var loaded = ImmutableDictionary<string, IReplicatedData>.Empty;
        while (true)
        {
            var message = ExpectMsg<object>(TimeSpan.FromSeconds(10));
            if (message is LoadAllCompleted) return loaded;
            foreach (var (key, envelope) in Assert.IsType<LoadData>(message).Data)
                loaded = loaded.SetItem(key, envelope.Data);
        }
    }

    private void Store(IActorRef store, string key, IReplicatedData data)
    {
        store.Tell(new Store(key, new DurableDataEnvelope(data), new StoreReply("stored", "failed", TestActor)));
        ExpectMsg("stored", TimeSpan.FromSeconds(10));
    }

    private void Stop(IActorRef store)
    {
        Watch(store);
        Sys.Stop(store);
        ExpectTerminated(store, TimeSpan.FromSeconds(10));
    }

    /// <summary>The store's database file, opened beside the store (no pooling, so nothing stays open after the test).</summary>
    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private List<(string Key, string Id, string Slot)> EntryRows()
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, id, slot FROM ddata_catalog_entry ORDER BY key, id";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), Encoding.UTF8.GetString((byte[])reader[2])));
        return rows;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private long WholeRows(string key)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ddata WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void A_catalog_bucket_is_stored_as_its_entries_and_a_store_writes_only_the_entries_that_changed()
    {
        // Prevents: every store of a bucket rewriting all of it (each node wrote its whole catalog every persist round).
        var store = StartStore();
        Assert.Empty(LoadEverything(store));
        var first = CatalogBucket.Empty.SetItem("node-a", Header(1), nowMs: 100).SetItem("node-a", Header(2), nowMs: 100);
        Store(store, Key, first);
        Assert.Equal([Id(1), Id(2)], EntryRows().Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(0, WholeRows(Key));

        // A row the next store has no reason to touch is marked behind the store's back: if it were written again,
        // the mark would be gone.
        var marked = new CatalogSlot(Header(1, name: "Marked"), 1, "node-z").ToUtf8Json();
        Execute("UPDATE ddata_catalog_entry SET slot = $s WHERE id = $id", ("$s", marked), ("$id", Id(1)));
        var second = first.SetItem("node-a", Header(3), nowMs: 200);
        Store(store, Key, second);
        var rows = EntryRows();
        Assert.Equal(3, rows.Count);
        Assert.Equal(Encoding.UTF8.GetString(marked), rows.Single(r => r.Id == Id(1)).Slot);

        // A changed entry is written again.
        var third = second.SetItem("node-b", Header(1, name: "Renamed"), nowMs: 300);
        Store(store, Key, third);
        Assert.Contains("Renamed 1", EntryRows().Single(r => r.Id == Id(1)).Slot);
        Stop(store);

        var reloaded = LoadEverything(StartStore());
        Assert.Equal(third, Assert.IsType<CatalogBucket>(Assert.Single(reloaded).Value));
    }

    [Fact]
    public void A_bucket_stored_whole_by_the_former_release_loads_and_is_replaced_by_its_entries_at_its_first_store()
    {
        // Prevents: a data folder of the release before losing its catalog, or keeping a stale whole copy beside the rows.
        var old = CatalogBucket.Empty.SetItem("node-a", Header(1), nowMs: 100).SetItem("node-a", Header(2), nowMs: 100);
        var register = new LWWRegister<string>(new Akka.Cluster.UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 1), 1), "kept", 5);
        Directory.CreateDirectory(_directory);
        Execute("CREATE TABLE ddata (key TEXT PRIMARY KEY NOT NULL, manifest TEXT NOT NULL, envelope BLOB NOT NULL)");
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(DurableDataEnvelope));
        foreach (var (key, data) in new (string, IReplicatedData)[] { (Key, old), ("other", register) })
        {
            var envelope = new DurableDataEnvelope(data);
            Execute("INSERT INTO ddata (key, manifest, envelope) VALUES ($k, $m, $v)",
                ("$k", key), ("$m", serializer.Manifest(envelope)), ("$v", serializer.ToBinary(envelope)));
        }

        var store = StartStore();
        var loaded = LoadEverything(store);
        Assert.Equal(old, loaded[Key]);
        Assert.Equal("kept", Assert.IsType<LWWRegister<string>>(loaded["other"]).Value);
        Assert.Empty(EntryRows());

        var grown = old.SetItem("node-a", Header(3), nowMs: 200);
        Store(store, Key, grown);
        Assert.Equal(0, WholeRows(Key));
        Assert.Equal(1, WholeRows("other"));
        Assert.Equal(3, EntryRows().Count);
        Stop(store);

        var reloaded = LoadEverything(StartStore());
        Assert.Equal(grown, reloaded[Key]);
        Assert.Equal("kept", Assert.IsType<LWWRegister<string>>(reloaded["other"]).Value);
    }

    [Fact]
    public void A_stored_entry_that_is_not_a_slot_fails_the_load_instead_of_loading_part_of_a_bucket()
    {
        var store = StartStore();
        LoadEverything(store);
        Store(store, Key, CatalogBucket.Empty.SetItem("node-a", Header(1), nowMs: 100));
        Stop(store);
        Execute("UPDATE ddata_catalog_entry SET slot = $s", ("$s", Encoding.UTF8.GetBytes("{\"ts\":-1,\"node\":\"x\"}")));

        var broken = Sys.ActorOf(Props.Create(() => new SqliteDurableStore(ConfigurationFactory.ParseString($"sqlite.path = \"{DatabasePath}\""))));
        Watch(broken);
        EventFilter.Exception<LoadFailedException>().ExpectOne(() => broken.Tell(LoadAll.Instance));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) TestCluster.DeleteDataDirectory(_directory);
    }
}
