using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Tests;

/// <summary>Ratings, preferences, sharing and recommendations over HTTP on one real node (Kestrel, sharding, SQLite, DData).</summary>
public sealed class PreferenceApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string UnknownContent = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private async Task<string> GenerateAsync(string type, int seed, string parameters = "{}")
    {
        using var response = await node.PostJsonAsync($"/api/content/{type}", $$"""{ "playerId": "maker", "seed": {{seed}}, "params": {{parameters}} }""");
        response.EnsureSuccessStatusCode();
        return ContentJson.Deserialize(await response.Content.ReadAsStringAsync()).Id!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> RateAsync(string contentId, string player, int stars)
    {
        using var response = await node.PostJsonAsync($"/api/content/{contentId}/ratings", $$"""{ "playerId": "{{player}}", "stars": {{stars}} }""");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await node.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        node.Http.PutAsync(path, new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

    /// <summary>A 400 problem whose errors name exactly <paramref name="field"/> and the fields in <paramref name="also"/>.</summary>
    private static async Task AssertProblemAsync(HttpResponseMessage response, string field, params string[] also)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        string[] expected = [field, .. also];
        Assert.Equal(expected.Order(StringComparer.Ordinal), errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(errors.EnumerateObject(), p => Assert.NotEmpty(p.Value[0].GetString()!));
    }

    [Fact]
    public async Task A_rating_is_stored_and_a_re_rating_replaces_it()
    {
        var id = await GenerateAsync("character", 501, """{ "class": "mage" }""");

        var (created, first) = await RateAsync(id, "rate-alice", 2);
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(id, first.GetProperty("contentId").GetString());
        Assert.Equal("character", first.GetProperty("type").GetString());
        Assert.Equal(2, first.GetProperty("stars").GetInt32());
        Assert.Equal(["class:mage"], first.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()));
        Assert.False(first.GetProperty("replaced").GetBoolean());
        Assert.Equal(1, first.GetProperty("ratingCount").GetInt32());

        var (ok, second) = await RateAsync(id, "rate-alice", 5);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.True(second.GetProperty("replaced").GetBoolean());
        Assert.Equal(1, second.GetProperty("ratingCount").GetInt32());

        var ratings = await GetAsync("/api/players/rate-alice/ratings");
        Assert.Equal(1, ratings.GetProperty("count").GetInt32());
        var only = Assert.Single(ratings.GetProperty("ratings").EnumerateArray());
        Assert.Equal(id, only.GetProperty("contentId").GetString());
        Assert.Equal(5, only.GetProperty("stars").GetInt32());
        Assert.False(ratings.GetProperty("sharing").GetBoolean());
    }

    [Fact]
    public async Task Every_bad_rating_request_is_a_400_naming_the_field_and_changes_nothing()
    {
        var id = await GenerateAsync("item", 502);
        Assert.Equal(HttpStatusCode.Created, (await RateAsync(id, "rate-bob", 3)).Status);
        var before = (await GetAsync("/api/players/rate-bob/ratings")).GetRawText();

        var cases = new (string Path, string Body, string Field)[]
        {
            ($"/api/content/{UnknownContent}/ratings", """{ "playerId": "rate-bob", "stars": 5 }""", "id"),
            ("/api/content/not-a-content-id/ratings", """{ "playerId": "rate-bob", "stars": 5 }""", "id"),
            ($"/api/content/{id.ToUpperInvariant()}/ratings", """{ "playerId": "rate-bob", "stars": 5 }""", "id"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 0 }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 6 }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": -1 }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 4.5 }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": "4" }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": null }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 1e400 }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob" }""", "stars"),
            ($"/api/content/{id}/ratings", """{ "stars": 5 }""", "playerId"),
            ($"/api/content/{id}/ratings", """{ "playerId": "", "stars": 5 }""", "playerId"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate bob!", "stars": 5 }""", "playerId"),
            ($"/api/content/{id}/ratings", """{ "playerId": 42, "stars": 5 }""", "playerId"),
            ($"/api/content/{id}/ratings", $$"""{ "playerId": "{{new string('x', 65)}}", "stars": 5 }""", "playerId"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 5, "comment": "great" }""", "comment"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 5, "stars": 1 }""", "body"),
            ($"/api/content/{id}/ratings", """{ "playerId": "rate-bob", "stars": 5""", "body"),
            ($"/api/content/{id}/ratings", """[ "rate-bob", 5 ]""", "body"),
            ($"/api/content/{id}/ratings", "", "body"),
        };
        foreach (var (path, body, field) in cases)
        {
            using var response = await node.PostJsonAsync(path, body);
            await AssertProblemAsync(response, field);
        }

        // Several problems at once are all named.
        using (var both = await node.PostJsonAsync($"/api/content/{id}/ratings", """{ "playerId": "no way", "stars": 9 }"""))
            await AssertProblemAsync(both, "playerId", "stars");

        Assert.Equal(before, (await GetAsync("/api/players/rate-bob/ratings")).GetRawText());
        // Nothing at all was stored for the player who only ever sent bad requests.
        Assert.Equal(0, (await GetAsync("/api/players/rate-nobody/ratings")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Preferences_say_how_many_ratings_are_missing_then_show_the_profile()
    {
        var mages = new List<string>();
        for (var i = 0; i < 4; i++)
            mages.Add(await GenerateAsync("character", 600 + i, """{ "class": "mage" }"""));
        var warrior = await GenerateAsync("character", 610, """{ "class": "warrior" }""");

        var none = await GetAsync("/api/players/pref-carol/preferences");
        Assert.False(none.GetProperty("hasProfile").GetBoolean());
        Assert.Equal(5, none.GetProperty("ratingsNeeded").GetInt32());
        Assert.Contains("5 more ratings", none.GetProperty("message").GetString());

        foreach (var mage in mages)
            await RateAsync(mage, "pref-carol", 5);
        var almost = await GetAsync("/api/players/pref-carol/preferences");
        Assert.Equal(1, almost.GetProperty("ratingsNeeded").GetInt32());
        Assert.Empty(almost.GetProperty("attributes").EnumerateArray());

        var (_, fifth) = await RateAsync(warrior, "pref-carol", 1);
        Assert.True(fifth.GetProperty("personalised").GetBoolean());
        var profile = await GetAsync("/api/players/pref-carol/preferences");
        Assert.True(profile.GetProperty("hasProfile").GetBoolean());
        Assert.Equal(0, profile.GetProperty("ratingsNeeded").GetInt32());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("message").ValueKind);
        var attributes = profile.GetProperty("attributes").EnumerateArray().ToList();
        Assert.Equal(["class:mage", "class:warrior"], attributes.Select(a => a.GetProperty("key").GetString()));
        Assert.Equal(1 - Math.Pow(0.8, 4), attributes[0].GetProperty("weight").GetDouble(), 12);
        Assert.Equal(-0.2, attributes[1].GetProperty("weight").GetDouble(), 12);
    }

    [Fact]
    public async Task Player_ids_in_the_path_are_checked()
    {
        foreach (var path in new[] { "ratings", "preferences", "recommendations" })
        {
            using var response = await node.Http.GetAsync($"/api/players/bad%20id!/{path}");
            await AssertProblemAsync(response, "id");
        }
        using var sharing = await PutJsonAsync("/api/players/bad%20id!/sharing", """{ "share": true }""");
        await AssertProblemAsync(sharing, "id");
    }

    [Fact]
    public async Task Bad_sharing_requests_are_400s_naming_the_field()
    {
        foreach (var (body, field) in new[]
                 {
                     ("""{ "share": "yes" }""", "share"),
                     ("""{ "share": 1 }""", "share"),
                     ("""{ }""", "share"),
                     ("""{ "share": true, "public": true }""", "public"),
                     ("""{ "share": tru""", "body"),
                     ("""true""", "body"),
                 })
        {
            using var response = await PutJsonAsync("/api/players/share-dan/sharing", body);
            await AssertProblemAsync(response, field);
        }
        Assert.False((await GetAsync("/api/players/share-dan/ratings")).GetProperty("sharing").GetBoolean());
    }

    [Fact]
    public async Task Bad_recommendation_queries_are_400s_naming_the_parameter()
    {
        foreach (var (query, field) in new[]
                 {
                     ("type=sword", "type"),
                     ("type=item&type=quest", "type"),
                     ("take=0", "take"),
                     ("take=101", "take"),
                     ("take=ten", "take"),
                     ("take=-1", "take"),
                     ("take=5&take=6", "take"),
                     ("limit=5", "limit"),
                 })
        {
            using var response = await node.Http.GetAsync($"/api/players/rec-erin/recommendations?{query}");
            await AssertProblemAsync(response, field);
        }
    }

    [Fact]
    public async Task A_shared_profile_recommends_what_a_similar_player_liked_until_it_is_withdrawn()
    {
        var c1 = await GenerateAsync("character", 701);
        var c2 = await GenerateAsync("character", 702);
        var c3 = await GenerateAsync("character", 703);
        var c4 = await GenerateAsync("item", 704);
        var c5 = await GenerateAsync("quest", 705);
        foreach (var (content, stars) in new[] { (c1, 5), (c2, 3), (c3, 4), (c4, 5), (c5, 2) })
            await RateAsync(content, "rec-frank", stars);
        foreach (var (content, stars) in new[] { (c1, 5), (c2, 3), (c3, 4) })
            await RateAsync(content, "rec-gina", stars);

        using (var share = await PutJsonAsync("/api/players/rec-frank/sharing", """{ "share": true }"""))
        {
            var body = await share.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, share.StatusCode);
            Assert.True(body.GetProperty("sharing").GetBoolean());
            Assert.Equal(5, body.GetProperty("sharedRatings").GetInt32());
        }
        Assert.True((await GetAsync("/api/players/rec-frank/ratings")).GetProperty("sharing").GetBoolean());

        // Pearson over c1..c3 is 1; frank's mean is 19/5 = 3.8 and gina's 4, so c4 scores 4 + (5 − 3.8) = 5.2 and
        // c5 4 + (2 − 3.8) = 2.2. Gina does not share: her own ratings are only the query.
        var items = await UntilAsync("/api/players/rec-gina/recommendations", r => r.GetProperty("indexCurrent").GetBoolean() && r.GetProperty("items").GetArrayLength() == 2);
        Assert.Equal([c4, c5], items.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("contentId").GetString()));
        Assert.Equal(5.2, items.GetProperty("items")[0].GetProperty("score").GetDouble(), 10);
        Assert.Equal(2.2, items.GetProperty("items")[1].GetProperty("score").GetDouble(), 10);
        Assert.Equal("item", items.GetProperty("items")[0].GetProperty("type").GetString());
        Assert.Equal(1, items.GetProperty("similarPlayers").GetInt32());

        var quests = await GetAsync("/api/players/rec-gina/recommendations?type=quest&take=5");
        Assert.Equal([c5], quests.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("contentId").GetString()));
        Assert.Equal("quest", quests.GetProperty("type").GetString());
        var one = await GetAsync("/api/players/rec-gina/recommendations?take=1");
        Assert.Equal([c4], one.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("contentId").GetString()));

        using (var withdraw = await PutJsonAsync("/api/players/rec-frank/sharing", """{ "share": false }"""))
            Assert.False((await withdraw.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sharing").GetBoolean());
        await UntilAsync("/api/players/rec-gina/recommendations", r => r.GetProperty("indexCurrent").GetBoolean() && r.GetProperty("items").GetArrayLength() == 0);
    }

    /// <summary>Polls a GET until the answer satisfies <paramref name="until"/>: replication and the index rebuild are asynchronous.</summary>
    private async Task<JsonElement> UntilAsync(string path, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var answer = await GetAsync(path);
            if (until(answer))
                return answer;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"{path} did not reach the expected answer within {Patience}: {answer}");
            await Task.Delay(50);
        }
    }
}
