using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// A certificate as the catalog carries it: the state holds an opaque <see cref="CatalogProof"/>, consensus owns
/// what is inside. The proof's bytes are the certificate's JSON written exactly as the message serializer writes it,
/// so headers keep the bytes they had when they carried the certificate as a typed property.
/// </summary>
public static class CertificateProof
{
    /// <summary>The proof that carries <paramref name="certificate"/> (none without one).</summary>
    [return: NotNullIfNotNull(nameof(certificate))]
    public static CatalogProof? ToProof(this Certificate? certificate) =>
        certificate is null ? null : CatalogProof.FromUtf8Json(JsonSerializer.SerializeToUtf8Bytes(certificate, P2PJsonSerializer.ValueOptions));

    /// <summary>
    /// The certificate inside <paramref name="proof"/>, or null when there is none or it is not a certificate. Parsed
    /// on each call and not kept: the admission remembers the headers it admitted, so a node parses a proof about once
    /// (when it first checks it), and a parsed certificate kept beside every proof was 40 % of the heap a shared entry
    /// left behind (14 of 33 KiB per entry over 4 nodes, `chaos --items 6000`).
    /// </summary>
    public static Certificate? ToCertificate(this CatalogProof? proof) =>
        proof is null ? null : Parse(proof);

    private static Certificate? Parse(CatalogProof proof)
    {
        try
        {
            return JsonSerializer.Deserialize<Certificate>(proof.Utf8Json, P2PJsonSerializer.ValueOptions);
        }
        catch (JsonException)
        {
            // A peer's bytes: anything that is not a certificate is no proof, and the admission says "missing".
            return null;
        }
    }
}
