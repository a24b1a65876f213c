using System.Text.Json;
using Akka.Actor;
using P2PActors.Cluster.Zones;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>move {zone, x, y}</c> → <c>moved {replication, applied}</c>: the same path as <c>PUT /api/players/{id}/position</c>
/// for the session's player, after the zone service agreed: the zone must be a map of the shared catalog and the tile
/// holding (x, y) must be on it and walkable (<see cref="ZoneMaps"/>).
/// </summary>
public sealed class MoveHandler(ActorSystem system) : IWsHandler
{
    public string Type => "move";

    public IReadOnlyCollection<string> Fields { get; } = ["zone", "x", "y"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        // Malformed fields fall through to the HTTP path's own checks (invalid-field); only a well-formed move asks the zone.
        if (Read(request) is var (zone, x, y))
        {
            var verdict = await ZoneMaps.For(system).CheckAsync(zone, x, y, ct);
            switch (verdict)
            {
                case ZoneVerdict.UnknownZone:
                    return WsReply.Error(WsErrors.UnknownZone, $"Zone '{zone}' is not a map in the shared catalog (or no reachable node holds its body).");
                case ZoneVerdict.OutOfBounds:
                    return WsReply.Error(WsErrors.OutOfBounds, $"The tile ({x}, {y}) is outside the map of zone '{zone}'.");
                case ZoneVerdict.NotWalkable:
                    return WsReply.Error(WsErrors.NotWalkable, $"The tile at ({x}, {y}) of zone '{zone}' is not walkable.");
            }
        }
        var result = await StateEndpoints.PositionAsync(request.PlayerId, request.Body(("zone", "zone"), ("x", "x"), ("y", "y")), system, ct);
        return WsHttpResults.ToReply(result, "moved");
    }

    /// <summary>The zone and the tile holding (x, y) (a position inside a tile counts as that tile), or null when a field is malformed.</summary>
    private static (string Zone, int X, int Y)? Read(WsRequest request)
    {
        var root = request.Root;
        if (!root.TryGetProperty("zone", out var zone) || zone.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("x", out var x) || x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var px)
            || !root.TryGetProperty("y", out var y) || y.ValueKind != JsonValueKind.Number || !y.TryGetDouble(out var py)
            || !double.IsFinite(px) || !double.IsFinite(py) || Math.Abs(px) > 1e9 || Math.Abs(py) > 1e9)
            return null;
        return (zone.GetString()!, (int)Math.Floor(px), (int)Math.Floor(py));
    }
}
