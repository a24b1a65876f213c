using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Preferences;
using P2PActors.Content.Preferences;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>recommendations {contentType?, take?}</c> → <c>recommendation-list</c>: as <c>GET /api/players/{id}/recommendations</c>
/// for the session's player.
/// </summary>
public sealed class RecommendationsHandler(
    IRequiredActor<PlayerMemoryActor> memory, IRequiredActor<SharedProfilesActor> shared, IRequiredActor<GenerationCoordinator> coordinator,
    ActorSystem system, NodeOptions options)
    : IWsHandler
{
    public string Type => "recommendations";

    public IReadOnlyCollection<string> Fields { get; } = ["contentType", "take"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var type = WsContentTypes.Optional(request);
        var take = request.Int("take", 1, PreferenceEndpoints.MaxTake) ?? Recommender.DefaultTake;
        if (request.Invalid() is { } invalid)
            return invalid;
        var result = await PreferenceEndpoints.RecommendationsAsync(request.PlayerId, type, take, memory, shared, coordinator, system, options, ct);
        return WsHttpResults.ToReply(result, "recommendation-list");
    }
}
