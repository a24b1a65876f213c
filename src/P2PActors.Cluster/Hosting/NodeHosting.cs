using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.Sessions;
using P2PActors.Cluster.Signaling;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Storage;

namespace P2PActors.Cluster.Hosting;

public static class NodeHosting
{
    /// <summary>
    /// A whole P2PActors node: remoting on <see cref="NodeSettings.Host"/>:<see cref="NodeSettings.Port"/> (advertised as
    /// <see cref="NodeSettings.PublicHost"/> when set), a cluster
    /// (joining itself when there are no seed nodes), JSON serialization, the SQL journal and snapshot store
    /// (<c>{DataDirectory}/p2pactors.db</c> or PostgreSQL, see <see cref="PersistenceHosting.WithP2PPersistence"/>),
    /// player memory, generation, the shared game state (DData, durable in <c>{DataDirectory}/state</c>) whose catalog
    /// admits only certified entries, and consensus (validator key in <c>{DataDirectory}/validator.key</c>). The Split
    /// Brain Resolver keeps the majority; Akka.Hosting runs CoordinatedShutdown when the host stops, so Ctrl+C/SIGTERM
    /// leaves the cluster gracefully.
    /// </summary>
    /// <summary>
    /// A normal stop is quiet and quick. Peers going away are the cluster's business (it logs members leaving and
    /// becoming unreachable), so remoting does not also log each closed association as a failure with a stack trace.
    /// When every node leaves at once (Ctrl+C of a whole cluster) nobody is left to confirm the last one's exit, which
    /// Akka waits 10 s for; 3 s bounds that wait. A real leave must fit well inside it, and it is a chain of ticks: the
    /// leaver's gossip reaches the leader, every member sees it (convergence), the leader's next action tick moves it
    /// to Exiting. At Akka's 1 s gossip and leader-action intervals that took about 2 s on loopback, and under a loaded
    /// CI machine once passed 3 s (a `LogOutputTests` run logged the phase's timeout); at 500 ms a 3-node cluster stops
    /// about a second sooner (1.8–2.4 s against 2.4–3.1 s from Ctrl+C to exit, with and without four busy loops beside it).
    /// Twice as much membership gossip cost nothing measurable in the 4-node sharing pair (3,073 against 3,134 items/s,
    /// five runs each, inside the spread of single runs), and joins get quicker too.
    /// </summary>
    private const string ShutdownHocon = """
        akka.remote.log-remote-lifecycle-events = off
        akka.coordinated-shutdown.phases.cluster-exiting.timeout = 3s
        akka.cluster.gossip-interval = 500ms
        akka.cluster.leader-actions-interval = 500ms
        """;

    /// <summary>
    /// Over TLS, Akka's write batching (its flush-consolidating handler) is off. Behind DotNetty's TLS handler it froze
    /// single associations in both directions for 0.2 to 3.4 s: in 13 of 64 four-node chaos runs with TLS some proposal
    /// reached a validator more than 200 ms late, and a freeze of more than a second, a decision timeout and its re-ask,
    /// left valid proposals undecided. With batching off: 0 of 39 runs; over plain TCP with batching on: 0 of 23
    /// (docs/benchmarks.md, "Remoting TLS without write batching").
    /// </summary>
    internal const string TlsBatchingHocon = "akka.remote.dot-netty.tcp.batching.enabled = false";

    /// <summary>
    /// Remoting on <see cref="NodeSettings.Host"/>:<see cref="NodeSettings.Port"/>, over TLS when
    /// <see cref="NodeSettings.RemoteTls"/> is set. TLS is mutual (Akka's default since 1.5.52): both ends present the
    /// certificate and both check the other's, so a pinned node neither accepts nor dials a peer without the pin.
    /// </summary>
    public static AkkaConfigurationBuilder WithP2PRemoting(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        var options = new RemoteOptions { HostName = settings.Host, Port = settings.Port, PublicHostName = settings.PublicHost };
        if (settings.RemoteTls is { } tls)
        {
            options.EnableSsl = true;
            options.Ssl = new SslOptions
            {
                X509Certificate = tls.Certificate,
                RequireMutualAuthentication = true,
                // Peers are addressed by IP or container name, rarely the name in a shared certificate.
                ValidateCertificateHostname = false,
                SuppressValidation = tls.Validation == RemoteTlsValidation.None,
                CustomValidator = tls.Validation == RemoteTlsValidation.Pinned ? tls.PinnedValidator() : null,
            };
            builder.AddHocon(TlsBatchingHocon, HoconAddMode.Prepend);
            builder.WithActors((system, _) =>
            {
                var log = Akka.Event.Logging.GetLogger(system, typeof(NodeHosting));
                if (tls.Validation == RemoteTlsValidation.None)
                    log.Warning("Remoting TLS without certificate validation (--remote-tls-validation none): traffic is encrypted, but anyone with any certificate of their own can connect and join the cluster. Use pinned or chain for anything but local development (docs/operations.md, \"TLS for remoting\")");
                else
                    log.Info("Remoting TLS ({0} validation) with certificate {1}", tls.Validation.ToString().ToLowerInvariant(), RemoteTlsSettings.HashOf(tls.Certificate));
            });
        }
        return builder.WithRemoting(options);
    }

