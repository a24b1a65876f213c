using System.Text.Json;

namespace P2PActors.Node.Api;

/// <summary>
/// Parses the JSON a client sends (HTTP bodies, WebSocket frames) so that every string in it can be read afterwards.
/// System.Text.Json accepts a lone UTF-16 surrogate escape (<c>"\ud800"</c>) and bytes that are not UTF-8 inside a
/// string, and throws <see cref="InvalidOperationException"/> only when that string (or property name) is read, deep
/// in whichever handler reads it: a 500. Checking every string and name once, here, makes it a client error that names
/// the field, and lets every reader after this trust <c>GetString</c> and <c>Name</c>.
/// </summary>
internal static class JsonInput
{
    public const string UnreadableMessage =
        "Not valid Unicode text: it holds an unpaired UTF-16 surrogate escape (such as \\ud800) or bytes that are not UTF-8.";

    /// <summary>
    /// The outcome of <see cref="Parse"/>: the <see cref="JsonException"/> message of JSON that does not parse; or the
    /// document (the caller disposes it) and, when some text in it does not read, the path of the first such string or
    /// property name (<c>zone</c>, <c>params.kind</c>, <c>topics[1]</c>; for a property name, the path of the object
    /// holding it, <c>""</c> at the top level). Only the document's readable parts may be read: with
    /// <see cref="UnreadableAt"/> set, its names can be looked up only when the path is not the root's own (<c>""</c>),
    /// and the document is null when the parser itself stumbled on a name.
    /// </summary>
    public readonly record struct Parsed(JsonDocument? Document, string? InvalidJson, string? UnreadableAt);

    public static Parsed Parse(ReadOnlyMemory<byte> json, JsonDocumentOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, options);
        }
        catch (JsonException e)
        {
            return new Parsed(null, e.Message, null);
        }
        catch (InvalidOperationException) when (!options.AllowDuplicateProperties)
        {
            // The duplicate-name check decodes every property name while parsing; parse without it to find the name.
            var located = Parse(json, options with { AllowDuplicateProperties = true });
            located.Document?.Dispose();
            return new Parsed(null, null, located.UnreadableAt ?? "");
        }
        return new Parsed(document, null, FindUnreadable(document.RootElement, ""));
    }

    /// <summary>
    /// Depth first, but an object's own property names before any of its values: when the path found is not the
    /// object's own, every name of that object reads, so a caller may still look a sibling up by name (a frame's id).
    /// Recursion is bounded by the parser's MaxDepth.
    /// </summary>
    private static string? FindUnreadable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Reads(() => element.GetString()) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Reads(() => property.Name))
                        return path;
                }
                foreach (var property in element.EnumerateObject())
                {
                    if (FindUnreadable(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}") is { } found)
                        return found;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUnreadable(item, $"{path}[{index++}]") is { } found)
                        return found;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Reads(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
