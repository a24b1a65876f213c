using Akka.Actor;
using Akka.Cluster;

namespace P2PActors.Node.Api;

public static class HealthEndpoints
{
    public sealed record MemberHealth(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable);

    public sealed record ClusterHealth(string SelfAddress, string SelfStatus, string? Leader, IReadOnlyList<MemberHealth> Members);

    /// <summary><see cref="Problem"/>: why the node is <c>failed</c> (a part it cannot serve without stopped); null otherwise.</summary>
    public sealed record NodeHealth(string Status, string System, ClusterHealth Cluster, string? Problem = null);

    /// <summary>
    /// <c>GET /health</c>: 200 once this node is an Up cluster member, 503 (same body) before that, while leaving, or
    /// when it failed (its replicator stopped: an Up member that can no longer read or write the shared state).
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (ActorSystem system) =>
        {
            var health = Describe(system);
            return Results.Json(health, statusCode: health.Status == "up" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        // HEAD: what GET answers (status and content type), without the body; load balancers probe this way.
        app.MapMethods("/health", [HttpMethods.Head], (ActorSystem system, HttpResponse response) =>
        {
            response.ContentType = "application/json; charset=utf-8";
            return Results.StatusCode(Describe(system).Status == "up" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    public static NodeHealth Describe(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var members = state.Members
            .Select(m => new MemberHealth(m.Address.ToString(), Lower(m.Status), m.Roles.Order(StringComparer.Ordinal).ToList(), !unreachable.Contains(m.UniqueAddress)))
            .ToList();
        var self = cluster.SelfMember;
        var status = self.Status switch
        {
            MemberStatus.Up or MemberStatus.WeaklyUp => "up",
            MemberStatus.Joining => "starting",
            _ => "down",
        };
        var clusterHealth = new ClusterHealth(cluster.SelfAddress.ToString(), Lower(self.Status), state.Leader?.ToString(), members);
        var problem = P2PActors.Cluster.Replicas.ReplicatorHealth.For(system).Problem;
        return new NodeHealth(problem is null ? status : "failed", system.Name, clusterHealth, problem);
    }

    private static string Lower(MemberStatus status) => status.ToString().ToLowerInvariant();
}
