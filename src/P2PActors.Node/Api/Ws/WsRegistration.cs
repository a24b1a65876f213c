using System.Net.WebSockets;
using Akka.Actor;
using P2PActors.Cluster.Sessions;
using P2PActors.Node.Api.Ws.Handlers;
using P2PActors.Node.Api.Ws.Topics;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws;

/// <summary>The <c>/ws</c> endpoint (docs/protocol.md) and the registration of its handlers and topics.</summary>
public static class WsRegistration
{
    public const string Path = "/ws";

    /// <summary>How often the node pings a connection, and how long it waits for the pong before it drops the connection.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);

    /// <summary>Every request type and subscription topic: one line each. Add yours here.</summary>
    public static IServiceCollection AddWsHandlers(this IServiceCollection services, NodeOptions options)
    {
        services.AddSingleton(WsSettings.From(options));
        services.AddSingleton<WsHandlerRegistry>();
        services.AddSingleton<WsTopicRegistry>();
        services.AddSingleton<WsConnectionRegistry>();
        services.AddHostedService<WsPresence>();

        services.AddWsHandler<HelloHandler>();
        services.AddWsHandler<PingHandler>();
        services.AddWsHandler<MoveHandler>();
        services.AddWsHandler<LeaveZoneHandler>();
        services.AddWsHandler<InventoryAddHandler>();
        services.AddWsHandler<InventoryRemoveHandler>();
        services.AddWsHandler<GenerateHandler>();
        services.AddWsHandler<RateHandler>();
        services.AddWsHandler<ShareHandler>();
        services.AddWsHandler<CatalogHandler>();
        services.AddWsHandler<PreferencesHandler>();
        services.AddWsHandler<SetSharingHandler>();
        services.AddWsHandler<RecommendationsHandler>();
        services.AddWsHandler<SubscribeHandler>();
        services.AddWsHandler<UnsubscribeHandler>();

        services.AddSingleton<WsStateFeed>();
        services.AddWsTopic<PositionsTopic>();
        services.AddWsTopic<InventoryTopic>();
        services.AddWsTopic<CatalogTopic>();

        services.AddSingleton<WsRoomPeers>();
        services.AddWsHandler<JoinRoomHandler>();
        services.AddWsHandler<LeaveRoomHandler>();
        services.AddWsHandler<SignalHandler>();
        services.AddWsTopic<ConsensusTopic>();
        services.AddWsTopic<MembersTopic>();
        services.AddWsTopic<ValidatorsTopic>();
        return services;
    }

    public static IServiceCollection AddWsHandler<T>(this IServiceCollection services) where T : class, IWsHandler =>
        services.AddSingleton<IWsHandler, T>();

    public static IServiceCollection AddWsTopic<T>(this IServiceCollection services) where T : class, IWsTopic =>
        services.AddSingleton<IWsTopic, T>();

    public static WebApplication MapWsEndpoint(this WebApplication app)
    {
        // A page whose network vanished without a FIN (a closed laptop, a dropped Wi-Fi) left a connection that nothing
        // ever read from or wrote to again, and its session's heartbeats kept the player online on every map for good.
        // A ping every 20 s that needs its pong within 20 s ends such a connection (as a drop: the resume grace
        // applies); browsers answer pings by themselves. Not shorter: a client that reads nothing for that long (a
        // script between two requests) would be cut.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = KeepAlive, KeepAliveTimeout = KeepAlive });
        app.Map(Path, AcceptAsync);
        return app;
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, WsSettings settings, WsHandlerRegistry handlers,
        WsConnectionRegistry connections, ActorSystem system, ILoggerFactory logs, IHostApplicationLifetime lifetime)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a WebSocket request.",
                detail: $"{Path} speaks the JSON protocol of docs/protocol.md over a WebSocket (GET with Upgrade: websocket).");
        var origin = http.Request.Headers.Origin.ToString();
        if (!WsOriginPolicy.Allows(origin, http.Request.Host, settings.AllowedOrigins))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed.",
                detail: $"Origin '{origin}' is neither this node's own ({http.Request.Host}) nor listed in WsAllowedOrigins.");

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var connection = new WsConnection(socket, settings, handlers, logs.CreateLogger<WsConnection>(),
            http.RequestServices.GetService<IWsTraffic>());
        connections.Add(connection);
        try
        {
            await connection.RunAsync(lifetime.ApplicationStopping);
        }
        finally
        {
            connections.Remove(connection);
            if (connection.Session is { } session)
            {
                // A clean close frees the player at once; a drop keeps it for the resume grace.
                var grace = connection.ClosedCleanly ? (TimeSpan?)null : settings.ResumeGrace;
                try
                {
                    await SessionClaims.For(system).ReleaseAsync(session.PlayerId, connection.PeerId, grace, CancellationToken.None);
                }
                catch (AskTimeoutException)
                {
                    // The claim stays until the grace or the node's departure ends it; nothing else to do.
                }
            }
        }
        return Results.Empty;
    }
}
