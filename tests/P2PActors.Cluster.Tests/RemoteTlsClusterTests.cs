using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Akka.Event;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Hosting;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Testing;

namespace P2PActors.Cluster.Tests;

/// <summary>
/// TLS remoting between full nodes (WithP2PNode) on 127.0.0.1. Timeouts are generous: CI runs these on two busy
/// cores, and a TLS handshake per association adds to every join. With TLS on, Akka's addresses use the protocol
/// <c>akka.ssl.tcp</c>, so the seed addresses do too.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class RemoteTlsClusterTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Three_nodes_with_the_same_pinned_certificate_form_a_cluster_and_decide_a_proposal()
    {
        using var certificate = TestCertificate.Create();
        var tls = new RemoteTlsSettings { Certificate = certificate.Certificate, Validation = RemoteTlsValidation.Pinned };
        using var data = new DataDirectories(3);
        var seedPort = FreePort();
        var seed = $"akka.ssl.tcp://p2pactors@127.0.0.1:{seedPort}";
        var nodes = new List<TestNode>();
        try
        {
            for (var i = 0; i < 3; i++)
                nodes.Add(await TestNode.StartAsync(data[i].Settings() with
                {
                    Port = i == 0 ? seedPort : 0,
                    SeedNodes = [seed],
                    RemoteTls = tls,
                }));

            await AwaitAssertAsync(() =>
            {
                foreach (var node in nodes)
                    Assert.Equal(3, Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up));
            }, Timeout, Interval);

            // A decision needs votes from the other two over the TLS associations.
            var content = ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string>(), 4242);
            await AwaitAssertAsync(async () =>
            {
                var outcome = await ConsensusClient.For(nodes[2].System).ProposeAsync(content);
                Assert.Equal(ProposalDecision.Accepted, outcome.Decision);
                Assert.Equal(3, outcome.Validators);
            }, Timeout, Interval);
        }
        finally
        {
            foreach (var node in Enumerable.Reverse(nodes))
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Under_pinned_a_node_with_another_certificate_or_without_tls_cannot_join_while_one_with_the_pin_can()
    {
        using var pinned = TestCertificate.Create("CN=p2pactors-cluster");
        using var other = TestCertificate.Create("CN=p2pactors-intruder");
        var tls = new RemoteTlsSettings { Certificate = pinned.Certificate, Validation = RemoteTlsValidation.Pinned };
        using var data = new DataDirectories(4);
        var seedPort = FreePort();
        var seed = $"akka.ssl.tcp://p2pactors@127.0.0.1:{seedPort}";
        var nodes = new List<TestNode>();
        try
        {
            var seedNode = await TestNode.StartAsync(data[0].Settings() with { Port = seedPort, SeedNodes = [seed], RemoteTls = tls });
            nodes.Add(seedNode);
            await AwaitAssertAsync(() => Assert.Single(Akka.Cluster.Cluster.Get(seedNode.System).State.Members,
                m => m.Status == MemberStatus.Up), Timeout, Interval);
            var warnings = CreateTestProbe(seedNode.System);
            seedNode.System.EventStream.Subscribe(warnings.Ref, typeof(Warning));

            // The intruder's own check would also refuse the seed (mutual TLS, each pins its own certificate).
            // The outsiders are bare remoting + cluster systems: all they do is try to join, and without persistence or
            // consensus to start they cannot hold the test up (a full node's start waits for its journal).
            await using var intruder = await Outsider.StartAsync(data[1].Settings() with
            {
                SeedNodes = [seed],
                RemoteTls = tls with { Certificate = other.Certificate },
            });
            // Mutual TLS: whichever side checks the other's certificate first refuses it, and which one that is depends on
            // who dials whom first. Either refusal proves the pin; the join attempts repeat, so one is always logged.
            intruder.System.EventStream.Subscribe(warnings.Ref, typeof(Warning));
            await using var plain = await Outsider.StartAsync(data[2].Settings() with { SeedNodes = [seed.Replace("akka.ssl.tcp", "akka.tcp", StringComparison.Ordinal)] });

            // The seed refused the intruder's certificate, or the intruder the seed's ...
            warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("is not pinned", StringComparison.Ordinal), Timeout);
            // ... and a node with the pin, started after both, still gets in: the seed was reachable all along.
            var member = await TestNode.StartAsync(data[3].Settings() with { SeedNodes = [seed], RemoteTls = tls });
            nodes.Add(member);
            await AwaitAssertAsync(() =>
                Assert.Equal(2, Akka.Cluster.Cluster.Get(seedNode.System).State.Members.Count(m => m.Status == MemberStatus.Up)),
                Timeout, Interval);

            var members = Akka.Cluster.Cluster.Get(seedNode.System).State.Members.Select(m => m.Address).ToHashSet();
            Assert.Equal(new HashSet<Akka.Actor.Address>
            {
                Akka.Cluster.Cluster.Get(seedNode.System).SelfAddress,
                Akka.Cluster.Cluster.Get(member.System).SelfAddress,
            }, members);
            Assert.Empty(Akka.Cluster.Cluster.Get(intruder.System).State.Members);
            Assert.Empty(Akka.Cluster.Cluster.Get(plain.System).State.Members);
        }
        finally
        {
            foreach (var node in Enumerable.Reverse(nodes))
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Under_none_nodes_with_different_certificates_still_form_a_cluster()
    {
        using var first = TestCertificate.Create("CN=p2pactors-a");
        using var second = TestCertificate.Create("CN=p2pactors-b");
        using var data = new DataDirectories(2);
        var seedPort = FreePort();
        var seed = $"akka.ssl.tcp://p2pactors@127.0.0.1:{seedPort}";
        await using var a = await TestNode.StartAsync(data[0].Settings() with
        {
            Port = seedPort,
            SeedNodes = [seed],
            RemoteTls = new RemoteTlsSettings { Certificate = first.Certificate, Validation = RemoteTlsValidation.None },
        });
        await using var b = await TestNode.StartAsync(data[1].Settings() with
        {
            SeedNodes = [seed],
            RemoteTls = new RemoteTlsSettings { Certificate = second.Certificate, Validation = RemoteTlsValidation.None },
        });

        await AwaitAssertAsync(() =>
        {
            foreach (var node in new[] { a, b })
                Assert.Equal(2, Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up));
        }, Timeout, Interval);
    }

    [Fact]
    public async Task Over_tls_remoting_writes_unbatched_and_over_plain_tcp_batched()
    {
        // Akka's flush batching behind DotNetty's TLS handler froze whole associations for up to seconds (13 of 64
        // chaos runs, docs/benchmarks.md); over plain TCP it never did and saves system calls, so it stays there.
        using var certificate = TestCertificate.Create();
        using var data = new DataDirectories(2);
        await using var tls = await Outsider.StartAsync(data[0].Settings() with
        {
            RemoteTls = new RemoteTlsSettings { Certificate = certificate.Certificate, Validation = RemoteTlsValidation.Pinned },
        });
        await using var plain = await Outsider.StartAsync(data[1].Settings());

        Assert.Equal("akka.ssl.tcp", Akka.Cluster.Cluster.Get(tls.System).SelfAddress.Protocol);
        Assert.False(tls.System.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.batching.enabled", true));
        Assert.Equal("akka.tcp", Akka.Cluster.Cluster.Get(plain.System).SelfAddress.Protocol);
        Assert.True(plain.System.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.batching.enabled", false));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class DataDirectories(int count) : IDisposable
    {
        private readonly TempDataDirectory[] _directories = Enumerable.Range(0, count).Select(_ => new TempDataDirectory()).ToArray();

        public TempDataDirectory this[int index] => _directories[index];

        public void Dispose()
        {
            foreach (var directory in _directories)
                directory.Dispose();
        }
    }
}

/// <summary>A system with only remoting (TLS as configured) and clustering, the way an outsider tries to join.</summary>
internal sealed class Outsider : IAsyncDisposable
{
    private readonly IHost _host;

    private Outsider(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public static async Task<Outsider> StartAsync(NodeSettings settings)
    {
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(settings.SystemName, builder => builder
                .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
                .WithP2PRemoting(settings)
                .WithClustering(new ClusterOptions { SeedNodes = settings.SeedNodes.ToArray() })))
            .Build();
        await host.StartAsync();
        return new Outsider(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
