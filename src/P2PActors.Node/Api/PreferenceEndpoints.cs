using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api;

/// <summary>
/// Ratings, learned preferences, opt-in sharing and recommendations. Every input is checked, and the rated content
/// found, before the player's memory is asked to write, so a bad request changes nothing.
/// </summary>
public static class PreferenceEndpoints
{
    /// <summary>Rating and sharing bodies are a few dozen bytes.</summary>
    public const int MaxBodyBytes = 4096;

    public const int MaxTake = 100;

    private static readonly RequestInput.BodyRules Body = new(MaxBodyBytes, "this request is a small JSON object.");

    public sealed record RatingAnswer(
        string ContentId, string Type, int Stars, DateTimeOffset At, IReadOnlyList<string> Attributes);

    public sealed record RateAnswer(
        string PlayerId, string ContentId, string Type, int Stars, DateTimeOffset At, IReadOnlyList<string> Attributes,
        bool Replaced, int RatingCount, bool Personalised);

    public sealed record RatingsAnswer(string PlayerId, bool Sharing, int Count, IReadOnlyList<RatingAnswer> Ratings);

    public sealed record PreferencesAnswer(
        string PlayerId, bool HasProfile, int RatingCount, int MinimumRatings, int RatingsNeeded, string? Message,
        double LearningRate, double Sharpness, IReadOnlyList<AttributeWeight> Attributes);

    public sealed record SharingAnswer(string PlayerId, bool Sharing, int SharedRatings);

    /// <param name="Name">The content's name, when this node can serve it; null otherwise.</param>
    /// <param name="Available">
    /// This node can serve the content (it is in the shared catalog, or this node generated or holds it). A similar
    /// player may have liked content that was never shared and lives only on the node that made it.
    /// </param>
    public sealed record RecommendationAnswer(string ContentId, string Type, double Score, int Neighbours, string? Name, bool Available);

    public sealed record RecommendationsAnswer(
        string PlayerId, string? Type, int Take, int RatingCount, int SharedProfiles, int SimilarPlayers, bool IndexCurrent,
        IReadOnlyList<RecommendationAnswer> Items);

