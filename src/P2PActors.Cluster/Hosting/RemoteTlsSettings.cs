using Akka.Event;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;

namespace P2PActors.Cluster.Hosting;

/// <summary>How a TLS node decides whether the certificate a peer presents is one it talks to.</summary>
public enum RemoteTlsValidation
{
    /// <summary>The peer must present this node's own certificate or one whose SHA-256 hash is in <see cref="RemoteTlsSettings.PeerCertificateHashes"/>.</summary>
    Pinned,

    /// <summary>The peer's certificate must chain to a root this machine trusts (host names are not checked: peers are dialled by IP).</summary>
    Chain,

    /// <summary>Any certificate: traffic is encrypted, but anyone with a certificate of their own can join.</summary>
    None,
}

public static class RemoteTlsValidations
{
    public static IReadOnlyList<string> Names { get; } = ["pinned", "chain", "none"];

    public static bool TryParse(string? name, out RemoteTlsValidation validation)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "pinned": validation = RemoteTlsValidation.Pinned; return true;
            case "chain": validation = RemoteTlsValidation.Chain; return true;
            case "none": validation = RemoteTlsValidation.None; return true;
            default: validation = RemoteTlsValidation.Pinned; return false;
        }
    }
}

/// <summary>TLS for Akka remoting (DotNetty SSL): this node's certificate with its private key, and how peers are checked.</summary>
public sealed record RemoteTlsSettings
{
    public required X509Certificate2 Certificate { get; init; }

    public RemoteTlsValidation Validation { get; init; } = RemoteTlsValidation.Pinned;

    /// <summary>With <see cref="RemoteTlsValidation.Pinned"/>: hex SHA-256 hashes of further certificates peers may present.</summary>
    public IReadOnlyList<string> PeerCertificateHashes { get; init; } = [];

    /// <summary>Upper-case hex SHA-256 hash of a certificate's DER bytes (what <c>openssl x509 -fingerprint -sha256</c> prints, without colons).</summary>
    public static string HashOf(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>
    /// The callback Akka runs on both ends of each handshake (mutual TLS) for <see cref="RemoteTlsValidation.Pinned"/>.
    /// It ignores chain errors on purpose: a pinned certificate is usually self-signed, and the exact match is stronger.
    /// Akka's own <c>CertificateValidation.PinnedCertificate</c> compares SHA-1 thumbprints; SHA-256 is used here.
    /// </summary>
    public CertificateValidationCallback PinnedValidator()
    {
        var allowed = PeerCertificateHashes.Select(h => h.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant())
            .Append(HashOf(Certificate)).ToHashSet(StringComparer.Ordinal);
        return (certificate, _, remotePeer, _, log) =>
        {
            if (certificate is not null && allowed.Contains(HashOf(certificate)))
                return true;
            log?.Warning("Remoting TLS: refused {0}: its certificate {1} is not pinned (--remote-tls-validation pinned)",
                remotePeer, certificate is null ? "(none)" : HashOf(certificate));
            return false;
        };
    }
}
