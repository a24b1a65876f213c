using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api;

public static class ContentEndpoints
{
    public static IEndpointRouteBuilder MapContentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/content/{type}", GenerateAsync);
        app.MapGet("/api/content/{id}", GetAsync);
        app.MapGet("/api/types", ListTypes);
        return app;
    }

    /// <summary><c>POST /api/content/{type}</c>: generate (or, for a seeded request, reuse) one content.</summary>
    private static async Task<IResult> GenerateAsync(
        string type, HttpContext http, ActorSystem system, NodeOptions options, CancellationToken cancellationToken)
    {
        ContentRequest? request;
        IReadOnlyDictionary<string, string> parameters;
        Dictionary<string, string[]> errors;
        try
        {
            (request, parameters, errors) = await ContentRequestReader.ReadAsync(http.Request.Body, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge(options.MaxRequestBodyBytes);
        }
        // Generation is recorded in the player's memory (history, counts): it acts for the player like a rating does.
        if (request is not null && errors.Count == 0 && await PlayerAuthorization.CheckAsync(http, system, request.PlayerId, cancellationToken) is { } forbidden)
            return forbidden;
        var (problem, generated) = await GenerateContentAsync(type, request, parameters, errors, system, options, cancellationToken);
        if (generated is null)
            return problem!;
        http.Response.Headers["X-Cache"] = generated.FromCache ? "hit" : "miss";
        http.Response.Headers.Location = $"/api/content/{generated.Content.Id}";
        return ContentResult(generated.Content);
    }

    /// <summary>
    /// Generation as <c>POST /api/content/{type}</c> and the WebSocket <c>generate</c> share it: checks the type and
    /// parameters (adding to the reader's <paramref name="errors"/>), then generates. The problem to answer, or the content.
    /// </summary>
    internal static async Task<(IResult? Problem, ContentGenerated? Generated)> GenerateContentAsync(
        string type, ContentRequest? request, IReadOnlyDictionary<string, string> parameters, Dictionary<string, string[]> errors,
        ActorSystem system, NodeOptions options, CancellationToken cancellationToken)
    {
        if (!ContentTypes.TryParse(type, out var contentType))
            errors["type"] = [$"Unknown content type '{type}'; expected one of {ContentTypes.Names}."];
        else
        {
            foreach (var problem in ContentFactory.ValidateParameters(contentType, parameters))
            {
                var key = $"params.{problem.Field}";
                errors[key] = errors.TryGetValue(key, out var earlier) ? [.. earlier, problem.Message] : [problem.Message];
            }
        }
        if (errors.Count > 0 || request is null)
            return (Problems.Validation(errors), null);

        var command = new GenerateContent(contentType, request.Params, request.Seed, request.PlayerId);
        // The client answers seeded cache hits without an actor round trip; everything else asks the coordinator.
        IGenerationReply? reply;
        try
        {
            reply = await GenerationClient.For(system).GenerateAsync(command, options.RequestTimeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            reply = null;
        }
        switch (reply)
        {
            case ContentGenerated generated:
                return (null, generated);
            case GenerationRejected rejected:
                return (Problems.Validation(rejected.Problems
                    .GroupBy(p => p.Field is "playerId" or "seed" or "type" ? p.Field : $"params.{p.Field}")
                    .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray())), null);
            case GenerationFailed failed:
                return (Problems.Unavailable("The node could not generate this content.", failed.Reason), null);
            default:
                return (TimedOut(options), null);
        }
    }

    /// <summary><c>GET /api/content/{id}</c>: the content, found as <see cref="FindAsync"/> finds it.</summary>
    private static async Task<IResult> GetAsync(
        string id, IRequiredActor<GenerationCoordinator> coordinator, ActorSystem system, NodeOptions options,
        CancellationToken cancellationToken)
    {
        if (!IsContentId(id))
            return InvalidId();
        var (content, failure) = await FindAsync(id, coordinator, system, options, cancellationToken);
        return content is null ? failure! : ContentResult(content);
    }

    /// <summary>
    /// Content this node generated or holds, by its SHA-256 id; otherwise a shared catalog entry's body fetched from
    /// the peer that holds it (verified against the id by <see cref="GameState"/>). When there is none, the 404 or
    /// 503 to answer with.
    /// </summary>
    internal static async Task<(GameContent? Content, IResult? Failure)> FindAsync(
        string id, IRequiredActor<GenerationCoordinator> coordinator, ActorSystem system, NodeOptions options,
        CancellationToken cancellationToken)
    {
        switch (await RequestInput.AskOrNullAsync(coordinator, new GetContent(id), options.RequestTimeout, cancellationToken))
        {
            case ContentFound found:
                return (found.Content, null);
            case ContentUnreadable unreadable:
                return (null, Unreadable(unreadable));
            case ContentNotFound:
                GameContent? shared;
                try
                {
                    shared = await GameState.For(system).GetContentAsync(id, cancellationToken);
                }
                catch (ContentStoreException e)
                {
                    return (null, Problems.Unavailable("The node's content store could not be read.",
                        $"{e.Message} No peer served content '{id}' either; the node's log names the failure."));
                }
                catch (ContentUnavailableException e)
                {
                    return (null, Problems.Unavailable("No member served the content.", $"{e.Message} Try again once its holder is back."));
                }
                catch (AskTimeoutException)
                {
                    return (null, Problems.TimedOut($"The node's state did not find content '{id}' in time."));
                }
                return shared is null
                    ? (null, Problems.NotFound($"This node neither generated nor holds content '{id}', and no peer shares it."))
                    : (shared, null);
            default:
                return (null, TimedOut(options));
        }
    }

    internal static bool IsContentId(string id) => id.Length == 64 && id.All(char.IsAsciiHexDigitLower);

    internal static IResult InvalidId() =>
        Problems.Field("id", "Must be a content id: 64 lower-case hex digits (the SHA-256 of the content's canonical JSON).");

    internal static IResult Unreadable(ContentUnreadable unreadable) =>
        Problems.Unavailable("The node's content store could not be read.",
            $"Content '{unreadable.Id}' could not be read from this node's store ({unreadable.Reason}); the node's log names the failure.");

    internal static IResult TimedOut(NodeOptions options) =>
        Problems.TimedOut($"The generation coordinator did not answer within {options.RequestTimeout}.");

    /// <summary><c>GET /api/types</c>: the content types and the parameters each accepts, for forms and CLIs.</summary>
    private static IResult ListTypes() => Results.Json(Enum.GetValues<ContentType>()
        .Select(type => new ContentTypeDescription(ContentTypes.WireName(type), ContentFactory.Parameters(type)))
        .ToList());

    public sealed record ContentTypeDescription(string Type, IReadOnlyList<ParameterSpec> Parameters);

    /// <summary>Content goes out in its canonical JSON, the exact bytes its id was computed over (plus the id).</summary>
    private static IResult ContentResult(GameContent content) =>
        Results.Bytes(ContentJson.SerializeUtf8(content), "application/json");
}
