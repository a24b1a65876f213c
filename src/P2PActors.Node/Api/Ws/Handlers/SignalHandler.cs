using System.Text.Json;
using P2PActors.Cluster.Signaling;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>signal {to, data}</c> → <c>signal-sent {to}</c>; the target page gets <c>signal {from, data}</c> with
/// <c>from</c> set by the node (this connection's peer id), whichever node it is connected to.
/// </summary>
public sealed class SignalHandler(WsRoomPeers rooms) : IWsHandler
{
    public string Type => "signal";

    public bool Ordered => true;

    public IReadOnlyCollection<string> Fields { get; } = ["to", "data"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var to = request.String("to", required: true, "the peerId of a peer in one of your rooms");
        if (to is not null && RoomNames.CheckPeerId(to) is { } problem)
            request.Errors["to"] = [problem];
        string? data = null;
        var limit = rooms.Settings.MaxSignalChars;
        if (!request.Root.TryGetProperty("data", out var element) || element.ValueKind != JsonValueKind.Object)
            request.Errors["data"] = ["Required: a JSON object for the other peer (an SDP description or an ICE candidate)."];
        else if ((data = element.GetRawText()).Length > limit)
            request.Errors["data"] = [$"data is longer than {limit} characters."];
        if (request.Invalid() is { } invalid)
            return invalid;
        return await rooms.For(request.Connection).SignalAsync(to!, data!, ct) switch
        {
            SignalSent sent => WsReply.Answer("signal-sent", new { To = sent.ToPeer }),
            SignalRefused { Code: RoomErrors.PeerUnknown } unknown => WsReply.Error(WsErrors.PeerUnknown, $"No peer '{unknown.ToPeer}' in your rooms."),
            SignalRefused refused => WsReply.Invalid("to", refused.Message),
            var other => throw new InvalidOperationException($"Unexpected signal reply {other}"),
        };
    }
}
