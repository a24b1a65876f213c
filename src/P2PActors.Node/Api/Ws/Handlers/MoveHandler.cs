using Akka.Actor;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>move {zone, x, y}</c> → <c>moved {replication, applied}</c>: the same path as <c>PUT /api/players/{id}/position</c>
/// for the session's player.
/// </summary>
public sealed class MoveHandler(ActorSystem system) : IWsHandler
{
    public string Type => "move";

    public IReadOnlyCollection<string> Fields { get; } = ["zone", "x", "y"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        // TODO(rooms): once the cluster's zone service lands, ask it here first: unknown-zone when the zone is no map
        // in the shared catalog, not-walkable when the tile at (x, y) is not walkable. Until then only the fields are
        // checked, exactly as the HTTP endpoint checks them.
        var result = await StateEndpoints.PositionAsync(request.PlayerId, request.Body(("zone", "zone"), ("x", "x"), ("y", "y")), system, ct);
        return WsHttpResults.ToReply(result, "moved");
    }
}
