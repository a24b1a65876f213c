using Akka.Actor;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Events;
using P2PActors.Node.Api.Ws.Topics;

namespace P2PActors.Node.Api;

/// <summary>
/// <c>GET /api/validators</c>: the validators this node knows and the quorum arithmetic of its current set;
/// <c>GET /api/consensus/recent</c>: the last proposals this node decided, newest first.
/// </summary>
public static class ValidatorEndpoints
{
    public static IEndpointRouteBuilder MapValidatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/validators", (ActorSystem system) =>
        {
            var client = ConsensusClient.For(system);
            var overview = client.Validators();
            return Results.Json(new
            {
                self = client.Runtime.ValidatorId,
                byzantine = ByzantineModes.WireName(client.Runtime.Options.Byzantine),
                overview.Epoch,
                overview.SetHash,
                overview.N,
                overview.Threshold,
                overview.F,
                overview.Tolerance,
                overview.KnownEpochs,
                overview.Validators,
                overview.LeftOut,
            });
        });
        app.MapGet("/api/consensus/recent", (ActorSystem system) => Results.Json(new
        {
            capacity = RecentDecisions.Capacity,
            decisions = RecentDecisions.For(system).Snapshot().Reverse().Select(ConsensusTopic.OutcomeFrame.From).ToList(),
        }));
        return app;
    }
}