    public static IEndpointRouteBuilder MapPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/content/{id}/ratings", RateAsync);
        app.MapGet("/api/players/{id}/ratings", GetRatingsAsync);
        app.MapGet("/api/players/{id}/preferences", ReadPreferencesAsync);
        app.MapPut("/api/players/{id}/sharing", SetSharingAsync);
        app.MapGet("/api/players/{id}/recommendations", RecommendAsync);
        return app;
    }

    /// <summary><c>POST /api/content/{id}/ratings</c> <c>{ "playerId": "alice", "stars": 4 }</c>: 201 for a new rating, 200 for a replaced one.</summary>
    private static async Task<IResult> RateAsync(
        string id, HttpContext http, ActorSystem system, IRequiredActor<GenerationCoordinator> coordinator,
        IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        var (root, bodyProblem) = await RequestInput.ReadObjectAsync(http, Body, """{ "playerId": "alice", "stars": 4 }""", ct);
        if (bodyProblem is not null)
            return bodyProblem;
        return await RateContentAsync(id, root!.Value, PlayerAuthorization.For(http, system, ct), system, coordinator, memory, options, ct);
    }

    /// <summary>
    /// Rating as <c>POST /api/content/{id}/ratings</c> and the WebSocket <c>rate</c> do it. <paramref name="authorize"/>
    /// is asked, once the body is valid, whether the caller may rate as the player (null: it may).
    /// </summary>
    internal static async Task<IResult> RateContentAsync(
        string id, JsonElement? root, Func<string, Task<IResult?>>? authorize, ActorSystem system,
        IRequiredActor<GenerationCoordinator> coordinator, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        if (!ContentEndpoints.IsContentId(id))
            errors["id"] = ["Must be a content id: 64 lower-case hex digits (the SHA-256 of the content's canonical JSON)."];
        string? playerId = null;
        int? stars = null;
        foreach (var property in root!.Value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "playerId":
                    playerId = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    if (PlayerIds.Problem(playerId) is { } problem)
                        errors["playerId"] = [property.Value.ValueKind == JsonValueKind.String ? problem : "playerId must be a string."];
                    break;
                case "stars":
                    if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var value) && Rating.IsValidStars(value))
                        stars = value;
                    else
                        errors["stars"] = [$"stars must be a whole number from {Rating.MinStars} to {Rating.MaxStars}."];
                    break;
                default:
                    errors[property.Name] = ["Unknown field; the fields are playerId and stars."];
                    break;
            }
        }
        if (!root.Value.TryGetProperty("playerId", out _))
            errors["playerId"] = ["Required: the id of the player who rates (1-64 characters of A-Z, a-z, 0-9, '_' or '-')."];
        if (!root.Value.TryGetProperty("stars", out _))
            errors["stars"] = [$"Required: {Rating.MinStars} to {Rating.MaxStars} stars."];
        if (errors.Count > 0)
            return Problems.Validation(errors);
        if (authorize is not null && await authorize(playerId!) is { } forbidden)
            return forbidden;

        var (content, failure) = await ContentEndpoints.FindAsync(id, coordinator, system, options, ct);
        if (content is null)
        {
            return failure is IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound }
                ? Problems.Field("id", $"This node neither generated nor holds content '{id}', and no peer shares it; only content that exists can be rated.")
                : failure!;
        }

        var command = new RateContent(playerId!, id, content.Type, ContentAttributes.Of(content), stars!.Value, DateTimeOffset.UtcNow);
        switch (await AskMemoryAsync(memory, command, options, ct))
        {
            case ContentRatingStored stored:
                GenerationClient.For(system).NotePersonalised(stored.PlayerId, stored.Personalised);
                var r = stored.Rating;
                var answer = new RateAnswer(stored.PlayerId, r.ContentId, ContentTypes.WireName(r.Type), r.Stars, r.At, r.Attributes,
                    stored.Replaced, stored.RatingCount, stored.Personalised);
                return stored.Replaced
                    ? Results.Json(answer)
                    : Results.Json(answer, statusCode: StatusCodes.Status201Created);
            case RatingRejected rejected:
                return Problems.Field(rejected.Field, rejected.Reason);
            default:
                return MemoryTimedOut(options);
        }
    }

    private static async Task<IResult> GetRatingsAsync(
        string id, HttpContext http, ActorSystem system, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        if (PathIdProblem(id) is { } problem)
            return Problems.Field("id", problem);
        if (await PlayerAuthorization.CheckReadAsync(http, system, id, ct) is { } forbidden)
            return forbidden;
        return await AskMemoryAsync(memory, new GetRatings(id), options, ct) is PlayerRatingList list
            ? Results.Json(new RatingsAnswer(list.PlayerId, list.Sharing, list.Ratings.Count, [.. list.Ratings.Select(ToAnswer)]))
            : MemoryTimedOut(options);
    }

    /// <summary><c>GET /api/players/{id}/preferences</c>: private to the player's session while one holds them.</summary>
    private static async Task<IResult> ReadPreferencesAsync(
        string id, HttpContext http, ActorSystem system, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        if (PathIdProblem(id) is null && await PlayerAuthorization.CheckReadAsync(http, system, id, ct) is { } forbidden)
            return forbidden;
        return await GetPreferencesAsync(id, memory, options, ct);
    }

    /// <summary>The preferences as <c>GET /api/players/{id}/preferences</c> and the WebSocket <c>preferences</c> answer them.</summary>
    internal static async Task<IResult> GetPreferencesAsync(
        string id, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        if (PathIdProblem(id) is { } problem)
            return Problems.Field("id", problem);
        if (await AskMemoryAsync(memory, new GetPreferences(id), options, ct) is not PlayerPreferences p)
            return MemoryTimedOut(options);
        var message = p.HasProfile
            ? null
            : $"{p.RatingsNeeded} more rating{(p.RatingsNeeded == 1 ? "" : "s")} needed before a profile is learned ({p.RatingCount} of {p.MinimumRatings}).";
        return Results.Json(new PreferencesAnswer(p.PlayerId, p.HasProfile, p.RatingCount, p.MinimumRatings, p.RatingsNeeded, message,
            p.LearningRate, p.Sharpness, p.Attributes));
    }

    /// <summary><c>PUT /api/players/{id}/sharing</c> <c>{ "share": true }</c>: opt in to (or out of) sharing ratings with the cluster.</summary>
    private static async Task<IResult> SetSharingAsync(
        string id, HttpContext http, ActorSystem system, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        if (PathIdProblem(id) is null && await PlayerAuthorization.CheckAsync(http, system, id, ct) is { } forbidden)
            return forbidden;
        var (root, bodyProblem) = await RequestInput.ReadObjectAsync(http, Body, """{ "share": true }""", ct);
        if (bodyProblem is not null)
            return bodyProblem;
        return await ShareRatingsAsync(id, root!.Value, memory, options, ct);
    }

    /// <summary>The opt-in shared by <c>PUT /api/players/{id}/sharing</c> and the WebSocket <c>set-sharing</c>.</summary>
    internal static async Task<IResult> ShareRatingsAsync(
        string id, JsonElement? root, IRequiredActor<PlayerMemoryActor> memory, NodeOptions options, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        RequestInput.AddIfBad(errors, "id", PathIdProblem(id));
        bool? share = null;
        foreach (var property in root!.Value.EnumerateObject())
        {
            if (property.Name == "share")
            {
                if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    share = property.Value.GetBoolean();
                else
                    errors["share"] = ["share must be true or false."];
            }
            else
            {
                errors[property.Name] = ["Unknown field; the only field is share."];
            }
        }
        if (!root.Value.TryGetProperty("share", out _))
            errors["share"] = ["Required: true to share your ratings with the cluster, false to withdraw them."];
        if (errors.Count > 0)
            return Problems.Validation(errors);
        return await AskMemoryAsync(memory, new SetSharing(id, share!.Value, DateTimeOffset.UtcNow), options, ct) is SharingState state
            ? Results.Json(new SharingAnswer(state.PlayerId, state.Sharing, state.SharedRatings))
            : MemoryTimedOut(options);
    }

    /// <summary>
    /// <c>GET /api/players/{id}/recommendations?type=item&amp;take=10</c>: from the shared profiles this node holds,
    /// computed against the player's own ratings (which need not be shared).
    /// </summary>
    private static async Task<IResult> RecommendAsync(
        string id, HttpRequest request, ActorSystem system, IRequiredActor<PlayerMemoryActor> memory, IRequiredActor<SharedProfilesActor> shared,
        IRequiredActor<GenerationCoordinator> coordinator, NodeOptions options, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        RequestInput.AddIfBad(errors, "id", PathIdProblem(id));
        ContentType? type = null;
        var typeValues = request.Query["type"];
        if (typeValues.Count > 1 || (typeValues.Count == 1 && !ContentTypes.TryParse(typeValues[0], out _)))
            errors["type"] = [$"type must be one of {ContentTypes.Names}."];
        else if (typeValues.Count == 1 && ContentTypes.TryParse(typeValues[0], out var parsed))
            type = parsed;
        var take = RequestInput.QueryInt(request, "take", Recommender.DefaultTake, 1, MaxTake, errors);
        RequestInput.RefuseUnknownQuery(request.Query, errors, "type", "take");
        if (errors.Count > 0)
            return Problems.Validation(errors);
        // Recommendations are worked out from the player's ratings: they tell as much.
        if (await PlayerAuthorization.CheckReadAsync(request.HttpContext, system, id, ct) is { } forbidden)
            return forbidden;
        return await RecommendationsAsync(id, type, take, memory, shared, coordinator, system, options, ct);
    }

    /// <summary>Recommendations for <c>GET /api/players/{id}/recommendations</c> and the WebSocket <c>recommendations</c>; inputs already checked.</summary>
    internal static async Task<IResult> RecommendationsAsync(
        string id, ContentType? type, int take, IRequiredActor<PlayerMemoryActor> memory, IRequiredActor<SharedProfilesActor> shared,
        IRequiredActor<GenerationCoordinator> coordinator, ActorSystem system, NodeOptions options, CancellationToken ct)
    {
        if (await AskMemoryAsync(memory, new GetRatings(id), options, ct) is not PlayerRatingList ratings)
            return MemoryTimedOut(options);
        var newest = ratings.Ratings.Skip(Math.Max(0, ratings.Ratings.Count - SharedProfileEntry.MaxRatings));
        var target = SharedProfileEntry.Pack(id, [.. newest.Select(r => new SharedRating(r.ContentId, r.Type, r.Stars))]);
        var actor = await shared.GetAsync(ct);
        RecommendationList list;
        try
        {
            list = await actor.Ask<RecommendationList>(new Recommend(target, type, take), options.RequestTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut($"The recommendation index did not answer within {options.RequestTimeout}.");
        }
        var names = await Task.WhenAll(list.Items.Select(i => NameAsync(i.ContentId, coordinator, system, options, ct)));
        return Results.Json(new RecommendationsAnswer(id, type is { } t ? ContentTypes.WireName(t) : null, take, ratings.Ratings.Count,
            list.SharedProfiles, list.SimilarPlayers, list.IndexCurrent,
            [.. list.Items.Select((i, n) => new RecommendationAnswer(i.ContentId, ContentTypes.WireName(i.Type), i.Score, i.Neighbours, names[n], names[n] is not null))]));
    }

    /// <summary>
    /// The name of content this node can serve: from the catalog's header, else from this node's own store; null when
    /// it has neither (or they did not answer in time), so a page does not offer a link that ends in a 404.
    /// </summary>
    private static async Task<string?> NameAsync(
        string contentId, IRequiredActor<GenerationCoordinator> coordinator, ActorSystem system, NodeOptions options, CancellationToken ct)
    {
        try
        {
            // The catalog first: its header has the name, where the store would read and parse the whole body.
            if (await GameState.For(system).FindCatalogEntryAsync(contentId, ct) is { } listed)
                return listed.Name;
        }
        catch (AskTimeoutException)
        {
            // The state too busy to answer: the store may still hold it.
        }
        try
        {
            return await RequestInput.AskOrNullAsync(coordinator, new GetContent(contentId), options.RequestTimeout, ct) is ContentFound found
                ? found.Content.DisplayName
                : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A store that failed to read it: not offered, rather than the whole list failing.
            return null;
        }
    }

    /// <summary>The cluster's player-id rule, worded for an id that came in the path rather than as a playerId field.</summary>
    private static string? PathIdProblem(string id) =>
        PlayerIds.Problem(id)?.Replace("playerId", "The player id", StringComparison.Ordinal);

    private static RatingAnswer ToAnswer(Rating r) =>
        new(r.ContentId, ContentTypes.WireName(r.Type), r.Stars, r.At, r.Attributes);

    /// <summary>Null when the player's memory did not answer in time.</summary>
    private static Task<object?> AskMemoryAsync(
        IRequiredActor<PlayerMemoryActor> memory, IPlayerMemoryCommand command, NodeOptions options, CancellationToken ct) =>
        RequestInput.AskOrNullAsync(memory, command, options.RequestTimeout, ct);

    private static IResult MemoryTimedOut(NodeOptions options) =>
        Problems.TimedOut($"The player's memory did not answer within {options.RequestTimeout}.");
}
