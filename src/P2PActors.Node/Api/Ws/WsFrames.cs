using System.Buffers;
using System.Text.Json;

namespace P2PActors.Node.Api.Ws;

/// <summary>Encodes outgoing frames: <c>type</c>, then <c>id</c> when answering a request, then the payload's fields.</summary>
public static class WsFrames
{
    public static readonly JsonSerializerOptions Json = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);
        return options;
    }

    /// <summary>
    /// The frame's UTF-8 bytes. The payload's top-level <c>type</c> and <c>id</c> (a content's type and id in the HTTP
    /// answers the requests reuse) become <c>contentType</c> and <c>contentId</c>, so they never clash with the envelope.
    /// </summary>
    public static byte[] Encode(string type, JsonElement? id, object? payload)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            if (id is { } requestId)
            {
                writer.WritePropertyName("id");
                requestId.WriteTo(writer);
            }
            if (payload is not null)
            {
                var element = payload as JsonElement? ?? JsonSerializer.SerializeToElement(payload, payload.GetType(), Json);
                if (element.ValueKind != JsonValueKind.Object)
                    throw new ArgumentException($"A {type} payload must serialize to a JSON object.", nameof(payload));
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name switch
                    {
                        "type" => "contentType",
                        "id" => "contentId",
                        var name => name,
                    });
                    property.Value.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A payload alone as a JSON object (a move inside a <c>positions</c> frame), with the frames' naming.</summary>
    public static byte[] EncodeObject(object payload) => JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), Json);
}
