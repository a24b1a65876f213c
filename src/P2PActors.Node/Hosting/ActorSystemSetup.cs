using Akka;
using Akka.Actor;
using Akka.Hosting;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Hosting;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Hosting;

public static class ActorSystemSetup
{
    /// <summary>The node's actor system, with Akka's own log events routed through Serilog like everything else.</summary>
    public static IServiceCollection AddP2PActorSystem(this IServiceCollection services, NodeOptions options, Serilog.ILogger logger)
    {
        var settings = ToSettings(options);
        // The (builder, services) overload defers this until the actor system starts, so building a host touches no disk.
        services.AddAkka(options.SystemName, (builder, _) =>
        {
            builder.ConfigureLoggers(loggers => NodeLogging.ConfigureAkka(loggers, logger));
            // Akka's console logger speaks, in a second format, before the loggers start and once they have stopped: at
            // the end of a shutdown Akka hands the last events (remoting's farewells) to it at the current log level. So
            // it is off, and right before the actor system terminates only warnings and errors are still logged.
            builder.AddHocon("akka.stdout-loglevel = OFF", HoconAddMode.Prepend);
            // Metrics on: mailboxes that count the messages enqueued to this system's actors (p2pactors_akka_messages_total).
            if (options.Metrics)
                builder.AddHocon(AkkaMessageCount.Hocon, HoconAddMode.Prepend);
            builder.WithActors((system, _) => CoordinatedShutdown.Get(system).AddTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "quiet-final-log-lines", () =>
                {
                    if (system.EventStream.LogLevel < Akka.Event.LogLevel.WarningLevel)
                        system.EventStream.SetLogLevel(Akka.Event.LogLevel.WarningLevel);
                    return Task.FromResult(Done.Instance);
                }));
            builder.WithP2PNode(settings);
        });
        return services;
    }

    public static NodeSettings ToSettings(NodeOptions options) => new()
    {
        SystemName = options.SystemName,
        Host = options.Host,
        PublicHost = options.AdvertisedHost,
        Port = options.Port,
        DataDirectory = Path.GetFullPath(options.DataDirectory),
        Persistence = options.PersistenceProvider,
        PostgresConnectionString = options.PostgresConnectionString,
        CacheCapacity = options.CacheCapacity,
        PassivationIdleTimeout = options.PassivationIdleTimeout,
        MaxInventoryItems = options.MaxInventoryItems,
        PositionPersistInterval = options.PositionPersistInterval,
        PresenceTimeout = options.PresenceTimeout,
        PlayerRetention = options.PlayerRetention,
        ShareBatchWait = TimeSpan.FromMilliseconds(options.ShareBatchWaitMs),
        SeedNodes = options.SeedNodeList,
        Roles = options.RoleList,
        RemoteTls = options.ReadRemoteTls([]),
        Signaling = new Cluster.Signaling.SignalingSettings { MaxRoomSize = options.RoomCapacity },
        Consensus = new ConsensusOptions
        {
            Byzantine = options.ByzantineMode,
            AllowedValidators = options.ReadAllowedValidators([]),
            DecisionTimeout = TimeSpan.FromMilliseconds(options.DecisionTimeoutMs),
            VoteTurnWait = TimeSpan.FromMilliseconds(options.VoteTurnWaitMs),
            IdentityTimeout = TimeSpan.FromMilliseconds(options.IdentityTimeoutMs),
            HeaderClockWindow = options.HeaderClockWindow,
            ProposalsPerSecondPerProposer = options.ProposalRate,
            ProposalBurst = options.ProposalBurst,
        },
    };
}
