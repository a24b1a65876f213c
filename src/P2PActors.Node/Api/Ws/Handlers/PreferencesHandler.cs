using Akka.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>preferences</c> → <c>preferences-state</c>: as <c>GET /api/players/{id}/preferences</c> for the session's player.</summary>
public sealed class PreferencesHandler(IRequiredActor<PlayerMemoryActor> memory, NodeOptions options) : IWsHandler
{
    public string Type => "preferences";

    public IReadOnlyCollection<string> Fields { get; } = [];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct) =>
        WsHttpResults.ToReply(await PreferenceEndpoints.GetPreferencesAsync(request.PlayerId, memory, options, ct), "preferences-state");
}
