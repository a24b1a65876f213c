using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Serialization;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

public sealed class StateSerializationTests : IAsyncLifetime
{
    private StateNode _node = null!;

    private static readonly IReadOnlyList<IP2PMessage> Samples =
    [
        new PlayerPosition("forest", 1.5, -2.25, 1_700_000_000_123),
        new PresenceEntry("town", 1_700_000_000_456, "akka.tcp://p2pactors@127.0.0.1:4053"),
        new CatalogHeader(new string('a', 64), ContentType.Map, "Sunken Keep", "node-a", 1_700_000_000_789, "akka.tcp://p2pactors@127.0.0.1:4053",
            new Certificate(new string('a', 64), 65_534, new string('e', 64),
                [new Vote(new string('1', 64), new string('a', 64), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)i).ToArray())]).ToProof()),
        new PositionBatch([
            new PositionEntry("alice", new PlayerPosition("forest", 1.5, -2.25, 1_700_000_000_123)),
            new PositionEntry("bob", new PlayerPosition("caves", 0, 7, 1_700_000_000_124)),
        ]),
        new CatalogBatch([
            new CatalogHeader(new string('c', 64), ContentType.Item, "Blade", "node-b", 1_700_000_000_790, "akka.tcp://p2pactors@127.0.0.1:4054",
                new Certificate(new string('c', 64), 65_534, new string('e', 64),
                    [new Vote(new string('2', 64), new string('c', 64), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray())]).ToProof()),
            new CatalogHeader(new string('d', 64), ContentType.Quest, "Lost Ring", "node-b", 1_700_000_000_791, "akka.tcp://p2pactors@127.0.0.1:4054"),
        ]),
        new CatalogAck([new string('c', 64), new string('d', 64)]),
        new FetchContentBody(new string('b', 64)),
        new ContentBodyFound(new string('c', 64), """{"type":"item"}"""),
        new ContentBodyMissing(new string('d', 64)),
        InventoryBucket.Empty
            .Add("akka.tcp://p2pactors@127.0.0.1:4053#42", "alice", "sword")
            .Add("akka.tcp://p2pactors@127.0.0.1:4054#7", "alice", "shield")
            .Remove("alice", "sword")
            .Add("akka.tcp://p2pactors@127.0.0.1:4053#42", "bob", "potion")
            .Merge(InventoryBucket.Empty.Add("x#1", "bob", "potion")),
        CatalogBucket.Empty
            .SetItem("akka.tcp://p2pactors@127.0.0.1:4053#42", new CatalogHeader(new string('b', 64), ContentType.Dialog, "Greeting", "node-a", 1_700_000_000_792, "akka.tcp://p2pactors@127.0.0.1:4053"), 1_700_000_000_800)
            .SetItem("akka.tcp://p2pactors@127.0.0.1:4054#7", new CatalogHeader(new string('c', 64), ContentType.Item, "Blade", "node-b", 1_700_000_000_790, "akka.tcp://p2pactors@127.0.0.1:4054",
                new Certificate(new string('c', 64), 65_534, new string('e', 64),
                    [new Vote(new string('2', 64), new string('c', 64), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray())]).ToProof()), 1_700_000_000_801)
            .ResetDelta(),
    ];

    public Task InitializeAsync()
    {
        _node = TestCluster.StartNode(new StateNodeOptions(), seed: null, join: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void Every_state_message_type_has_a_sample_here()
    {
        var types = typeof(GameState).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GameState).Namespace && typeof(IP2PMessage).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.FullName)
            .Order();
        Assert.Equal(types, Samples.Select(s => s.GetType().FullName).Order());
    }

    [Fact]
    public void Every_state_message_round_trips_through_the_P2P_json_serializer()
    {
        var serialization = _node.System.Serialization;
        foreach (var sample in Samples)
        {
            var serializer = serialization.FindSerializerFor(sample);
            Assert.IsType<P2PJsonSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
            var back = serialization.Deserialize(serializer.ToBinary(sample), serializer.Identifier, manifest);
            Assert.Equal(sample, back);
        }
    }

    [Fact]
    public void Every_replicated_value_round_trips_inside_its_CRDT()
    {
        var self = Akka.Cluster.Cluster.Get(_node.System).SelfUniqueAddress;
        var position = (PlayerPosition)Samples[0];
        var presence = (PresenceEntry)Samples[1];
        var header = (CatalogHeader)Samples[2];
        IReplicatedData[] crdts =
        [
            LWWDictionary<string, PlayerPosition>.Empty.SetItem(self, "alice", position),
            LWWDictionary<string, PresenceEntry>.Empty.SetItem(self, "alice", presence),
            CatalogBucket.Empty.SetItem(self, header).ResetDelta(),
            InventoryBucket.Empty.Add(InventoryBucket.NodeId(self), "alice", "sword").Add(InventoryBucket.NodeId(self), "alice", "shield").ResetDelta(),
        ];
        var serialization = _node.System.Serialization;
        foreach (var crdt in crdts)
        {
            var back = RoundTrip(serialization, crdt);
            Assert.Equal(crdt, back);
            // What the durable store writes to SQLite must come back the same way.
            var durable = (DurableDataEnvelope)RoundTrip(serialization, new DurableDataEnvelope(crdt));
            Assert.Equal(crdt, durable.Data);
        }
        // DData hands the values to the serializer bound to their type: ours, never the Newtonsoft default.
        Assert.All(new object[] { position, presence, header, Samples.OfType<InventoryBucket>().Single() }, v => Assert.IsType<P2PJsonSerializer>(serialization.FindSerializerFor(v)));
    }

    /// <summary>
    /// The bytes a catalog header with a certificate had on the wire and in the durable store before the header's proof
    /// became a state-owned type (<see cref="CatalogProof"/>). Peers of the older release and stored SQLite rows hold
    /// exactly these: they must read back to the same certificate, and a header written now must serialize to the
    /// same bytes (the replicator compares digests of serialized state, so a changed encoding would never settle).
    /// </summary>
    private const string HeaderBytesBeforeTheStateOwnedProof =
        """{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","type":"map","name":"Sunken Keep","author":"node-a","createdMs":1700000000789,"holder":"akka.tcp://p2pactors@127.0.0.1:4053","certificate":{"contentId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","epoch":65534,"validatorSetHash":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","approvals":[{"validatorId":"1111111111111111111111111111111111111111111111111111111111111111","contentId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","epoch":65534,"approve":true,"rules":[],"signature":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="}]}}""";

    [Fact]
    public void A_certified_header_keeps_its_bytes_and_reads_back_from_the_bytes_stored_before()
    {
        var header = (CatalogHeader)Samples[2];
        var serializer = _node.System.Serialization.FindSerializerFor(header);
        Assert.Equal("P2PActors.Cluster.State.CatalogHeader", Akka.Serialization.Serialization.ManifestFor(serializer, header));
        Assert.Equal(HeaderBytesBeforeTheStateOwnedProof, System.Text.Encoding.UTF8.GetString(serializer.ToBinary(header)));
        var stored = (CatalogHeader)_node.System.Serialization.Deserialize(
            System.Text.Encoding.UTF8.GetBytes(HeaderBytesBeforeTheStateOwnedProof), serializer.Identifier, "P2PActors.Cluster.State.CatalogHeader");
        Assert.Equal(header, stored);
    }

    [Fact]
    public void Equal_inventory_buckets_serialize_to_the_same_bytes_whatever_order_they_were_built_in()
    {
        // The replicator gossips digests of the serialized state: equal states must hash alike or gossip never settles.
        var one = InventoryBucket.Empty.Add("n1#1", "zed", "b").Add("n2#2", "amy", "a");
        var other = InventoryBucket.Empty.Add("n2#2", "amy", "a").Merge(InventoryBucket.Empty.Add("n1#1", "zed", "b"));
        Assert.Equal(one, other);
        var serializer = _node.System.Serialization.FindSerializerFor(one);
        Assert.Equal(serializer.ToBinary(one.ResetDelta()), serializer.ToBinary(other));
    }

    private static object RoundTrip(Akka.Serialization.Serialization serialization, object value)
    {
        var serializer = serialization.FindSerializerFor(value);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, value);
        return serialization.Deserialize(serializer.ToBinary(value), serializer.Identifier, manifest);
    }
}
