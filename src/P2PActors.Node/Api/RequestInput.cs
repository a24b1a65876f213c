using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;

namespace P2PActors.Node.Api;

/// <summary>
/// What the endpoints share when they check a request: reading a small JSON object body, collecting 400 errors by
/// field, reading a bounded whole number from the query, and asking an actor without letting a timeout escape.
/// </summary>
internal static class RequestInput
{
    /// <summary>
    /// How one family of endpoints reads its bodies. The hints finish the endpoint's own error sentences, so each
    /// family keeps its wording: <see cref="TooLargeHint"/> follows "This endpoint reads at most N bytes of body; " and
    /// <see cref="InvalidJsonNote"/> (empty, or e.g. " (NaN ...)") follows "The body is not valid JSON", and only when
    /// the body holds one of <paramref name="NoteWhen"/> (always, with none listed): an empty body or a duplicate key
    /// told about NaN was misled.
    /// </summary>
    public sealed record BodyRules(int MaxBytes, string TooLargeHint, string InvalidJsonNote = "", IReadOnlyList<string>? NoteWhen = null)
    {
        public string NoteFor(ReadOnlySpan<byte> body)
        {
            if (InvalidJsonNote.Length == 0 || NoteWhen is not { Count: > 0 } words) return InvalidJsonNote;
            foreach (var word in words)
                if (body.IndexOf(System.Text.Encoding.UTF8.GetBytes(word)) >= 0) return InvalidJsonNote;
            return "";
        }
    }

    // Small objects of scalars: depth 4 is room enough, and a repeated field is refused rather than silently last-wins.
    private static readonly JsonDocumentOptions SmallObject = new() { MaxDepth = 4, AllowDuplicateProperties = false };

    public static Dictionary<string, string[]> NewErrors() => new(StringComparer.Ordinal);

    public static void AddIfBad(Dictionary<string, string[]> errors, string field, string? problem)
    {
        if (problem is not null)
            errors[field] = [problem];
    }

    /// <summary>
    /// Reads a small JSON object body; the problem (a 400 naming <c>body</c> or the field whose text cannot be read, a
    /// 413 for a body over the limit) is set when there is none to read. The body is bounded while it is read, so a
    /// client that declares no length (chunked) cannot send more either. A body the server cannot read at all (shorter
    /// than its Content-Length, broken chunking) throws Kestrel's <see cref="BadHttpRequestException"/>, which
    /// <see cref="ClientErrorHandler"/> answers with its own status.
    /// </summary>
    public static async Task<(JsonElement? Root, IResult? Problem)> ReadObjectAsync(
        HttpContext http, BodyRules rules, string example, CancellationToken ct)
    {
        if (http.Request.ContentLength > rules.MaxBytes)
            return (null, TooLarge(http, rules));
        ReadOnlyMemory<byte> body;
        try
        {
            if (await ReadBodyAsync(http.Request.Body, rules.MaxBytes, ct) is not { } read)
                return (null, TooLarge(http, rules));
            body = read;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(http, rules));
        }
        var parsed = JsonInput.Parse(body, SmallObject);
        using var document = parsed.Document;
        if (parsed.InvalidJson is { } invalid)
            return (null, Problems.Field("body", $"The body is not valid JSON{rules.NoteFor(body.Span)}: {invalid}"));
        if (parsed.UnreadableAt is { } path)
            return (null, Problems.Field(path.Length == 0 ? "body" : path, JsonInput.UnreadableMessage));
        if (document!.RootElement.ValueKind != JsonValueKind.Object)
            return (null, Problems.Field("body", $"The body must be a JSON object, e.g. {example}."));
        return (document.RootElement.Clone(), null);
    }

    /// <summary>
    /// The whole body, or null once it grows past <paramref name="maxBytes"/> (read in pieces, so a body that declares no
    /// length cannot take more memory either). Every way the body can fail to arrive is thrown as a
    /// <see cref="BadHttpRequestException"/> for <see cref="ClientErrorHandler"/> to answer: Kestrel throws most of them
    /// so, but a chunk size that overflows comes as a plain <see cref="IOException"/> (with an OverflowException
    /// inside), which would otherwise be a 500.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                    return null;
            }
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            throw new BadHttpRequestException($"The request body could not be read: {e.Message}", StatusCodes.Status400BadRequest, e);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// The smaller of the endpoint's limit and the node's (<c>--max-body-bytes</c> may be set below an endpoint's own):
    /// the limit the client actually ran into.
    /// </summary>
    private static IResult TooLarge(HttpContext http, BodyRules rules) =>
        Problems.TooLarge(Math.Min(rules.MaxBytes, http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? long.MaxValue),
            rules.TooLargeHint);

    /// <summary>
    /// Records every query parameter not in <paramref name="known"/> as an error: a misspelt one (<c>?tpye=item</c>)
    /// must not be answered as if it had not been given.
    /// </summary>
    public static void RefuseUnknownQuery(IQueryCollection query, Dictionary<string, string[]> errors, params string[] known)
    {
        var list = known.Length == 1 ? known[0] : $"{string.Join(", ", known[..^1])} and {known[^1]}";
        foreach (var name in query.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)))
            errors[name] = [$"Unknown query parameter; the parameters are {list}."];
    }

    /// <summary>
    /// A query parameter that must appear at most once as a whole number in [min, max]; absent means the fallback.
    /// A bad one is recorded in <paramref name="errors"/> and the fallback returned.
    /// </summary>
    public static int QueryInt(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name];
        if (values.Count == 0)
            return fallback;
        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors[name] = [$"{name} must be one whole number from {min} to {max}."];
        return fallback;
    }

    /// <summary>The actor's answer, or null when it did not answer in time; the caller turns that into its own 503.</summary>
    public static async Task<object?> AskOrNullAsync<TActor>(
        IRequiredActor<TActor> actor, object message, TimeSpan timeout, CancellationToken ct)
    {
        var reference = await actor.GetAsync(ct);
        try
        {
            return await reference.Ask<object>(message, timeout, ct);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
