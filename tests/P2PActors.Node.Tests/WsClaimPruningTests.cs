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
