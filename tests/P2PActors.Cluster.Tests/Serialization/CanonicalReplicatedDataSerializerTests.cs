using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Serialization;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Tests.Serialization;

/// <summary>
/// Equal replicated maps must serialise to equal bytes, or the replicator's digests never match across nodes and gossip
/// ships whole buckets every round. Two processes iterate an <c>ImmutableDictionary</c> of strings in different orders
/// (randomised string hashing); here the two orders are made in one process with two sorted value maps.
/// </summary>
public sealed class CanonicalReplicatedDataSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly UniqueAddress NodeA = new(new Address("akka.tcp", "t", "127.0.0.1", 1), 1);
    private static readonly UniqueAddress NodeB = new(new Address("akka.tcp", "t", "127.0.0.1", 2), 2);

    public CanonicalReplicatedDataSerializerTests()
        : base(ConfigurationFactory.ParseString(SerializationSetup.Hocon + """

            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.port = 0
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            """).WithFallback(DistributedData.DefaultConfig()))
    {
    }

    private static readonly string[] Keys = Enumerable.Range(0, 40).Select(i => $"entry-{i:x4}").ToArray();

    /// <summary>The same LWW map twice, its entries iterated in ascending and in descending key order.</summary>
    private static (LWWDictionary<string, string> Ascending, LWWDictionary<string, string> Descending) TwoOrders()
    {
        var keys = Keys.Aggregate(ORSet<string>.Empty, (set, key) => set.Add(key.EndsWith('1') ? NodeB : NodeA, key));
        var registers = Keys.Select((key, i) => KeyValuePair.Create(key, new LWWRegister<string>(i % 2 == 0 ? NodeA : NodeB, $"value {i}", 1_000 + i)));
        LWWDictionary<string, string> Build(IComparer<string> order) =>
            new(new ORDictionary<string, LWWRegister<string>>(keys, ImmutableSortedDictionary.CreateRange(order, registers)));
        return (Build(StringComparer.Ordinal), Build(Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a))));
    }

    [Fact]
    public void The_system_serialises_replicated_data_with_the_canonical_serializer_under_Akkas_identifier()
    {
        var serializer = Sys.Serialization.FindSerializerFor(LWWDictionary<string, string>.Empty);
        Assert.IsType<CanonicalReplicatedDataSerializer>(serializer);
        Assert.Equal(new ReplicatedDataSerializer((ExtendedActorSystem)Sys).Identifier, serializer.Identifier);
    }

    [Fact]
    public void Equal_LWW_maps_in_different_orders_give_equal_bytes_that_Akka_reads_back()
    {
        var (ascending, descending) = TwoOrders();
        var akka = new ReplicatedDataSerializer((ExtendedActorSystem)Sys);
        // The failure this prevents: Akka's own bytes differ for equal maps.
        Assert.NotEqual(akka.ToBinary(ascending), akka.ToBinary(descending));

        var canonical = (CanonicalReplicatedDataSerializer)Sys.Serialization.FindSerializerFor(ascending);
        var bytes = canonical.ToBinary(ascending);
        Assert.Equal(bytes, canonical.ToBinary(descending));

        var back = (LWWDictionary<string, string>)akka.FromBinary(bytes, akka.Manifest(ascending));
        Assert.Equal(ascending.Entries.OrderBy(e => e.Key, StringComparer.Ordinal), back.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));
        // Still the same CRDT: merging the read-back value into the original changes nothing, a newer write still wins.
        Assert.Equal(ascending.Entries.Count, ascending.Merge(back).Entries.Count);
        Assert.Equal("newer", back.SetItem(NodeA, Keys[3], "newer").Merge(ascending)[Keys[3]]);
    }

    [Fact]
    public void Equal_OR_maps_in_different_orders_give_equal_bytes()
    {
        var keys = Keys.Aggregate(ORSet<string>.Empty, (set, key) => set.Add(NodeA, key));
        var values = Keys.Select(key => KeyValuePair.Create(key, GSet.Create(key + "-item")));
        ORDictionary<string, GSet<string>> Build(IComparer<string> order) => new(keys, ImmutableSortedDictionary.CreateRange(order, values));
        var ascending = Build(StringComparer.Ordinal);
        var descending = Build(Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a)));
        var akka = new ReplicatedDataSerializer((ExtendedActorSystem)Sys);
        Assert.NotEqual(akka.ToBinary(ascending), akka.ToBinary(descending));

        var canonical = Sys.Serialization.FindSerializerFor(ascending);
        Assert.Equal(canonical.ToBinary(ascending), canonical.ToBinary(descending));
        var back = (ORDictionary<string, GSet<string>>)akka.FromBinary(canonical.ToBinary(descending), akka.Manifest(descending));
        Assert.Equal(Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([Keys[5] + "-item"], back[Keys[5]].Elements);
    }

    [Fact]
    public void A_value_serialised_again_gives_its_bytes_and_an_updated_value_its_own()
    {
        var (value, _) = TwoOrders();
        var serializer = Sys.Serialization.FindSerializerFor(value);
        var first = serializer.ToBinary(value);
        Assert.Equal(first, serializer.ToBinary(value));
        var updated = value.SetItem(NodeB, Keys[7], "changed");
        var akka = new ReplicatedDataSerializer((ExtendedActorSystem)Sys);
        var back = (LWWDictionary<string, string>)akka.FromBinary(serializer.ToBinary(updated), akka.Manifest(updated));
        Assert.Equal("changed", back[Keys[7]]);
        Assert.Equal("value 7", ((LWWDictionary<string, string>)akka.FromBinary(serializer.ToBinary(value), akka.Manifest(value)))[Keys[7]]);
    }

    [Fact]
    public void Bytes_that_are_not_a_compressed_map_are_returned_unchanged()
    {
        byte[] notGzip = [1, 2, 3, 4];
        Assert.Same(notGzip, CanonicalReplicatedDataSerializer.Canonical(notGzip));
    }
}
