using Akka.Actor;
using P2PActors.Cluster.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests;

public sealed class GenerationCoordinatorTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();
    private readonly TempDataDirectory _data = new();
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_data.Settings(cacheCapacity: 2));

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _data.Dispose();
    }

    [Theory]
    [InlineData(ContentType.Character)]
    [InlineData(ContentType.Item)]
    [InlineData(ContentType.Quest)]
    [InlineData(ContentType.Map)]
    [InlineData(ContentType.Dialog)]
    public void Generates_each_type_on_an_ephemeral_child_that_stops_after_replying(ContentType type)
    {
        var probe = CreateTestProbe(_node.System);
        _node.Coordinator.Tell(new GenerateContent(type, NoParams, 42, "player-1"), probe.Ref);

        var reply = probe.ExpectMsg<ContentGenerated>(TimeSpan.FromSeconds(20));
        Assert.False(reply.FromCache);
        Assert.Equal(type, reply.Content.Type);
        Assert.Equal(42, reply.Content.Seed);
        Assert.True(ContentJson.HasValidId(reply.Content));

        // The reply comes from the generator itself: a child of the coordinator, gone once the request is served.
        var generator = probe.LastSender;
        Assert.Equal(_node.Coordinator.Path, generator.Path.Parent);
        probe.Watch(generator);
        probe.ExpectTerminated(generator, TimeSpan.FromSeconds(10));
        AwaitAssert(() => Assert.Equal(0, Stats().ActiveGenerations), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_seeded_repeat_is_served_from_the_cache_with_identical_content()
    {
        var request = new GenerateContent(ContentType.Quest, new Dictionary<string, string> { ["difficulty"] = "hard" }, 7, "player-1");
        var first = await _node.Ask<ContentGenerated>(request);
        // Another player asking for the same (type, params, seed) gets the same reproducible content.
        var second = await _node.Ask<ContentGenerated>(request with { PlayerId = "player-2" });

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(ContentJson.Serialize(first.Content), ContentJson.Serialize(second.Content));
        var stats = Stats();
        Assert.Equal(1, stats.CacheHits);
        Assert.Equal(1, stats.CacheMisses);
    }

    [Fact]
    public async Task The_client_answers_a_cached_seeded_request_without_an_ask_and_records_it()
    {
        var client = GenerationClient.For(_node.System);
        var request = new GenerateContent(ContentType.Item, new Dictionary<string, string> { ["rarity"] = "rare" }, 11, "player-1");
        var first = Assert.IsType<ContentGenerated>(await client.GenerateAsync(request));
        Assert.False(first.FromCache);

        var pending = client.GenerateAsync(request with { PlayerId = "player-2" });
        // Completed before anything is awaited: no message went to the coordinator.
        Assert.True(pending.IsCompletedSuccessfully);
        var second = Assert.IsType<ContentGenerated>(await pending);
        Assert.True(second.FromCache);
        Assert.Equal(ContentJson.Serialize(first.Content), ContentJson.Serialize(second.Content));

        // The client's hit counts in the shared cache and is recorded in the player's memory like any other.
        var stats = Stats();
        Assert.Equal(1, stats.CacheHits);
        Assert.Equal(1, stats.CacheMisses);
        Assert.Equal(first.Content.Id, Assert.Single((await _node.Snapshot("player-2")).History).ContentId);

        // Whatever the cache holds, a bad player id still reaches the coordinator and is rejected.
        var rejected = Assert.IsType<GenerationRejected>(await client.GenerateAsync(request with { PlayerId = "" }));
        Assert.Contains(rejected.Problems, p => p.Field == "playerId");
        // Unseeded requests are never cached: each one is fresh content from the coordinator.
        var unseeded = Assert.IsType<ContentGenerated>(await client.GenerateAsync(request with { Seed = null }));
        Assert.False(unseeded.FromCache);
    }

    [Fact]
    public async Task Parameter_order_does_not_change_the_cache_key()
    {
        var forward = new Dictionary<string, string> { ["width"] = "16", ["height"] = "12" };
        var backward = new Dictionary<string, string> { ["height"] = "12", ["width"] = "16" };
        var first = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Map, forward, 3, "p"));
        var second = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Map, backward, 3, "p"));
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Content.Id, second.Content.Id);
    }

    [Fact]
    public async Task Unseeded_requests_never_hit_the_cache_and_get_fresh_seeds()
    {
        var request = new GenerateContent(ContentType.Character, NoParams, null, "player-1");
        var replies = new List<ContentGenerated>();
        for (var i = 0; i < 5; i++)
            replies.Add(await _node.Ask<ContentGenerated>(request));

        Assert.All(replies, r => Assert.False(r.FromCache));
        Assert.Equal(5, replies.Select(r => r.Content.Seed).Distinct().Count());
        Assert.Equal(5, replies.Select(r => r.Content.Id).Distinct().Count());
        var stats = Stats();
        Assert.Equal(0, stats.CacheHits);
        Assert.Equal(0, stats.CachedEntries);
    }

    [Fact]
    public async Task The_cache_evicts_the_least_recently_used_entry_at_capacity()
    {
        GenerateContent Seeded(long seed) => new(ContentType.Item, NoParams, seed, "p");
        await _node.Ask<ContentGenerated>(Seeded(1));
        await _node.Ask<ContentGenerated>(Seeded(2));
        Assert.True((await _node.Ask<ContentGenerated>(Seeded(1))).FromCache);
        await _node.Ask<ContentGenerated>(Seeded(3)); // capacity 2: evicts seed 2, the least recently used

        Assert.True((await _node.Ask<ContentGenerated>(Seeded(1))).FromCache);
        Assert.False((await _node.Ask<ContentGenerated>(Seeded(2))).FromCache);
        Assert.Equal(2, Stats().CachedEntries);
    }

    [Theory]
    [InlineData(ContentType.Character, "level", "0")]
    [InlineData(ContentType.Map, "width", "100000")]
    [InlineData(ContentType.Item, "rarity", "shiny")]
    [InlineData(ContentType.Quest, "bogus", "1")]
    public async Task Bad_parameters_are_rejected_naming_the_field(ContentType type, string field, string value)
    {
        var reply = await _node.Ask<object>(new GenerateContent(type, new Dictionary<string, string> { [field] = value }, 1, "p"));
        var rejected = Assert.IsType<GenerationRejected>(reply);
        Assert.Contains(rejected.Problems, p => p.Field == field);
        Assert.Equal(0, Stats().ActiveGenerations);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("../etc")]
    public async Task Bad_player_ids_are_rejected(string playerId)
    {
        var reply = await _node.Ask<object>(new GenerateContent(ContentType.Item, NoParams, 1, playerId));
        Assert.Contains(Assert.IsType<GenerationRejected>(reply).Problems, p => p.Field == "playerId");
    }

    [Fact]
    public async Task An_out_of_range_seed_is_rejected()
    {
        var reply = await _node.Ask<object>(new GenerateContent(ContentType.Item, NoParams, -5, "p"));
        Assert.Contains(Assert.IsType<GenerationRejected>(reply).Problems, p => p.Field == "seed");
    }

    [Fact]
    public async Task The_node_keeps_serving_after_bad_requests()
    {
        await _node.Ask<GenerationRejected>(new GenerateContent(ContentType.Map, new Dictionary<string, string> { ["width"] = "x" }, 1, "p"));
        await _node.Ask<GenerationRejected>(new GenerateContent((ContentType)99, NoParams, 1, "p"));
        var ok = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Map, NoParams, 1, "p"));
        Assert.Equal(ContentType.Map, ok.Content.Type);
    }

    [Fact]
    public async Task Generated_content_is_recorded_in_the_players_history()
    {
        var a = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Character, NoParams, 11, "hist"));
        var b = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Dialog, NoParams, null, "hist"));
        // A cache hit delivers the same content again: it is not recorded twice.
        await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Character, NoParams, 11, "hist"));

        var snapshot = await _node.Snapshot("hist");
        Assert.Equal([a.Content.Id, b.Content.Id], snapshot.History.Select(h => h.ContentId));
        Assert.Equal([ContentType.Character, ContentType.Dialog], snapshot.History.Select(h => h.Type));
        Assert.Equal(b.Content.Seed, snapshot.History[1].Seed);
        Assert.True(snapshot.Patterns.IsEmpty);
        Assert.Empty((await _node.Snapshot("someone-else")).History);
    }

    [Fact]
    public async Task Generated_content_can_be_fetched_by_id()
    {
        var generated = await _node.Ask<ContentGenerated>(new GenerateContent(ContentType.Quest, NoParams, null, "p"));
        var found = await _node.Ask<ContentFound>(new GetContent(generated.Content.Id!));
        Assert.Equal(ContentJson.Serialize(generated.Content), ContentJson.Serialize(found.Content));

        var missing = await _node.Ask<ContentNotFound>(new GetContent("0000"));
        Assert.Equal("0000", missing.Id);
    }

    private CoordinatorStats Stats() =>
        _node.Coordinator.Ask<CoordinatorStats>(GetCoordinatorStats.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
}
