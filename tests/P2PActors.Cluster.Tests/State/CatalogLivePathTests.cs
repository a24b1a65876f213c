using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using static P2PActors.Cluster.State.GameStateProtocol;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// The catalog's live path: shares listed at once and pushed to the peers, the replicated buckets written in batches
/// behind them, forged pushes refused, and a share that never reached its bucket recovered after a crash.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class CatalogLivePathTests : TestKit
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);

    /// <summary>Refuses headers by a named author, standing in for a certificate that does not verify.</summary>
    private sealed class RefuseAuthor(string author) : ICatalogAdmission
    {
        public bool Admit(CatalogHeader header) => !string.Equals(header.Author, author, StringComparison.Ordinal);
    }

    private static readonly ICatalogAdmission NoForgers = new RefuseAuthor("forger");

    public CatalogLivePathTests()
        : base("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.loglevel = WARNING")
    {
    }

    /// <summary>A content id in bucket <paramref name="prefix"/> (two hex characters), distinct per <paramref name="n"/>.</summary>
    private static string Id(string prefix, int n) => prefix + n.ToString("x62", CultureInfo.InvariantCulture);

    private static CatalogHeader Header(string id, string author = "alice") =>
        new(id, ContentType.Item, "Blade", author, 1_000, "akka.tcp://p2pactors@127.0.0.1:4053");

    private static int Bucket(string id) => Convert.ToInt32(id[..2], 16);

    [Fact]
    public void A_pushed_entry_is_listed_at_once_and_once_more_neither_when_repeated_nor_when_its_bucket_brings_it()
    {
        var header = Header(Id("ab", 1));
        var (view, changes, listed) = GameStateView.Empty(Keys, NoForgers).ApplyPushed([header], collectChanges: true);
        Assert.Equal(header, Assert.IsType<CatalogEntryAdded>(Assert.Single(changes)).Header);
        Assert.Equal([header], listed);
        Assert.Equal(header, view.FindCatalogEntry(header.Id));
        Assert.Equal([header], view.ListCatalog(null, 0, 10).Entries);

        var (again, repeated, relisted) = view.ApplyPushed([header], collectChanges: true);
        Assert.Empty(repeated);
        Assert.Equal([header], relisted);
        Assert.Same(view, again);

        var bucket = CatalogBucket.Empty.SetItem(Writer, header);
        var (landed, bucketChanges) = view.Apply(Keys.Catalog[Bucket(header.Id)].Id, bucket, collectChanges: true);
        Assert.Empty(bucketChanges);
        Assert.Empty(landed.Pushed);
        Assert.Equal([header], landed.ListCatalog(null, 0, 10).Entries);
    }

    [Fact]
    public void A_pushed_header_the_admission_refuses_or_with_an_id_that_is_no_content_id_is_not_listed()
    {
        var genuine = Header(Id("01", 1));
        var forged = Header(Id("01", 2), author: "forger");
        var (view, changes, listed) = GameStateView.Empty(Keys, NoForgers)
            .ApplyPushed([forged, genuine, Header("../../etc"), Header("zz" + new string('0', 62)), null!], collectChanges: true);
        Assert.Equal([genuine], listed);
        Assert.Single(changes);
        Assert.Null(view.FindCatalogEntry(forged.Id));
        Assert.Equal(1, view.ListCatalog(null, 0, 10).Total);
    }

    [Fact]
    public void A_forgery_stamped_at_the_end_of_time_in_the_bucket_does_not_keep_the_genuine_entry_out_of_the_catalog()
    {
        // Prevents: a Byzantine writer hiding an entry from every node that does not hold it live (its bucket brought it
        // there, or the node restarted or joined later) by writing a forged header under its id with a stamp no honest
        // write can pass.
        var genuine = Header(Id("03", 1));
        var forged = genuine with { Author = "forger", Name = "Pinned" };
        var bucket = CatalogBucket.FromSlots([new CatalogSlot(genuine, 1_000, "node-a"), new CatalogSlot(forged, long.MaxValue, "zzzz")]);

        var (view, changes) = GameStateView.Empty(Keys, NoForgers).Apply(Keys.Catalog[Bucket(genuine.Id)].Id, bucket, collectChanges: true);

        Assert.Equal(genuine, view.FindCatalogEntry(genuine.Id));
        Assert.Equal([genuine], view.ListCatalog(null, 0, 10).Entries);
        Assert.Equal(genuine, Assert.IsType<CatalogEntryAdded>(Assert.Single(changes)).Header);
    }

    [Fact]
    public void A_forgery_in_the_bucket_under_a_pushed_entry_id_neither_hides_nor_removes_the_pushed_entry()
    {
        var genuine = Header(Id("02", 1));
        var (view, _, _) = GameStateView.Empty(Keys, NoForgers).ApplyPushed([genuine], collectChanges: false);
        var forgedBucket = CatalogBucket.Empty.SetItem(Writer, genuine with { Author = "forger" });

        var (after, _) = view.Apply(Keys.Catalog[Bucket(genuine.Id)].Id, forgedBucket, collectChanges: true);

        Assert.Equal(genuine, after.FindCatalogEntry(genuine.Id));
        Assert.Equal([genuine], after.ListCatalog(null, 0, 10).Entries);
        Assert.True(after.Pushed.ContainsKey(genuine.Id));
    }

    [Fact]
    public async Task A_peer_batch_is_admitted_header_by_header_and_only_the_admitted_ids_are_acknowledged()
    {
        await JoinSelfAsync();
        var actor = Sys.ActorOf(GameStateActor.Props(new GameStateSettings { Admission = NoForgers }, CreateTestProbe("replicator").Ref));
        var genuine = Header(Id("0e", 1));
        var forged = Header(Id("0e", 2), author: "forger");
        var peer = CreateTestProbe("peer");

        peer.Send(actor, new CatalogBatch([forged, genuine]));

        Assert.Equal([genuine.Id], peer.ExpectMsg<CatalogAck>(TimeSpan.FromSeconds(5)).Ids);
        var page = (await actor.Ask<ViewRead>(ReadView.Instance, TimeSpan.FromSeconds(5))).View.ListCatalog(null, 0, 10);
        Assert.Equal([genuine], page.Entries);
    }

    [Fact]
    public async Task Shares_wait_to_be_pushed_together_and_a_full_batch_goes_at_once()
    {
        // Prevents: each share pushed alone (about 1.4 entries per batch under load), paying a message, an admission
        // turn and an acknowledgement per peer for every entry. A node alone needs no acknowledgement, so a share is
        // answered when it is pushed.
        await JoinSelfAsync();
        var settings = new GameStateSettings { Admission = NoForgers, ShareBatchWait = TimeSpan.FromMinutes(5), MaxCatalogHeadersPerBatch = 3 };
        var actor = Sys.ActorOf(GameStateActor.Props(settings, CreateTestProbe("replicator").Ref));
        var sharer = CreateTestProbe("sharer");

        sharer.Send(actor, new ShareEntry(Header(Id("0d", 1))));
        sharer.Send(actor, new ShareEntry(Header(Id("0d", 2))));
        // By the second read's answer the actor has handled whatever the shares queued for itself after the first.
        var view = (await actor.Ask<ViewRead>(ReadView.Instance, TimeSpan.FromSeconds(5))).View;
        await actor.Ask<ViewRead>(ReadView.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(2, view.ListCatalog(null, 0, 10).Total); // listed here at once
        Assert.False(sharer.HasMessages, "a share was pushed before the wait was over or its batch full");

        sharer.Send(actor, new ShareEntry(Header(Id("0d", 3))));
        for (var i = 0; i < 3; i++)
            Assert.Equal(Replication.Confirmed, sharer.ExpectMsg<WriteResult>(TimeSpan.FromSeconds(10)).Replication);
    }

    [Fact]
    public async Task A_lone_share_is_pushed_when_the_wait_is_over()
    {
        await JoinSelfAsync();
        var settings = new GameStateSettings { Admission = NoForgers, ShareBatchWait = TimeSpan.FromMilliseconds(50) };
        var actor = Sys.ActorOf(GameStateActor.Props(settings, CreateTestProbe("replicator").Ref));
        var sharer = CreateTestProbe("sharer");

        sharer.Send(actor, new ShareEntry(Header(Id("0c", 1))));

        Assert.Equal(Replication.Confirmed, sharer.ExpectMsg<WriteResult>(TimeSpan.FromSeconds(10)).Replication);
    }

    private Task JoinSelfAsync()
    {
        Akka.Cluster.Cluster.Get(Sys).Join(Akka.Cluster.Cluster.Get(Sys).SelfAddress);
        return AwaitAssertAsync(() => Assert.Contains(Akka.Cluster.Cluster.Get(Sys).State.Members, m => m.Status == MemberStatus.Up),
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_batch_bigger_than_allowed_is_refused_whole()
    {
        await JoinSelfAsync();
        var actor = Sys.ActorOf(GameStateActor.Props(new GameStateSettings { MaxCatalogHeadersPerBatch = 4 }, CreateTestProbe("replicator").Ref));
        var peer = CreateTestProbe("peer");

        peer.Send(actor, new CatalogBatch(Enumerable.Range(0, 5).Select(n => Header(Id("0f", n))).ToArray()));

        peer.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, ((await actor.Ask<ViewRead>(ReadView.Instance, TimeSpan.FromSeconds(5))).View.ListCatalog(null, 0, 10)).Total);
    }

    [Fact]
    public async Task A_node_that_joins_before_the_buckets_are_written_gets_the_live_entries_from_its_peers()
    {
        // Prevents: a late joiner missing every entry shared in the last persist interval until the owners' next write.
        var options = new StateNodeOptions { State = new GameStateSettings { CatalogPersistInterval = TimeSpan.FromMinutes(10) } };
        var nodes = (await TestCluster.StartAsync(this, 2, _ => options)).ToList();
        try
        {
            var item = TestCluster.SampleItem(78);
            Assert.Equal(Replication.Confirmed, (await nodes[0].State.ShareAsync(item, "node-a")).Replication);
            nodes.Add(TestCluster.StartNode(options, nodes[0].Address));
            await TestCluster.AllUpAsync(this, nodes, 3);
            await AwaitAssertAsync(async () => Assert.NotNull(await nodes[2].State.FindCatalogEntryAsync(item.Id!)), TimeSpan.FromSeconds(15));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_peer_that_pins_a_forged_header_over_a_shared_entry_does_not_hide_it_from_the_other_nodes()
    {
        // Prevents: one Byzantine writer hiding honest content from every node but its holder. The forgery, stamped at
        // the end of time, won every last-writer-wins merge; the entry had left the live overlay once its bucket held it,
        // so the other nodes listed nothing under its id, and the holder's rewrites lost to the stamp.
        var options = new StateNodeOptions
        {
            State = new GameStateSettings { Admission = NoForgers, CatalogPersistInterval = TimeSpan.FromMilliseconds(400) },
        };
        var nodes = await TestCluster.StartAsync(this, 3, _ => options);
        try
        {
            var (genuine, key) = await ShareEverywhereAsync(nodes, 79);

            // Node 2 turns Byzantine: a forged header under the entry's id, stamped so that no honest write passes it, and
            // in the same write an entry of its own under another id of the bucket, which shows when a view has the write.
            var forged = genuine with { Author = "forger", Name = "Pinned" };
            var marker = Header(genuine.Id[..2] + new string('7', 62), author: "byzantine");
            await WriteRawAsync(nodes[1], key, new CatalogSlot(forged, long.MaxValue, "zzzz"), new CatalogSlot(marker, 1, "zzzz"));

            foreach (var node in nodes)
            {
                await AwaitAssertAsync(async () =>
                {
                    Assert.Equal(forged, (await ReplicaSlotAsync(node, key, genuine.Id))?.Header);
                    Assert.NotNull(await node.State.FindCatalogEntryAsync(marker.Id));
                }, TimeSpan.FromSeconds(20));
                Assert.Equal(genuine, await node.State.FindCatalogEntryAsync(genuine.Id));
                Assert.Equal(2, (await node.State.ListCatalogAsync(null, 0, 10)).Total);
            }
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_peers_refuted_variants_never_enter_an_honest_replica_while_the_rest_of_its_write_does()
    {
        // Prevents: every honest node holding, storing and gossiping whatever a Byzantine writer forges (each forgery
        // made its bucket differ between nodes, so gossip exchanged and digested whole buckets: the 7-node
        // forge-signatures cost in docs/benchmarks.md).
        var options = new StateNodeOptions
        {
            State = new GameStateSettings { Admission = new RefuteAuthor("forger"), CatalogPersistInterval = TimeSpan.FromMilliseconds(400) },
        };
        var nodes = await TestCluster.StartAsync(this, 3, _ => options);
        try
        {
            var (genuine, key) = await ShareEverywhereAsync(nodes, 83);

            // Node 2 forges, in one write: a header over the entry, one under an id of its own, and an entry it may write.
            var forged = genuine with { Author = "forger", Name = "Pinned" };
            var forgedOnly = Header(genuine.Id[..2] + new string('6', 62), author: "forger");
            var marker = Header(genuine.Id[..2] + new string('7', 62), author: "byzantine");
            await WriteRawAsync(nodes[1], key,
                new CatalogSlot(forged, long.MaxValue, "zzzz"), new CatalogSlot(forgedOnly, 1, "zzzz"), new CatalogSlot(marker, 1, "zzzz"));
            Assert.Equal(forged, (await ReplicaSlotAsync(nodes[1], key, genuine.Id))?.Header);

            foreach (var node in new[] { nodes[0], nodes[2] })
            {
                // The marker came in the forger's write: once it is here, so would the rest be.
                await AwaitAssertAsync(async () => Assert.NotNull(await node.State.FindCatalogEntryAsync(marker.Id)), TimeSpan.FromSeconds(20));
                var bucket = await ReplicaAsync(node, key);
                Assert.Equal([genuine], bucket.Variants(genuine.Id).Select(s => s.Header));
                Assert.Empty(bucket.Variants(forgedOnly.Id));
                Assert.Equal(genuine, await node.State.FindCatalogEntryAsync(genuine.Id));
            }
            // An honest node may have had the write from the other one, which sent it without the forgeries; but one of them
            // took it from the forger, and counted both forged variants as it dropped them (again if gossip brought them
            // once more). The honest nodes send no refuted variant, so the forger drops none.
            var dropped = nodes[0].State.RefutedVariantsDropped + nodes[2].State.RefutedVariantsDropped;
            Assert.True(dropped >= 2, $"{dropped} dropped");
            Assert.Equal(0, nodes[1].State.RefutedVariantsDropped);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Shares a sample item on node 0 and waits until node 2's replica holds it: its header and its bucket's key.</summary>
    private async Task<(CatalogHeader Genuine, CatalogBucketKey Key)> ShareEverywhereAsync(IReadOnlyList<StateNode> nodes, int sample)
    {
        var item = TestCluster.SampleItem(sample);
        Assert.Equal(Replication.Confirmed, (await nodes[0].State.ShareAsync(item, "node-a")).Replication);
        var genuine = await nodes[0].State.FindCatalogEntryAsync(item.Id!);
        Assert.NotNull(genuine);
        var key = nodes[0].State.Settings.CreateKeys().CatalogKey(item.Id!);
        await AwaitAssertAsync(async () => Assert.Equal(genuine, (await ReplicaSlotAsync(nodes[2], key, item.Id!))?.Header), TimeSpan.FromSeconds(20));
        return (genuine, key);
    }

    /// <summary>Writes the slots straight into <paramref name="writer"/>'s replica, bypassing every check, as a Byzantine node can.</summary>
    private static async Task WriteRawAsync(StateNode writer, CatalogBucketKey key, params CatalogSlot[] slots)
    {
        var write = CatalogBucket.FromSlots(slots);
        var written = await DistributedData.Get(writer.System).Replicator.Ask<IUpdateResponse>(
            Dsl.Update(key, CatalogBucket.Empty, WriteLocal.Instance, d => d.Merge(write)), TimeSpan.FromSeconds(10));
        Assert.IsType<UpdateSuccess>(written);
    }

    private static async Task<CatalogBucket> ReplicaAsync(StateNode node, CatalogBucketKey key)
    {
        var read = await DistributedData.Get(node.System).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
        return Assert.IsType<GetSuccess>(read).Get(key);
    }

    /// <summary>The newest slot the node's replica holds for the id, admitted or not.</summary>
    private static async Task<CatalogSlot?> ReplicaSlotAsync(StateNode node, CatalogBucketKey key, string id)
    {
        var read = await DistributedData.Get(node.System).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
        return read is GetSuccess success && success.Get(key).Slots.TryGetValue(id, out var slot) ? slot : null;
    }

    [Fact]
    public async Task A_share_answered_before_its_bucket_was_written_is_back_after_a_crash()
    {
        // Prevents: a confirmed share living only in memory until the batched bucket write, lost by a crash.
        var dir = TestCluster.NewDataDirectory();
        // The bucket is never written while the first node runs: only the header kept with the body can bring it back.
        var options = new StateNodeOptions
        {
            State = new GameStateSettings { DataDirectory = dir, CatalogPersistInterval = TimeSpan.FromMinutes(10) },
            CrashOnTerminate = true,
        };
        var item = TestCluster.SampleItem(77);
        var first = TestCluster.StartNode(options, seed: null);
        try
        {
            await TestCluster.AllUpAsync(this, [first], 1);
            Assert.Equal(Replication.Confirmed, (await first.State.ShareAsync(item, "node-a")).Replication);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var restarted = TestCluster.StartNode(options with { State = options.State with { CatalogPersistInterval = TimeSpan.FromMilliseconds(200) } }, seed: null);
        try
        {
            await AwaitAssertAsync(async () => Assert.NotNull(await restarted.State.FindCatalogEntryAsync(item.Id!)), TimeSpan.FromSeconds(20));
            // And it is written to its replicated bucket, not only listed from memory.
            var key = restarted.State.Settings.CreateKeys().CatalogKey(item.Id!);
            await AwaitAssertAsync(async () =>
            {
                var got = await DistributedData.Get(restarted.System).Replicator.Ask<IGetResponse>(
                    Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(5));
                Assert.True(Assert.IsType<GetSuccess>(got).Get(key).ContainsKey(item.Id!));
            }, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await restarted.DisposeAsync();
            TestCluster.DeleteDataDirectory(dir);
        }
    }
}
