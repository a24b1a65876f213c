using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The body store on a real SQLite file: stores sent together, reads behind them, and what a restart finds.</summary>
public sealed class ContentBodyActorTests : TestKit
{
    private readonly string _directory = TestCluster.NewDataDirectory();

    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"body-{n}")));

    private static CatalogHeader Header(int n) =>
        new(Id(n), ContentType.Item, $"Blade {n}", "alice", 1_000 + n, "akka.tcp://p2pactors@127.0.0.1:4053");

    [Fact]
    public void Stores_sent_together_are_each_acknowledged_and_a_read_sent_behind_them_sees_them_all()
    {
        // Prevents: a store acknowledged before it is written, or a fetch answered "missing" for a body whose store
        // was sent before it but not committed yet (stores are committed in groups).
        var bodies = Sys.ActorOf(ContentBodyActor.Props(_directory));
        const int count = 200;
        for (var n = 0; n < count; n++)
            bodies.Tell(new StoreContentBody(Id(n), $"{{\"n\":{n}}}", n % 2 == 0 ? Header(n) : null));
        bodies.Tell(new FetchContentBody(Id(count - 1)));
        bodies.Tell(new LoadSharedHeaders(count));

        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 0; n < count; n++)
            acknowledged.Add(ExpectMsg<ContentBodyStored>(TimeSpan.FromSeconds(10)).Id);
        Assert.Equal(Enumerable.Range(0, count).Select(Id).ToHashSet(StringComparer.Ordinal), acknowledged);
        Assert.Equal($"{{\"n\":{count - 1}}}", ExpectMsg<ContentBodyFound>(TimeSpan.FromSeconds(10)).Json);
        var headers = ExpectMsg<SharedHeaders>(TimeSpan.FromSeconds(10)).Headers;
        Assert.Equal(count / 2, headers.Count);
        Assert.Equal(Header(count - 2), headers[0]);

        // And all of it is on disk: a new store on the same folder finds every body.
        Watch(bodies);
        Sys.Stop(bodies);
        ExpectTerminated(bodies, TimeSpan.FromSeconds(10));
        var reopened = Sys.ActorOf(ContentBodyActor.Props(_directory));
        for (var n = 0; n < count; n += 37)
        {
            reopened.Tell(new FetchContentBody(Id(n)));
            Assert.Equal($"{{\"n\":{n}}}", ExpectMsg<ContentBodyFound>(TimeSpan.FromSeconds(10)).Json);
        }
        reopened.Tell(new FetchContentBody(Id(count)));
        ExpectMsg<ContentBodyMissing>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_peers_request_without_a_readable_id_is_answered_missing_and_the_store_keeps_serving()
    {
        // Prevents: {} from a peer read as a null id, which threw outside the store's errors: no answer, and the actor
        // restarted (reopening its database) for every such message.
        var bodies = Sys.ActorOf(ContentBodyActor.Props(_directory));
        bodies.Tell(new StoreContentBody(Id(1), "{\"n\":1}", null));
        ExpectMsg<ContentBodyStored>(TimeSpan.FromSeconds(10));
        foreach (var id in new[] { null!, "", "not-a-content-id", Id(1).ToUpperInvariant() })
        {
            bodies.Tell(new FetchContentBody(id));
            Assert.Equal(id ?? "", ExpectMsg<ContentBodyMissing>(TimeSpan.FromSeconds(10)).Id);
        }
        bodies.Tell(new FetchContentBody(Id(1)));
        Assert.Equal("{\"n\":1}", ExpectMsg<ContentBodyFound>(TimeSpan.FromSeconds(10)).Json);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) TestCluster.DeleteDataDirectory(_directory);
    }
}
