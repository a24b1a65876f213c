using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The merge rules the state relies on, checked on the CRDTs themselves.</summary>
public sealed class StateCrdtTests
{
    private static readonly UniqueAddress NodeA = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4001), 1);
    private static readonly UniqueAddress NodeB = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4002), 2);
    private static readonly Clock<PlayerPosition> Clock = (current, value) => Math.Max(current + 1, value.UpdatedAtMs);

    [Fact]
    public void Position_updates_with_equal_timestamps_resolve_the_same_way_in_either_merge_order()
    {
        var fromA = LWWDictionary<string, PlayerPosition>.Empty.SetItem(NodeA, "p", new PlayerPosition("z", 1, 1, 5_000), Clock);
        var fromB = LWWDictionary<string, PlayerPosition>.Empty.SetItem(NodeB, "p", new PlayerPosition("z", 2, 2, 5_000), Clock);

        var ab = fromA.Merge(fromB);
        var ba = fromB.Merge(fromA);

        Assert.Equal(ab["p"], ba["p"]);
        Assert.Contains(ab["p"].X, new[] { 1d, 2d });
    }

    [Fact]
    public void A_later_position_wins_regardless_of_node()
    {
        var older = LWWDictionary<string, PlayerPosition>.Empty.SetItem(NodeA, "p", new PlayerPosition("z", 1, 1, 5_000), Clock);
        var newer = LWWDictionary<string, PlayerPosition>.Empty.SetItem(NodeB, "p", new PlayerPosition("z", 2, 2, 6_000), Clock);

        Assert.Equal(2, older.Merge(newer)["p"].X);
        Assert.Equal(2, newer.Merge(older)["p"].X);
    }

    [Fact]
    public void Concurrent_add_and_remove_of_an_inventory_item_merge_add_wins()
    {
        var start = ORDictionary<string, ORSet<string>>.Empty.AddOrUpdate(NodeA, "bob", ORSet<string>.Empty, s => s.Add(NodeA, "potion"));
        var removedOnA = start.AddOrUpdate(NodeA, "bob", ORSet<string>.Empty, s => s.Remove(NodeA, "potion"));
        var addedOnB = start.AddOrUpdate(NodeB, "bob", ORSet<string>.Empty, s => s.Add(NodeB, "potion"));

        Assert.Contains("potion", removedOnA.Merge(addedOnB)["bob"].Elements);
        Assert.Contains("potion", addedOnB.Merge(removedOnA)["bob"].Elements);
        Assert.DoesNotContain("potion", removedOnA["bob"].Elements);
    }

    [Fact]
    public void Buckets_are_stable_and_catalog_buckets_follow_the_id_prefix()
    {
        var keys = new StateKeys(16, 2);
        var again = new StateKeys(16, 2);
        Assert.All(Enumerable.Range(0, 200).Select(i => $"player-{i}"), id => Assert.Equal(keys.PlayerBucket(id), again.PlayerBucket(id)));
        Assert.True(Enumerable.Range(0, 200).Select(i => keys.PlayerBucket($"player-{i}")).Distinct().Count() > 8);
        Assert.Equal("catalog-ab", keys.CatalogKey("ab" + new string('0', 62)).Id);
        Assert.Equal(256, keys.Catalog.Count);
        Assert.Equal(4096, new StateKeys(16, 3).Catalog.Count);
    }
}
