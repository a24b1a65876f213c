using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Cluster.Hosting;
using P2PActors.Node.Cli;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;
using P2PActors.Testing;

namespace P2PActors.Node.Tests;

/// <summary>
/// The remoting TLS settings: each unusable one stops the node with exit code 2 and one line naming it, before any
/// socket is opened; a usable one reaches <see cref="NodeSettings.RemoteTls"/>. Environment variables are process-wide,
/// so the class runs alone.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class RemoteTlsConfigurationTests : IDisposable
{
    private readonly TestCertificate _certificate = TestCertificate.Create();

    public void Dispose() => _certificate.Dispose();

    private static async Task<(int ExitCode, string Error)> RunNodeAsync(params string[] flags)
    {
        using var error = new StringWriter();
        // Bounded: flags taken as valid start a node that runs until stopped, and the test would never end.
        var exitCode = await NodeCli.RunAsync(["node", "--http-url", "http://127.0.0.1:0", "--port", "0", .. flags], TextWriter.Null, error)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, error.ToString());
    }

    private static void AssertOneLineNaming(string setting, string expected, (int ExitCode, string Error) run)
    {
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.Error);
        Assert.StartsWith(setting, lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_exits_with_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"p2pactors-missing-{Guid.NewGuid():N}.pfx");

        AssertOneLineNaming("--remote-tls-certificate", "does not exist", await RunNodeAsync("--remote-tls-certificate", missing));
    }

    [Fact]
    public async Task A_wrong_password_exits_with_2_without_printing_it()
    {
        var run = await RunNodeAsync("--remote-tls-certificate", _certificate.PfxPath, "--remote-tls-password", "not-the-password");

        AssertOneLineNaming("--remote-tls-certificate", "wrong password", run);
        Assert.Contains("--remote-tls-password", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_pfx_exits_with_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"p2pactors-notpfx-{Guid.NewGuid():N}.pfx");
        await File.WriteAllTextAsync(path, "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n");
        try
        {
            AssertOneLineNaming("--remote-tls-certificate", "PKCS#12", await RunNodeAsync("--remote-tls-certificate", path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_exits_with_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"p2pactors-nokey-{Guid.NewGuid():N}.pfx");
        using (var publicOnly = X509CertificateLoader.LoadCertificate(_certificate.Certificate.RawData))
            await File.WriteAllBytesAsync(path, publicOnly.Export(X509ContentType.Pfx, TestCertificate.Password));
        try
        {
            AssertOneLineNaming("--remote-tls-certificate", "no private key",
                await RunNodeAsync("--remote-tls-certificate", path, "--remote-tls-password", TestCertificate.Password));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unknown_validation_mode_exits_with_2()
    {
        AssertOneLineNaming("--remote-tls-validation", "expected one of pinned, chain, none", await RunNodeAsync(
            "--remote-tls-certificate", _certificate.PfxPath, "--remote-tls-password", TestCertificate.Password, "--remote-tls-validation", "strict"));
    }

    [Fact]
    public async Task A_validation_mode_without_a_certificate_exits_with_2()
    {
        AssertOneLineNaming("--remote-tls-validation", "without --remote-tls-certificate", await RunNodeAsync("--remote-tls-validation", "chain"));
    }

    [Fact]
    public async Task A_password_without_a_certificate_exits_with_2_without_printing_it()
    {
        // It was taken, and the node ran plain TCP as if TLS had not been asked for.
        var run = await RunNodeAsync("--remote-tls-password", "secret-of-no-certificate");

        AssertOneLineNaming("--remote-tls-password", "without --remote-tls-certificate", run);
        Assert.DoesNotContain("secret-of-no-certificate", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_hash_that_is_not_sha256_exits_with_2()
    {
        AssertOneLineNaming("--remote-tls-peer-hashes", "not a SHA-256 hash", await RunNodeAsync(
            "--remote-tls-certificate", _certificate.PfxPath, "--remote-tls-password", TestCertificate.Password, "--remote-tls-peer-hashes", "abc123"));
    }

    [Fact]
    public async Task With_tls_an_akka_tcp_seed_is_refused_and_the_message_says_why()
    {
        var run = await RunNodeAsync("--remote-tls-certificate", _certificate.PfxPath, "--remote-tls-password", TestCertificate.Password,
            "--seed-node", "akka.tcp://p2pactors@127.0.0.1:4053");

        AssertOneLineNaming("--seed-node", "this node speaks TLS", run);
        Assert.Contains("akka.ssl.tcp://p2pactors@127.0.0.1:4053", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_tls_an_akka_ssl_tcp_seed_is_refused_and_the_message_says_why()
    {
        var run = await RunNodeAsync("--seed-node", "akka.ssl.tcp://p2pactors@127.0.0.1:4053");

        AssertOneLineNaming("--seed-node", "this node speaks plain TCP", run);
        Assert.Contains("--remote-tls-certificate", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_reach_the_node_settings_with_pinned_as_the_default_and_akka_ssl_tcp_seeds()
    {
        using var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:RemoteTlsCertificate"] = _certificate.PfxPath,
            ["P2PActors:RemoteTlsPassword"] = TestCertificate.Password,
            ["P2PActors:RemoteTlsPeerHashes"] = new string('a', 64),
            ["P2PActors:SeedNodes"] = "akka.ssl.tcp://p2pactors@127.0.0.1:4053",
        });
        var options = app.Services.GetRequiredService<NodeOptions>();

        var tls = ActorSystemSetup.ToSettings(options).RemoteTls;

        Assert.NotNull(tls);
        Assert.Equal(RemoteTlsValidation.Pinned, tls.Validation);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal(_certificate.Certificate.Thumbprint, tls.Certificate.Thumbprint);
        Assert.Equal([new string('a', 64)], tls.PeerCertificateHashes);
        Assert.Equal("akka.ssl.tcp", options.RemoteProtocol);
    }

    [Fact]
    public void The_settings_also_come_from_the_environment()
    {
        Environment.SetEnvironmentVariable("P2PActors__RemoteTlsCertificate", _certificate.PfxPath);
        Environment.SetEnvironmentVariable("P2PActors__RemoteTlsPassword", TestCertificate.Password);
        Environment.SetEnvironmentVariable("P2PActors__RemoteTlsValidation", "chain");
        try
        {
            using var app = NodeHost.Build(new Dictionary<string, string?>());
            var tls = ActorSystemSetup.ToSettings(app.Services.GetRequiredService<NodeOptions>()).RemoteTls;

            Assert.NotNull(tls);
            Assert.Equal(RemoteTlsValidation.Chain, tls.Validation);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__RemoteTlsCertificate", null);
            Environment.SetEnvironmentVariable("P2PActors__RemoteTlsPassword", null);
            Environment.SetEnvironmentVariable("P2PActors__RemoteTlsValidation", null);
        }
    }

    [Fact]
    public void Without_a_certificate_remoting_is_plain_tcp()
    {
        using var app = NodeHost.Build(new Dictionary<string, string?>());
        var options = app.Services.GetRequiredService<NodeOptions>();

        Assert.Null(ActorSystemSetup.ToSettings(options).RemoteTls);
        Assert.Equal("akka.tcp", options.RemoteProtocol);
    }
}
