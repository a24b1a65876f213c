namespace P2PActors.Node.Api.Ws.Topics;

/// <summary><c>catalog</c>: every entry added to the shared catalog.</summary>
public sealed class CatalogTopic(WsStateFeed feed) : IWsTopic
{
    public string Name => "catalog";

    public bool NeedsZone => false;

    public Task<IDisposable> SubscribeAsync(WsConnection connection, string? zone, CancellationToken ct) =>
        feed.WatchCatalogAsync(connection, ct);
}
