using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Turns what an HTTP endpoint's shared code path answered into a WebSocket answer, so a request and its HTTP twin
/// share validation, messages and outcomes: a JSON value becomes the answer's fields, a problem an <c>error</c>.
/// </summary>
public static class WsHttpResults
{
    /// <param name="fields">Maps an HTTP field name (a path segment, a body field) to the request's field name.</param>
    public static WsReply ToReply(IResult result, string answerType, Func<string, string>? fields = null)
    {
        switch (result)
        {
            case ProblemHttpResult problem:
                return FromProblem(problem.ProblemDetails, problem.StatusCode, fields ?? (f => f));
            case ValidationProblem validation:
                return FromProblem(validation.ProblemDetails, validation.StatusCode, fields ?? (f => f));
            case IValueHttpResult { Value: var value }:
                return WsReply.Answer(answerType, value);
            default:
                throw new InvalidOperationException($"The HTTP code path answered {result.GetType().Name}, which has no WebSocket form.");
        }
    }

    private static WsReply FromProblem(ProblemDetails problem, int status, Func<string, string> fields)
    {
        var message = problem.Detail is { Length: > 0 } detail && status != StatusCodes.Status400BadRequest
            ? $"{problem.Title} {detail}"
            : problem.Title ?? "The request failed.";
        var extensions = problem.Extensions.Where(e => e.Key is not ("errors" or "traceId"))
            .ToDictionary(e => e.Key, e => e.Value);
        switch (status)
        {
            case StatusCodes.Status400BadRequest:
                var errors = problem is HttpValidationProblemDetails validation
                    ? validation.Errors.ToDictionary(e => fields(e.Key), e => e.Value)
                    : new Dictionary<string, string[]> { ["request"] = [problem.Detail ?? message] };
                return WsReply.Error(WsErrors.InvalidField, message, errors);
            case StatusCodes.Status404NotFound:
                return WsReply.Error(WsErrors.NotFound, message);
            case StatusCodes.Status409Conflict when problem.Title == Problems.AlreadySharedTitle:
                return WsReply.Error(WsErrors.AlreadyShared, message, extensions: extensions);
            case StatusCodes.Status409Conflict:
                return WsReply.Error(WsErrors.InventoryFull, message, extensions: extensions);
            case StatusCodes.Status413PayloadTooLarge:
                return WsReply.Error(WsErrors.TooLarge, message);
            case StatusCodes.Status422UnprocessableEntity:
                return WsReply.Error(WsErrors.Rejected, message, extensions: extensions);
            case StatusCodes.Status503ServiceUnavailable when problem.Title == "undecided":
                return WsReply.Error(WsErrors.Undecided, message, extensions: extensions);
            default:
                return WsReply.Error(WsErrors.Unavailable, message);
        }
    }
}
