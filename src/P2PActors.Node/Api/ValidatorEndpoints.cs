using Akka.Actor;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Node.Api;

/// <summary><c>GET /api/validators</c>: the validators this node knows and the quorum arithmetic of its current set.</summary>
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
        return app;
    }
}
