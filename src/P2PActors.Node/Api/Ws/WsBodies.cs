using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PActors.Node.Api.Ws;

/// <summary>Small edits of the HTTP bodies the WebSocket handlers build from their requests.</summary>
public static class WsBodies
{
    /// <summary>The body with <paramref name="name"/> set to <paramref name="value"/> (the session's player, typically).</summary>
    public static JsonElement With(JsonElement body, string name, string value)
    {
        var node = JsonNode.Parse(body.GetRawText())!.AsObject();
        node[name] = value;
        return JsonSerializer.SerializeToElement(node);
    }
}
