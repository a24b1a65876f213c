using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.DistributedData;
using Microsoft.Extensions.DependencyInjection;

namespace P2PActors.Node.Tests;

/// <summary>A node of its own: the test stops its replicator, as Akka does when the durable store fails.</summary>
public sealed class ReplicatorHealthTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task A_node_whose_replicator_stopped_answers_health_with_503_failed_and_says_why()
    {
        // Prevents: an Up member whose replicator had stopped (a durable store that failed) answered /health with 200
        // "up" while every shared-state read and write timed out, so no load balancer or supervisor ever replaced it.
        using (var before = await node.Http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var system = node.App.Services.GetRequiredService<ActorSystem>();
        system.Stop(DistributedData.Get(system).Replicator);

        // The watch hears of the stop asynchronously: ask until it answers otherwise, within a bound.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HttpStatusCode status;
        string body;
        do
        {
            using var response = await node.Http.GetAsync("/health");
            (status, body) = (response.StatusCode, await response.Content.ReadAsStringAsync());
            if (status != HttpStatusCode.OK) break;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{(int)status}: {body}");
        using var health = JsonDocument.Parse(body);
        Assert.Equal("failed", health.RootElement.GetProperty("status").GetString());
        Assert.Contains("replicator stopped", health.RootElement.GetProperty("problem").GetString(), StringComparison.Ordinal);
        // Still an Up member: membership alone said the node was fine.
        Assert.Equal("up", health.RootElement.GetProperty("cluster").GetProperty("selfStatus").GetString());
        using var head = await node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
    }
}
