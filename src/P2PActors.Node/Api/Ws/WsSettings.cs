using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws;

/// <summary>The WebSocket limits, from <see cref="NodeOptions"/> (validated there).</summary>
public sealed record WsSettings(
    double MessagesPerSecond,
    int MessageBurst,
    int MaxMessageBytes,
    int OutgoingQueue,
    IReadOnlyList<string> AllowedOrigins,
    TimeSpan ResumeGrace,
    TimeSpan PositionsInterval = default,
    TimeSpan HeartbeatInterval = default)
{
    public static WsSettings From(NodeOptions options) => new(
        options.WsMessagesPerSecond,
        options.WsMessageBurst,
        options.WsMaxMessageBytes,
        options.WsOutgoingQueue,
        options.WsAllowedOriginList,
        options.WsResumeGrace,
        options.WsPositionsInterval,
        // Three heartbeats per timeout: one lost or late (gossip carries presence) does not make a player offline.
        options.PresenceTimeout / 3);
}
