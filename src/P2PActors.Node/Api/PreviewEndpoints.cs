using Akka.Actor;
using System.Globalization;
using System.Security.Cryptography;
using Akka.Hosting;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using P2PActors.Cluster.Generation;
using P2PActors.Node.Configuration;
using P2PActors.Rendering;

namespace P2PActors.Node.Api;

public static class PreviewEndpoints
{
    /// <summary>Most rendered PNGs kept per node, whatever their size; their bytes are bounded by --preview-cache-bytes.</summary>
    public const int CacheCapacity = 4096;

    public static IEndpointRouteBuilder MapPreviewEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/content/{id}/preview.png", GetPreviewAsync);
        return app;
    }

    /// <summary>
    /// <c>GET /api/content/{id}/preview.png?size=256&amp;grid=true&amp;tileSize=8</c>: the content's preview. The id is a
    /// hash of the content and rendering is deterministic, so the answer for one URL never changes and may be cached forever.
    /// </summary>
    private static async Task<IResult> GetPreviewAsync(
        string id, HttpContext http, IRequiredActor<GenerationCoordinator> coordinator, ActorSystem system, PreviewCache cache,
        PreviewRenderGate gate, NodeOptions options, CancellationToken cancellationToken)
    {
        if (!ContentEndpoints.IsContentId(id))
            return ContentEndpoints.InvalidId();
        var (previewOptions, errors) = ReadOptions(http.Request.Query);
        if (previewOptions is null)
            return Problems.Validation(errors);

        var (content, failure) = await ContentEndpoints.FindAsync(id, coordinator, system, options, cancellationToken);
        if (content is null)
            return failure!;

        var large = PreviewRenderer.LongestSide(content, previewOptions) > PreviewRenderGate.LargeSide
                    && PreviewRenderer.Validate(content, previewOptions).Count == 0
                    && !cache.Contains(id, previewOptions);
        using var slot = large ? await gate.EnterAsync(options.RequestTimeout, cancellationToken) : null;
        if (large && slot is null)
        {
            http.Response.Headers.RetryAfter = "5";
            return Problems.Unavailable("The node is busy rendering large previews.",
                $"All {gate.Slots} slots for previews over {PreviewRenderGate.LargeSide} px (--preview-renders) stayed taken for {options.RequestTimeout}; try again shortly.");
        }
        byte[] png;
        try
        {
            png = cache.GetOrRender(content, previewOptions);
        }
        catch (PreviewRequestException e) when (e.Field == "content")
        {
            // The query is fine; the content itself (e.g. a dialog without lines) has nothing to draw.
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "This content has no preview.", detail: e.Message);
        }
        catch (PreviewRequestException e)
        {
            return Problems.Field(e.Field, e.Message);
        }
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        // A hash of the bytes rather than of the URL, so a renderer that draws differently after an upgrade gets a new tag.
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(png).AsSpan(0, 16))}\"");
        // The file result answers a matching If-None-Match with 304 and no body.
        return Results.Bytes(png, "image/png", entityTag: etag);
    }

    private static (PreviewOptions? Options, Dictionary<string, string[]> Errors) ReadOptions(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var size = ReadInt(query, "size", errors) ?? PreviewOptions.Default.Size;
        var tileSize = ReadInt(query, "tileSize", errors);
        var grid = false;
        if (Single(query, "grid", errors) is { } gridText)
        {
            if (bool.TryParse(gridText, out var parsed))
                grid = parsed;
            else
                errors["grid"] = [$"Must be true or false, got '{gridText}'."];
        }
        // A misspelt option (?sise=512) must not draw the default picture as if it had been read.
        RequestInput.RefuseUnknownQuery(query, errors, "size", "tileSize", "grid");
        return (errors.Count == 0 ? new PreviewOptions(size, grid, tileSize) : null, errors);
    }

    private static int? ReadInt(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (Single(query, name, errors) is not { } text)
            return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return value;
        errors[name] = [$"Must be a whole number of pixels, got '{text}'."];
        return null;
    }

    private static string? Single(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (!query.TryGetValue(name, out StringValues values))
            return null;
        if (values.Count == 1)
            return values[0];
        errors[name] = ["Given more than once."];
        return null;
    }
}
