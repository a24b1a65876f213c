using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// The /ws errors that report what the node decided rather than a malformed frame (docs/protocol.md, "Errors"):
/// each answered with its code and the HTTP twin's details, on a real node over Kestrel, the connection kept open.
/// </summary>
public static class WsOutcomes
{
    public static async Task<WsClient> SessionAsync(NodeFixture node, string playerId)
    {
        var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await ws.HelloAsync(playerId);
        return ws;
    }

    /// <summary>Generates an item over /ws and returns its content id.</summary>
    public static async Task<string> GenerateItemAsync(WsClient ws, long seed)
    {
        var generated = await ws.RequestAsync("generate", new { contentType = "item", seed });
        Assert.True(generated.TryGetProperty("content", out var content), generated.ToString());
        return content.GetProperty("id").GetString()!;
    }

    public static async Task AssertStillOpenAsync(WsClient ws) =>
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));

    public static async Task AssertCatalogEmptyAsync(WsClient ws)
    {
        var page = await ws.RequestAsync("catalog", new { skip = 0, take = 10 });
        Assert.True(WsFrameAssert.Type(page) == "catalog-page", page.ToString());
        Assert.Equal(0, page.GetProperty("total").GetInt32());
    }
}

/// <summary>
/// Content nobody generated: over /ws, as over HTTP, a request naming it is answered <c>invalid-field</c> on the field
/// (the HTTP twin answers 400), never a 5xx. (No /ws request answers <c>not-found</c> today: the one 404 of the HTTP
/// API, a content lookup, has no /ws form.)
/// </summary>
public sealed class WsUnknownContentTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Sharing_or_rating_content_the_node_neither_generated_nor_holds_is_an_invalid_field()
    {
        await using var ws = await WsOutcomes.SessionAsync(node, "wse-finder");
        // A well-formed content id that nothing generated.
        var unknown = new string('0', 64);

        var share = WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = unknown }), "invalid-field");
        Assert.Contains(unknown, share.GetProperty("errors").GetProperty("contentId")[0].GetString(), StringComparison.Ordinal);
        var rate = WsFrameAssert.Error(await ws.RequestAsync("rate", new { contentId = unknown, stars = 4 }), "invalid-field");
        Assert.True(rate.GetProperty("errors").EnumerateObject().Any(), rate.ToString());

        await WsOutcomes.AssertStillOpenAsync(ws);
        await WsOutcomes.AssertCatalogEmptyAsync(ws);
    }
}

public sealed class WsRejectedTests(OverpoweredNodeFixture node) : IClassFixture<OverpoweredNodeFixture>
{
    [Fact]
    public async Task Sharing_content_the_validators_reject_is_rejected_with_the_broken_rules()
    {
        await using var ws = await WsOutcomes.SessionAsync(node, "wse-greedy");
        var id = await WsOutcomes.GenerateItemAsync(ws, 9);

        var error = WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = id }), "rejected");

        Assert.Equal("rejected", error.GetProperty("decision").GetString());
        var rules = error.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains("balance.item.stat-cap", rules);
        await WsOutcomes.AssertStillOpenAsync(ws);
        await WsOutcomes.AssertCatalogEmptyAsync(ws);
    }
}

public sealed class WsUndecidedTests(SilentNodeFixture node) : IClassFixture<SilentNodeFixture>
{
    [Fact]
    public async Task Sharing_while_the_validators_stay_silent_is_undecided_and_shares_nothing()
    {
        await using var ws = await WsOutcomes.SessionAsync(node, "wse-waiting");
        var id = await WsOutcomes.GenerateItemAsync(ws, 5);

        var error = WsFrameAssert.Error(await ws.RequestAsync("share", new { contentId = id }), "undecided");

        Assert.Equal("undecided", error.GetProperty("decision").GetString());
        Assert.Equal(0, error.GetProperty("approvals").GetInt32());
        await WsOutcomes.AssertStillOpenAsync(ws);
        await WsOutcomes.AssertCatalogEmptyAsync(ws);
    }
}

/// <summary>A share of content already in the catalog: <c>already-shared</c> (HTTP 409) naming the first author.</summary>
public sealed class WsAlreadySharedTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Sharing_content_another_player_already_shared_is_already_shared_and_names_them()
    {
        await using var first = await WsOutcomes.SessionAsync(node, "wsa-first");
        var id = await WsOutcomes.GenerateItemAsync(first, 6161);
        Assert.Equal("shared", WsFrameAssert.Type(await first.RequestAsync("share", new { contentId = id })));

        // The same seed and type make the same content, so a second player holds it too.
        await using var second = await WsOutcomes.SessionAsync(node, "wsa-second");
        Assert.Equal(id, await WsOutcomes.GenerateItemAsync(second, 6161));
        var again = WsFrameAssert.Error(await second.RequestAsync("share", new { contentId = id }), "already-shared");
        Assert.Equal("wsa-first", again.GetProperty("author").GetString());
        Assert.Contains("wsa-first", again.GetProperty("message").GetString(), StringComparison.Ordinal);
        await WsOutcomes.AssertStillOpenAsync(second);
    }
}
