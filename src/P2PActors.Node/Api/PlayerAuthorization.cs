using Akka.Actor;
using Microsoft.Net.Http.Headers;
using P2PActors.Cluster.Sessions;

namespace P2PActors.Node.Api;

/// <summary>
/// The HTTP side of WebSocket session claims: while a live session anywhere in the cluster holds a player, an HTTP
/// request that acts for that player must carry the session's resume token (<c>Authorization: Bearer &lt;token&gt;</c>).
/// A player held by no session is served as before, with or without the header. Reads of what the player's memory
/// holds about them (ratings, learned preferences, recommendations) are private to the session in the same way, for
/// as long as it holds the player: a page on another machine must not learn a playing player's tastes by asking their
/// node. Before a first hello and after a session ended, nothing tells whose request it is, and reads are open as before.
/// </summary>
internal static class PlayerAuthorization
{
    /// <summary>Null when the request may act for <paramref name="playerId"/>; otherwise the 403 (or, busy, 503) to answer.</summary>
    public static Task<IResult?> CheckAsync(HttpContext http, ActorSystem system, string playerId, CancellationToken ct) =>
        CheckAsync(http, system, playerId, "act for it", "; nothing was done.", ct);

    /// <summary>
    /// Null when the request may read <paramref name="playerId"/>'s ratings and preferences (no live session holds the
    /// player, or the request carries its token); otherwise the 403 (or, busy, 503) to answer.
    /// </summary>
    public static Task<IResult?> CheckReadAsync(HttpContext http, ActorSystem system, string playerId, CancellationToken ct) =>
        CheckAsync(http, system, playerId, "their ratings, preferences and recommendations are read", ".", ct);

    private static async Task<IResult?> CheckAsync(HttpContext http, ActorSystem system, string playerId, string how, string done, CancellationToken ct)
    {
        try
        {
            if (await SessionClaims.For(system).MayActAsync(playerId, BearerToken(http), ct))
                return null;
        }
        catch (AskTimeoutException)
        {
            // The replicator too busy to read the claim in time: the caller did nothing wrong.
            return Problems.TimedOut($"The session check did not answer in time{done} Try again.");
        }
        return Held(playerId, how);
    }

    /// <summary>The 403 for a request about a player a live session holds, made without that session's token; <paramref name="how"/> says what the token allows.</summary>
    internal static IResult Held(string playerId, string how) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The player is held by a live session.",
            detail: $"Player '{playerId}' is held by a WebSocket session; {how} with that session's resume token as 'Authorization: Bearer <resumeToken>'.");

    /// <summary>The check as a callback for the code paths HTTP and WebSocket share (the WebSocket passes none: its session is the player).</summary>
    public static Func<string, Task<IResult?>> For(HttpContext http, ActorSystem system, CancellationToken ct) =>
        playerId => CheckAsync(http, system, playerId, ct);

    internal static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}
