using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Membership;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

[Collection(MultiNode.Collection)]
public sealed class StateDurabilityTests : TestKit
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    private static StateNodeOptions Durable(string dataDirectory, bool crash = false) => new()
    {
        State = new GameStateSettings { DataDirectory = dataDirectory },
        // Quick failure detection and downing so the crashed node is removed within seconds; the heartbeat pause is
        // still longer than a loaded CI machine stalls, or a healthy node would be found unreachable and downed.
        Membership = new MembershipSettings
        {
            SbrStableAfter = TimeSpan.FromSeconds(1),
            AcceptableHeartbeatPause = TimeSpan.FromSeconds(5),
        },
        CrashOnTerminate = crash,
    };

    [Fact]
    public async Task A_crashed_node_restarts_on_its_data_folder_with_its_state_and_converges_again()
    {
        var dirs = Enumerable.Range(0, 3).Select(_ => TestCluster.NewDataDirectory()).ToArray();
        var nodes = await TestCluster.StartAsync(this, 3, i => Durable(dirs[i], crash: i == 2));
        StateNode? restarted = null;
        try
        {
            var (a, c) = (nodes[0], nodes[2]);
            var beforeCrash = TestCluster.SampleItem(200);
            Assert.Equal(Replication.Confirmed, (await c.State.ShareAsync(beforeCrash, "node-c")).Replication);
            Assert.Equal(Replication.Confirmed, (await c.State.AddItemAsync("dora", "lantern")).Replication);
            await c.State.UpdatePositionAsync("dora", "mines", 4, 5);

            // Crash: no leave, no hand-over; the survivors notice and the resolver downs it.
            await c.System.Terminate();
            await AwaitAssertAsync(() =>
                Assert.DoesNotContain(a.Cluster.State.Members, m => m.Address == c.Address), Converge);

            var whileDown = TestCluster.SampleItem(201);
            Assert.Equal(Replication.Confirmed, (await a.State.ShareAsync(whileDown, "node-a")).Replication);
            Assert.Equal(Replication.Confirmed, (await a.State.AddItemAsync("dora", "rope")).Replication);

            // Back on the same folder, before joining anyone: its own writes come from disk.
            restarted = TestCluster.StartNode(Durable(dirs[2]), seed: null, join: false);
            await AwaitAssertAsync(async () =>
            {
                Assert.NotNull(await restarted.State.FindCatalogEntryAsync(beforeCrash.Id!));
                var dora = await restarted.State.GetPlayerAsync("dora");
                Assert.Equal(["lantern"], dora!.Inventory);
                Assert.Equal("mines", dora.Position!.Zone);
            }, Converge);
            Assert.Equal(ContentJson.Serialize(beforeCrash), ContentJson.Serialize((await restarted.State.GetContentAsync(beforeCrash.Id!))!));

            restarted.Cluster.Join(a.Address);
            await AwaitAssertAsync(async () =>
            {
                Assert.NotNull(await restarted.State.FindCatalogEntryAsync(whileDown.Id!));
                Assert.Equal(["lantern", "rope"], (await restarted.State.GetPlayerAsync("dora"))!.Inventory);
                Assert.Equal(["lantern", "rope"], (await a.State.GetPlayerAsync("dora"))!.Inventory);
            }, Converge);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
            if (restarted is not null) await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_graceful_stop_writes_the_positions_its_bucket_was_still_holding_back()
    {
        var dir = TestCluster.NewDataDirectory();
        // A minute between a busy bucket's writes: only the stop itself can write the second move in time.
        var options = Durable(dir) with { State = new GameStateSettings { DataDirectory = dir, PositionPersistInterval = TimeSpan.FromMinutes(1) } };
        var node = TestCluster.StartNode(options, seed: null);
        StateNode? restarted = null;
        try
        {
            // The first move of an idle bucket is written before it is answered; the second waits for the interval.
            await node.State.UpdatePositionAsync("finn", "cove", 1, 1);
            await node.State.UpdatePositionAsync("finn", "cove", 2, 3);
            await node.DisposeAsync();

            restarted = TestCluster.StartNode(options, seed: null, join: false);
            await AwaitAssertAsync(async () =>
            {
                var finn = await restarted.State.GetPlayerAsync("finn");
                Assert.Equal(("cove", 2.0, 3.0), (finn?.Position?.Zone, finn?.Position?.X, finn?.Position?.Y));
            }, Converge);
        }
        finally
        {
            await node.DisposeAsync();
            if (restarted is not null) await restarted.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_state_survives_a_full_cluster_restart()
    {
        var dirs = Enumerable.Range(0, 3).Select(_ => TestCluster.NewDataDirectory()).ToArray();
        var items = Enumerable.Range(300, 5).Select(TestCluster.SampleItem).ToArray();
        var nodes = await TestCluster.StartAsync(this, 3, i => Durable(dirs[i]));
        try
        {
            for (var i = 0; i < items.Length; i++)
                await nodes[i % 3].State.ShareAsync(items[i], $"node-{i % 3}");
            await nodes[1].State.AddItemAsync("erin", "compass");
            await nodes[2].State.UpdatePositionAsync("erin", "harbour", 7, 8);
            await AwaitAssertAsync(async () =>
            {
                foreach (var node in nodes)
                {
                    Assert.Equal(items.Length, (await node.State.ListCatalogAsync(null, 0, 100)).Total);
                    Assert.NotNull((await node.State.GetPlayerAsync("erin"))?.Position);
                }
            }, Converge);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }

        var again = await TestCluster.StartAsync(this, 3, i => Durable(dirs[i]));
        try
        {
            await AwaitAssertAsync(async () =>
            {
                foreach (var node in again)
                {
                    var page = await node.State.ListCatalogAsync(null, 0, 100);
                    Assert.Equal(items.Select(i => i.Id).Order(), page.Entries.Select(e => e.Id).Order());
                    var erin = await node.State.GetPlayerAsync("erin");
                    Assert.Equal(["compass"], erin!.Inventory);
                    Assert.Equal(new PlayerPosition("harbour", 7, 8, erin.Position!.UpdatedAtMs), erin.Position);
                }
            }, Converge);
            // Bodies come back too, each from whichever node shared it.
            foreach (var item in items)
                Assert.Equal(ContentJson.Serialize(item), ContentJson.Serialize((await again[0].State.GetContentAsync(item.Id!))!));
        }
        finally
        {
            await Task.WhenAll(again.Select(n => n.DisposeAsync().AsTask()));
            foreach (var dir in dirs) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A data folder written before inventories became <see cref="InventoryBucket"/>s holds them as Akka
    /// ORDictionaries under "inv-N": a node started on it shows those items, and a remove made afterwards sticks.
    /// </summary>
    [Fact]
    public async Task Inventories_stored_in_the_former_format_are_migrated_on_start()
    {
        var dir = TestCluster.NewDataDirectory();
        var options = Durable(dir);
        var keys = options.State.CreateKeys();
        var legacyKey = keys.LegacyInventories[keys.PlayerBucket("frodo")];
        var old = ActorSystem.Create(MembershipSettings.SystemName, TestCluster.Config(options));
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(old);
            var self = cluster.SelfUniqueAddress;
            cluster.Join(cluster.SelfAddress);
            var written = await DistributedData.Get(old).Replicator.Ask<IUpdateResponse>(
                Dsl.Update(legacyKey, ORDictionary<string, ORSet<string>>.Empty, WriteLocal.Instance,
                    d => d.AddOrUpdate(self, "frodo", ORSet<string>.Empty, s => s.Add(self, "ring").Add(self, "mithril"))),
                TimeSpan.FromSeconds(15));
            Assert.IsType<UpdateSuccess>(written);
        }
        finally
        {
            await old.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }

        var node = TestCluster.StartNode(options, seed: null);
        try
        {
            await AwaitAssertAsync(async () =>
                Assert.Equal(["mithril", "ring"], (await node.State.GetPlayerAsync("frodo"))!.Inventory), Converge);
            Assert.True((await node.State.RemoveItemAsync("frodo", "ring")).Applied);
            await node.State.AddItemAsync("frodo", "cloak");
            Assert.Equal(["cloak", "mithril"], (await node.State.GetPlayerAsync("frodo"))!.Inventory);
        }
        finally
        {
            await node.DisposeAsync();
        }

        // Restarted again: the old key is converted once more, and the ring stays removed.
        var again = TestCluster.StartNode(options, seed: null);
        try
        {
            await AwaitAssertAsync(async () =>
                Assert.Equal(["cloak", "mithril"], (await again.State.GetPlayerAsync("frodo"))!.Inventory), Converge);
            // The old key's notification came with the new one's, so the migration's write is queued before this one.
            await again.State.AddItemAsync("frodo", "bread");
            Assert.Equal(["bread", "cloak", "mithril"], (await again.State.GetPlayerAsync("frodo"))!.Inventory);
        }
        finally
        {
            await again.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A data folder written before the catalog became <see cref="CatalogBucket"/>s holds its entries as Akka
    /// LWWDictionaries under "catalog-xx": a node started on it lists them, and still does after another restart.
    /// </summary>
    [Fact]
    public async Task Catalog_entries_stored_in_the_former_format_are_migrated_on_start()
    {
        var dir = TestCluster.NewDataDirectory();
        var options = Durable(dir);
        var keys = options.State.CreateKeys();
        var item = TestCluster.SampleItem(300);
        var header = new CatalogHeader(item.Id!, item.Type, "Old Blade", "node-old", 1_700_000_000_000, "akka.tcp://p2pactors@127.0.0.1:1");
        var legacyKey = keys.LegacyCatalog[Convert.ToInt32(item.Id![..keys.CatalogPrefixLength], 16)];
        var old = ActorSystem.Create(MembershipSettings.SystemName, TestCluster.Config(options));
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(old);
            cluster.Join(cluster.SelfAddress);
            var written = await DistributedData.Get(old).Replicator.Ask<IUpdateResponse>(
                Dsl.Update(legacyKey, LWWDictionary<string, CatalogHeader>.Empty, WriteLocal.Instance,
                    d => d.SetItem(cluster.SelfUniqueAddress, header.Id, header)),
                TimeSpan.FromSeconds(15));
            Assert.IsType<UpdateSuccess>(written);
        }
        finally
        {
            await old.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }

        for (var start = 0; start < 2; start++)
        {
            var node = TestCluster.StartNode(options, seed: null);
            try
            {
                await AwaitAssertAsync(async () => Assert.Equal(header, await node.State.FindCatalogEntryAsync(header.Id)), Converge);
                // The converted entry is in the new bucket itself, not only in a view of the old one.
                var key = keys.CatalogKey(header.Id);
                var read = await DistributedData.Get(node.System).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
                Assert.Equal(header, Assert.Single(Assert.IsType<GetSuccess>(read).Get(key).Variants(header.Id)).Header);
                Assert.Equal(1, (await node.State.ListCatalogAsync(null, 0, 10)).Total);
            }
            finally
            {
                await node.DisposeAsync();
            }
        }
        Directory.Delete(dir, recursive: true);
    }
}
