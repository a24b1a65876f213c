namespace P2PActors.Node.Api.Ws.Topics;

/// <summary><c>positions</c>: every move in one zone, coalesced per player (<see cref="WsConnection.PushPosition"/>).</summary>
public sealed class PositionsTopic(WsStateFeed feed) : IWsTopic
{
    public string Name => "positions";

    public bool NeedsZone => true;

    public Task<IDisposable> SubscribeAsync(WsConnection connection, string? zone, CancellationToken ct) =>
        feed.WatchZoneAsync(connection, zone!, ct);
}
