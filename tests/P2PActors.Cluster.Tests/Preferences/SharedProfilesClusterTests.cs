using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using static P2PActors.Cluster.Tests.Preferences.PlayerMemoryStateRatingTests;

namespace P2PActors.Cluster.Tests.Preferences;

/// <summary>
/// Two full nodes (WithP2PNode: sharding, SQLite journals, DData) in one cluster over real remoting on 127.0.0.1.
/// Players rate through either node; the sharing ones' profiles reach both, and both rank recommendations exactly as
/// computed by hand below.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class SharedProfilesClusterTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDataDirectory _data1 = new();
    private readonly TempDataDirectory _data2 = new();
    private TestNode _node1 = null!;
    private TestNode _node2 = null!;

    public async Task InitializeAsync()
    {
        var port1 = FreePort();
        var seed = $"akka.tcp://p2pactors@127.0.0.1:{port1}";
        _node1 = await TestNode.StartAsync(_data1.Settings() with { Port = port1, SeedNodes = [seed] });
        _node2 = await TestNode.StartAsync(_data2.Settings() with { Port = FreePort(), SeedNodes = [seed] });
        await AwaitAssertAsync(() =>
        {
            foreach (var node in new[] { _node1, _node2 })
                Assert.Equal(2, Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up));
        }, Timeout, TimeSpan.FromMilliseconds(100));
    }

    public async Task DisposeAsync()
    {
        await _node2.DisposeAsync();
        await _node1.DisposeAsync();
        _data1.Dispose();
        _data2.Dispose();
        Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly Dictionary<string, (ContentType Type, string Attribute)> Contents = new()
    {
        ["c1"] = (ContentType.Character, "class:mage"),
        ["c2"] = (ContentType.Character, "class:rogue"),
        ["c3"] = (ContentType.Character, "class:cleric"),
        ["c4"] = (ContentType.Item, "kind:weapon"),
        ["c5"] = (ContentType.Item, "kind:armor"),
        ["c6"] = (ContentType.Quest, "difficulty:easy"),
    };

    private static async Task RateAll(TestNode via, string player, params (string Content, int Stars)[] ratings)
    {
        foreach (var (content, stars) in ratings)
        {
            var (type, attribute) = Contents[content];
            await via.PlayerMemory.Ask<ContentRatingStored>(
                new RateContent(player, ContentId(content), type, [attribute], stars, DateTimeOffset.UtcNow), Timeout);
        }
    }

    private static async Task Share(TestNode via, string player, bool share) =>
        Assert.Equal(share, (await via.PlayerMemory.Ask<SharingState>(new SetSharing(player, share, DateTimeOffset.UtcNow), Timeout)).Sharing);

    private static IActorRef SharedProfiles(TestNode node) => ActorRegistry.For(node.System).Get<SharedProfilesActor>();

    private async Task<RecommendationList> Recommend(TestNode node, string player, ContentType? type = null)
    {
        var ratings = await node.PlayerMemory.Ask<PlayerRatingList>(new GetRatings(player), Timeout);
        var target = SharedProfileEntry.Pack(player, [.. ratings.Ratings.Select(r => new SharedRating(r.ContentId, r.Type, r.Stars))]);
        // The index is rebuilt in the background after changes; wait for an answer from one that has them all.
        RecommendationList? list = null;
        await AwaitAssertAsync(async () =>
        {
            list = await SharedProfiles(node).Ask<RecommendationList>(new Recommend(target, type, Take: 10), Timeout);
            Assert.True(list.IndexCurrent);
        }, Timeout, TimeSpan.FromMilliseconds(50));
        return list!;
    }

    private Task AwaitProfiles(int count) =>
        AwaitAssertAsync(async () =>
        {
            foreach (var node in new[] { _node1, _node2 })
                Assert.Equal(count, (await SharedProfiles(node).Ask<SharedProfilesInfo>(new GetSharedProfiles(), Timeout)).Profiles);
        }, Timeout, TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task Profiles_shared_through_different_nodes_give_the_hand_computed_ranking_on_every_node()
    {
        // The target rates through node 2 and does not share: their own ratings are only the query.
        await RateAll(_node2, "target", ("c1", 5), ("c2", 3), ("c3", 4));
        await RateAll(_node1, "alice", ("c1", 5), ("c2", 3), ("c3", 4), ("c4", 5), ("c5", 1));
        await RateAll(_node2, "bob", ("c1", 5), ("c2", 2), ("c3", 3), ("c4", 2), ("c5", 4), ("c6", 5));
        await RateAll(_node1, "carol", ("c1", 1), ("c2", 5), ("c3", 3), ("c4", 1), ("c6", 5));
        await RateAll(_node2, "dave", ("c1", 5), ("c6", 1));
        await Share(_node1, "alice", true);
        await Share(_node2, "bob", true);
        await Share(_node1, "carol", true);
        await Share(_node2, "dave", true);
        await AwaitProfiles(4);

        // By hand. Over the co-rated c1..c3 the target rated (5, 3, 4):
        //   alice (5, 3, 4): Pearson 1.
        //   bob   (5, 2, 3): n = 3, Σx = 12, Σy = 10, Σx² = 50, Σy² = 38, Σxy = 43;
        //                    (3·43 − 12·10) / √((3·50 − 144)(3·38 − 100)) = 9 / √84 = 0.98198.
        //   carol (1, 5, 3): covariance 3·32 − 12·9 = −12 < 0, not a neighbour.
        //   dave: one co-rated content (c1), no similarity, not a neighbour.
        // Means over all ratings: target 4, alice 18/5 = 3.6, bob 21/6 = 3.5.
        // Scores (target mean + Σ sim·(r − mean) / Σ sim):
        //   c6: only bob, 4 + 1.5 = 5.5;
        //   c4: 4 + (1·(5 − 3.6) + s·(2 − 3.5)) / (1 + s) = 3.96318;
        //   c5: 4 + (1·(1 − 3.6) + s·(4 − 3.5)) / (1 + s) = 2.93591.
        var s = 9 / Math.Sqrt(84);
        var expected = new (string Content, double Score, int Neighbours)[]
        {
            ("c6", 5.5, 1),
            ("c4", 4 + (1.4 - 1.5 * s) / (1 + s), 2),
            ("c5", 4 + (-2.6 + 0.5 * s) / (1 + s), 2),
        };
        Assert.Equal(3.96318, expected[1].Score, 5);
        Assert.Equal(2.93591, expected[2].Score, 5);

        foreach (var node in new[] { _node1, _node2 })
        {
            var list = await Recommend(node, "target");
            Assert.Equal(4, list.SharedProfiles);
            Assert.Equal(2, list.SimilarPlayers);
            Assert.Equal(expected.Select(e => ContentId(e.Content)), list.Items.Select(i => i.ContentId));
            foreach (var (e, item) in expected.Zip(list.Items))
            {
                Assert.Equal(e.Score, item.Score, 10);
                Assert.Equal(e.Neighbours, item.Neighbours);
            }
            Assert.Equal([ContentId("c4"), ContentId("c5")], (await Recommend(node, "target", ContentType.Item)).Items.Select(i => i.ContentId));
            Assert.Equal([ContentId("c6")], (await Recommend(node, "target", ContentType.Quest)).Items.Select(i => i.ContentId));
        }

        // Bob opts out through the other node: his profile disappears everywhere, alice alone is left.
        await Share(_node1, "bob", false);
        await AwaitProfiles(3);
        foreach (var node in new[] { _node1, _node2 })
        {
            var list = await Recommend(node, "target");
            Assert.Equal([ContentId("c4"), ContentId("c5")], list.Items.Select(i => i.ContentId));
            Assert.Equal(4 + 1.4, list.Items[0].Score, 10);
            Assert.Equal(4 - 2.6, list.Items[1].Score, 10);
        }
    }

    /// <summary>
    /// A shared-profile bucket a node lacks can stay out of gossip's reach for good, so once one holds a profile every
    /// node holds them all, empty until written; before that none, since 512 empty keys would slow every gossip pass.
    /// </summary>
    [Fact]
    public async Task Every_node_holds_every_profile_bucket_once_a_profile_is_shared_and_none_before()
    {
        async Task<int> ProfileBuckets(TestNode node) =>
            (await DistributedData.Get(node.System).Replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, Timeout)).Keys
            .Count(k => k.StartsWith(SharedProfileKeys.Prefix, StringComparison.Ordinal));

        Assert.Equal(0, await ProfileBuckets(_node1));
        Assert.Equal(0, await ProfileBuckets(_node2));

        await RateAll(_node1, "alice", ("c1", 5), ("c2", 3));
        await Share(_node1, "alice", true);

        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(SharedProfileKeys.DefaultBuckets, await ProfileBuckets(_node1));
            Assert.Equal(SharedProfileKeys.DefaultBuckets, await ProfileBuckets(_node2));
        }, Timeout, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Shared_profiles_a_node_cannot_check_are_refused_by_every_node()
    {
        await RateAll(_node1, "alice", ("c1", 5), ("c2", 3), ("c3", 4), ("c4", 5));
        await Share(_node1, "alice", true);
        await AwaitProfiles(1);

        // A peer writes straight into the replicated keys, past every check of the memory and the publishing actor.
        var keys = new SharedProfileKeys();
        var replicator = DistributedData.Get(_node2.System).Replicator;
        var self = Akka.Cluster.Cluster.Get(_node2.System).SelfUniqueAddress;
        var good = new SharedRating(ContentId("c1"), ContentType.Character, 5);
        var packed = SharedProfileEntry.Pack("x", [good]).Ratings;
        byte[] With(int offset, byte value)
        {
            var copy = (byte[])packed.Clone();
            copy[offset] = value;
            return copy;
        }
        var bad = new Dictionary<string, SharedProfileEntry>
        {
            ["mallory"] = new("mallory", With(33, 9)),
            ["victor"] = new("victor", With(32, 77)),
            ["trudy"] = new("eve", packed),
            ["oscar"] = new("oscar", [.. packed, .. packed]),
            ["peggy"] = new("peggy", packed[..20]),
            ["sybil"] = new("sybil", null!),
            ["walter"] = SharedProfileEntry.Pack("walter", [.. Enumerable.Range(0, SharedProfileEntry.MaxRatings + 1)
                .Select(i => new SharedRating(ContentId($"w{i}"), ContentType.Item, 3))]),
        };
        foreach (var (player, entry) in bad)
        {
            await replicator.Ask<UpdateSuccess>(Dsl.Update(keys.KeyOf(player), LWWDictionary<string, SharedProfileEntry>.Empty,
                WriteLocal.Instance, d => d.SetItem(self, player, entry)), Timeout);
        }

        await AwaitAssertAsync(async () =>
        {
            foreach (var node in new[] { _node1, _node2 })
            {
                var info = await SharedProfiles(node).Ask<SharedProfilesInfo>(new GetSharedProfiles("mallory"), Timeout);
                Assert.Equal(bad.Count, info.Rejected);
                Assert.Equal(1, info.Profiles);
                Assert.Null(info.Profile);
            }
        }, Timeout, TimeSpan.FromMilliseconds(100));

        // Both nodes keep serving, from alice's profile alone.
        await RateAll(_node2, "target", ("c1", 5), ("c2", 3), ("c3", 4));
        foreach (var node in new[] { _node1, _node2 })
            Assert.Equal([ContentId("c4")], (await Recommend(node, "target")).Items.Select(i => i.ContentId));
    }
}
