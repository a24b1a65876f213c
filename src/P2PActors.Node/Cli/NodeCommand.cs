using System.CommandLine;
using System.Globalization;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>node</c>: runs one node until Ctrl+C. Every flag overrides the same key of the <c>P2PActors</c>
/// configuration section, so a flag beats an environment variable, which beats appsettings.json.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var command = new Command("node", "Run a node: the actor system, its cluster membership and the HTTP API (the default command).");
        var flags = new List<(Option Option, string Key)>
        {
            (new Option<string>("--http-url") { Description = "HTTP API address [default: http://127.0.0.1:5080]" }, "P2PActors:HttpUrl"),
            (new Option<string>("--host") { Description = "Akka remoting host name or IP [default: 127.0.0.1]" }, "P2PActors:Host"),
            (new Option<string>("--public-host") { Description = "Host name peers connect to, when it differs from --host (e.g. a container's service name) [default: --host]" }, "P2PActors:PublicHost"),
            (new Option<int>("--port") { Description = "Akka remoting port, 0 for any free port [default: 4053]" }, "P2PActors:Port"),
            (new Option<string>("--system-name") { Description = "Actor system name; peers must share it [default: p2pactors]" }, "P2PActors:SystemName"),
            (new Option<string[]>("--seed-node") { Description = "Akka address of a seed node, repeatable, e.g. akka.tcp://p2pactors@127.0.0.1:4053 [default: none, form a cluster of one]", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false }, "P2PActors:SeedNodes"),
            (new Option<string>("--roles") { Description = "Comma-separated cluster roles of this node [default: none]" }, "P2PActors:Roles"),
            (new Option<string>("--data-dir") { Description = "Directory of the node's own files: content, game state, validator key, SQLite journal [default: ./data]" }, "P2PActors:DataDirectory"),
            (new Option<string>("--persistence") { Description = "Where the journal and snapshots go: sqlite (in --data-dir) or postgresql (--postgres) [default: sqlite]" }
                .AcceptOnlyFromAmong([.. Cluster.Hosting.PersistenceProviders.Names]), "P2PActors:Persistence"),
            (new Option<string>("--postgres") { Description = "PostgreSQL connection string for --persistence postgresql, e.g. Host=db;Username=p2p;Password=...;Database=p2pactors" }, "P2PActors:PostgresConnectionString"),
            (new Option<TimeSpan>("--database-timeout") { Description = "How long to wait for an unreachable PostgreSQL at start-up, hh:mm:ss or seconds [default: 00:00:30]" }, "P2PActors:DatabaseStartupTimeout"),
            (new Option<int>("--cache-capacity") { Description = "Generated contents kept in the LRU cache [default: 1000]" }, "P2PActors:CacheCapacity"),
            (new Option<TimeSpan>("--passivation-idle") { Description = "Idle time before a player's memory is passivated, hh:mm:ss or seconds [default: 00:02:00]" }, "P2PActors:PassivationIdleTimeout"),
            (new Option<long>("--max-body-bytes") { Description = "Largest HTTP request body accepted [default: 65536]" }, "P2PActors:MaxRequestBodyBytes"),
            (new Option<TimeSpan>("--request-timeout") { Description = "How long an HTTP request waits for the actors, hh:mm:ss or seconds [default: 00:00:10]" }, "P2PActors:RequestTimeout"),
            (new Option<TimeSpan>("--position-persist-interval") { Description = "Most time between a move and its durable write, hh:mm:ss.fff or seconds; a crash loses at most this much of the movement taken on the crashed node [default: 00:00:05]" }, "P2PActors:PositionPersistInterval"),
            (new Option<TimeSpan>("--presence-timeout") { Description = "A player not heard from for this long is offline and leaves the other pages' maps; an open page heartbeats three times per timeout, hh:mm:ss or seconds [default: 00:00:30]" }, "P2PActors:PresenceTimeout"),
            (new Option<TimeSpan>("--player-retention") { Description = "A player not seen for this long is forgotten: position and presence leave the shared state, the inventory stays; 0 keeps every player, d.hh:mm:ss, hh:mm:ss or seconds [default: 30.00:00:00]" }, "P2PActors:PlayerRetention"),
            (new Option<int>("--max-inventory-items") { Description = "Most distinct items one player may hold; more is refused with 409 [default: 200]" }, "P2PActors:MaxInventoryItems"),
            (new Option<long>("--preview-cache-bytes") { Description = "Bytes of rendered preview PNGs kept in memory [default: 67108864]" }, "P2PActors:PreviewCacheBytes"),
            (new Option<int>("--preview-renders") { Description = "Previews over 1024 px rendered at once; more wait in line [default: 2]" }, "P2PActors:PreviewRenders"),
            (new Option<string>("--byzantine") { Description = "Chaos testing: make this node's validator Byzantine [default: honest]" }
                .AcceptOnlyFromAmong([.. Cluster.Consensus.ByzantineModes.Names]), "P2PActors:Byzantine"),
            (new Option<string>("--validators") { Description = "Closed validator membership: comma-separated validator ids allowed to vote (see the keys command) [default: open membership]" }, "P2PActors:AllowedValidators"),
            (new Option<string>("--validators-file") { Description = "Closed validator membership: file of allowed validator ids, one per line, # comments [default: open membership]" }, "P2PActors:ValidatorsFile"),
            (new Option<string>("--remote-tls-certificate") { Description = "TLS for Akka remoting: PFX (PKCS#12) file with this node's certificate and private key; seeds become akka.ssl.tcp:// [default: none, plain TCP]" }, "P2PActors:RemoteTlsCertificate"),
            (new Option<string>("--remote-tls-password") { Description = "Password of the --remote-tls-certificate PFX [default: none]" }, "P2PActors:RemoteTlsPassword"),
            (new Option<string>("--remote-tls-validation") { Description = "How peers' certificates are checked: pinned (this node's own certificate or --remote-tls-peer-hashes), chain (a trusted CA) or none (encrypted, anyone may join) [default: pinned]" }, "P2PActors:RemoteTlsValidation"),
            (new Option<string>("--remote-tls-peer-hashes") { Description = "With pinned validation: comma-separated SHA-256 hashes (hex) of further certificates peers may present [default: none]" }, "P2PActors:RemoteTlsPeerHashes"),
            (new Option<int>("--identity-timeout") { Description = "Milliseconds to wait for a new member to prove its validator key before the set forms without it [default: 5000]" }, "P2PActors:IdentityTimeoutMs"),
            (new Option<int>("--decision-timeout", "--decision-timeout-ms") { Description = "Milliseconds a proposal waits for a decision before it ends undecided [default: 500]" }, "P2PActors:DecisionTimeoutMs"),
            (new Option<int>("--vote-turn-wait") { Description = "Milliseconds a validator waits for more proposal batches to judge and sign together while batches arrive together, 0 to 100 (never longer than a tenth of --decision-timeout) [default: 3]" }, "P2PActors:VoteTurnWaitMs"),
            (new Option<int>("--share-batch-wait") { Description = "Milliseconds a share waits before it is pushed to the peers, so the shares of that moment travel together, 0 to 100 (0 pushes each at once) [default: 3]" }, "P2PActors:ShareBatchWaitMs"),
            (new Option<TimeSpan>("--header-clock-window") { Description = "How far a proposed catalog header's created time may lie from this validator's clock, hh:mm:ss or seconds [default: 00:01:00]" }, "P2PActors:HeaderClockWindow"),
            (new Option<int>("--proposal-rate") { Description = "Proposals per second the validator serves from one proposer [default: 5000]" }, "P2PActors:ProposalRate"),
            (new Option<int>("--proposal-burst") { Description = "Proposals one proposer may send at once before the rate applies [default: 10000]" }, "P2PActors:ProposalBurst"),
            (new Option<int>("--http-write-rate") { Description = "HTTP writes (any method but GET, HEAD and OPTIONS) per second per client address, 0 for no limit [default: 100]" }, "P2PActors:HttpWriteRate"),
            (new Option<int>("--http-write-burst") { Description = "HTTP writes one client address may send at once [default: 200]" }, "P2PActors:HttpWriteBurst"),
            (new Option<double>("--ws-rate") { Description = "WebSocket messages per second per connection [default: 50]" }, "P2PActors:WsMessagesPerSecond"),
            (new Option<int>("--ws-burst") { Description = "WebSocket messages one connection may send at once [default: 100]" }, "P2PActors:WsMessageBurst"),
            (new Option<int>("--ws-max-message-bytes") { Description = "Largest WebSocket message handled [default: 65536]" }, "P2PActors:WsMaxMessageBytes"),
            (new Option<int>("--ws-queue") { Description = "Outgoing frames queued per WebSocket before a page that does not read is dropped [default: 256]" }, "P2PActors:WsOutgoingQueue"),
            (new Option<string>("--ws-allowed-origins") { Description = "Comma-separated origins allowed to open /ws besides the page's own, or * [default: none]" }, "P2PActors:WsAllowedOrigins"),
            (new Option<string>("--allowed-hosts") { Description = "Comma-separated host names the node answers to besides IP addresses, localhost, the --http-url host, --public-host and this machine's name; *.example.com for every name below it, * for any [default: none]" }, "P2PActors:AllowedHosts"),
            (new Option<int>("--room-capacity") { Description = "Most peers in one WebRTC signaling room, cluster-wide [default: 16]" }, "P2PActors:RoomCapacity"),
            (new Option<TimeSpan>("--ws-positions-interval") { Description = "Least time between two positions frames to one page, hh:mm:ss.fff or seconds; 0 sends whenever the connection is free [default: 00:00:00.025]" }, "P2PActors:WsPositionsInterval"),
            (new Option<TimeSpan>("--ws-resume-grace") { Description = "How long a dropped WebSocket session keeps its player for a resume, hh:mm:ss or seconds [default: 00:00:30]" }, "P2PActors:WsResumeGrace"),
            (new Option<bool>("--metrics") { Description = "Serve Prometheus metrics at GET /metrics; --metrics false turns them off [default: true]" }, "P2PActors:Metrics"),
            (new Option<string>("--log-level") { Description = "Lowest log level written [default: Information]" }
                .AcceptOnlyFromAmong("Verbose", "Debug", "Information", "Warning", "Error", "Fatal"), "Serilog:MinimumLevel:Default"),
        };
        foreach (var (option, _) in flags)
            command.Options.Add(option);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            foreach (var (option, key) in flags)
            {
                if (parseResult.GetResult(option) is { Implicit: false } result)
                {
                    var value = result.GetValueOrDefault<object>();
                    overrides[key] = value is string[] many
                        ? string.Join(',', many)
                        : Convert.ToString(value, CultureInfo.InvariantCulture);
                }
            }
            return await RunAsync(overrides, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// 0 after a stop that was asked for (Ctrl+C, SIGTERM, a graceful leave); 1 when the cluster downed this node (the
    /// Split Brain Resolver chose the other side, or the others removed it while it was unreachable). A downed node
    /// cannot rejoin under the same incarnation, so it ends the process, and a non-zero code lets a supervisor
    /// (Docker's restart: on-failure, systemd's Restart=on-failure) start a fresh one that joins again.
    /// </summary>
    internal static async Task<int> ExitCodeAfterRunAsync(Akka.Actor.ActorSystem system, TextWriter error)
    {
        if (Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason is not Akka.Actor.CoordinatedShutdown.ClusterDowningReason)
            return ExitCodes.Ok;
        await error.WriteLineAsync("The node stopped: the cluster downed it (it was on the minority side or unreachable); exit code 1 so a supervisor restarts it.");
        return ExitCodes.Failure;
    }

    /// <summary>The remoting or HTTP address this node cannot listen on, named, or null when both look free.</summary>
    private static string? ListenProblem(NodeOptions options)
    {
        var port = options.Port.ToString(CultureInfo.InvariantCulture);
        switch (ListenProbe.Probe(options.Host, options.Port))
        {
            case ListenAddress.InUse:
                return $"--port / {NodeOptions.Section}:Port: {options.Host}:{port} is already in use by another process (another node?). " +
                    "Give this node its own --port (0 picks a free one).";
            case ListenAddress.NotLocal:
                return $"--host / {NodeOptions.Section}:Host: '{options.Host}' is not an address of this machine, so remoting cannot listen on it. " +
                    "Give one of its addresses (0.0.0.0 for all), and --public-host for the address peers dial if it differs.";
            case ListenAddress.Unresolvable:
                return $"--host / {NodeOptions.Section}:Host: '{options.Host}' does not resolve to an address here, so remoting cannot listen on it. " +
                    "Give one of this machine's addresses or names (0.0.0.0 for all), and --public-host for the address peers dial if it differs.";
        }
        // The URL was checked when the options were read: an http URL with a host and a port.
        var http = new Uri(options.HttpUrl);
        // Kestrel listens on every interface for a host that is neither an IP address nor localhost.
        var httpHost = http.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || http.IsLoopback ? http.DnsSafeHost : "0.0.0.0";
        return ListenProbe.Probe(httpHost, http.Port) switch
        {
            ListenAddress.InUse => $"--http-url / {NodeOptions.Section}:HttpUrl: port {http.Port.ToString(CultureInfo.InvariantCulture)} of " +
                $"{http.Host} is already in use by another process (another node?). Give this node its own --http-url (port 0 picks a free one).",
            ListenAddress.NotLocal => $"--http-url / {NodeOptions.Section}:HttpUrl: '{http.Host}' is not an address of this machine, so the " +
                "node cannot serve HTTP on it. Give one of its addresses (0.0.0.0 for all).",
            _ => null,
        };
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> overrides, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = NodeHost.Build(overrides);
        }
        catch (NodeConfigurationException e)
        {
            foreach (var problem in e.Problems)
                await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }
        await using (app)
        {
            var options = app.Services.GetRequiredService<NodeOptions>();
            DataDirectoryLock? folder;
            string holder;
            try
            {
                folder = DataDirectoryLock.TryAcquire(options.DataDirectory,
                    $"node {options.HttpUrl} (remoting {options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)})", out holder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // A file where the folder should be, a parent that is a file, a place this user may not write.
                await error.WriteLineAsync($"--data-dir / {NodeOptions.Section}:DataDirectory: '{options.DataDirectory}' cannot be the node's data folder: {e.Message}");
                return ExitCodes.Usage;
            }
            using var folderLock = folder;
            if (folder is null)
            {
                await error.WriteLineAsync($"--data-dir / {NodeOptions.Section}:DataDirectory: '{Path.GetFullPath(options.DataDirectory)}' is in use by {holder}. " +
                    "Two nodes must never share a data folder (they would share one validator key); give this node its own --data-dir.");
                return ExitCodes.Usage;
            }
            // Under the folder's lock, so no other node writes these files while they are read.
            // Only the paths are needed (not the TLS certificate or the validator list the full settings read).
            var files = new Cluster.Hosting.NodeSettings { DataDirectory = Path.GetFullPath(options.DataDirectory), Persistence = options.PersistenceProvider };
            if (files.UnreadableDataFiles() is { Count: > 0 } unreadable)
            {
                foreach (var file in unreadable)
                    await error.WriteLineAsync(file);
                return ExitCodes.Usage;
            }
            if (ListenProblem(options) is { } listenProblem)
            {
                await error.WriteLineAsync(listenProblem);
                return ExitCodes.Usage;
            }
            if (await DatabaseStartup.CheckAsync(app, cancellationToken) is { } problem)
            {
                await error.WriteLineAsync(problem);
                return ExitCodes.Usage;
            }
            try
            {
                // RunAsync disposes the host's services when it returns, so the actor system is taken while it runs.
                Akka.Actor.ActorSystem? system = null;
                app.Lifetime.ApplicationStarted.Register(() => system = app.Services.GetRequiredService<Akka.Actor.ActorSystem>());
                await app.RunAsync();
                return system is null ? ExitCodes.Ok : await ExitCodeAfterRunAsync(system, error);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Startup failures (a port in use, an unwritable data directory) are the user's to fix: say what, not where.
                var cause = e;
                while (cause is AggregateException { InnerExceptions.Count: 1 } single)
                    cause = single.InnerExceptions[0];
                await error.WriteLineAsync($"The node stopped: {cause.Message}");
                return ExitCodes.Failure;
            }
        }
    }
}
