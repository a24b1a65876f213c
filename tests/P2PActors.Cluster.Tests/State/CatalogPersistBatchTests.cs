using System.Globalization;
using Akka.Actor;
using Akka.DistributedData;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using static P2PActors.Cluster.State.GameStateProtocol;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// The replicated catalog buckets are written in batches behind the live path. Akka's scheduler is the TestKit's here,
/// so the persist ticks come only when the test advances it: a slow machine cannot put a tick between the shares and
/// split what one interval should write once (on the wall clock it could, and the test would fail for it).
/// </summary>
public sealed class CatalogPersistBatchTests : TestKit
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private sealed class AdmitAll : ICatalogAdmission
    {
        public bool Admit(CatalogHeader header) => true;
    }

    public CatalogPersistBatchTests()
        : base("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.loglevel = WARNING\n"
            + "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    /// <summary>
    /// One persist interval, tick by tick: the TestKit's scheduler fires a periodic timer once per advance, and the
    /// catalog's timer ticks eight times an interval (an eighth of the buckets each).
    /// </summary>
    private void AdvanceOneInterval()
    {
        for (var tick = 0; tick < 8; tick++)
            ((TestScheduler)Sys.Scheduler).Advance(Interval / 8);
    }

    /// <summary>A content id in bucket <paramref name="prefix"/> (two hex characters), distinct per <paramref name="n"/>.</summary>
    private static string Id(string prefix, int n) => prefix + n.ToString("x62", CultureInfo.InvariantCulture);

    private static CatalogHeader Header(string id) =>
        new(id, ContentType.Item, "Blade", "alice", 1_000, "akka.tcp://p2pactors@127.0.0.1:4053");

    private static List<Update> UpdatesOf(TestProbe replicator, IKey key) =>
        replicator.ReceiveWhile(TimeSpan.FromSeconds(1), m => m, 10_000).OfType<Update>().Where(u => u.Key.Equals(key)).ToList();

    [Fact]
    public async Task Shares_into_one_bucket_within_a_persist_interval_are_written_to_it_in_one_replicator_update()
    {
        // Prevents: one replicator write per share, which ran sharing at a fifth of the vote's speed.
        var replicator = CreateTestProbe("replicator");
        var settings = new GameStateSettings { Admission = new AdmitAll(), CatalogPersistInterval = Interval };
        var actor = Sys.ActorOf(GameStateActor.Props(settings, replicator.Ref));
        var headers = Enumerable.Range(0, 20).Select(n => Header(Id("cd", n))).ToArray();

        // Alone (no other member), a share needs no acknowledgement and is confirmed at once.
        foreach (var header in headers)
            Assert.Equal(Replication.Confirmed, (await actor.Ask<WriteResult>(new ShareEntry(header), TimeSpan.FromSeconds(5))).Replication);
        var listed = (await actor.Ask<ViewRead>(ReadView.Instance, TimeSpan.FromSeconds(5))).View.ListCatalog(null, 0, 100);
        Assert.Equal(20, listed.Total);
        var catalogKey = Keys.Catalog[Convert.ToInt32("cd", 16)];
        Assert.Empty(UpdatesOf(replicator, catalogKey));

        // One interval: every bucket's slice has ticked once, so the shares' bucket is written, all twenty at once.
        AdvanceOneInterval();
        var update = (Update)replicator.FishForMessage(m => m is Update u && u.Key.Equals(catalogKey), TimeSpan.FromSeconds(10));
        Assert.Empty(UpdatesOf(replicator, catalogKey));
        Assert.Same(WriteLocal.Instance, update.Consistency);
        var written = (CatalogBucket)update.Modify(CatalogBucket.Empty);
        Assert.Equal(headers.Select(h => h.Id).Order(StringComparer.Ordinal), written.Slots.Keys.Order(StringComparer.Ordinal));

        // Two more intervals with nothing new shared: nothing more to write.
        AdvanceOneInterval();
        AdvanceOneInterval();
        Assert.Empty(UpdatesOf(replicator, catalogKey));
    }
}
