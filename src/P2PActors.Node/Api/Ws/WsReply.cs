namespace P2PActors.Node.Api.Ws;

/// <summary>
/// The one answer to a request: a frame of <see cref="Type"/> whose fields are <see cref="Payload"/>'s properties
/// (serialized camelCase, flattened next to <c>type</c> and <c>id</c>). Errors are <c>error</c> frames.
/// </summary>
public sealed record WsReply(string Type, object? Payload)
{
    public bool IsError => Type == "error";

    public static WsReply Answer(string type, object? payload = null) => new(type, payload);

    public static WsReply Error(string code, string message, IDictionary<string, string[]>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code, ["message"] = message };
        if (errors is { Count: > 0 })
            body["errors"] = errors;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
            body.TryAdd(key, value);
        return new("error", body);
    }

    public static WsReply Invalid(IDictionary<string, string[]> errors) =>
        Error(WsErrors.InvalidField, "The request is not valid.", errors);

    public static WsReply Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });
}
