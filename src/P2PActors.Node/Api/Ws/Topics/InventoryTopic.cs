namespace P2PActors.Node.Api.Ws.Topics;

/// <summary><c>inventory</c>: changes of the session's own player's inventory.</summary>
public sealed class InventoryTopic(WsStateFeed feed) : IWsTopic
{
    public string Name => "inventory";

    public bool NeedsZone => false;

    public Task<IDisposable> SubscribeAsync(WsConnection connection, string? zone, CancellationToken ct) =>
        feed.WatchInventoryAsync(connection, connection.Session!.PlayerId, ct);
}
