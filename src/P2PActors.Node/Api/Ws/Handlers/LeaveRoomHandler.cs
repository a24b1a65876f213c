using P2PActors.Cluster.Signaling;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>leave-room {room}</c> → <c>left-room {room, wasMember}</c>.</summary>
public sealed class LeaveRoomHandler(WsRoomPeers rooms) : IWsHandler
{
    public string Type => "leave-room";

    public bool Ordered => true;

    public IReadOnlyCollection<string> Fields { get; } = ["room"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var room = WsRoomPeers.ReadRoom(request, "the name of a room this connection joined");
        if (request.Invalid() is { } invalid)
            return invalid;
        var left = await rooms.For(request.Connection).LeaveAsync(room!, ct);
        return WsReply.Answer("left-room", new { left.Room, left.WasMember });
    }
}
