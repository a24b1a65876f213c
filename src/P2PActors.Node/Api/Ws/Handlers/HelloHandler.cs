using System.Net.WebSockets;
using Akka.Actor;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Sessions;
using P2PActors.Cluster.State;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>hello {playerId, resumeToken?}</c> → <c>welcome</c>: binds the connection to the player, cluster-wide.</summary>
public sealed class HelloHandler(ActorSystem system) : IWsHandler
{
    public sealed record Welcome(string PlayerId, string SessionId, string ResumeToken, string Node, string PeerId, bool Resumed);

    public string Type => "hello";

    public IReadOnlyCollection<string> Fields { get; } = ["playerId", "resumeToken"];

    public bool RequiresSession => false;

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var connection = request.Connection;
        if (connection.Session is { } bound)
            return WsReply.Error(WsErrors.AlreadyBound, $"This connection already acts as '{bound.PlayerId}'; open another connection to act as someone else.");
        var playerId = request.String("playerId", required: true, "the id of the player this page acts as, e.g. \"alice\"");
        if (playerId is not null && PlayerIds.Problem(playerId) is { } problem)
            request.Errors["playerId"] = [problem];
        var token = request.String("resumeToken", required: false, "the resumeToken of the session to resume");
        if (request.Invalid() is { } invalid)
            return invalid;

        var claims = SessionClaims.For(system);
        ClaimOutcome outcome;
        try
        {
            outcome = await claims.ClaimAsync(playerId!, token, connection.PeerId, ct);
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            // The claim's write may still run after the wait gave up (a busy replicator), and it would hold the player for
            // this connection, which never bound it and so never releases it: every later hello would be session-held.
            // The release runs after that write and removes only a claim of this connection.
            _ = claims.ReleaseAsync(playerId!, connection.PeerId, grace: null, CancellationToken.None)
                .ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw;
        }
        if (outcome is not ClaimGranted granted)
            return WsReply.Error(WsErrors.SessionHeld,
                $"Player '{playerId}' is held by a live session; resume it with its resume token, or wait until it ends.");
        var session = new WsSession(playerId!, granted.SessionId, claims.SelfNode);
        if (!connection.TryBind(session))
        {
            await claims.ReleaseAsync(playerId!, connection.PeerId, grace: null, ct);
            return WsReply.Error(WsErrors.AlreadyBound, "This connection already said hello.");
        }
        // Another connection resuming this session (here or on another node) ends this one.
        var watch = claims.Watch(playerId!, connection.PeerId,
            () => connection.Close((WebSocketCloseStatus)4001, "session-taken"));
        connection.Closed.Register(watch.Dispose);
        // Online from now on, not from the first heartbeat (up to a third of the presence timeout away).
        GameState.TryGet(system)?.KeepOnline([playerId!]);
        return WsReply.Answer("welcome", new Welcome(playerId!, granted.SessionId, granted.ResumeToken, claims.SelfNode, connection.PeerId, granted.Resumed));
    }
}
