using P2PActors.Cluster.Signaling;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>join-room {room}</c> → <c>peers {room, peers}</c>; then <c>peer-joined</c>/<c>peer-left</c> pushes for that room.</summary>
public sealed class JoinRoomHandler(WsRoomPeers rooms) : IWsHandler
{
    public string Type => "join-room";

    public bool Ordered => true;

    public IReadOnlyCollection<string> Fields { get; } = ["room"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var room = WsRoomPeers.ReadRoom(request, "a room name of 1-64 letters, digits, '_', '-', '.' or ':', e.g. a zone's content id");
        if (request.Invalid() is { } invalid)
            return invalid;
        return await rooms.For(request.Connection).JoinAsync(room!, ct) switch
        {
            RoomJoined joined => WsReply.Answer("peers", new { joined.Room, joined.Peers }),
            RoomJoinRefused { Code: RoomErrors.RoomFull } full => WsReply.Error(WsErrors.RoomFull, $"Room '{full.Room}' is full ({rooms.Settings.MaxRoomSize} peers)."),
            RoomJoinRefused refused => WsReply.Invalid("room", refused.Message),
            var other => throw new InvalidOperationException($"Unexpected join reply {other}"),
        };
    }
}
