using System.Collections.Immutable;
using Akka.Actor;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Serialization;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests;

public sealed class PlayerMemoryStateTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RecordGenerated Record(string id) => new("p", id, ContentType.Item, 1, At);

    private static PlayerMemoryState Fold(PlayerMemoryState state, RecordGenerated command) =>
        state.Handle(command).Aggregate(state, (s, e) => s.Apply(e));

    [Fact]
    public void A_batch_of_recordings_is_one_event_without_known_or_repeated_ids()
    {
        var state = Fold(PlayerMemoryState.Empty("p", 10), Record("a"));
        var events = state.Handle([Record("b"), Record("a"), Record("c"), Record("b")]);
        var batch = Assert.IsType<ContentRecordedBatch>(Assert.Single(events));
        Assert.Equal(["b", "c"], batch.Entries.Select(e => e.ContentId));
        Assert.Empty(state.Handle([Record("a"), Record("a")]));

        state = state.Apply(batch);
        Assert.Equal(["a", "b", "c"], state.History.Select(h => h.ContentId));
        // Old single-recording events and batches fold into the same history, so older journals still recover.
        var mixed = PlayerMemoryState.Empty("p", 2)
            .Apply(new ContentRecorded(new HistoryEntry("a", ContentType.Item, 1, At)))
            .Apply(batch);
        Assert.Equal(["b", "c"], mixed.History.Select(h => h.ContentId));
        Assert.DoesNotContain("a", mixed.ContentIds);
    }

    [Fact]
    public void Recording_appends_and_a_known_id_produces_no_event()
    {
        var state = Fold(PlayerMemoryState.Empty("p", 10), Record("a"));
        Assert.Single(state.Handle(Record("b")));
        Assert.Empty(state.Handle(Record("a")));
        state = Fold(state, Record("b"));
        Assert.Equal(["a", "b"], state.History.Select(h => h.ContentId));
    }

    [Fact]
    public void History_keeps_the_most_recent_entries_within_the_limit()
    {
        var state = PlayerMemoryState.Empty("p", 3);
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
            state = Fold(state, Record(id));
        Assert.Equal(["c", "d", "e"], state.History.Select(h => h.ContentId));
        Assert.Equal(["c", "d", "e"], state.ContentIds.Order());
        Assert.Equal(["d", "e"], state.WithHistoryLimit(2).History.Select(h => h.ContentId));
    }
}

public sealed class PlayerIdTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("Player_01-x", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("with space", false)]
    [InlineData("slash/", false)]
    [InlineData("ünï", false)]
    public void Validates_player_ids(string? id, bool valid) => Assert.Equal(valid, PlayerIds.IsValid(id));

    [Fact]
    public void Limits_length_to_64() 
    {
        Assert.True(PlayerIds.IsValid(new string('x', 64)));
        Assert.False(PlayerIds.IsValid(new string('x', 65)));
    }
}

public sealed class CacheTests
{
    [Fact]
    public void Lru_evicts_the_least_recently_used()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGet("a", out _));
        cache.Set("c", 3);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out var a) && a == 1);
        Assert.True(cache.TryGet("c", out var c) && c == 3);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Canonical_params_are_order_independent_and_unambiguous()
    {
        var x = CacheKey.Canonicalize(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var y = CacheKey.Canonicalize(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        Assert.Equal(x, y);
        // A value containing the separators cannot collide with two parameters.
        var tricky = CacheKey.Canonicalize(new Dictionary<string, string> { ["a"] = "1&b=2" });
        Assert.NotEqual(x, tricky);
    }
}

public sealed class SerializationTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializationTests() : base(SerializationSetup.Hocon)
    {
    }

    public static TheoryData<IP2PMessage> Messages()
    {
        var character = ContentJson.WithId(new Character("Ada", CharacterClass.Mage, 3, new Stats(30, 5, 4, 6, 20, 9, 2),
            new Appearance(["#112233"], BodyType.Slim, ["a scar"]), "Came from the north.") { Seed = 9 });
        var entry = new HistoryEntry("abc", ContentType.Map, 3, DateTimeOffset.UnixEpoch);
        return new TheoryData<IP2PMessage>
        {
            new GenerateContent(ContentType.Map, new Dictionary<string, string> { ["width"] = "16" }, 4, "p"),
            new GenerateContent(ContentType.Item, new Dictionary<string, string>(), null, "p"),
            new ContentGenerated(character, true),
            new GenerationRejected([new ParameterProblem("level", "too high")]),
            new GetContent("abc"),
            new ContentFound(character),
            new StoreContent(character, true),
            new GetLearnedPatterns("p"),
            new PlayerPatterns("p", new LearnedPatterns(new Dictionary<string, double> { ["class:mage"] = 0.5 })),
            new RecordGenerated("p", "abc", ContentType.Item, 5, DateTimeOffset.UnixEpoch),
            new PlayerSnapshot("p", [entry], LearnedPatterns.Empty),
            new ContentRecorded(entry),
            new ContentRecordedBatch([entry, entry with { ContentId = "def" }]),
            StopPlayerMemory.Instance,
            PlayerMemoryState.Empty("p", 10).Apply(new ContentRecorded(entry)),
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_the_json_serializer(IP2PMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<P2PJsonSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var back = ((P2PJsonSerializer)serializer).FromBinary(bytes, ((P2PJsonSerializer)serializer).Manifest(message));
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(Convert.ToBase64String(bytes), Convert.ToBase64String(serializer.ToBinary(back)));
    }

    [Fact]
    public void A_recovered_state_rebuilds_its_id_set()
    {
        var state = PlayerMemoryState.Empty("p", 10).Apply(new ContentRecorded(new HistoryEntry("abc", ContentType.Map, 3, DateTimeOffset.UnixEpoch)));
        var serializer = (P2PJsonSerializer)Sys.Serialization.FindSerializerFor(state);
        var back = (PlayerMemoryState)serializer.FromBinary(serializer.ToBinary(state), serializer.Manifest(state));
        Assert.Contains("abc", back.ContentIds);
        Assert.Empty(back.Handle(new RecordGenerated("p", "abc", ContentType.Map, 3, DateTimeOffset.UnixEpoch)));
        Assert.IsType<ImmutableList<HistoryEntry>>(back.History);
    }
}
