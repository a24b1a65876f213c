using Akka.Actor;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>inventory-remove {itemId}</c> → <c>inventory-removed</c>: as <c>DELETE /api/players/{id}/inventory/{itemId}</c>.</summary>
public sealed class InventoryRemoveHandler(ActorSystem system) : IWsHandler
{
    public string Type => "inventory-remove";

    public IReadOnlyCollection<string> Fields { get; } = ["itemId"];

    public Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) => WriteAsync(request, add: false, system, ct);

    internal static async Task<WsReply> WriteAsync(WsRequest request, bool add, ActorSystem system, CancellationToken ct)
    {
        var itemId = request.String("itemId", required: true, "the id of the item, e.g. \"sword-1\"");
        if (request.Invalid() is { } invalid)
            return invalid;
        var result = await StateEndpoints.InventoryAsync(request.PlayerId, itemId!, add, system, ct);
        return WsHttpResults.ToReply(result, add ? "inventory-added" : "inventory-removed");
    }
}
