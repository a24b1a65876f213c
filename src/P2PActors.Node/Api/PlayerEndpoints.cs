using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Sessions;
using P2PActors.Cluster.State;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api;

/// <summary>
/// <c>GET /api/players/{id}</c>: one player read back as this node knows them, online or not — where they stand and
/// what they hold (the replicated game state) and what their memory holds (ratings, sharing, learned preferences,
/// generated content). <c>/api/state</c> lists only the players online; this reads anyone.
/// </summary>
public static class PlayerEndpoints
{
    public sealed record PositionAnswer(string Zone, double X, double Y, long UpdatedAtMs);

    public sealed record PreferencesSummary(bool HasProfile, int RatingsNeeded, IReadOnlyList<AttributeWeight> Attributes);

    /// <param name="Memory">
    /// Null for an id the game state accepts but player memory does not ('.' or ':' in it), and while
    /// <paramref name="MemoryHidden"/>.
    /// </param>
    /// <param name="MemoryHidden">A live session holds the player and the request did not carry its token: what memory holds is theirs.</param>
    public sealed record PlayerAnswer(
        string PlayerId, bool Online, long? LastSeenMs, PositionAnswer? Position, IReadOnlyList<string> Inventory, int InventoryCount,
        int MaxInventoryItems, MemoryAnswer? Memory, bool MemoryHidden = false);

    /// <summary>Counts and the learned profile; the ratings themselves are at <c>/api/players/{id}/ratings</c>.</summary>
    public sealed record MemoryAnswer(int GeneratedCount, int RatingCount, bool Sharing, PreferencesSummary Preferences);

    public static IEndpointRouteBuilder MapPlayerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/players/{id}", GetPlayerAsync);
        app.MapDelete("/api/players/{id}/session", EndSessionAsync);
        return app;
    }

    /// <summary>
    /// <c>DELETE /api/players/{id}/session</c> with the session's resume token as <c>Authorization: Bearer</c>: ends the
    /// session, so the player can join again before the resume grace passes (the page's Leave while it reconnects).
    /// 200 <c>{ "ended": true }</c>, or <c>false</c> when no session held the player; 403 with another token or none.
    /// </summary>
    private static async Task<IResult> EndSessionAsync(string id, HttpContext http, ActorSystem system, CancellationToken ct)
    {
        if (StateValidation.PlayerId(id) is { } problem)
            return Problems.Field("id", problem);
        EndOutcome outcome;
        try
        {
            outcome = await SessionClaims.For(system).EndAsync(id, PlayerAuthorization.BearerToken(http), ct);
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut("The session claims did not answer in time; the session was not ended. Try again.");
        }
        return outcome switch
        {
            EndOutcome.Ended => Results.Json(new { ended = true }),
            EndOutcome.NotHeld => Results.Json(new { ended = false }),
            _ => PlayerAuthorization.Held(id, "it is ended only"),
        };
    }

    private static async Task<IResult> GetPlayerAsync(
        string id, HttpContext http, ActorSystem system, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        if (StateValidation.PlayerId(id) is { } problem)
            return Problems.Field("id", problem);

        PlayerView? state;
        try
        {
            state = await GameState.For(system).GetPlayerAsync(id, ct);
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut("The game state did not answer in time.");
        }

        MemoryAnswer? remembered = null;
        // Where the player stands and what they carry is the shared game state, anyone's to read; their memory
        // (ratings, learned tastes) is private to the session that holds them, as /ratings is.
        // A session check that timed out hides the memory too: the position and inventory, read already, are still
        // answered (a caller that only wants the shared state, such as simulate's convergence check, gets it).
        var inMemory = PlayerIds.IsValid(id);
        var hidden = inMemory && await PlayerAuthorization.CheckReadAsync(http, system, id, ct) is not null;
        if (inMemory && !hidden)
        {
            // Three reads of one entity: it answers them in order, so they see the same memory.
            var snapshot = RequestInput.AskOrNullAsync(memory, new GetPlayerSnapshot(id), options.RequestTimeout, ct);
            var ratings = RequestInput.AskOrNullAsync(memory, new GetRatings(id), options.RequestTimeout, ct);
            var preferences = RequestInput.AskOrNullAsync(memory, new GetPreferences(id), options.RequestTimeout, ct);
            if (await snapshot is not PlayerSnapshot s || await ratings is not PlayerRatingList r || await preferences is not PlayerPreferences p)
                return Problems.TimedOut($"The player's memory did not answer within {options.RequestTimeout}.");
            if (s.History.Count > 0 || r.Ratings.Count > 0 || r.Sharing)
                remembered = new MemoryAnswer(s.History.Count, r.Ratings.Count, r.Sharing,
                    new PreferencesSummary(p.HasProfile, p.RatingsNeeded, p.Attributes));
        }

        if (state is null && remembered is null)
            return Problems.NotFound(hidden
                ? $"Player '{id}' has no position or inventory on this node; what their memory holds is read with their session's resume token."
                : $"No player '{id}' is known to this node: it has no position, inventory, ratings or generated content here.");
        return Results.Json(new PlayerAnswer(
            id,
            state?.Online ?? false,
            state is { LastSeenMs: > 0 } ? state.LastSeenMs : null,
            state?.Position is { } at ? new PositionAnswer(at.Zone, at.X, at.Y, at.UpdatedAtMs) : null,
            state?.Inventory ?? [],
            state?.Inventory.Count ?? 0,
            options.MaxInventoryItems,
            remembered,
            hidden));
    }
}
