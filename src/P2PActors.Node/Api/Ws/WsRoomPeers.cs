using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Akka.Actor;
using P2PActors.Cluster.Signaling;

namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Each connection's membership in the signaling rooms (<see cref="SignalingRooms"/>), opened on its first room
/// request under the connection's <see cref="WsConnection.PeerId"/> and closed with the connection, which leaves
/// every room. A pump turns the rooms' pushes into <c>peer-joined</c>, <c>peer-left</c>, <c>signal</c> and
/// <c>signal-undelivered</c> frames.
/// </summary>
public sealed class WsRoomPeers(ActorSystem system, ILogger<WsRoomPeers> log)
{
    /// <summary>
    /// The request's <c>room</c> field, checked by the same rule the rooms actor applies (<see cref="RoomNames.CheckRoom"/>);
    /// a missing or bad name is recorded in <see cref="WsRequest.Errors"/>.
    /// </summary>
    public static string? ReadRoom(WsRequest request, string hint)
    {
        var room = request.String("room", required: true, hint);
        if (room is not null && RoomNames.CheckRoom(room) is { } problem)
            request.Errors["room"] = [problem];
        return room;
    }

    private readonly ConcurrentDictionary<WsConnection, Lazy<RoomPeerHandle>> _peers = new();

    public SignalingSettings Settings => SignalingRooms.For(system).Settings;

    /// <summary>The connection's handle; the connection must have a session.</summary>
    public RoomPeerHandle For(WsConnection connection) =>
        _peers.GetOrAdd(connection, c => new Lazy<RoomPeerHandle>(() => Open(c))).Value;

    private RoomPeerHandle Open(WsConnection connection)
    {
        var session = connection.Session ?? throw new InvalidOperationException("Rooms need a session.");
        var handle = SignalingRooms.For(system).Connect(session.PlayerId, connection.PeerId);
        _ = Task.Run(() => PumpAsync(connection, handle));
        connection.Closed.Register(() =>
        {
            _peers.TryRemove(connection, out _);
            handle.Dispose();
        });
        return handle;
    }

    private async Task PumpAsync(WsConnection connection, RoomPeerHandle handle)
    {
        try
        {
            await foreach (var push in handle.Pushes.ReadAllAsync())
            {
                switch (push)
                {
                    case PeerJoined joined:
                        connection.Push("peer-joined", new { joined.Room, joined.Peer });
                        break;
                    case PeerLeft left:
                        connection.Push("peer-left", new { left.Room, left.Peer });
                        break;
                    case SignalReceived signal when Parse(signal.Data) is { } data:
                        connection.Push("signal", new { signal.From, Data = data });
                        break;
                    case SignalReceived signal:
                        // Checked on the sending node; only a Byzantine node can send non-JSON (or unreadable text) here.
                        log.LogWarning("Dropped a signal from {Peer} whose data is not readable JSON", signal.From);
                        break;
                    case SignalUndelivered undelivered:
                        connection.Push("signal-undelivered", new { undelivered.To });
                        break;
                }
            }
        }
        catch (RoomPushOverflowException)
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "slow-consumer");
        }
    }

    /// <summary>The signal's data, or null when it is not JSON whose every string reads (it could not be sent on).</summary>
    private static JsonElement? Parse(string data)
    {
        var parsed = JsonInput.Parse(System.Text.Encoding.UTF8.GetBytes(data), new JsonDocumentOptions { MaxDepth = 32 });
        using var document = parsed.Document;
        return document is not null && parsed.UnreadableAt is null ? document.RootElement.Clone() : null;
    }
}
