using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Zones;
using P2PActors.Content.Model;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api;

/// <summary>
/// The shared game state over HTTP. Every input is checked before <see cref="GameState"/> is asked to write, so a
/// bad request changes nothing. A majority write the peers have not yet confirmed answers 202 (it is applied here and
/// will replicate), a confirmed one 200, and a local write (positions, heartbeats) 200 with replication "local".
/// </summary>
public static class StateEndpoints
{
    /// <summary>State write bodies are a few dozen bytes; anything much larger is a mistake or an attack.</summary>
    public const int MaxStateBodyBytes = 4096;

    public const int DefaultTake = 50;

    /// <summary>Players listed per <c>GET /api/state</c> page when <c>take</c> is not given.</summary>
    public const int DefaultStateTake = 50;

    private static readonly RequestInput.BodyRules Body =
        new(MaxStateBodyBytes, "a state update is a small JSON object.", " (NaN and Infinity are not JSON numbers)", ["NaN", "Infinity"]);

    public sealed record WriteAnswer(string Replication, bool Applied);

    public sealed record ShareAnswer(string Id, string Type, string Name, string Author, string Replication, CertificateSummary Certificate);

    /// <summary>What the validators decided, without the signatures themselves.</summary>
    public sealed record CertificateSummary(long Epoch, string SetHash, int Validators, int Threshold, int Approvals, int Rejections,
        IReadOnlyList<string> Signers, double ElapsedMs)
    {
        public static CertificateSummary From(ProposalOutcome outcome) => new(
            outcome.Epoch,
            outcome.Certificate?.ValidatorSetHash ?? "",
            outcome.Validators,
            outcome.Threshold,
            outcome.Approvals,
            outcome.Rejections,
            outcome.Certificate?.Approvals.Select(v => v.ValidatorId).ToList() ?? [],
            outcome.Elapsed.TotalMilliseconds);
    }

