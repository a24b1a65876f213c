using Akka.Actor;
using Akka.DistributedData;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Cluster.Sessions;

namespace P2PActors.Node.Tests;

/// <summary>A node whose dropped sessions keep no grace: a dropped page's claim has expired as soon as it is written.</summary>
public sealed class NoResumeGraceFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:WsResumeGrace"] = "00:00:00",
    };
}

/// <summary>Claims whose grace has passed leave the replicated claims, on one real node.</summary>
public sealed class WsClaimPruningTests(NoResumeGraceFixture node) : IClassFixture<NoResumeGraceFixture>
{
    private async Task<LWWDictionary<string, SessionClaim>> ClaimsOfAsync(string playerId)
    {
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        var key = SessionClaims.For(system).KeyFor(playerId);
        var reply = await DistributedData.Get(system).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
        return reply is GetSuccess success ? success.Get(key) : LWWDictionary<string, SessionClaim>.Empty;
    }

    [Fact]
    public async Task The_claim_of_a_dropped_page_is_deleted_by_the_next_claim_written_to_its_bucket_once_its_grace_passed()
    {
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        var claims = SessionClaims.For(system);
        // Two players whose claims share one bucket.
        var dropped = "wcp-dropped";
        var next = Enumerable.Range(0, 1000).Select(i => $"wcp-next-{i}").First(p => claims.KeyFor(p).Id == claims.KeyFor(dropped).Id);

        var page = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await page.HelloAsync(dropped);
        page.Socket.Abort();
        page.Socket.Dispose();
        // The drop keeps the claim for the grace (none here): wait until the release wrote its end.
        var deadline = DateTime.UtcNow + WsClient.Patience;
        while (!(await ClaimsOfAsync(dropped)).TryGetValue(dropped, out var claim) || claim.HeldUntilMs == SessionClaimRules.Connected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dropped page's claim was never released");
            await Task.Delay(50);
        }

        await using var other = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await other.HelloAsync(next);
        var bucket = await ClaimsOfAsync(dropped);
        Assert.True(bucket.ContainsKey(next));
        Assert.False(bucket.ContainsKey(dropped), "the expired claim is still replicated");
        // And the player is free, as before.
        await using var back = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        Assert.False((await back.HelloAsync(dropped)).GetProperty("resumed").GetBoolean());
    }
}

/// <summary>Ending a dropped session over HTTP with its resume token, on one real node (default 30 s grace).</summary>
public sealed class SessionEndTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private async Task<(System.Net.HttpStatusCode Status, string Body)> EndAsync(string player, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/players/{player}/session");
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_connected_session_ended_with_its_token_frees_the_player_and_its_next_hello_closes_that_connection()
    {
        // The node may not have noticed the drop yet: the session still counts as connected, and is ended all the same.
        var page = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        var token = (await page.HelloAsync("ended-connected")).GetProperty("resumeToken").GetString()!;
        var (status, body) = await EndAsync("ended-connected", token);
        Assert.True(status == System.Net.HttpStatusCode.OK, body);
        Assert.Contains("\"ended\":true", body);
        await using var again = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        Assert.False((await again.HelloAsync("ended-connected")).GetProperty("resumed").GetBoolean());
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4001, await page.ReceiveCloseAsync());
        await page.DisposeAsync();
    }

    [Fact]
    public async Task A_dropped_session_ended_with_its_token_frees_the_player_at_once_and_nothing_else_ends_it()
    {
        // Prevents: a page that left while reconnecting kept its player held for the whole grace, so joining again as
        // that player was refused for 30 s (the page had also forgotten the token that could have resumed it).
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        var page = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        var token = (await page.HelloAsync("ended-early")).GetProperty("resumeToken").GetString()!;

        page.Socket.Abort();
        page.Socket.Dispose();
        var claims = SessionClaims.For(system);
        var key = claims.KeyFor("ended-early");
        var deadline = DateTime.UtcNow + WsClient.Patience;
        while (true)
        {
            var reply = await DistributedData.Get(system).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
            if (reply is GetSuccess got && got.Get(key).TryGetValue("ended-early", out var claim) && claim.HeldUntilMs != SessionClaimRules.Connected)
                break;
            Assert.True(DateTime.UtcNow < deadline, "the dropped page's claim was never released to its grace");
            await Task.Delay(50);
        }

        // Held for the grace: another page is refused, and so is an end without the token or with another.
        await using (var refused = await WsClient.ConnectAsync(node.Http.BaseAddress!))
            WsFrameAssert.Error(await refused.RequestAsync("hello", new { playerId = "ended-early" }), "session-held");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await EndAsync("ended-early", null)).Status);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await EndAsync("ended-early", "not-the-token")).Status);

        var (ended, body) = await EndAsync("ended-early", token);
        Assert.True(ended == System.Net.HttpStatusCode.OK, body);
        Assert.Contains("\"ended\":true", body);
        await using var again = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        Assert.False((await again.HelloAsync("ended-early")).GetProperty("resumed").GetBoolean());
        // Nothing left to end for a player no session held.
        Assert.Contains("\"ended\":false", (await EndAsync("never-joined", null)).Body);
    }
}
