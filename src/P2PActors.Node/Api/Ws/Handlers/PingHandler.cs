namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>ping</c> → <c>pong</c>: a liveness check a page (or a test) can send before <c>hello</c>.</summary>
public sealed class PingHandler : IWsHandler
{
    public string Type => "ping";

    public IReadOnlyCollection<string> Fields { get; } = [];

    public bool RequiresSession => false;

    public Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) => Task.FromResult(WsReply.Answer("pong"));
}
