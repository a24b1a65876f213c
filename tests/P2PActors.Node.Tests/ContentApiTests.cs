using System.Net;
using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Tests;

public sealed class ContentApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Theory]
    [InlineData("character", 1001L)]
    [InlineData("item", 1002L)]
    [InlineData("quest", 1003L)]
    [InlineData("map", 1004L)]
    [InlineData("dialog", 1005L)]
    public async Task Seeded_request_twice_gives_identical_content_and_the_second_is_a_cache_hit(string type, long seed)
    {
        var body = $$"""{ "playerId": "alice", "seed": {{seed}} }""";

        using var first = await node.PostJsonAsync($"/api/content/{type}", body);
        using var second = await node.PostJsonAsync($"/api/content/{type}", body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var firstJson = await first.Content.ReadAsStringAsync();
        Assert.Equal(firstJson, await second.Content.ReadAsStringAsync());
        Assert.Equal("miss", Assert.Single(first.Headers.GetValues("X-Cache")));
        Assert.Equal("hit", Assert.Single(second.Headers.GetValues("X-Cache")));

        var content = ContentJson.Deserialize(firstJson);
        Assert.Equal(type, ContentTypes.WireName(content.Type));
        Assert.Equal(seed, content.Seed);
        Assert.True(ContentJson.HasValidId(content), "the id must be the SHA-256 of the canonical JSON");
        Assert.Equal(ContentJson.Serialize(content), firstJson);
        Assert.Equal($"/api/content/{content.Id}", first.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Parameters_may_be_strings_numbers_or_booleans_and_shape_the_content()
    {
        using var asNumber = await node.PostJsonAsync("/api/content/character", """{ "playerId": "bob", "seed": 77, "params": { "level": 12 } }""");
        using var asString = await node.PostJsonAsync("/api/content/character", """{ "playerId": "bob", "seed": 77, "params": { "level": "12" } }""");

        Assert.Equal(HttpStatusCode.OK, asNumber.StatusCode);
        var character = Assert.IsType<Character>(ContentJson.Deserialize(await asNumber.Content.ReadAsStringAsync()));
        Assert.Equal(12, character.Level);
        Assert.Equal(await asNumber.Content.ReadAsStringAsync(), await asString.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unseeded_requests_get_fresh_seeds_and_are_never_served_from_the_cache()
    {
        using var first = await node.PostJsonAsync("/api/content/item", """{ "playerId": "carol" }""");
        using var second = await node.PostJsonAsync("/api/content/item", """{ "playerId": "carol", "seed": null }""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("miss", Assert.Single(first.Headers.GetValues("X-Cache")));
        Assert.Equal("miss", Assert.Single(second.Headers.GetValues("X-Cache")));
        var a = ContentJson.Deserialize(await first.Content.ReadAsStringAsync());
        var b = ContentJson.Deserialize(await second.Content.ReadAsStringAsync());
        Assert.NotEqual(a.Seed, b.Seed);
        Assert.InRange(a.Seed, 0, (1L << 53) - 1);
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public async Task Generated_content_can_be_fetched_by_its_id()
    {
        using var created = await node.PostJsonAsync("/api/content/quest", """{ "playerId": "dave", "seed": 2024 }""");
        var json = await created.Content.ReadAsStringAsync();
        var id = ContentJson.Deserialize(json).Id;

        using var fetched = await node.Http.GetAsync($"/api/content/{id}");

        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(json, await fetched.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_id_is_a_404_problem()
    {
        using var response = await node.Http.GetAsync($"/api/content/{new string('0', 64)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    public async Task Malformed_id_is_a_400_naming_the_id(string id)
    {
        using var response = await node.Http.GetAsync($"/api/content/{id}");

        await AssertProblemNamesAsync(response, HttpStatusCode.BadRequest, "id");
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        { "dragon", """{ "playerId": "p1", "seed": 1 }""", "type" },
        { "character", """{ "playerId": "p1", "seed": 1, "params": { "level": 0 } }""", "params.level" },
        { "character", """{ "playerId": "p1", "seed": 1, "params": { "level": 51 } }""", "params.level" },
        { "character", """{ "playerId": "p1", "seed": 1, "params": { "level": "high" } }""", "params.level" },
        { "map", """{ "playerId": "p1", "seed": 1, "params": { "width": 100000 } }""", "params.width" },
        { "item", """{ "playerId": "p1", "seed": 1, "params": { "colour": "red" } }""", "params.colour" },
        { "item", """{ "playerId": "p1", "seed": 1, "params": { "rarity": { "nested": true } } }""", "params.rarity" },
        { "item", """{ "playerId": "p1", "seed": 1, "params": [ "rarity" ] }""", "params" },
        { "quest", """{ "playerId": "p1", "seed": 1""", "body" },
        { "quest", """not json at all""", "body" },
        { "quest", "", "body" },
        { "quest", """[ 1, 2, 3 ]""", "body" },
        { "quest", """{ "playerId": "p1", "playerId": "p2" }""", "body" },
        { "quest", """{ "seed": 1 }""", "playerId" },
        { "quest", """{ "playerId": "" }""", "playerId" },
        { "quest", """{ "playerId": 42 }""", "playerId" },
        { "quest", """{ "playerId": "../../etc/passwd" }""", "playerId" },
        { "quest", """{ "playerId": "p1", "seed": -1 }""", "seed" },
        { "quest", """{ "playerId": "p1", "seed": 9007199254740992 }""", "seed" },
        { "quest", """{ "playerId": "p1", "seed": 1.5 }""", "seed" },
        { "quest", """{ "playerId": "p1", "seed": "42" }""", "seed" },
        { "quest", """{ "playerId": "p1", "speed": 3 }""", "speed" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_the_node_keeps_serving(string type, string body, string field)
    {
        using var response = await node.PostJsonAsync($"/api/content/{type}", body);

        await AssertProblemNamesAsync(response, HttpStatusCode.BadRequest, field);
        using var next = await node.PostJsonAsync("/api/content/character", """{ "playerId": "after-bad-input", "seed": 5 }""");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Every_wrong_field_is_named_in_one_answer()
    {
        using var response = await node.PostJsonAsync(
            "/api/content/map", """{ "playerId": "", "seed": -1, "params": { "width": 100000, "colour": "red", "height": 16 } }""");

        foreach (var field in new[] { "playerId", "seed", "params.width", "params.colour" })
            await AssertProblemNamesAsync(response, HttpStatusCode.BadRequest, field);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(problem.RootElement.GetProperty("errors").TryGetProperty("params.height", out _), "a valid parameter is not an error");
    }

    [Fact]
    public async Task Oversized_body_is_a_413_problem_and_the_node_keeps_serving()
    {
        var huge = $$"""{ "playerId": "p1", "params": { "name": "{{new string('x', 200_000)}}" } }""";

        using var response = await node.PostJsonAsync("/api/content/character", huge);

        await AssertProblemNamesAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
        using var next = await node.PostJsonAsync("/api/content/character", """{ "playerId": "after-huge", "seed": 6 }""");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Oversized_chunked_body_is_refused_too()
    {
        var huge = $$"""{ "playerId": "p1", "params": { "name": "{{new string('x', 200_000)}}" } }""";
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/content/character") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await node.Http.SendAsync(request);

        await AssertProblemNamesAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task Types_lists_every_content_type_with_its_parameters()
    {
        using var response = await node.Http.GetAsync("/api/types");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var types = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var byName = types.RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!);
        Assert.Equal(["character", "dialog", "item", "map", "quest"], byName.Keys.Order());
        var mapParameters = byName["map"].GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("8..256", mapParameters["width"].GetProperty("range").GetString());
        Assert.Contains("dungeon", mapParameters["generator"].GetProperty("allowed").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Health_reports_a_single_up_member()
    {
        using var response = await node.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = health.RootElement;
        Assert.Equal("up", root.GetProperty("status").GetString());
        var cluster = root.GetProperty("cluster");
        Assert.Equal("up", cluster.GetProperty("selfStatus").GetString());
        var member = Assert.Single(cluster.GetProperty("members").EnumerateArray());
        Assert.Equal(cluster.GetProperty("selfAddress").GetString(), member.GetProperty("address").GetString());
        Assert.True(member.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_problems_too()
    {
        using var missing = await node.Http.GetAsync("/api/nothing-here");
        using var wrongMethod = await node.Http.DeleteAsync($"/api/content/{new string('a', 64)}");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertProblemNamesAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {text}");
        Assert.NotEqual(0, messages.GetArrayLength());
    }
}
