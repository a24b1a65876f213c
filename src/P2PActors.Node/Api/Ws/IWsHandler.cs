namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Handles one request <see cref="Type"/>. One class per type, in <c>Handlers/</c>, registered with one line in
/// <see cref="WsRegistration.AddWsHandlers"/>. Handlers are singletons: per-connection state lives on the
/// <see cref="WsConnection"/> (<see cref="WsRequest.Connection"/>).
/// </summary>
public interface IWsHandler
{
    /// <summary>The request's <c>type</c>.</summary>
    string Type { get; }

    /// <summary>
    /// The request's own fields (besides <c>type</c>, <c>id</c> and <c>playerId</c>, which every request may carry).
    /// Any other field is refused with <c>invalid-field</c> before the handler runs.
    /// </summary>
    IReadOnlyCollection<string> Fields { get; }

    /// <summary>False only for requests allowed before <c>hello</c> (<c>hello</c>, <c>ping</c>).</summary>
    bool RequiresSession => true;

    /// <summary>
    /// True when requests of this type take effect in the order the page sent them: they run one at a time in the
    /// connection's read loop instead of beside each other. Signals need it (WebRTC applies an ICE candidate only after
    /// the description it belongs to), and so do room joins and leaves, which decide where the next signal may go.
    /// </summary>
    bool Ordered => false;

    /// <summary>
    /// The answer. When <see cref="RequiresSession"/>, the connection has a session and any <c>playerId</c> in the
    /// request already equals the session's player.
    /// </summary>
    Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct);
}

/// <summary>
/// A subscription topic (<c>subscribe {topics: [Name]}</c>). The component that feeds the topic registers it with
/// <see cref="WsRegistration.AddWsTopic{T}"/>.
/// </summary>
public interface IWsTopic
{
    string Name { get; }

    /// <summary>True when the topic needs <c>zone</c> in the <c>subscribe</c> request.</summary>
    bool NeedsZone { get; }

    /// <summary>Starts pushing to the connection; disposing the result stops it. Called at most once per connection at a time.</summary>
    Task<IDisposable> SubscribeAsync(WsConnection connection, string? zone, CancellationToken ct);
}
