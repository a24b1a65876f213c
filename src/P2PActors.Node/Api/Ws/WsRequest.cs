using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PActors.Node.Api.Ws;

/// <summary>
/// One request as a handler sees it: the connection it came on, its fields, and helpers that read a field and record
/// an <c>invalid-field</c> error under the field's own name when it is missing or wrong.
/// </summary>
public sealed class WsRequest(WsConnection connection, string type, JsonElement root)
{
    public WsConnection Connection { get; } = connection;

    public string Type { get; } = type;

    /// <summary>The whole frame (including <c>type</c> and <c>id</c>); it outlives the read buffer.</summary>
    public JsonElement Root { get; } = root;

    /// <summary>The session's player; handlers that require a session may rely on it being set.</summary>
    public string PlayerId => Connection.Session?.PlayerId ?? throw new InvalidOperationException("The connection has no session.");

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public bool Has(string name) => Root.TryGetProperty(name, out _);

    /// <summary>The <c>invalid-field</c> answer when any helper recorded an error, else null.</summary>
    public WsReply? Invalid() => Errors.Count > 0 ? WsReply.Invalid(Errors) : null;

    public string? String(string name, bool required, string hint)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
                Errors[name] = [$"Required: {hint}."];
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        Errors[name] = [$"{name} must be a string: {hint}."];
        return null;
    }

    public int? Int(string name, int min, int max)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
            return number;
        Errors[name] = [$"{name} must be a whole number from {min} to {max}."];
        return null;
    }

    public bool? Bool(string name, string hint)
    {
        if (Root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        Errors[name] = [Root.TryGetProperty(name, out _) ? $"{name} must be true or false." : $"Required: {hint}."];
        return null;
    }

    /// <summary>
    /// The request's fields renamed to an HTTP body's names (<paramref name="renames"/>: request name → body name;
    /// fields not named are dropped), so the HTTP endpoint's own reader checks them.
    /// </summary>
    public JsonElement Body(params (string From, string To)[] renames)
    {
        var body = new JsonObject();
        foreach (var (from, to) in renames)
        {
            if (Root.TryGetProperty(from, out var value))
                body[to] = JsonNode.Parse(value.GetRawText());
        }
        return JsonSerializer.SerializeToElement(body);
    }
}
