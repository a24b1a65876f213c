using Akka.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>set-sharing {share}</c> → <c>sharing-state</c>: as <c>PUT /api/players/{id}/sharing</c> for the session's player.</summary>
public sealed class SetSharingHandler(IRequiredActor<PlayerMemoryActor> memory, NodeOptions options) : IWsHandler
{
    public string Type => "set-sharing";

    public IReadOnlyCollection<string> Fields { get; } = ["share"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) =>
        WsHttpResults.ToReply(await PreferenceEndpoints.ShareRatingsAsync(request.PlayerId, request.Body(("share", "share")), memory, options, ct), "sharing-state");
}
