namespace P2PActors.Node.Api;

/// <summary>Every error the API answers is RFC 9457 problem details (application/problem+json).</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request is not valid.", detail: "See errors: each key names a field of the request.");

    public static IResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail);

    public static IResult TooLarge(long limit) =>
        Results.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request body is too large.",
            detail: $"This node reads at most {limit} bytes of request body.",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["body"] = [$"Larger than {limit} bytes."] } });

    public static IResult Unavailable(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
}
