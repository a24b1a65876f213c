using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Tests.Preferences;

/// <summary>The pure side of ratings in the player memory: what a command produces, how events fold, what snapshots keep.</summary>
public sealed class PlayerMemoryStateRatingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static string ContentId(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    internal static RateContent Rate(string player, string content, int stars, string attribute = "class:mage", int minute = 0) =>
        new(player, ContentId(content), ContentType.Character, [attribute], stars, T0.AddMinutes(minute));

    private static PlayerMemoryState Fold(PlayerMemoryState state, params RateContent[] commands)
    {
        foreach (var command in commands)
        {
            Assert.Null(state.Check(command));
            state = state.Handle(command).Aggregate(state, (s, e) => s.Apply(e));
        }
        return state;
    }

    [Fact]
    public void Re_rating_replaces_the_earlier_rating_and_moves_it_to_the_newest_place()
    {
        var state = Fold(PlayerMemoryState.Empty("p", 10), Rate("p", "a", 2), Rate("p", "b", 4), Rate("p", "a", 5, minute: 1));

        Assert.Equal(2, state.Ratings.Count);
        Assert.Equal([ContentId("b"), ContentId("a")], state.Ratings.InOrder.Select(r => r.ContentId));
        Assert.Equal(5, state.Ratings.Get(ContentId("a"))!.Stars);
        Assert.Equal(T0.AddMinutes(1), state.Ratings.Get(ContentId("a"))!.At);
    }

    [Fact]
    public void Patterns_appear_with_the_fifth_rating_and_follow_the_profile()
    {
        var state = PlayerMemoryState.Empty("p", 10);
        for (var i = 0; i < 4; i++)
            state = Fold(state, Rate("p", $"mage-{i}", 5));
        Assert.True(state.Patterns.IsEmpty);
        Assert.Equal(1, state.ToPreferences().RatingsNeeded);
        Assert.False(state.ToPreferences().HasProfile);

        state = Fold(state, Rate("p", "warrior", 1, "class:warrior"));
        Assert.False(state.Patterns.IsEmpty);
        // Four 5★ mages at α = 0.2: w = 1 − 0.8⁴ = 0.5904; one 1★ warrior: w = −0.2. Generator weight e^(2w).
        Assert.Equal(Math.Exp(2 * (1 - Math.Pow(0.8, 4))), state.Patterns.Weights["class:mage"], 12);
        Assert.Equal(Math.Exp(2 * -0.2), state.Patterns.Weights["class:warrior"], 12);
        Assert.Equal(1.0, state.Patterns.Weights["class:rogue"]);
        var preferences = state.ToPreferences();
        Assert.True(preferences.HasProfile);
        Assert.Equal(["class:mage", "class:warrior"], preferences.Attributes.Select(a => a.Key));

        // A configured minimum of 10 takes the profile away again until there are 10 ratings.
        var stricter = state.WithPreferences(new PreferenceOptions(MinimumRatings: 10));
        Assert.True(stricter.Patterns.IsEmpty);
        Assert.Equal(5, stricter.ToPreferences().RatingsNeeded);
    }

    [Theory]
    [InlineData(0, "stars")]
    [InlineData(6, "stars")]
    public void Stars_outside_one_to_five_are_rejected(int stars, string field) =>
        Assert.Equal(field, PlayerMemoryState.Empty("p", 10).Check(Rate("p", "a", stars))!.Field);

    [Fact]
    public void A_player_keeps_at_most_MaxRatings_ratings_and_may_still_re_rate_them()
    {
        // Prevents: ratings had no bound, and each one recomputed the patterns over all of them.
        var full = PlayerMemoryState.Empty("p", 10) with
        {
            Ratings = PlayerRatings.From(Enumerable.Range(0, PlayerMemoryState.MaxRatings)
                .Select(i => new Rating(ContentId($"r{i}"), ContentType.Character, ["class:mage"], 3, T0))),
        };
        Assert.Equal(10_000, full.Ratings.Count);

        var refused = full.Check(Rate("p", "one-more", 4));
        Assert.Equal("contentId", refused?.Field);
        Assert.Contains("already rated 10000 contents", refused!.Reason, StringComparison.Ordinal);
        Assert.Null(full.Check(Rate("p", "r42", 5)));
        // One below the bound, a new content is still taken.
        var below = full with { Ratings = PlayerRatings.From(full.Ratings.InOrder.Skip(1)) };
        Assert.Null(below.Check(Rate("p", "one-more", 4)));
    }

    [Fact]
    public void Bad_ids_types_attributes_and_players_are_rejected()
    {
        var state = PlayerMemoryState.Empty("p", 10);
        var good = Rate("p", "a", 3);
        Assert.Null(state.Check(good));
        Assert.Equal("contentId", state.Check(good with { ContentId = "not-a-hash" })!.Field);
        Assert.Equal("type", state.Check(good with { Type = (ContentType)42 })!.Field);
        Assert.Equal("attributes", state.Check(good with { Attributes = ["class:necromancer"] })!.Field);
        Assert.Equal("attributes", state.Check(good with { Attributes = [.. Enumerable.Repeat("class:mage", 17)] })!.Field);
        Assert.Equal("playerId", state.Check(good with { PlayerId = "q" })!.Field);
    }

    [Fact]
    public void Sharing_is_an_event_only_when_the_choice_changes()
    {
        var state = PlayerMemoryState.Empty("p", 10);
        Assert.Empty(state.Handle(new SetSharing("p", false, T0)));
        var opted = state.Handle(new SetSharing("p", true, T0)).Aggregate(state, (s, e) => s.Apply(e));
        Assert.True(opted.Sharing);
        Assert.Empty(opted.Handle(new SetSharing("p", true, T0)));
    }

    [Fact]
    public void A_shared_entry_keeps_only_the_newest_ratings()
    {
        var state = PlayerMemoryState.Empty("p", 10);
        for (var i = 0; i < 5; i++)
            state = Fold(state, Rate("p", $"c{i}", 1 + i));
        var entry = state.ToSharedEntry(maxRatings: 3);
        Assert.Equal([3, 4, 5], entry.Unpack().Select(r => r.Stars));
        Assert.Equal([ContentId("c2"), ContentId("c3"), ContentId("c4")], entry.Unpack().Select(r => r.ContentId));
    }

    [Fact]
    public void Snapshots_keep_ratings_and_sharing_and_snapshots_from_before_ratings_still_load()
    {
        var serializer = new P2PJsonSerializer((ExtendedActorSystem)Sys);
        var state = Fold(PlayerMemoryState.Empty("p", 10), [.. Enumerable.Range(0, 6).Select(i => Rate("p", $"c{i}", 1 + i % 5))]);
        state = state.Handle(new SetSharing("p", true, T0)).Aggregate(state, (s, e) => s.Apply(e));

        var back = (PlayerMemoryState)serializer.FromBinary(serializer.ToBinary(state), serializer.Manifest(state));
        back = back.WithPreferences(PreferenceOptions.Default);
        Assert.True(back.Sharing);
        Assert.Equal(state.Ratings.InOrder.Select(r => (r.ContentId, r.Stars, r.At)), back.Ratings.InOrder.Select(r => (r.ContentId, r.Stars, r.At)));
        Assert.Equal(state.Patterns.Weights, back.Patterns.Weights);

        // The snapshot format before this change: no "ratings", no "sharing".
        const string older = """
            {"playerId":"old","history":[{"contentId":"x1","type":"item","seed":4,"at":"2026-01-01T00:00:00+00:00"}],
             "contentIds":["x1"],"patterns":{"weights":{}},"historyLimit":1000}
            """;
        var recovered = (PlayerMemoryState)serializer.FromBinary(Encoding.UTF8.GetBytes(older), typeof(PlayerMemoryState).FullName!);
        Assert.Equal("x1", Assert.Single(recovered.History).ContentId);
        Assert.Equal(0, recovered.Ratings.Count);
        Assert.False(recovered.Sharing);
        Assert.True(recovered.WithPreferences(PreferenceOptions.Default).Patterns.IsEmpty);

        // Events of the older journal fold into the new state as before.
        var replayed = recovered.Apply(new ContentRecorded(new HistoryEntry("x2", ContentType.Map, 5, T0)));
        Assert.Equal(["x1", "x2"], replayed.History.Select(h => h.ContentId));
    }
}
