using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>rate {contentId, stars}</c> → <c>rated</c>: as <c>POST /api/content/{id}/ratings</c> for the session's player.</summary>
public sealed class RateHandler(ActorSystem system, IRequiredActor<GenerationCoordinator> coordinator, IRequiredActor<PlayerMemoryActor> memory,
    NodeOptions options) : IWsHandler
{
    public string Type => "rate";

    public IReadOnlyCollection<string> Fields { get; } = ["contentId", "stars"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var contentId = request.String("contentId", required: true, "the id of the content to rate (64 lower-case hex digits)");
        if (request.Invalid() is { } invalid)
            return invalid;
        var body = request.Body(("stars", "stars"));
        var withPlayer = WsBodies.With(body, "playerId", request.PlayerId);
        var result = await PreferenceEndpoints.RateContentAsync(contentId!, withPlayer, authorize: null, system, coordinator, memory, options, ct);
        return WsHttpResults.ToReply(result, "rated", field => field == "id" ? "contentId" : field);
    }
}
