using Akka.Actor;
using P2PActors.Cluster.State;

namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Keeps the players of this node's open sessions online: a page standing still sends nothing, and without a
/// heartbeat its player went offline after the presence timeout, while a page that closed stayed "online" on the
/// other pages' maps for ever (nothing told them). Every <see cref="WsSettings.HeartbeatInterval"/> (a third of the
/// presence timeout) every player bound to an open connection here is heard from; a closed connection's player is not.
/// </summary>
public sealed class WsPresence(ActorSystem system, WsConnectionRegistry connections, WsSettings settings, ILogger<WsPresence> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.HeartbeatInterval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(settings.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Beat();
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    private void Beat()
    {
        var players = connections.All
            .Select(c => c.Session?.PlayerId)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (players.Length == 0 || GameState.TryGet(system) is not { } state)
            return;
        try
        {
            state.KeepOnline(players);
        }
        catch (ArgumentException e)
        {
            // A session's player id was checked at hello; this is a bug, not input: say so and keep beating.
            log.LogError(e, "A session's player could not be kept online");
        }
    }
}
