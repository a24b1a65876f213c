using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// A node whose body store cannot be read (its table gone, as a damaged or replaced file would leave it), over real
/// remoting on 127.0.0.1: a body a peer holds is still served, and one nobody else holds fails at once, saying why.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class ContentStoreFailureTests : TestKit
{
    /// <summary>Drops the body table behind the node's back, through a connection of its own.</summary>
    private static void BreakBodyStore(StateNode node)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(node.DataDirectory!, ContentBodyActor.FileName)};Pooling=False");
        connection.Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP TABLE content_body";
        drop.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_node_whose_body_store_cannot_be_read_serves_a_peers_body_and_says_why_when_no_peer_has_it()
    {
        // Prevents: the read throwing inside the body store, so it went unanswered and every read of shared content
        // waited out a 15 s ask timeout (an HTTP 500 after that), even for a body a peer could serve.
        string[] dirs = [TestCluster.NewDataDirectory(), TestCluster.NewDataDirectory()];
        var nodes = await TestCluster.StartAsync(this, 2, i => new StateNodeOptions { State = new GameStateSettings { DataDirectory = dirs[i] } });
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            var onA = TestCluster.SampleItem(31);
            var onlyA = TestCluster.SampleItem(32);
            Assert.Equal(Replication.Confirmed, (await a.State.ShareAsync(onA, "node-a")).Replication);
            Assert.Equal(Replication.Confirmed, (await a.State.ShareAsync(onlyA, "node-a")).Replication);
            await AwaitAssertAsync(async () => Assert.NotNull(await b.State.FindCatalogEntryAsync(onlyA.Id!)), TimeSpan.FromSeconds(15));

            // B cannot read its own store: the body comes from A, the holder.
            BreakBodyStore(b);
            var fetched = await b.State.GetContentAsync(onA.Id!).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(ContentJson.Serialize(onA), ContentJson.Serialize(fetched!));

            // A cannot read its own store, and B never fetched this body: nobody can serve it, and the error says so.
            BreakBodyStore(a);
            var failed = await Assert.ThrowsAsync<ContentStoreException>(() => a.State.GetContentAsync(onlyA.Id!).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains("content store could not be read", failed.Message);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            foreach (var dir in dirs) TestCluster.DeleteDataDirectory(dir);
        }
    }

    [Fact]
    public async Task A_listed_entry_whose_holder_is_gone_is_unavailable_not_missing()
    {
        // Prevents: null for "no member served the body", which the API answers as a 404 "no peer shares it", so a page
        // told the reader that content the catalog lists does not exist, while its holder was only down.
        var nodes = await TestCluster.StartAsync(this, 2, _ => new StateNodeOptions());
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            var onlyA = TestCluster.SampleItem(33);
            Assert.Equal(Replication.Confirmed, (await a.State.ShareAsync(onlyA, "node-a")).Replication);
            await AwaitAssertAsync(async () => Assert.NotNull(await b.State.FindCatalogEntryAsync(onlyA.Id!)), TimeSpan.FromSeconds(15));

            await a.DisposeAsync();
            var failed = await Assert.ThrowsAsync<ContentUnavailableException>(() => b.State.GetContentAsync(onlyA.Id!).WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains(onlyA.Id!, failed.Message);
            // An id the catalog does not list is still simply not there.
            Assert.Null(await b.State.GetContentAsync(TestCluster.SampleItem(34).Id!));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
