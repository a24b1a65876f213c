using Akka.Actor;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>inventory-add {itemId}</c> → <c>inventory-added</c>: as <c>POST /api/players/{id}/inventory/{itemId}</c>.</summary>
public sealed class InventoryAddHandler(ActorSystem system) : IWsHandler
{
    public string Type => "inventory-add";

    public IReadOnlyCollection<string> Fields { get; } = ["itemId"];

    public Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) => InventoryRemoveHandler.WriteAsync(request, add: true, system, ct);
}
