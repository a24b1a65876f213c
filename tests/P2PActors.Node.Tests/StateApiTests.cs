using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Tests;

/// <summary>The shared-state endpoints on one real node: Kestrel, Akka cluster of one, DistributedData, SQLite.</summary>
public sealed class StateApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_position_update_shows_in_the_state()
    {
        using var put = await PutJsonAsync("/api/players/pos-alice/position", """{ "zone": "forest", "x": 12.5, "y": -3 }""");
        Assert.True(put.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());

        var player = await OnlinePlayerAsync("pos-alice", p => p.GetProperty("position").ValueKind == JsonValueKind.Object);
        var position = player.GetProperty("position");
        Assert.Equal("forest", position.GetProperty("zone").GetString());
        Assert.Equal(12.5, position.GetProperty("x").GetDouble());
        Assert.Equal(-3, position.GetProperty("y").GetDouble());
    }

    [Fact]
    public async Task Inventory_items_are_added_and_removed()
    {
        using (var add = await node.Http.PostAsync("/api/players/inv-bob/inventory/sword-1", null))
            Assert.True(add.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await add.Content.ReadAsStringAsync());
        using (var add = await node.Http.PostAsync("/api/players/inv-bob/inventory/shield-2", null))
            Assert.True(add.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await add.Content.ReadAsStringAsync());
        using (var move = await PutJsonAsync("/api/players/inv-bob/position", """{ "zone": "town", "x": 0, "y": 0 }"""))
            Assert.True(move.IsSuccessStatusCode);
        Assert.Equal(["shield-2", "sword-1"], Inventory(await OnlinePlayerAsync("inv-bob", p => Inventory(p).Length == 2)));

        using (var remove = await node.Http.DeleteAsync("/api/players/inv-bob/inventory/sword-1"))
        {
            Assert.True(remove.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await remove.Content.ReadAsStringAsync());
            Assert.True((await remove.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean());
        }
        Assert.Equal(["shield-2"], Inventory(await OnlinePlayerAsync("inv-bob", p => !Inventory(p).Contains("sword-1"))));

        using var again = await node.Http.DeleteAsync("/api/players/inv-bob/inventory/sword-1");
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean());
        Assert.Equal(["shield-2"], Inventory(await OnlinePlayerAsync("inv-bob")));
    }

    [Fact]
    public async Task Generated_content_once_shared_is_listed_in_the_catalog()
    {
        using var generated = await node.PostJsonAsync("/api/content/quest", """{ "playerId": "sharer", "seed": 4242 }""");
        generated.EnsureSuccessStatusCode();
        var content = ContentJson.Deserialize(await generated.Content.ReadAsStringAsync());

        using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{content.Id}}", "author": "sharer" }""");
        var shareBody = await share.Content.ReadAsStringAsync();
        // One node is a validator set of one: its own approval accepts, and the certificate says so.
        Assert.True(share.StatusCode == HttpStatusCode.Created, shareBody);
        var shared = JsonDocument.Parse(shareBody).RootElement;
        Assert.Equal(content.Id, shared.GetProperty("id").GetString());
        Assert.Equal(1, shared.GetProperty("certificate").GetProperty("approvals").GetInt32());

        var page = await PollAsync("/api/catalog?type=quest&skip=0&take=10",
            p => p.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("id").GetString() == content.Id));
        var entry = Assert.Single(page.GetProperty("entries").EnumerateArray(), e => e.GetProperty("id").GetString() == content.Id);
        // The certificate's votes carry their fields, not the node's computed checks.
        Assert.True(entry.GetProperty("certificate").GetProperty("approvals").GetArrayLength() == 1, entry.ToString());
        Assert.DoesNotContain("wellformed", entry.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("sharer", entry.GetProperty("author").GetString());
        Assert.Equal(content.DisplayName, entry.GetProperty("name").GetString());

        using var items = await node.Http.GetAsync("/api/catalog?type=item");
        var itemPage = await items.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(itemPage.GetProperty("entries").EnumerateArray(), e => e.GetProperty("id").GetString() == content.Id);

        var state = await node.Http.GetFromJsonAsync<JsonElement>("/api/state");
        Assert.True(state.GetProperty("catalogSize").GetInt32() >= 1);
    }

    [Fact]
    public async Task Content_already_in_the_catalog_is_refused_with_a_409_naming_its_first_author_and_stays_listed_under_it()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "first-sharer", "seed": 5353 }""");
        generated.EnsureSuccessStatusCode();
        var content = ContentJson.Deserialize(await generated.Content.ReadAsStringAsync());
        using (var first = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{content.Id}}", "author": "first-sharer" }"""))
            Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());

        // Another author, the same author, no author: each is a 409 naming who shared it.
        foreach (var author in new[] { "\"usurper\"", "\"first-sharer\"", "null" })
        {
            using var again = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{content.Id}}", "author": {{author}} }""");
            var body = await again.Content.ReadAsStringAsync();
            Assert.True(again.StatusCode == HttpStatusCode.Conflict, body);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal("first-sharer", problem.GetProperty("author").GetString());
            Assert.Equal(content.Id, problem.GetProperty("contentId").GetString());
        }

        var entry = await node.Http.GetFromJsonAsync<JsonElement>($"/api/catalog?type=item&take=1000");
        var listed = Assert.Single(entry.GetProperty("entries").EnumerateArray(), e => e.GetProperty("id").GetString() == content.Id);
        Assert.Equal("first-sharer", listed.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Two_shares_of_the_same_content_at_once_put_it_to_one_vote_and_the_other_is_told_who_shared_it()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "twin-sharer", "seed": 5454 }""");
        generated.EnsureSuccessStatusCode();
        var content = ContentJson.Deserialize(await generated.Content.ReadAsStringAsync());

        // A double click, or two tabs: both sent before either is answered.
        var shares = await Task.WhenAll(new[] { "twin-a", "twin-b" }.Select(async author =>
        {
            using var response = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{content.Id}}", "author": "{{author}}" }""");
            return (author, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var created = Assert.Single(shares, s => s.StatusCode == HttpStatusCode.Created);
        var refused = Assert.Single(shares, s => s.StatusCode != HttpStatusCode.Created);
        Assert.True(refused.StatusCode == HttpStatusCode.Conflict, refused.Body);
        Assert.Equal(created.author, JsonDocument.Parse(refused.Body).RootElement.GetProperty("author").GetString());
        var catalog = await node.Http.GetFromJsonAsync<JsonElement>("/api/catalog?type=item&take=1000");
        var listed = Assert.Single(catalog.GetProperty("entries").EnumerateArray(), e => e.GetProperty("id").GetString() == content.Id);
        Assert.Equal(created.author, listed.GetProperty("author").GetString());
    }

    public static TheoryData<string, string, string?, string> BadRequests() => new()
    {
        { "PUT", "/api/players/bad%20id!/position", """{ "zone": "forest", "x": 1, "y": 1 }""", "id" },
        { "PUT", "/api/players/" + new string('p', 65) + "/position", """{ "zone": "forest", "x": 1, "y": 1 }""", "id" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": NaN, "y": 1 }""", "body" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": "NaN", "y": 1 }""", "x" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": 1, "y": Infinity }""", "body" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": 1e400, "y": 1 }""", "x" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": 1, "y": 1e12 }""", "y" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": 1 }""", "y" },
        { "PUT", "/api/players/guard/position", """{ "zone": "no spaces", "x": 1, "y": 1 }""", "zone" },
        { "PUT", "/api/players/guard/position", """{ "zone": "forest", "x": 1, "y": 1, "z": 2 }""", "z" },
        { "PUT", "/api/players/guard/position", "[1, 2]", "body" },
        { "POST", "/api/players/bad%20id!/inventory/sword", null, "id" },
        { "POST", "/api/players/guard/inventory/" + new string('i', 129), null, "itemId" },
        { "DELETE", "/api/players/guard/inventory/bad%20item", null, "itemId" },
        { "POST", "/api/catalog", """{ "contentId": "0000000000000000000000000000000000000000000000000000000000000000" }""", "contentId" },
        { "POST", "/api/catalog", """{ "contentId": "not-an-id" }""", "contentId" },
        { "POST", "/api/catalog", """{ "author": "someone" }""", "contentId" },
        { "POST", "/api/catalog", "not json", "body" },
        { "GET", "/api/catalog?take=0", null, "take" },
        { "GET", "/api/catalog?take=1001", null, "take" },
        { "GET", "/api/catalog?skip=-1", null, "skip" },
        { "PUT", "/api/players/guard/position", """{ "zone": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x": "1", "y": 1 }""", "x" },
        { "PUT", "/api/players/guard/position", """{ "zone": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x": 1, "y": null }""", "y" },
        { "GET", "/api/catalog?type=", null, "type" },
        { "GET", "/api/catalog?type=item&type=map", null, "type" },
        { "GET", "/api/catalog?skip=abc", null, "skip" },
        { "GET", "/api/catalog?type=spaceship", null, "type" },
        // A misspelt filter answered every type, as if none had been given.
        { "GET", "/api/catalog?tpye=item", null, "tpye" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_400_problem_and_loses_nothing(string method, string path, string? body, string field)
    {
        // Something the bad request must not disturb.
        using (var keep = await PutJsonAsync("/api/players/guard/position", """{ "zone": "keep", "x": 7, "y": 8 }"""))
            Assert.True(keep.IsSuccessStatusCode);
        using (var item = await node.Http.PostAsync("/api/players/guard/inventory/relic", null))
            Assert.True(item.IsSuccessStatusCode);

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await node.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"expected an error about '{field}': {text}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));

        var guard = await OnlinePlayerAsync("guard", p => Inventory(p).Contains("relic") && p.GetProperty("position").ValueKind == JsonValueKind.Object);
        Assert.Equal("keep", guard.GetProperty("position").GetProperty("zone").GetString());
        Assert.Equal(7, guard.GetProperty("position").GetProperty("x").GetDouble());
        Assert.Contains("relic", Inventory(guard));
    }

    [Fact]
    public async Task The_cluster_endpoint_lists_this_node_as_up()
    {
        var cluster = await node.Http.GetFromJsonAsync<JsonElement>("/api/cluster");
        var self = cluster.GetProperty("selfAddress").GetString();
        Assert.StartsWith("akka.tcp://p2pactors@127.0.0.1:", self);
        var member = Assert.Single(cluster.GetProperty("members").EnumerateArray());
        Assert.Equal(self, member.GetProperty("address").GetString());
        Assert.Equal("up", member.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, member.GetProperty("roles").ValueKind);
    }

    private async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var document = await node.Http.GetFromJsonAsync<JsonElement>(path);
            if (until(document))
                return document;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"{path} did not show what was expected after {Patience}: {document}");
            await Task.Delay(50);
        }
    }

    private Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        node.Http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static string[] Inventory(JsonElement player) =>
        player.GetProperty("inventory").EnumerateArray().Select(i => i.GetString()!).ToArray();

    /// <summary>Local writes reach the local view through the replicator; poll /api/state until the player shows.</summary>
    private async Task<JsonElement> OnlinePlayerAsync(string playerId, Func<JsonElement, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var state = await node.Http.GetFromJsonAsync<JsonElement>("/api/state");
            foreach (var player in state.GetProperty("online").EnumerateArray())
            {
                if (player.GetProperty("playerId").GetString() == playerId && (until is null || until(player)))
                    return player;
            }
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"{playerId} is not online (as expected) in /api/state after {Patience}: {state}");
            await Task.Delay(50);
        }
    }
}
