using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>share {contentId, author?}</c> → <c>shared</c>: as <c>POST /api/catalog</c>, authored by the session's player; an
/// <c>author</c> naming anyone else is refused with <c>not-your-player</c>.
/// </summary>
public sealed class ShareHandler(ActorSystem system, IRequiredActor<GenerationCoordinator> coordinator, NodeOptions options) : IWsHandler
{
    public string Type => "share";

    public IReadOnlyCollection<string> Fields { get; } = ["contentId", "author"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var author = request.String("author", required: false, "the session's own player id");
        if (request.Invalid() is { } invalid)
            return invalid;
        if (author is not null && author != request.PlayerId)
            return WsReply.Error(WsErrors.NotYourPlayer, $"This connection acts as '{request.PlayerId}', not '{author}'; it shares as itself.");
        var body = WsBodies.With(request.Body(("contentId", "contentId")), "author", request.PlayerId);
        var result = await StateEndpoints.ShareContentAsync(body, authorize: null, system, coordinator, options, ct);
        return WsHttpResults.ToReply(result, "shared");
    }
}
