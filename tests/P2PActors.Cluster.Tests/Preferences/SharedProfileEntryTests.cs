using P2PActors.Cluster.Preferences;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using static P2PActors.Cluster.Tests.Preferences.PlayerMemoryStateRatingTests;

namespace P2PActors.Cluster.Tests.Preferences;

public sealed class SharedProfileEntryTests
{
    private static readonly SharedProfileKeys Keys = new();

    [Fact]
    public void Packing_round_trips_and_the_pool_keeps_one_string_per_content()
    {
        SharedRating[] ratings = [new(ContentId("a"), ContentType.Map, 1), new(ContentId("b"), ContentType.Dialog, 5)];
        var entry = SharedProfileEntry.Pack("p1", ratings);
        Assert.Equal(2 * SharedProfileEntry.BytesPerRating, entry.Ratings.Length);
        Assert.Equal(ratings, entry.Unpack());

        var pool = new ContentIdPool();
        var first = entry.Unpack(pool);
        var second = SharedProfileEntry.Pack("p2", [ratings[1]]).Unpack(pool);
        Assert.Same(first[1].ContentId, second[0].ContentId);
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Validation_accepts_a_good_entry_only_under_its_own_key_and_bucket()
    {
        var entry = SharedProfileEntry.Pack("p1", [new SharedRating(ContentId("a"), ContentType.Item, 4)]);
        var bucket = Keys.Bucket("p1");
        var profile = SharedProfileEntry.Validate("p1", entry, Keys, bucket, out var problem);
        Assert.Null(problem);
        Assert.Equal(4.0, profile!.Mean);

        Assert.Null(SharedProfileEntry.Validate("p1", entry, Keys, (bucket + 1) % Keys.BucketCount, out problem));
        Assert.Contains("bucket", problem);
        Assert.Null(SharedProfileEntry.Validate("p2", entry, Keys, Keys.Bucket("p2"), out problem));
        Assert.Null(SharedProfileEntry.Validate("bad id", entry with { PlayerId = "bad id" }, Keys, Keys.Bucket("bad id"), out problem));
        Assert.Throws<ArgumentException>(() => SharedProfileEntry.Pack("p1", [new SharedRating("not-hex", ContentType.Item, 4)]));
    }
}

public sealed class SharedProfilesViewPoolTests
{
    [Fact]
    public void The_id_pool_forgets_ids_no_profile_rates_any_longer()
    {
        // Prevents: every content id any accepted profile ever rated stayed in the pool for good (a withdrawn profile,
        // ratings rolled out of one, or a peer rewriting profiles with random ids grew every node's memory).
        var keys = new SharedProfileKeys();
        var node = new Akka.Cluster.UniqueAddress(new Akka.Actor.Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);
        var view = SharedProfilesView.Empty(keys);
        var bucket = keys.Bucket("p1");
        SharedRating[] latest = [];
        for (var round = 0; round < 200; round++)
        {
            latest = [.. Enumerable.Range(0, 50).Select(i => new SharedRating(ContentId($"round-{round}-{i}"), ContentType.Item, 4))];
            var data = Akka.DistributedData.LWWDictionary<string, SharedProfileEntry>.Empty.SetItem(node, "p1", SharedProfileEntry.Pack("p1", latest));
            (view, var problems) = view.Apply(bucket, data);
            Assert.Empty(problems);
        }

        // 10,000 ids were rated over time, 50 are rated now: the pool holds at most its floor.
        Assert.InRange(view.Pool.Count, 50, 4_096);
        var profile = view.Find("p1")!.Profile;
        Assert.Equal(latest.Select(r => r.ContentId), profile.Ratings.Select(r => r.ContentId));
        // The ids still rated are still pooled: the same strings the profile holds.
        var id = profile.Ratings[0].ContentId;
        Assert.Same(id, view.Pool.Get(Convert.FromHexString(id)));
    }
}