    public static AkkaConfigurationBuilder WithP2PNode(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid node settings: " + string.Join("; ", problems), nameof(settings));

        Directory.CreateDirectory(settings.DataDirectory);
        var snapshot = new ConsensusSnapshot();
        var admission = settings.Admission ?? new CertificateAdmission(snapshot) { HeaderClockWindow = settings.Consensus.HeaderClockWindow };
        var consensus = settings.Consensus.KeyDirectory is null
            ? settings.Consensus with { KeyDirectory = settings.DataDirectory }
            : settings.Consensus;

        builder
            .AddHocon(ShutdownHocon, HoconAddMode.Prepend)
            .WithP2PRemoting(settings)
            .WithClustering(new ClusterOptions
            {
                SeedNodes = settings.SeedNodes.ToArray(),
                Roles = settings.Roles.ToArray(),
                // A partition leaves the side with most members running; see docs/architecture.md.
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithP2PSerialization()
            .WithP2PPersistence(settings)
            .WithPlayerMemory(new PlayerMemoryOptions(
                settings.PassivationIdleTimeout, settings.SnapshotEvery, settings.HistoryLimit) { Preferences = settings.Preferences })
            .WithGeneration(new GenerationOptions(settings.ContentDatabasePath, settings.CacheCapacity))
            .WithGameState(new GameStateSettings
            {
                DataDirectory = settings.StateDirectory,
                Admission = admission,
                MaxInventoryItems = settings.MaxInventoryItems,
                PositionPersistInterval = settings.PositionPersistInterval,
                PresenceTimeout = settings.PresenceTimeout,
                PlayerRetention = settings.PlayerRetention,
                ShareBatchWait = settings.ShareBatchWait,
            })
            .WithConsensus(consensus, snapshot, admission as CertificateAdmission)
            .WithSharedPreferences(new SharedProfilesSettings())
            .WithSessionClaims()
            .WithSignaling(settings.Signaling);

        if (settings.SeedNodes.Count == 0)
        {
            builder.WithActors((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }
        return builder;
    }

    /// <summary>
    /// Player memory: the <c>player-memory</c> shard region (registered as <see cref="PlayerMemoryActor"/>), one
    /// persistent entity per player, passivated when idle. Needs clustering and a default journal.
    /// </summary>
    public static AkkaConfigurationBuilder WithPlayerMemory(this AkkaConfigurationBuilder builder, PlayerMemoryOptions options)
    {
        // Without remember-entities the ddata store keeps nothing durable, so the broken LMDB store is never opened.
        builder.AddHocon("akka.cluster.sharding.distributed-data.durable.keys = []", HoconAddMode.Prepend);
        // The shard coordinator reads and writes its state on every node of a cluster under five (majority-min-cap), and
        // Akka.NET logs each read or write that times out as an ERROR, the first one included. At the defaults (2 s and
        // 5 s) a 3-node cluster forming on a loaded machine logged one on a healthy start (CI, 2026-12-05); a node that
        // does not answer in 10 s is worth the error.
        builder.AddHocon("""
            akka.cluster.sharding.waiting-for-state-timeout = 10s
            akka.cluster.sharding.updating-state-timeout = 10s
            """, HoconAddMode.Prepend);
        builder.WithActors(new ActorStarter((system, _) => PersistenceWarmupRunner.Run(system, TimeSpan.FromSeconds(60))));
        return builder.WithShardRegion<PlayerMemoryActor>(
            PlayerMemoryOptions.ShardTypeName,
            playerId => PlayerMemoryActor.PropsFor(playerId, options),
            new PlayerMemoryMessageExtractor(options.NumberOfShards),
            new ShardOptions
            {
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                ShouldPassivateIdleEntities = true,
                PassivateIdleEntityAfter = options.PassivationIdleTimeout,
                // Not PoisonPill: the entity persists the recordings it still buffers before it stops.
                HandOffStopMessage = StopPlayerMemory.Instance,
            });
    }

    /// <summary>
    /// Generation: the content store (registered as <see cref="ContentStoreActor"/>) and the node's
    /// <see cref="GenerationCoordinator"/>, and the node's <see cref="GenerationClient"/> (<see cref="GenerationClient.For"/>),
    /// which shares the coordinator's cache. Call after <see cref="WithPlayerMemory"/>, whose region it uses.
    /// </summary>
    public static AkkaConfigurationBuilder WithGeneration(this AkkaConfigurationBuilder builder, GenerationOptions options)
    {
        builder.AddHocon(ContentStoreActor.DispatcherHocon, HoconAddMode.Append);
        return builder.WithActors((system, registry) =>
        {
            var store = system.ActorOf(
                ContentStoreActor.PropsFor(new SqliteContentStore(options.ContentDatabasePath), options.EffectiveStoreFlushDelay),
                GenerationOptions.ContentStoreName);
            registry.Register<ContentStoreActor>(store);
            var playerMemory = registry.Get<PlayerMemoryActor>();
            var cache = new ContentCache(options.CacheCapacity);
            var coordinator = system.ActorOf(
                GenerationCoordinator.PropsFor(playerMemory, store, options, cache),
                GenerationOptions.CoordinatorName);
            registry.Register<GenerationCoordinator>(coordinator);
            system.WithExtension<GenerationClientHolder, GenerationClientHolderId>().Set(
                new GenerationClient(coordinator, playerMemory, cache, options.EffectiveMemoryTimeout + TimeSpan.FromSeconds(5)));
        });
    }
}
