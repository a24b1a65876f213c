using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace P2PActors.Cluster.Consensus;

/// <summary>Validator ids are the lower-case hex of an Ed25519 public key; one spelling per key.</summary>
public static class ValidatorKeys
{
    public const int IdLength = 64;

    public const int SignatureLength = 64;

    public static bool IsCanonicalId([NotNullWhen(true)] string? id)
    {
        if (id is not { Length: IdLength })
            return false;
        foreach (var c in id)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
                return false;
        }
        return true;
    }

    public static bool TryParse(string? id, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        return IsCanonicalId(id) &&
               PublicKey.TryImport(SignatureAlgorithm.Ed25519, Convert.FromHexString(id), KeyBlobFormat.RawPublicKey, out key) &&
               key is not null;
    }

    public static bool Verify(PublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureLength && SignatureAlgorithm.Ed25519.Verify(key, data, signature);
}
