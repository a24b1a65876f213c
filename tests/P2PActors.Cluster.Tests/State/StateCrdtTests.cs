using Akka.Actor;
using CsCheck;
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
        var start = InventoryBucket.Empty.Add("a", "bob", "potion");
        var removedOnA = start.Remove("bob", "potion");
        var addedOnB = start.Add("b", "bob", "potion");

        Assert.Contains("potion", Items(removedOnA.Merge(addedOnB)));
        Assert.Contains("potion", Items(addedOnB.Merge(removedOnA)));
        Assert.DoesNotContain("potion", Items(removedOnA));
    }

    /// <summary>
    /// The CI failure, at the data-type level: B removes an item it has seen while A adds another one. For every
    /// pair of node identities (Akka's ORSet got this wrong for about a quarter of them) the remove must stick.
    /// </summary>
    [Fact]
    public void An_observed_remove_survives_a_concurrent_add_of_another_item_for_any_node_identities()
    {
        var random = new Random(20261124);
        for (var i = 0; i < 500; i++)
        {
            var (a, b) = (NodeId(random), NodeId(random));
            var start = InventoryBucket.Empty.Add(a, "bob", "potion").Add(a, "bob", "elixir");
            var onB = InventoryBucket.Empty.Merge(start).Add(b, "bob", "scroll").Remove("bob", "potion");
            var onA = start.Remove("bob", "elixir").Add(a, "bob", "shield");

            Assert.Equal(["scroll", "shield"], Items(onA.Merge(onB)));
            Assert.Equal(["scroll", "shield"], Items(onB.Merge(onA)));
            // What the replicator actually ships is the delta of each write.
            Assert.Equal(["scroll", "shield"], Items(onA.ResetDelta().MergeDelta(onB.Delta!)));
        }
    }

    /// <summary>
    /// Executable record of why inventories do not use Akka's ORSet (1.5.73): with this node pair the removal of
    /// "potion" is lost on merge, because MultiVersionVector is compared in lockstep ordered by address while it
    /// enumerates in hash (uid) order. If this ever fails, Akka fixed it.
    /// </summary>
    [Fact]
    public void Akka_ORSet_loses_this_observed_remove_which_is_why_inventories_do_not_use_it()
    {
        var a = new UniqueAddress(new Address("akka.tcp", "sys", "127.0.0.1", 4190), 1452056222);
        var b = new UniqueAddress(new Address("akka.tcp", "sys", "127.0.0.1", 5645), 791022284);
        var start = ORSet<string>.Empty.Add(a, "potion");
        var onB = start.Add(b, "scroll").Remove(b, "potion");
        var onA = start.Add(a, "shield");

        Assert.Contains("potion", onA.Merge(onB).Elements);
        Assert.False(VersionVector.Create(a, 1).Merge(VersionVector.Create(b, 2)).IsAfter(VersionVector.Create(a, 1)));
    }

    /// <summary>
    /// Against a reference OR-set with unique tags and tombstones (the textbook definition): random adds, observed
    /// removes, full merges and delta merges on three replicas must always show the same items as the reference.
    /// </summary>
    [Fact]
    public void Inventories_behave_like_a_tagged_or_set_under_any_interleaving_of_writes_and_merges()
    {
        var op = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 3]);
        op.Array[1, 60].Sample(ops =>
        {
            var nodes = new[] { "n0#1", "n1#2", "n2#3" };
            var replicas = new[] { InventoryBucket.Empty, InventoryBucket.Empty, InventoryBucket.Empty };
            var models = new[] { new TaggedSet(), new TaggedSet(), new TaggedSet() };
            var tag = 0;
            foreach (var (kind, r, other, item) in ops)
            {
                var name = $"item-{item}";
                switch (kind)
                {
                    case 0:
                        replicas[r] = replicas[r].Add(nodes[r], "p", name);
                        models[r].Add(name, tag++);
                        break;
                    case 1:
                        replicas[r] = replicas[r].Remove("p", name);
                        models[r].Remove(name);
                        break;
                    case 2:
                        replicas[r] = replicas[r].Merge(replicas[other]);
                        models[r].MergeFrom(models[other]);
                        break;
                    case 3 when replicas[other].Delta is { } delta:
                        // Delta of everything the other replica wrote since its last reset, as DeltaPropagation ships it.
                        replicas[r] = replicas[r].MergeDelta(delta);
                        replicas[other] = replicas[other].ResetDelta();
                        models[r].MergeFrom(models[other]);
                        break;
                    default:
                        replicas[r] = replicas[r].ResetDelta().Merge(replicas[other].ResetDelta());
                        models[r].MergeFrom(models[other]);
                        break;
                }
                for (var i = 0; i < 3; i++) Assert.Equal(models[i].Elements(), Items(replicas[i]));
            }

            var all = new TaggedSet();
            foreach (var m in models) all.MergeFrom(m);
            var forward = replicas.Aggregate(InventoryBucket.Empty, (acc, x) => acc.Merge(x));
            var backward = replicas.Reverse().Aggregate(InventoryBucket.Empty, (acc, x) => acc.Merge(x));
            Assert.Equal(forward, backward);
            Assert.Equal(all.Elements(), Items(forward));
        }, iter: 2000);
    }

    [Fact]
    public void Forged_inventory_sets_are_refused()
    {
        var clock = new Dictionary<string, long> { ["a"] = 1 };
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Dot(string node, long counter) =>
            new Dictionary<string, IReadOnlyDictionary<string, long>> { ["sword"] = new Dictionary<string, long> { [node] = counter } };

        Assert.Throws<ArgumentException>(() => new InventorySet(clock, Dot("a", 2)));
        Assert.Throws<ArgumentException>(() => new InventorySet(clock, Dot("b", 1)));
        Assert.Throws<ArgumentException>(() => new InventorySet(new Dictionary<string, long> { ["a"] = 0 }, Dot("a", 1)));
        Assert.Throws<ArgumentException>(() => new InventoryBucket(new Dictionary<string, InventorySet> { ["bad id!"] = InventorySet.Empty }));
        Assert.Equal(["sword"], new InventorySet(clock, Dot("a", 1)).Elements);
    }

    [Fact]
    public void Legacy_inventories_convert_deterministically_so_a_later_conversion_cannot_undo_a_remove()
    {
        var legacy = ORDictionary<string, ORSet<string>>.Empty
            .AddOrUpdate(NodeA, "bob", ORSet<string>.Empty, s => s.Add(NodeA, "potion").Add(NodeA, "elixir"));
        var onA = InventoryBucket.FromLegacy(legacy);
        Assert.Equal(onA, InventoryBucket.FromLegacy(legacy));

        var afterRemove = onA.Remove("bob", "potion").Add("a#1", "bob", "shield");
        var convertedAgainOnB = InventoryBucket.FromLegacy(legacy);
        Assert.Equal(["elixir", "shield"], Items(afterRemove.Merge(convertedAgainOnB)));
        Assert.Equal(["elixir", "shield"], Items(convertedAgainOnB.Merge(afterRemove)));
    }

    [Fact]
    public void Buckets_are_stable_and_catalog_buckets_follow_the_id_prefix()
    {
        var keys = new StateKeys(16, 2);
        var again = new StateKeys(16, 2);
        Assert.All(Enumerable.Range(0, 200).Select(i => $"player-{i}"), id => Assert.Equal(keys.PlayerBucket(id), again.PlayerBucket(id)));
        Assert.True(Enumerable.Range(0, 200).Select(i => keys.PlayerBucket($"player-{i}")).Distinct().Count() > 8);
        Assert.Equal("catalog2-ab", keys.CatalogKey("ab" + new string('0', 62)).Id);
        Assert.Equal(256, keys.Catalog.Count);
        Assert.Equal(4096, new StateKeys(16, 3).Catalog.Count);
    }

    private static string[] Items(InventoryBucket bucket) =>
        bucket.TryGetValue("bob", out var bob) || bucket.TryGetValue("p", out bob) ? bob.Elements.ToArray() : [];

    private static string NodeId(Random random) =>
        InventoryBucket.NodeId(new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", random.Next(1024, 65536)), random.Next()));

    /// <summary>Reference OR-set: every add is a unique tag, a remove tombstones the tags it has seen.</summary>
    private sealed class TaggedSet
    {
        private readonly HashSet<(string Item, int Tag)> _adds = [];
        private readonly HashSet<int> _removed = [];

        public void Add(string item, int tag) => _adds.Add((item, tag));

        public void Remove(string item)
        {
            foreach (var (i, t) in _adds)
                if (i == item) _removed.Add(t);
        }

        public void MergeFrom(TaggedSet other)
        {
            _adds.UnionWith(other._adds);
            _removed.UnionWith(other._removed);
        }

        public string[] Elements() =>
            _adds.Where(a => !_removed.Contains(a.Tag)).Select(a => a.Item).Distinct().Order(StringComparer.Ordinal).ToArray();
    }
}
