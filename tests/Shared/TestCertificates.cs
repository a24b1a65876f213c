using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace P2PActors.Testing;

/// <summary>
/// Self-signed remoting certificates made at run time, so no private key is ever committed. Each is written to its own
/// temporary PFX (PKCS#12), the form <c>--remote-tls-certificate</c> reads, and deleted with the instance.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "test-pfx-password";

    private TestCertificate(string path, X509Certificate2 certificate)
    {
        PfxPath = path;
        Certificate = certificate;
    }

    public string PfxPath { get; }

    /// <summary>The certificate with its private key, loaded from <see cref="PfxPath"/> as a node would load it.</summary>
    public X509Certificate2 Certificate { get; }

    public static TestCertificate Create(string subject = "CN=p2pactors-test")
    {
        // RSA 2048: what openssl and dotnet dev-certs make by default, so the tests run the certificates operators use.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        // Both ends of mutual TLS present it, so it serves as server and as client certificate.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Path.GetTempPath(), $"p2pactors-cert-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, made.Export(X509ContentType.Pfx, Password));
        return new TestCertificate(path, X509CertificateLoader.LoadPkcs12FromFile(path, Password));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        File.Delete(PfxPath);
    }
}
