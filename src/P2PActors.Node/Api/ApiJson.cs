using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PActors.Node.Api;

/// <summary>The API's own documents (health, problems) follow the content's conventions: camelCase, enums as camelCase strings.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }
}
