using Akka.Actor;
using P2PActors.Content.Model;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>catalog {contentType?, skip?, take?}</c> → <c>catalog-page</c>: as <c>GET /api/catalog</c>.</summary>
public sealed class CatalogHandler(ActorSystem system) : IWsHandler
{
    public string Type => "catalog";

    public IReadOnlyCollection<string> Fields { get; } = ["contentType", "skip", "take"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var type = WsContentTypes.Optional(request);
        var skip = request.Int("skip", 0, int.MaxValue) ?? 0;
        var take = request.Int("take", 1, 1000) ?? StateEndpoints.DefaultTake;
        if (request.Invalid() is { } invalid)
            return invalid;
        return WsHttpResults.ToReply(await StateEndpoints.CatalogPageAsync(type, skip, take, system, ct), "catalog-page");
    }
}

/// <summary>The optional <c>contentType</c> field of the read requests.</summary>
internal static class WsContentTypes
{
    public static ContentType? Optional(WsRequest request)
    {
        var text = request.String("contentType", required: false, $"one of {ContentTypes.Names}");
        if (text is null)
            return null;
        if (ContentTypes.TryParse(text, out var type))
            return type;
        request.Errors["contentType"] = [$"Unknown content type '{text}'; expected one of {ContentTypes.Names}."];
        return null;
    }
}