    public static IEndpointRouteBuilder MapStateEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", (ActorSystem system) => Results.Json(HealthEndpoints.Describe(system).Cluster));
        app.MapPut("/api/players/{id}/position", UpdatePositionAsync);
        app.MapDelete("/api/players/{id}/position", async (string id, HttpContext http, ActorSystem system, CancellationToken ct) =>
            await AuthorizeAsync(http, system, id, ct) ?? await LeaveZoneAsync(id, system, ct));
        app.MapPost("/api/players/{id}/inventory/{itemId}", AddItemAsync);
        app.MapDelete("/api/players/{id}/inventory/{itemId}", RemoveItemAsync);
        app.MapPost("/api/catalog", ShareAsync);
        app.MapGet("/api/catalog", ListCatalogAsync);
        app.MapGet("/api/state", GetStateAsync);
        return app;
    }

    private static async Task<IResult> UpdatePositionAsync(string id, HttpContext http, ActorSystem system, CancellationToken ct)
    {
        if (await AuthorizeAsync(http, system, id, ct) is { } forbidden)
            return forbidden;
        var (root, bodyProblem) = await RequestInput.ReadObjectAsync(http, Body, """{ "zone": "forest", "x": 1.5, "y": -3 }""", ct);
        if (bodyProblem is not null)
            return bodyProblem;
        if (await MapProblemAsync(root!.Value, system, ct) is { } offMap)
            return offMap;
        return await PositionAsync(id, root!.Value, system, ct);
    }

    /// <summary>
    /// A zone named by a content id is a map of the shared catalog, as for the WebSocket <c>move</c>: the tile must be on
    /// it and walkable, or the pages watching the zone would draw the player in a wall. Other zone names stay free-form
    /// (scripts, tests); a malformed body is left to <see cref="PositionAsync"/>'s own checks.
    /// </summary>
    private static async Task<IResult?> MapProblemAsync(JsonElement root, ActorSystem system, CancellationToken ct)
    {
        if (!root.TryGetProperty("zone", out var zoneValue) || zoneValue.ValueKind != JsonValueKind.String
            || StateValidation.CatalogId(zoneValue.GetString()) is not null
            || !root.TryGetProperty("x", out var xValue) || xValue.ValueKind != JsonValueKind.Number || !xValue.TryGetDouble(out var x)
            || !double.IsFinite(x) || Math.Abs(x) > 1e9
            || !root.TryGetProperty("y", out var yValue) || yValue.ValueKind != JsonValueKind.Number || !yValue.TryGetDouble(out var y)
            || !double.IsFinite(y) || Math.Abs(y) > 1e9)
            return null;
        var zone = zoneValue.GetString()!;
        var (tx, ty) = ((int)Math.Floor(x), (int)Math.Floor(y));
        ZoneVerdict verdict;
        try
        {
            verdict = await ZoneMaps.For(system).CheckAsync(zone, tx, ty, ct);
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException)
        {
            return Problems.TimedOut("The zone's map could not be read in time; nothing was moved.");
        }
        return verdict switch
        {
            ZoneVerdict.UnknownZone => Problems.Field("zone", $"Zone '{zone}' is not a map in the shared catalog (or no reachable node holds its body)."),
            ZoneVerdict.OutOfBounds => Problems.Field("x", $"The tile ({tx}, {ty}) is outside the map of zone '{zone}'."),
            ZoneVerdict.NotWalkable => Problems.Field("x", $"The tile at ({tx}, {ty}) of zone '{zone}' is not walkable."),
            _ => null,
        };
    }

    /// <summary>
    /// The position update shared by <c>PUT /api/players/{id}/position</c> and the WebSocket <c>move</c>: checks the
    /// player id and the <c>{ zone, x, y }</c> body, then writes.
    /// </summary>
    internal static async Task<IResult> PositionAsync(string id, JsonElement? root, ActorSystem system, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        RequestInput.AddIfBad(errors, "id", StateValidation.PlayerId(id));
        string? zone = null;
        double? x = null, y = null;
        foreach (var property in root!.Value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "zone":
                    zone = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    RequestInput.AddIfBad(errors, "zone", zone is null ? "zone must be a string" : StateValidation.Zone(zone));
                    break;
                case "x":
                    x = ReadCoordinate(property.Value, "x", errors);
                    break;
                case "y":
                    y = ReadCoordinate(property.Value, "y", errors);
                    break;
                default:
                    errors[property.Name] = ["Unknown field; the fields are zone, x and y."];
                    break;
            }
        }
        foreach (var required in new[] { "zone", "x", "y" })
        {
            if (!root.Value.TryGetProperty(required, out _))
                errors[required] = [$"Required: {required}."];
        }
        if (errors.Count > 0)
            return Problems.Validation(errors);
        return await WriteAsync(() => GameState.For(system).UpdatePositionAsync(id, zone!, x!.Value, y!.Value, ct));
    }

    /// <summary>
    /// <c>DELETE /api/players/{id}/position</c> and the WebSocket <c>leave-zone</c>: the player leaves the map they stand
    /// on (their position no longer shows, and the zone's watchers see them go); <c>applied</c> is false when they stood
    /// on none.
    /// </summary>
    internal static async Task<IResult> LeaveZoneAsync(string id, ActorSystem system, CancellationToken ct)
    {
        if (StateValidation.PlayerId(id) is { } bad)
            return Problems.Field("id", bad);
        return await WriteAsync(() => GameState.For(system).LeaveZoneAsync(id, ct));
    }

    private static async Task<IResult> AddItemAsync(string id, string itemId, HttpContext http, ActorSystem system, CancellationToken ct) =>
        await AuthorizeAsync(http, system, id, ct) ?? await InventoryAsync(id, itemId, add: true, system, ct);

    private static async Task<IResult> RemoveItemAsync(string id, string itemId, HttpContext http, ActorSystem system, CancellationToken ct) =>
        await AuthorizeAsync(http, system, id, ct) ?? await InventoryAsync(id, itemId, add: false, system, ct);

    /// <summary>The inventory write shared by the HTTP endpoints and the WebSocket <c>inventory-add</c>/<c>inventory-remove</c>.</summary>
    internal static Task<IResult> InventoryAsync(string id, string itemId, bool add, ActorSystem system, CancellationToken ct) =>
        InventoryWriteAsync(id, itemId, add
            ? () => GameState.For(system).AddItemAsync(id, itemId, ct)
            : () => GameState.For(system).RemoveItemAsync(id, itemId, ct));

    /// <summary>The session rule for a player named in the path; an id that is not valid is left to the 400 that follows.</summary>
    private static async Task<IResult?> AuthorizeAsync(HttpContext http, ActorSystem system, string id, CancellationToken ct) =>
        StateValidation.PlayerId(id) is null ? await PlayerAuthorization.CheckAsync(http, system, id, ct) : null;

    private static async Task<IResult> InventoryWriteAsync(string id, string itemId, Func<Task<WriteResult>> write)
    {
        var errors = RequestInput.NewErrors();
        RequestInput.AddIfBad(errors, "id", StateValidation.PlayerId(id));
        RequestInput.AddIfBad(errors, "itemId", StateValidation.ItemId(itemId));
        if (errors.Count > 0)
            return Problems.Validation(errors);
        return await WriteAsync(write);
    }

    /// <summary>
    /// <c>POST /api/catalog</c> <c>{ "contentId": "...", "author": "..." }</c>: puts content this node holds to the
    /// validators' vote and shares it, with its certificate, only when accepted: 201 with a certificate summary; 422
    /// naming every broken rule when rejected; 503 when the vote ended undecided. Nothing is shared unless accepted.
    /// </summary>
    private static async Task<IResult> ShareAsync(
        HttpContext http, ActorSystem system, IRequiredActor<GenerationCoordinator> coordinator, NodeOptions options, CancellationToken ct)
    {
        var (root, bodyProblem) = await RequestInput.ReadObjectAsync(http, Body, """{ "contentId": "<64 hex digits>", "author": "alice" }""", ct);
        if (bodyProblem is not null)
            return bodyProblem;
        return await ShareContentAsync(root!.Value, PlayerAuthorization.For(http, system, ct), system, coordinator, options, ct);
    }

    /// <summary>
    /// Sharing as <c>POST /api/catalog</c> and the WebSocket <c>share</c> do it. <paramref name="authorize"/> is asked,
    /// once the body is valid, whether the caller may share as the author (null: it may).
    /// </summary>
    internal static async Task<IResult> ShareContentAsync(JsonElement? root, Func<string, Task<IResult?>>? authorize,
        ActorSystem system, IRequiredActor<GenerationCoordinator> coordinator, NodeOptions options, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        string? contentId = null;
        var author = "anonymous";
        foreach (var property in root!.Value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "contentId":
                    contentId = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    RequestInput.AddIfBad(errors, "contentId", StateValidation.CatalogId(contentId));
                    break;
                case "author":
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        break;
                    author = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : "";
                    RequestInput.AddIfBad(errors, "author", StateValidation.PlayerId(author) is null
                        ? null
                        : $"author must be 1 to {StateValidation.MaxIdLength} characters of letters, digits, '_', '-', '.' or ':'");
                    break;
                default:
                    errors[property.Name] = ["Unknown field; the fields are contentId and author."];
                    break;
            }
        }
        if (!root.Value.TryGetProperty("contentId", out _))
            errors["contentId"] = ["Required: the id of content this node generated (see POST /api/content/{type})."];
        if (errors.Count > 0)
            return Problems.Validation(errors);
        // Anonymous sharing names no player, so no session can object to it.
        var named = root.Value.TryGetProperty("author", out var given) && given.ValueKind != JsonValueKind.Null;
        if (authorize is not null && named && await authorize(author) is { } forbidden)
            return forbidden;

        var reply = await RequestInput.AskOrNullAsync(coordinator, new GetContent(contentId!), options.RequestTimeout, ct);
        if (reply is null)
            return ContentEndpoints.TimedOut(options);
        if (reply is ContentUnreadable unreadable)
            return ContentEndpoints.Unreadable(unreadable);
        if (reply is not ContentFound found)
        {
            // Content another node shared is listed here but not in this node's generation store: it is shared already,
            // whoever asks (the page offers Share on every entry it shows), not content to generate first.
            return await AlreadySharedAsync(contentId!, system, ct)
                   ?? Problems.Field("contentId", $"This node neither generated nor holds content '{contentId}'; generate it first (POST /api/content/{{type}}).");
        }

        var content = found.Content;
        // The catalog is read while this share holds the content's slot, so a share that ended just before cannot be
        // missed. Another share of it on this node still voting is waited for: if its vote did not pass, that vote is
        // the answer here too (answered afresh: a result is written once); otherwise the catalog is read again.
        while (true)
        {
            var (run, waited) = await SharesInFlight.For(system).RunAloneAsync(content.Id!, () => CheckVoteAndShareAsync(content, author, system, ct), ct);
            if (!waited)
                return run!.Result;
            if (run?.NotPassed is { } outcome)
                return Answer(outcome);
        }
    }

    /// <summary>How one share ended: its answer, and the outcome of its vote when that vote did not pass.</summary>
    private sealed record ShareRun(IResult Result, ProposalOutcome? NotPassed = null);

    /// <summary>The already-shared check, the vote and, accepted, the share: the end of <see cref="ShareContentAsync"/>.</summary>
    private static async Task<ShareRun> CheckVoteAndShareAsync(GameContent content, string author, ActorSystem system, CancellationToken ct) =>
        await AlreadySharedAsync(content.Id!, system, ct) is { } answer ? new ShareRun(answer) : await VoteAndShareAsync(content, author, system, ct);

    /// <summary>The answer when <paramref name="contentId"/> is listed already (409) or the state did not say in time (503); null when it is not listed.</summary>
    private static async Task<IResult?> AlreadySharedAsync(string contentId, ActorSystem system, CancellationToken ct)
    {
        try
        {
            return await GameState.For(system).FindCatalogEntryAsync(contentId, ct) is { } listed ? Problems.AlreadyShared(listed) : null;
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut("The node's state did not answer in time; nothing was shared.");
        }
    }

    /// <summary>The vote on <paramref name="content"/> and, accepted, its share: the end of <see cref="ShareContentAsync"/>.</summary>
    private static async Task<ShareRun> VoteAndShareAsync(GameContent content, string author, ActorSystem system, CancellationToken ct)
    {
        ProposalOutcome outcome;
        try
        {
            outcome = await ConsensusClient.For(system).ProposeAsync(content, new ProposalOptions(author, Share: false), ct);
        }
        catch (AskTimeoutException)
        {
            return new ShareRun(Problems.TimedOut("The consensus coordinator did not answer in time; nothing was shared."));
        }
        if (outcome.Decision is ProposalDecision.Rejected or ProposalDecision.Undecided)
            return new ShareRun(Answer(outcome), outcome);
        return new ShareRun(await WriteAsync(
            () => ConsensusClient.For(system).ShareAsync(content, outcome, ct),
            result => new ShareAnswer(content.Id!, ContentTypes.WireName(content.Type), content.DisplayName, author, Lower(result.Replication),
                CertificateSummary.From(outcome)),
            _ => StatusCodes.Status201Created));
    }

    /// <summary>The answer to a vote that did not pass: 422 rejected, or 503 undecided.</summary>
    private static IResult Answer(ProposalOutcome outcome) =>
        outcome.Decision == ProposalDecision.Rejected ? Problems.Rejected(outcome) : Problems.Undecided(outcome);

    private static async Task<IResult> ListCatalogAsync(HttpRequest request, ActorSystem system, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        ContentType? type = null;
        // Given, type names one content type: an empty one (?type=) is not "all" (leave it out for that), and two are
        // not read as the one 'item,map' (recommendations judge it the same way).
        var typeValues = request.Query["type"];
        if (typeValues.Count > 1)
            errors["type"] = [$"Give type at most once (got {typeValues.Count}); expected one of {ContentTypes.Names}, or none for every type."];
        else if (request.Query.ContainsKey("type"))
        {
            var typeText = typeValues.ToString();
            if (ContentTypes.TryParse(typeText, out var parsed))
                type = parsed;
            else
                errors["type"] = [$"Unknown content type '{typeText}'; expected one of {ContentTypes.Names}, or leave type out for every type."];
        }
        var skip = RequestInput.QueryInt(request, "skip", 0, 0, int.MaxValue, errors);
        var take = RequestInput.QueryInt(request, "take", DefaultTake, 1, 1000, errors);
        RequestInput.RefuseUnknownQuery(request.Query, errors, "type", "skip", "take");
        if (errors.Count > 0)
            return Problems.Validation(errors);
        return await CatalogPageAsync(type, skip, take, system, ct);
    }

    /// <summary>A catalog page, for <c>GET /api/catalog</c> and the WebSocket <c>catalog</c>; the bounds are the caller's to check.</summary>
    internal static Task<IResult> CatalogPageAsync(ContentType? type, int skip, int take, ActorSystem system, CancellationToken ct) =>
        ReadAsync(async () => Results.Json(await GameState.For(system).ListCatalogAsync(type, skip, take, ct)));

    /// <summary>
    /// <c>GET /api/state?skip=0&amp;take=50</c>: one page of the players online, ordered by player id, with
    /// <c>onlineCount</c> to page through them all; <c>take</c> is bounded because every player carries its inventory.
    /// </summary>
    private static Task<IResult> GetStateAsync(HttpRequest request, ActorSystem system, CancellationToken ct)
    {
        var errors = RequestInput.NewErrors();
        var skip = RequestInput.QueryInt(request, "skip", 0, 0, int.MaxValue, errors);
        var take = RequestInput.QueryInt(request, "take", DefaultStateTake, 1, GameState.MaxSnapshotTake, errors);
        RequestInput.RefuseUnknownQuery(request.Query, errors, "skip", "take");
        if (errors.Count > 0)
            return Task.FromResult(Problems.Validation(errors));
        return ReadAsync(async () => Results.Json(await GameState.For(system).GetSnapshotAsync(skip, take, ct)));
    }

    private static double? ReadCoordinate(JsonElement value, string name, Dictionary<string, string[]> errors)
    {
        // TryGetDouble refuses numbers that overflow to infinity (1e400); JSON itself has no NaN or Infinity.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            errors[name] = [$"{name} must be a finite JSON number (NaN and Infinity are not coordinates)."];
            return null;
        }
        RequestInput.AddIfBad(errors, name, StateValidation.Coordinates(number, 0));
        return number;
    }

    private static Task<IResult> WriteAsync(Func<Task<WriteResult>> write) =>
        WriteAsync(write, result => new WriteAnswer(Lower(result.Replication), result.Applied));

    private static Task<IResult> WriteAsync<T>(Func<Task<WriteResult>> write, Func<WriteResult, T> answer) =>
        WriteAsync(write, answer, result => result.Replication == Replication.Pending ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);

    private static async Task<IResult> WriteAsync<T>(Func<Task<WriteResult>> write, Func<WriteResult, T> answer, Func<WriteResult, int> status)
    {
        WriteResult result;
        try
        {
            result = await write();
        }
        catch (ArgumentException e)
        {
            // The facade's own checks, in case they are stricter than the ones above; nothing was written.
            return Problems.Field(e.ParamName ?? "body", StripParamName(e));
        }
        catch (InventoryFullException e)
        {
            return InventoryFull(e);
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut("The game state did not answer in time; the write may still be applied.");
        }
        return Results.Json(answer(result), statusCode: status(result));
    }

    /// <summary>409: the add would take the player past the node's inventory cap; nothing was written.</summary>
    private static IResult InventoryFull(InventoryFullException e) =>
        Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "The inventory is full.",
            detail: $"Player {e.PlayerId} already holds {e.MaxItems} items, the most this node allows (--max-inventory-items); remove one first.",
            extensions: new Dictionary<string, object?>
            {
                ["maxItems"] = e.MaxItems,
                ["errors"] = new Dictionary<string, string[]> { ["itemId"] = [$"The inventory already holds {e.MaxItems} items."] },
            });

    private static async Task<IResult> ReadAsync(Func<Task<IResult>> read)
    {
        try
        {
            return await read();
        }
        catch (ArgumentException e)
        {
            return Problems.Field(e.ParamName ?? "query", StripParamName(e));
        }
        catch (AskTimeoutException)
        {
            return Problems.TimedOut("The game state did not answer in time.");
        }
    }

    private static string StripParamName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    private static string Lower(Replication replication) => replication.ToString().ToLowerInvariant();
}
