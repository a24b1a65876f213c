using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Preferences;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using P2PActors.Testing;
using Xunit.Abstractions;
using static P2PActors.Cluster.Tests.Preferences.PlayerMemoryStateRatingTests;

namespace P2PActors.Cluster.Tests.Preferences;

public sealed class SqlitePreferenceRecoveryTests() : PreferenceRecoveryTests(new SqliteJournal())
{
    [Fact]
    public override Task Ratings_the_profile_and_the_sharing_choice_survive_a_restart() => base.Ratings_the_profile_and_the_sharing_choice_survive_a_restart();
}

public sealed class PostgresPreferenceRecoveryTests() : PreferenceRecoveryTests(new PostgresJournal())
{
    [PostgresFact]
    public override Task Ratings_the_profile_and_the_sharing_choice_survive_a_restart() => base.Ratings_the_profile_and_the_sharing_choice_survive_a_restart();
}

/// <summary>Ratings, the learned profile and the sharing choice recovered from each journal provider (see <see cref="PersistenceTests"/>).</summary>
public abstract class PreferenceRecoveryTests(JournalDatabase journal) : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDataDirectory _data = new();

    void IDisposable.Dispose()
    {
        journal.Dispose();
        _data.Dispose();
        Dispose();
    }

    private static Task<T> AskMemory<T>(TestNode node, IPlayerMemoryCommand command) => node.PlayerMemory.Ask<T>(command, Timeout);

    public virtual async Task Ratings_the_profile_and_the_sharing_choice_survive_a_restart()
    {
        // Snapshots every 3 events: recovery combines a snapshot with the rating events after it.
        var settings = journal.Use(_data.Settings(snapshotEvery: 3));
        PlayerPreferences before;
        LearnedPatterns patternsBefore;
        await using (var node = await TestNode.StartAsync(settings))
        {
            for (var i = 0; i < 6; i++)
            {
                var stored = await AskMemory<ContentRatingStored>(node, Rate("dana", $"c{i}", 1 + i % 5, i % 2 == 0 ? "class:mage" : "class:rogue", i));
                Assert.False(stored.Replaced);
                Assert.Equal(i + 1, stored.RatingCount);
                Assert.Equal(i >= 4, stored.Personalised);
            }
            // Re-rating replaces: the count stays at 6.
            var again = await AskMemory<ContentRatingStored>(node, Rate("dana", "c0", 5, minute: 10));
            Assert.True(again.Replaced);
            Assert.Equal(6, again.RatingCount);
            Assert.Equal(5, again.Rating.Stars);

            var rejected = await AskMemory<RatingRejected>(node, Rate("dana", "c9", 7));
            Assert.Equal("stars", rejected.Field);

            Assert.True((await AskMemory<SharingState>(node, new SetSharing("dana", true, DateTimeOffset.UtcNow))).Sharing);
            before = await AskMemory<PlayerPreferences>(node, new GetPreferences("dana"));
            patternsBefore = (await AskMemory<PlayerPatterns>(node, new GetLearnedPatterns("dana"))).Patterns;
            Assert.True(before.HasProfile);
            Assert.False(patternsBefore.IsEmpty);
        }

        // Eight events (seven ratings, sharing), a snapshot every third: the last snapshot holds the first six, so the
        // journal in the configured store keeps at least the two after it (the six go once that snapshot is stored).
        var dana = PlayerMemoryActor.PersistenceIdFor("dana");
        Assert.InRange(journal.JournalEvents(settings, dana), 2, 8);
        Assert.True(journal.Snapshots(settings, dana) >= 1, "no snapshot was saved");
        Assert.Equal(journal.WritesSqliteFile, File.Exists(settings.PersistenceDatabasePath));

        await using (var restarted = await TestNode.StartAsync(settings))
        {
            var ratings = await AskMemory<PlayerRatingList>(restarted, new GetRatings("dana"));
            Assert.True(ratings.Sharing);
            Assert.Equal(new[] { "c1", "c2", "c3", "c4", "c5", "c0" }.Select(ContentId), ratings.Ratings.Select(r => r.ContentId));
            Assert.Equal([2, 3, 4, 5, 1, 5], ratings.Ratings.Select(r => r.Stars));

            var after = await AskMemory<PlayerPreferences>(restarted, new GetPreferences("dana"));
            Assert.Equal(before.Attributes, after.Attributes);
            Assert.Equal(before.RatingCount, after.RatingCount);
            var patternsAfter = (await AskMemory<PlayerPatterns>(restarted, new GetLearnedPatterns("dana"))).Patterns;
            Assert.Equal(patternsBefore.Weights, patternsAfter.Weights);

            // Still shared after the restart: the replicated profile is back on this node.
            var shared = ActorRegistry.For(restarted.System).Get<SharedProfilesActor>();
            await AwaitAssertAsync(async () =>
            {
                var info = await shared.Ask<SharedProfilesInfo>(new GetSharedProfiles("dana"), Timeout);
                Assert.Equal(ratings.Ratings.Select(r => (r.ContentId, r.Stars)), info.Profile!.Unpack().Select(r => (r.ContentId, r.Stars)));
            }, Timeout);
        }
    }
}

