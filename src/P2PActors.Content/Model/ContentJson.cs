using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PActors.Content.Model;

/// <summary>
/// The one canonical JSON form of content: camelCase, enums as camelCase strings, no indentation,
/// properties in declaration order. The content id is the hex SHA-256 of this form without the id,
/// so every peer that re-serialises the same content computes the same id.
/// </summary>
public static class ContentJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = false,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize(GameContent content) =>
        CanonicalJsonWriter.TryWrite(content, out var json) ? Encoding.UTF8.GetString(json) : JsonSerializer.Serialize(content, Options);

    public static byte[] SerializeUtf8(GameContent content) =>
        CanonicalJsonWriter.TryWrite(content, out var json) ? json.ToArray() : JsonSerializer.SerializeToUtf8Bytes(content, Options);

    public static GameContent Deserialize(string json) =>
        JsonSerializer.Deserialize<GameContent>(json, Options) ?? throw new JsonException("content JSON was null");

    public static GameContent Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<GameContent>(utf8Json, Options) ?? throw new JsonException("content JSON was null");

    /// <summary>The id this content should carry: SHA-256 over its canonical JSON with the id left out.</summary>
    public static string ComputeId(GameContent content) => ComputeId(content, out _);

    /// <summary><see cref="ComputeId(GameContent)"/>, also giving the length of the canonical JSON it hashed.</summary>
    public static string ComputeId(GameContent content, out int canonicalLength)
    {
        var body = content with { Id = null };
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (CanonicalJsonWriter.TryWrite(body, out var json))
        {
            SHA256.HashData(json, hash);
            canonicalLength = json.Length;
        }
        else
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Options);
            SHA256.HashData(bytes, hash);
            canonicalLength = bytes.Length;
        }
        return Convert.ToHexStringLower(hash);
    }

    public static T WithId<T>(T content) where T : GameContent => content with { Id = ComputeId(content) };

    /// <summary>True when the content's id matches its body: what a validator checks before anything else.</summary>
    public static bool HasValidId(GameContent content) =>
        content.Id is { } id && string.Equals(id, ComputeId(content), StringComparison.Ordinal);

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
