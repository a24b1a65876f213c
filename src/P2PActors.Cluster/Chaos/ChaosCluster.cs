using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Hosting;

namespace P2PActors.Cluster.Chaos;

/// <summary>One node of a chaos cluster: a full P2PActors node (the production hosting) in this process.</summary>
public sealed class ChaosNode(int index, ByzantineMode mode, bool isSybil, IHost host, string dataDirectory)
{
    public int Index { get; } = index;

    public ByzantineMode Mode { get; } = mode;

    public bool IsHonest => Mode == ByzantineMode.Honest;

    /// <summary>An extra member an attacker added (<see cref="ChaosOptions.Sybils"/>).</summary>
    public bool IsSybil { get; } = isSybil;

    public string Name => IsSybil ? $"node {Index + 1} (Sybil)" : $"node {Index + 1}";

    public string DataDirectory { get; } = dataDirectory;

    public IHost Host { get; } = host;

    public ActorSystem System { get; } = host.Services.GetRequiredService<ActorSystem>();

    public ConsensusRuntime Consensus => ConsensusRuntime.For(System);
}

/// <summary>
/// N real nodes in one process on 127.0.0.1: each a generic host with the node's own hosting (<c>WithP2PNode</c>,
/// which includes consensus), remoting on a free port, its own temporary data folder; the first node is the seed.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    // Several ActorSystems share two cores here; a GC pause or a busy scheduler must not get a node downed mid-run.
    private const string TuningHocon = """
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 10s
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 15s
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.cluster.log-info = off
        akka.remote.log-remote-lifecycle-events = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.stdout-loglevel = OFF
        """;

    private readonly bool _ownsDirectory;
    private readonly X509Certificate2? _certificate;

    private ChaosCluster(string root, bool ownsDirectory, IReadOnlyList<ChaosNode> nodes, X509Certificate2? certificate)
    {
        Root = root;
        _ownsDirectory = ownsDirectory;
        Nodes = nodes;
        _certificate = certificate;
    }

    /// <summary>The transport the nodes' remoting actually speaks (their addresses' protocol): <c>akka.ssl.tcp</c> with TLS.</summary>
    public string Transport => Nodes.Count == 0 ? "" : Akka.Cluster.Cluster.Get(Nodes[0].System).SelfAddress.Protocol;

    public string Root { get; }

    public IReadOnlyList<ChaosNode> Nodes { get; }

    public IEnumerable<ChaosNode> Honest => Nodes.Where(n => n.IsHonest);

    /// <summary>
    /// Starts the nodes and returns once every node counts votes in a validator set of all of them but the mute ones
    /// (and, in closed membership, but the Sybils, which every node must have seen and denied a vote).
    /// </summary>
    /// <exception cref="TimeoutException">The cluster or the validator registry did not form in time.</exception>
    public static async Task<ChaosCluster> StartAsync(ChaosOptions options, CancellationToken ct)
    {
        var ownsDirectory = options.DataDirectory is null;
        var root = options.DataDirectory is { } given
            ? Directory.CreateDirectory(Path.GetFullPath(given)).FullName
            : Directory.CreateTempSubdirectory("p2pactors-chaos-").FullName;
        var nodes = new List<ChaosNode>();
        var certificate = options.RemoteTls ? MakeCertificate() : null;
        var tls = certificate is null ? null : new RemoteTlsSettings { Certificate = certificate, Validation = RemoteTlsValidation.Pinned };
        var cluster = new ChaosCluster(root, ownsDirectory, nodes, certificate);
        try
        {
            // Closed membership: the operator makes the nodes' keys first (as the keys command does) and lists them.
            var allowed = options.Closed
                ? Enumerable.Range(0, options.Nodes).Select(i => KeyOf(DataDirectoryOf(root, i))).ToHashSet(StringComparer.Ordinal)
                : null;
            nodes.Add(await StartNodeAsync(options, 0, root, allowed, tls, seed: null, ct).ConfigureAwait(false));
            var seed = Akka.Cluster.Cluster.Get(nodes[0].System).SelfAddress.ToString();
            var starting = Enumerable.Range(1, options.TotalNodes - 1).Select(i => StartNodeAsync(options, i, root, allowed, tls, seed, ct)).ToList();
            try
            {
                await Task.WhenAll(starting).ConfigureAwait(false);
            }
            finally
            {
                // Whatever started is stopped again by DisposeAsync, also when another node failed to start.
                nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
            // A mute member never proves its key: every node leaves it out after the identity timeout. In closed
            // membership a Sybil proves its key but is not listed: a member without a vote.
            var all = Enumerable.Range(0, options.TotalNodes).ToList();
            var mute = all.Count(i => options.ModeOf(i) == ByzantineMode.Mute);
            var unlisted = options.Closed ? all.Count(i => options.IsSybil(i) && options.ModeOf(i) != ByzantineMode.Mute) : 0;
            await WaitForValidatorSetAsync(nodes, options.TotalNodes - mute - unlisted, mute, unlisted, ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string DataDirectoryOf(string root, int index) => Path.Combine(root, $"node-{index + 1}");

    private static string KeyOf(string dataDirectory)
    {
        using var identity = ValidatorIdentity.LoadOrCreate(dataDirectory);
        return identity.ValidatorId;
    }

    /// <summary>
    /// A self-signed certificate for one run, as an operator would make with openssl (RSA 2048, server and client use),
    /// kept in memory only. It goes through PKCS#12 once, as <c>--remote-tls-certificate</c> loads one, so the TLS stack
    /// gets a key it can use the way it uses an operator's.
    /// </summary>
    private static X509Certificate2 MakeCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=p2pactors-chaos", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), password: null);
    }

    private static async Task<ChaosNode> StartNodeAsync(ChaosOptions options, int index, string root, IReadOnlySet<string>? allowed, RemoteTlsSettings? tls, string? seed, CancellationToken ct)
    {
        var mode = options.ModeOf(index);
        var dataDirectory = DataDirectoryOf(root, index);
        var settings = new NodeSettings
        {
            Port = 0,
            DataDirectory = dataDirectory,
            SeedNodes = seed is null ? [] : [seed],
            RemoteTls = tls,
            ShareBatchWait = options.ShareBatchWait,
            Consensus = new ConsensusOptions
            {
                Byzantine = mode,
                DecisionTimeout = options.DecisionTimeout,
                ReAsk = options.ReAsk,
                KeyDirectory = dataDirectory,
                AllowedValidators = allowed,
            },
        };
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(settings.SystemName, builder => builder
                .ConfigureLoggers(options.ConfigureLoggers ?? (loggers =>
                {
                    loggers.LogLevel = options.LogLevel;
                    loggers.ClearLoggers();
                    loggers.AddLogger<StandardErrorLogger>();
                }))
                .AddHocon(TuningHocon, HoconAddMode.Prepend)
                .WithP2PNode(settings)))
            .Build();
        await host.StartAsync(ct).ConfigureAwait(false);
        return new ChaosNode(index, mode, options.IsSybil(index), host, dataDirectory);
    }

    /// <summary>
    /// Completes when every node's current validator set has all <paramref name="expected"/> members, the
    /// <paramref name="leftOut"/> mute ones are left out and the <paramref name="unlisted"/> Sybils are known without a vote.
    /// </summary>
    private static async Task WaitForValidatorSetAsync(IReadOnlyList<ChaosNode> nodes, int expected, int leftOut, int unlisted, CancellationToken ct)
    {
        var waits = nodes.Select(node =>
        {
            var snapshot = node.Consensus.Snapshot;
            var formed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Check(ConsensusView view)
            {
                // The mute members must have been seen and left out: a set of the others formed before they joined is
                // followed by a wait of IdentityTimeout without a set.
                if (view.Current is { } set && set.Count == expected && view.LeftOut.Count == leftOut && view.NoVote.Count == unlisted)
                    formed.TrySetResult();
            }
            snapshot.Changed += Check;
            Check(snapshot.View);
            return formed.Task.ContinueWith(_ => snapshot.Changed -= Check, TaskScheduler.Default);
        }).ToList();
        try
        {
            await Task.WhenAll(waits).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            var formed = nodes.Select(n => $"{n.Name}: {n.Consensus.Snapshot.View.Current?.Count ?? 0}/{expected} validators");
            throw new TimeoutException($"The validator registry did not form in time ({string.Join(", ", formed)}).");
        }
    }

    /// <summary>Stops every node (each leaves the cluster through CoordinatedShutdown) and deletes a temporary data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(Nodes.Select(async node =>
        {
            try
            {
                await node.Host.StopAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutdown took too long; the host is disposed below regardless.
            }
            node.Host.Dispose();
        })).ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        _certificate?.Dispose();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left in the temp folder; it harms nothing.
            }
        }
    }
}

/// <summary>Akka's log events on stderr: the chaos report owns stdout.</summary>
public sealed class StandardErrorLogger : ReceiveActor, Akka.Dispatch.IRequiresMessageQueue<Akka.Event.ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        Receive<Akka.Event.InitializeLogger>(_ => Sender.Tell(new Akka.Event.LoggerInitialized()));
        Receive<Akka.Event.LogEvent>(e => Console.Error.WriteLine(e.ToString()));
    }
}
