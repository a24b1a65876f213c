namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>leave-zone {}</c> → <c>left-zone {replication, applied}</c>: the same path as
/// <c>DELETE /api/players/{id}/position</c> for the session's player.
/// </summary>
public sealed class LeaveZoneHandler(Akka.Actor.ActorSystem system) : IWsHandler
{
    public string Type => "leave-zone";

    public IReadOnlyCollection<string> Fields { get; } = [];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) =>
        WsHttpResults.ToReply(await StateEndpoints.LeaveZoneAsync(request.PlayerId, system, ct), "left-zone");
}
