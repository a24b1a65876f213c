using Akka.Actor;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Storage;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests;

public sealed class ContentStoreTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly TempDataDirectory _data = new();

    private string DatabasePath => Path.Combine(_data.Path, "content.db");

    void IDisposable.Dispose()
    {
        Dispose();
        _data.Dispose();
    }

    private static Character Sample(string name) => ContentJson.WithId(new Character(
        name, CharacterClass.Mage, 3, new Stats(30, 5, 4, 6, 20, 9, 2),
        new Appearance(["#112233", "#445566"], BodyType.Slim, ["a scar"]), "Came from the north.") { Seed = 9 });

    [Fact]
    public void Stored_content_is_read_back_after_reopening_the_file()
    {
        var a = Sample("Ada");
        var b = Sample("Brin");
        using (var store = new SqliteContentStore(DatabasePath))
        {
            store.PutMany([a, b]);
            store.PutMany([a]); // content is immutable: a second put of the same id changes nothing
            Assert.Equal(2, store.Count());
        }

        using var reopened = new SqliteContentStore(DatabasePath);
        Assert.Equal(ContentJson.Serialize(a), ContentJson.Serialize(reopened.Get(a.Id!)!));
        Assert.Equal(ContentJson.Serialize(b), ContentJson.Serialize(reopened.Get(b.Id!)!));
        Assert.Null(reopened.Get("missing"));
    }

    [Fact]
    public void The_store_actor_finds_content_before_and_after_its_batch_is_flushed()
    {
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store)));
        var content = Sample("Cato");

        actor.Tell(new StoreContent(content, Ack: true));
        ExpectMsg<ContentStored>(s => Assert.Equal(content.Id, s.Id));
        actor.Tell(new GetContent(content.Id!));
        Assert.Equal(content.Id, ExpectMsg<ContentFound>().Content.Id);

        AwaitAssert(() => Assert.Equal(1, store.Count()), TimeSpan.FromSeconds(5));
        actor.Tell(new GetContent("nope"));
        ExpectMsg<ContentNotFound>();
    }

    [Fact]
    public void A_store_that_cannot_be_read_answers_that_it_cannot_rather_than_failing_the_ask()
    {
        // Prevents: a read error answered as Status.Failure, which the HTTP endpoints' asks threw on as a 500.
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store)));
        DropContentTable();

        var id = Sample("Dara").Id!;
        actor.Tell(new GetContent(id));
        var unreadable = ExpectMsg<ContentUnreadable>();
        Assert.Equal(id, unreadable.Id);
        Assert.Contains("no such table", unreadable.Reason);
    }

    [Fact]
    public void The_store_actor_refuses_content_whose_id_does_not_match_its_body()
    {
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store)));
        var forged = Sample("Dax") with { Name = "Someone else" };

        actor.Tell(new StoreContent(forged, Ack: true));
        ExpectMsg<ContentRejected>();
        actor.Tell(new GetContent(forged.Id!));
        ExpectMsg<ContentNotFound>();
    }

    [Fact]
    public void With_a_flush_delay_content_is_found_at_once_and_written_when_the_delay_ends()
    {
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store, TimeSpan.FromMilliseconds(200))));
        var content = Sample("Eda");

        actor.Tell(new StoreContent(content, Ack: true));
        ExpectMsg<ContentStored>();
        actor.Tell(new GetContent(content.Id!));
        Assert.Equal(content.Id, ExpectMsg<ContentFound>().Content.Id);
        AwaitAssert(() => Assert.Equal(1, store.Count()), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_full_batch_is_written_without_waiting_for_the_delay_and_the_rest_when_the_actor_stops()
    {
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store, TimeSpan.FromHours(1))));
        var contents = Enumerable.Range(0, ContentStoreActor.MaxBatch + 3).Select(i => Sample($"Name{i}")).ToArray();

        foreach (var content in contents)
            actor.Tell(new StoreContent(content));
        AwaitAssert(() => Assert.Equal(ContentStoreActor.MaxBatch, store.Count()), TimeSpan.FromSeconds(10));

        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        using var reopened = new SqliteContentStore(DatabasePath);
        Assert.Equal(contents.Length, reopened.Count());
        Assert.Equal(contents[^1].Name, Assert.IsType<Character>(reopened.Get(contents[^1].Id!)).Name);
    }

    [Fact]
    public void While_the_store_fails_at_most_MaxPending_items_wait_and_every_one_acknowledged_is_written_once_it_recovers()
    {
        // Prevents: a store whose writes fail (disk full, file gone) kept every generation in memory until the node died.
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store)));
        DropContentTable();

        var contents = Enumerable.Range(0, ContentStoreActor.MaxPending + 5).Select(i => Sample($"Failing{i}")).ToArray();
        foreach (var content in contents)
            actor.Tell(new StoreContent(content, Ack: true));
        var replies = ReceiveN(contents.Length, TimeSpan.FromSeconds(30));
        var stored = replies.OfType<ContentStored>().Select(s => s.Id).ToHashSet();
        var rejected = replies.OfType<ContentRejected>().ToList();
        Assert.Equal(ContentStoreActor.MaxPending, stored.Count);
        Assert.Equal(5, rejected.Count);
        Assert.All(rejected, r => Assert.Contains("content store is failing", r.Reason));

        // What was acknowledged is still served from memory while the store fails.
        actor.Tell(new GetContent(contents[0].Id!));
        Assert.Equal(contents[0].Id, ExpectMsg<ContentFound>().Content.Id);

        // The table back (the store's own schema), the retry writes every acknowledged item and the store takes more again.
        new SqliteContentStore(DatabasePath).Dispose();
        AwaitAssert(() => Assert.Equal(ContentStoreActor.MaxPending, store.Count()), TimeSpan.FromSeconds(15));
        Assert.All(contents.Where(c => stored.Contains(c.Id!)).Take(20), c => Assert.NotNull(store.Get(c.Id!)));
        var later = Sample("AfterRecovery");
        actor.Tell(new StoreContent(later, Ack: true));
        ExpectMsg<ContentStored>();
    }

    [Fact]
    public void While_the_store_fails_and_is_full_content_it_already_holds_still_counts_as_stored()
    {
        // Prevents: a store of content already on disk refused ("not kept") because the waiting items reached the bound.
        var store = new SqliteContentStore(DatabasePath);
        var actor = Sys.ActorOf(Props.Create(() => new ContentStoreActor(store)));
        var kept = Sample("Kept");
        actor.Tell(new StoreContent(kept, Ack: true));
        ExpectMsg<ContentStored>();
        AwaitAssert(() => Assert.Equal(1, store.Count()), TimeSpan.FromSeconds(5));
        // Writes fail from now on (as on a full disk); reads still work.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var refuse = connection.CreateCommand();
            refuse.CommandText = "CREATE TRIGGER refuse_writes BEFORE INSERT ON content BEGIN SELECT RAISE(ABORT, 'disk full'); END";
            refuse.ExecuteNonQuery();
        }

        foreach (var content in Enumerable.Range(0, ContentStoreActor.MaxPending).Select(i => Sample($"Waiting{i}")))
            actor.Tell(new StoreContent(content, Ack: true));
        Assert.All(ReceiveN(ContentStoreActor.MaxPending, TimeSpan.FromSeconds(30)), reply => Assert.IsType<ContentStored>(reply));

        actor.Tell(new StoreContent(Sample("OneTooMany"), Ack: true));
        ExpectMsg<ContentRejected>();
        actor.Tell(new StoreContent(kept, Ack: true));
        Assert.Equal(kept.Id, ExpectMsg<ContentStored>().Id);
    }

    private void DropContentTable()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP TABLE content";
        drop.ExecuteNonQuery();
    }
}
