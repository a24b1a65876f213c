using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PActors.Cluster.State;

/// <summary>
/// The proof a catalog entry was accepted, as the state holds it: opaque JSON that the state stores, replicates and
/// compares but never interprets. Whoever admits entries (<see cref="ICatalogAdmission"/>) owns its format — with
/// consensus, a validator certificate — so the state does not depend on the module that decides what goes in.
/// It serializes as the JSON value itself, byte for byte, so a header carries exactly the bytes it carried when the
/// proof was a typed certificate: stored rows and older peers read back unchanged, and equal headers keep equal bytes
/// (the replicator compares digests of serialized state).
/// </summary>
[JsonConverter(typeof(CatalogProofJsonConverter))]
public sealed class CatalogProof : IEquatable<CatalogProof>
{
    private readonly byte[] _utf8;
    private readonly int _hash;
    private byte[]? _sha256;

    private CatalogProof(byte[] utf8)
    {
        _utf8 = utf8;
        var hash = new HashCode();
        hash.AddBytes(utf8);
        // Hashed once: admission remembers admitted headers in a dictionary keyed by the whole header.
        _hash = hash.ToHashCode();
    }

    /// <summary>The proof's JSON (UTF-8), exactly as it was written.</summary>
    public ReadOnlySpan<byte> Utf8Json => _utf8;

    /// <summary>A proof from one complete JSON value; refuses anything else, so a header never carries bytes that do not parse.</summary>
    public static CatalogProof FromUtf8Json(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || !reader.TrySkip() || reader.Read() || reader.BytesConsumed != utf8Json.Length)
            throw new ArgumentException("a catalog proof must be exactly one JSON value", nameof(utf8Json));
        return new CatalogProof(utf8Json.ToArray());
    }

    /// <summary>
    /// SHA-256 of <see cref="Utf8Json"/>, worked out on first use: what lets a node remember a proof it checked without
    /// keeping its bytes (two proofs with one digest are the same proof, even when a peer crafted one of them).
    /// </summary>
    public ReadOnlySpan<byte> Sha256 => _sha256 ??= System.Security.Cryptography.SHA256.HashData(_utf8);

    public bool Equals(CatalogProof? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && _utf8.AsSpan().SequenceEqual(other._utf8)));

    public override bool Equals(object? obj) => Equals(obj as CatalogProof);

    public override int GetHashCode() => _hash;

    public override string ToString() => System.Text.Encoding.UTF8.GetString(_utf8);

    /// <summary>Reads and writes the proof as its raw JSON value, not as an object with properties.</summary>
    private sealed class CatalogProofJsonConverter : JsonConverter<CatalogProof>
    {
        public override CatalogProof Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // The value's own UTF-8 bytes, copied once: no detour through a string (a transcode each way) for each
            // header of every batch a peer pushes.
            using var document = JsonDocument.ParseValue(ref reader);
            return new CatalogProof(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
        }

        public override void Write(Utf8JsonWriter writer, CatalogProof value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value._utf8, skipInputValidation: true);
    }
}
