using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;

namespace P2PActors.Node.Api;

/// <summary>Every error the API answers is RFC 9457 problem details (application/problem+json).</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request is not valid.", detail: "See errors: each key names a field of the request.");

    public static IResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail);

    /// <summary>413 naming <c>body</c>: over the node's limit (<c>MaxRequestBodyBytes</c>) or the endpoint's own, smaller one.</summary>
    public static IResult TooLarge(long limit, string? hint = null) =>
        Results.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request body is too large.",
            detail: hint is null
                ? $"This node reads at most {limit} bytes of request body."
                : $"This endpoint reads at most {limit} bytes of body; {hint}",
            extensions: BodyErrors($"Larger than {limit} bytes."));

    /// <summary>
    /// A body the server could not read (Kestrel's <see cref="BadHttpRequestException"/>: shorter than its
    /// Content-Length, broken chunked framing, too slow), answered with the status Kestrel chose (400, 408, 413).
    /// </summary>
    public static IResult UnreadableBody(int status, string reason) =>
        Results.Problem(
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status408RequestTimeout => "The request body did not arrive in time.",
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                _ => "The request body could not be read.",
            },
            detail: reason,
            extensions: BodyErrors(reason));

    private static Dictionary<string, object?> BodyErrors(string message) =>
        new() { ["errors"] = new Dictionary<string, string[]> { ["body"] = [message] } };

    /// <summary>422: the validators rejected the content; <c>rules</c> names every rule the counted rejections gave.</summary>
    public static IResult Rejected(ProposalOutcome outcome) =>
        Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The validators rejected the content.",
            detail: $"{outcome.Rejections} of {Count(outcome.Validators, "validator")} rejected it (broken rules: {string.Join(", ", outcome.Rules)}); nothing was shared.",
            extensions: Extensions(outcome, "rejected"));

    /// <summary>503: the vote reached no decision in time; the content was not shared and may be proposed again.</summary>
    public static IResult Undecided(ProposalOutcome outcome) =>
        Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "undecided",
            detail: $"The vote reached no decision within the timeout ({Count(outcome.Approvals, "approval")} of {outcome.Threshold} needed, " +
                    $"{Count(outcome.Rejections, "rejection")}, {Count(outcome.Validators, "validator")}); nothing was shared. Try again later.",
            extensions: Extensions(outcome, "undecided"));

    /// <summary>"1 validator", "0 validators", "3 validators": a count and its noun in agreement.</summary>
    internal static string Count(int count, string noun) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");

    private static Dictionary<string, object?> Extensions(ProposalOutcome outcome, string decision) => new()
    {
        ["decision"] = decision,
        ["contentId"] = outcome.ContentId,
        ["rules"] = outcome.Rules,
        ["refusals"] = outcome.Refusals,
        ["equivocators"] = outcome.Equivocators,
        ["epoch"] = outcome.Epoch,
        ["validators"] = outcome.Validators,
        ["threshold"] = outcome.Threshold,
        ["approvals"] = outcome.Approvals,
        ["rejections"] = outcome.Rejections,
    };

    public const string AlreadySharedTitle = "Already shared.";

    /// <summary>
    /// 409: the content is already in the catalog. A share again would list it under a new author (the newest admitted
    /// header is the one listed) and keep one more copy of its header on every node, for each time it is shared.
    /// </summary>
    public static IResult AlreadyShared(CatalogHeader entry) =>
        Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: AlreadySharedTitle,
            detail: $"Content '{entry.Id}' is already in the catalog, shared by '{entry.Author}'; nothing was proposed.",
            extensions: new Dictionary<string, object?> { ["contentId"] = entry.Id, ["author"] = entry.Author, ["createdMs"] = entry.CreatedMs });

    public static IResult Unavailable(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);

    /// <summary>503: a part of the node (named in the detail) did not answer within the request timeout.</summary>
    public static IResult TimedOut(string detail) => Unavailable("The node could not answer in time.", detail);
}