/// <summary>Ratings through the real sharded, SQLite-journaled player memory and the real generation path.</summary>
public sealed class PreferencePersistenceTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();
    private readonly TempDataDirectory _data = new();

    void IDisposable.Dispose()
    {
        _data.Dispose();
        Dispose();
    }

    private static Task<T> AskMemory<T>(TestNode node, IPlayerMemoryCommand command) => node.PlayerMemory.Ask<T>(command, Timeout);

    [Fact]
    public async Task The_minimum_number_of_ratings_is_configured_per_node()
    {
        await using var node = await TestNode.StartAsync(_data.Settings() with { Preferences = new PreferenceOptions(MinimumRatings: 2) });
        Assert.False((await AskMemory<ContentRatingStored>(node, Rate("erin", "a", 5))).Personalised);
        Assert.True((await AskMemory<ContentRatingStored>(node, Rate("erin", "b", 4))).Personalised);
        var preferences = await AskMemory<PlayerPreferences>(node, new GetPreferences("erin"));
        Assert.Equal(2, preferences.MinimumRatings);
        Assert.True(preferences.HasProfile);
        Assert.False((await AskMemory<PlayerPatterns>(node, new GetLearnedPatterns("erin"))).Patterns.IsEmpty);
    }

    [Fact]
    public async Task Rating_mages_up_and_warriors_down_biases_generation_through_the_actors_for_that_player_only()
    {
        const int draws = 1000;
        const long firstSeed = 50_000;
        await using var node = await TestNode.StartAsync(_data.Settings(cacheCapacity: 2_000));
        var client = GenerationClient.For(node.System);

        async Task<GameContent> Generate(string player, long seed, IReadOnlyDictionary<string, string>? parameters = null) =>
            Assert.IsType<ContentGenerated>(await client.GenerateAsync(new GenerateContent(ContentType.Character, parameters ?? NoParams, seed, player))).Content;

        // Another player first: the cache now holds the unbiased character of every seed used below.
        var plain = new List<GameContent>();
        foreach (var batch in Enumerable.Range(0, draws).Chunk(50))
            plain.AddRange(await Task.WhenAll(batch.Select(i => Generate("other", firstSeed + i))));
        for (var i = 0; i < draws; i++)
            Assert.Equal(ContentJson.Serialize(ContentFactory.Generate(ContentType.Character, NoParams, firstSeed + i)), ContentJson.Serialize(plain[i]));

        // 20 mages rated 5★ and 20 warriors rated 1★, generated and rated through the node.
        var at = DateTimeOffset.UtcNow;
        foreach (var (cls, stars, offset) in new[] { ("mage", 5, 100), ("warrior", 1, 200) })
        {
            for (var i = 0; i < 20; i++)
            {
                var content = await Generate("rater", offset + i, new Dictionary<string, string> { ["class"] = cls });
                await AskMemory<ContentRatingStored>(node, new RateContent("rater", content.Id!, content.Type,
                    ContentAttributes.Of(content), stars, at.AddSeconds(offset + i)));
            }
        }

        // The node learns over pub-sub that "rater" is personalised; from then on no cached answer is served to them.
        await AwaitAssertAsync(async () =>
            Assert.False(((ContentGenerated)await client.GenerateAsync(new GenerateContent(ContentType.Character, NoParams, firstSeed, "rater"))).FromCache),
            Timeout);

        var biased = new List<ContentGenerated>();
        foreach (var batch in Enumerable.Range(0, draws).Chunk(50))
            biased.AddRange(await Task.WhenAll(batch.Select(async i =>
                Assert.IsType<ContentGenerated>(await client.GenerateAsync(new GenerateContent(ContentType.Character, NoParams, firstSeed + i, "rater"))))));
        Assert.All(biased, b => Assert.False(b.FromCache));
        var counts = Enum.GetValues<CharacterClass>().ToDictionary(c => c, c => biased.Count(b => ((Character)b.Content).Class == c));
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));

        // Unbiased, each class is Binomial(1000, 1/6): mean 166.7, sd 11.8. > 300 mages is 11 sd above it and
        // < 100 warriors 5.6 sd below; chance alone essentially never gets there.
        static double Z(int count) => (count - draws / 6.0) / Math.Sqrt(draws * (1 / 6.0) * (5 / 6.0));
        Assert.True(counts[CharacterClass.Mage] > 300, $"{counts[CharacterClass.Mage]} mages");
        Assert.True(counts[CharacterClass.Warrior] < 100, $"{counts[CharacterClass.Warrior]} warriors");
        Assert.True(Z(counts[CharacterClass.Mage]) > 10);
        Assert.True(Z(counts[CharacterClass.Warrior]) < -5);

        // The same seeds for a third player: still the unbiased characters (from the cache, which never took a biased one).
        for (var i = 0; i < draws; i += 37)
        {
            var reply = Assert.IsType<ContentGenerated>(await client.GenerateAsync(new GenerateContent(ContentType.Character, NoParams, firstSeed + i, "third")));
            Assert.Equal(ContentJson.Serialize(plain[i]), ContentJson.Serialize(reply.Content));
        }

        // Explicit parameters still win for the biased player.
        for (var i = 0; i < 20; i++)
            Assert.Equal(CharacterClass.Warrior, ((Character)await Generate("rater", 90_000 + i, new Dictionary<string, string> { ["class"] = "warrior" })).Class);
    }
}
