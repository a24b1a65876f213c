using System.Text.Json;
using P2PActors.Cluster.Players;
using P2PActors.Content.Generation;

namespace P2PActors.Node.Api;

/// <summary>
/// Reads <c>{ "playerId": "...", "seed": 42, "params": { ... } }</c> by hand rather than by model binding, so
/// that every wrong field is reported under its own name (<c>seed</c>, <c>params.level</c>) instead of one
/// opaque "could not deserialize" error.
/// </summary>
public static class ContentRequestReader
{
    private const int MaxParams = 32;
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // As deep as a /ws frame may be (WsConnection): a value nested in it is then named by its own field
        // (params.level: not a scalar) rather than refused whole as "not valid JSON".
        MaxDepth = 32,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Parses the body. Request is null when any field is wrong; Errors then maps each wrong field to what is wrong
    /// with it, and Params still holds the parameters that could be read, so they can be checked in the same answer.
    /// </summary>
    public static async Task<(ContentRequest? Request, IReadOnlyDictionary<string, string> Params, Dictionary<string, string[]> Errors)> ReadAsync(
        Stream body, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // Bounded by Kestrel's MaxRequestBodySize: its 413, and every other read failure, is thrown to the caller.
        var bytes = await RequestInput.ReadBodyAsync(body, long.MaxValue, cancellationToken);
        var parsed = JsonInput.Parse(bytes!.Value, DocumentOptions);
        using var document = parsed.Document;
        if (parsed.InvalidJson is { } invalid)
        {
            errors["body"] = [$"The body is not valid JSON: {invalid}"];
            return (null, NoParams, errors);
        }
        if (parsed.UnreadableAt is { } path)
        {
            errors[path.Length == 0 ? "body" : path] = [JsonInput.UnreadableMessage];
            return (null, NoParams, errors);
        }
        return Read(document!.RootElement, errors);
    }

    private static (ContentRequest?, IReadOnlyDictionary<string, string>, Dictionary<string, string[]>) Read(
        JsonElement root, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The body must be a JSON object: { \"playerId\": \"...\", \"seed\": 42, \"params\": { } }."];
            return (null, NoParams, errors);
        }
        string? playerId = null;
        long? seed = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "playerId":
                    playerId = ReadPlayerId(property.Value, errors);
                    break;
                case "seed":
                    seed = ReadSeed(property.Value, errors);
                    break;
                case "params":
                    ReadParams(property.Value, parameters, errors);
                    break;
                default:
                    errors[property.Name] = ["Unknown field; the fields are playerId, seed and params."];
                    break;
            }
        }
        if (!root.TryGetProperty("playerId", out _))
            errors["playerId"] = ["Required: the id of the player asking, e.g. \"alice\"."];
        return (errors.Count == 0 ? new ContentRequest(playerId!, seed, parameters) : null, parameters, errors);
    }

    private static string? ReadPlayerId(JsonElement value, Dictionary<string, string[]> errors)
    {
        // Player ids become shard entity and persistence ids, so the cluster's own rule decides what is valid.
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } id && PlayerIds.IsValid(id))
            return id;
        errors["playerId"] = [$"Must be a string of 1 to {PlayerIds.MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'."];
        return null;
    }

    private static long? ReadSeed(JsonElement value, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seed) && Seeds.IsValid(seed))
            return seed;
        errors["seed"] = [$"Must be a whole number from 0 to {Seeds.Max} (2^53-1, so browsers read it exactly), or null for a fresh seed."];
        return null;
    }

    private static void ReadParams(JsonElement value, Dictionary<string, string> parameters, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return;
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors["params"] = ["Must be an object of parameter names to values, e.g. { \"level\": 10 }."];
            return;
        }
        foreach (var property in value.EnumerateObject())
        {
            if (parameters.Count >= MaxParams)
            {
                errors["params"] = [$"At most {MaxParams} parameters."];
                return;
            }
            // Generators take string parameters (as the CLI does), so JSON scalars are normalised to their text.
            string? text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (text is null)
                errors[$"params.{property.Name}"] = ["Must be a string, a number or a boolean."];
            else
                parameters[property.Name] = text;
        }
    }
}
