namespace P2PActors.Node.Configuration;

/// <summary>
/// Everything a node can be told, bound from the <c>P2PActors</c> configuration section. The defaults here are
/// the embedded defaults: one node alone on this machine, reachable from nowhere else.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "P2PActors";

    /// <summary>Upper end of <see cref="MaxInventoryItems"/>: one inventory is replicated whole, in every snapshot page that lists its player.</summary>
    public const int MaxInventoryItemsLimit = 10_000;

    /// <summary>How a message names the connection string setting (its value is never printed: it holds the password).</summary>
    public const string PostgresSetting = $"--postgres / {Section}:PostgresConnectionString";

    /// <summary>Where the HTTP API listens. Port 0 picks a free port (the bound address is logged).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Host name or IP the Akka remoting endpoint binds to (0.0.0.0: every interface); also advertised unless <see cref="PublicHost"/> is set.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// Host name or IP peers use to reach this node, when it differs from <see cref="Host"/> — in a container, bind
    /// 0.0.0.0 and advertise the service name. Empty: <see cref="Host"/>, or this machine's host name when Host is
    /// a wildcard address (peers cannot connect to 0.0.0.0; in a Docker network the container's host name resolves).
    /// </summary>
    public string PublicHost { get; set; } = "";

    /// <summary>Akka remoting port. 0 picks a free port.</summary>
    public int Port { get; set; } = 4053;

    public string SystemName { get; set; } = "p2pactors";

    /// <summary>
    /// Comma-separated Akka addresses of the seed nodes (<c>akka.tcp://p2pactors@127.0.0.1:4053</c>). One string rather
    /// than an array so that a higher-precedence source replaces the whole list instead of merging index by index.
    /// Empty: the node forms a cluster of its own.
    /// </summary>
    public string SeedNodes { get; set; } = "";

    /// <summary>Comma-separated cluster roles of this node, e.g. <c>generator,web</c>.</summary>
    public string Roles { get; set; } = "";

    /// <summary>
    /// Directory of the node's own files (content bodies, durable DData, validator key, and the SQLite journal unless
    /// <see cref="Persistence"/> is postgresql); created when missing.
    /// </summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Where the journal and snapshots of player memory go: <c>sqlite</c> (in <see cref="DataDirectory"/>) or <c>postgresql</c>.</summary>
    public string Persistence { get; set; } = "sqlite";

    /// <summary>Npgsql connection string of the journal database, used with <c>postgresql</c>.</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>How long the node waits for an unreachable PostgreSQL before it gives up with exit code 2.</summary>
    public TimeSpan DatabaseStartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many generated contents the LRU cache keeps, keyed by (type, params, seed).</summary>
    public int CacheCapacity { get; set; } = 1000;

    /// <summary>How long a player's memory stays in memory without use before it is passivated.</summary>
    public TimeSpan PassivationIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest request body the HTTP API reads; a content request is a few hundred bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long an HTTP request waits for the actors before it answers 503.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most distinct items one player may hold; an add beyond it is answered 409 (WebSocket: inventory-full).</summary>
    public int MaxInventoryItems { get; set; } = Cluster.State.GameStateSettings.DefaultMaxInventoryItems;

    /// <summary>
    /// Most time between a move and its durable write: a busy position bucket is written (and gossiped) at most once per
    /// this interval. Moves reach the other nodes at once either way; a crash loses at most this much of the movement
    /// taken on the crashed node.
    /// </summary>
    public TimeSpan PositionPersistInterval { get; set; } = Cluster.State.GameStateSettings.DefaultPositionPersistInterval;

    /// <summary>
    /// A player not heard from for this long is offline: a page's open session heartbeats its player three times per
    /// timeout, so a closed page's player leaves the other pages' maps about this long after it closed.
    /// </summary>
    public TimeSpan PresenceTimeout { get; set; } = Cluster.State.GameStateSettings.DefaultPresenceTimeout;

    /// <summary>
    /// A player neither moved nor heard from for this long is forgotten: position and presence leave the shared state,
    /// the inventory stays. Zero keeps every player ever seen.
    /// </summary>
    public TimeSpan PlayerRetention { get; set; } = Cluster.State.GameStateSettings.DefaultPlayerRetention;

    /// <summary>Bytes of rendered preview PNGs the node keeps; the least recently used go first.</summary>
    public long PreviewCacheBytes { get; set; } = Rendering.PreviewCache.DefaultMaxBytes;

    /// <summary>Previews over 1024 px rendered at once; more wait in line (up to the request timeout, then 503).</summary>
    public int PreviewRenders { get; set; } = 2;

    /// <summary>
    /// Chaos testing: how this node's validator misbehaves (approve-all, reject-all, equivocate, forge-signatures,
    /// replay, silent, slow, overpowered, tamper-headers); "honest" for every real node.
    /// </summary>
    public string Byzantine { get; set; } = "honest";

    /// <summary>
    /// Closed validator membership: comma-separated validator ids (public keys, as the <c>keys</c> command prints them)
    /// allowed to vote. Together with <see cref="ValidatorsFile"/>; both empty means open membership.
    /// </summary>
    public string AllowedValidators { get; set; } = "";

    /// <summary>Closed validator membership: a file of allowed validator ids, one per line (<c>#</c> starts a comment).</summary>
    public string ValidatorsFile { get; set; } = "";

    /// <summary>Milliseconds a proposal waits for a decision before it ends undecided (never accepted).</summary>
    public int DecisionTimeoutMs { get; set; } = 500;

    /// <summary>Milliseconds an idle validator waits for more proposal batches before it judges and signs them together.</summary>
    public int VoteTurnWaitMs { get; set; } = 3;

    /// <summary>Milliseconds a share waits before it is pushed to the peers, so the shares of that moment go together.</summary>
    public int ShareBatchWaitMs { get; set; } = (int)Cluster.State.GameStateSettings.DefaultShareBatchWait.TotalMilliseconds;

    /// <summary>Milliseconds to wait for a new member's identity proof before the validator set forms without it.</summary>
    public int IdentityTimeoutMs { get; set; } = 5_000;
    /// <summary>
    /// How far a proposed catalog header's created time may lie from this validator's clock for it to sign the header;
    /// also how far ahead of this node's clock an entry certified before headers were bound may be dated.
    /// </summary>
    public TimeSpan HeaderClockWindow { get; set; } = new Cluster.Consensus.ConsensusOptions().HeaderClockWindow;

    /// <summary>Proposals per second this node's validator serves from any one proposer before it refuses them.</summary>
    public int ProposalRate { get; set; } = 5_000;

    /// <summary>Burst of proposals one proposer may send at once before the rate applies.</summary>
    public int ProposalBurst { get; set; } = 10_000;

    public Cluster.Hosting.PersistenceProvider PersistenceProvider =>
        Cluster.Hosting.PersistenceProviders.TryParse(Persistence, out var provider) ? provider : Cluster.Hosting.PersistenceProvider.Sqlite;

    /// <summary>HTTP writes (any method but GET, HEAD and OPTIONS) per second one client address may send; 0: no limit.</summary>
    public int HttpWriteRate { get; set; } = 100;

    /// <summary>HTTP writes one client address may send at once before <see cref="HttpWriteRate"/> applies.</summary>
    public int HttpWriteBurst { get; set; } = 200;

    /// <summary>WebSocket messages per second one connection may send (token bucket refill rate).</summary>
    public double WsMessagesPerSecond { get; set; } = 50;

    /// <summary>WebSocket messages one connection may send at once before <see cref="WsMessagesPerSecond"/> applies.</summary>
    public int WsMessageBurst { get; set; } = 100;

    /// <summary>Largest WebSocket message read and handled; larger ones are answered <c>too-large</c> (or closed with 1009).</summary>
    public int WsMaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Frames queued for one connection before a page that does not read is dropped (1008 slow-consumer).</summary>
    public int WsOutgoingQueue { get; set; } = 256;

    /// <summary>
    /// Comma-separated origins (scheme://host[:port]) allowed to open /ws besides the page's own origin, which is
    /// always allowed; <c>*</c> allows every origin.
    /// </summary>
    public string WsAllowedOrigins { get; set; } = "";

    /// <summary>
    /// Comma-separated host names the node answers to besides IP addresses, localhost, the host of <see cref="HttpUrl"/>,
    /// <see cref="PublicHost"/> and this machine's name (<c>*.example.com</c>: every name below it; <c>*</c>: any name).
    /// Other names are refused with 403, so a DNS-rebinding page cannot pass for the node's own (Api/HostNames.cs).
    /// </summary>
    public string AllowedHosts { get; set; } = "";

    public IReadOnlyList<string> AllowedHostList => Split(AllowedHosts);

    /// <summary>How long a dropped connection's session keeps its player, so only its resume token can take it.</summary>
    public TimeSpan WsResumeGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Least time between two <c>positions</c> frames to one page. A move after a quiet spell leaves at once; in a busy
    /// zone the moves pending meanwhile leave together, so a page costs at most one frame and one send per interval.
    /// Zero sends whenever the connection's writer is free.
    /// </summary>
    public TimeSpan WsPositionsInterval { get; set; } = TimeSpan.FromMilliseconds(DefaultPositionsIntervalMs);

    /// <summary>
    /// 25 ms: 500 pages at 5 Hz over 3 nodes on 2 cores got p50 17-19 ms in most runs, against 19-21 ms at 30 ms (the
    /// interval's average wait is half of it), at the same node CPU; 20 ms did no better, and below it the frames fill
    /// a loaded machine (docs/benchmarks.md, "Browser bridge").
    /// </summary>
    public const int DefaultPositionsIntervalMs = 25;

    /// <summary>Most peers in one WebRTC signaling room, cluster-wide; a join beyond it is refused with <c>room-full</c>.</summary>
    public int RoomCapacity { get; set; } = 16;

    /// <summary>
    /// TLS for Akka remoting: a PKCS#12 (PFX) file holding this node's certificate and its private key. Empty: plain
    /// TCP (<c>akka.tcp://</c>). Set: remoting speaks TLS and every address, seeds included, is <c>akka.ssl.tcp://</c>.
    /// </summary>
    public string RemoteTlsCertificate { get; set; } = "";

    /// <summary>Password of <see cref="RemoteTlsCertificate"/>; empty for a PFX without one.</summary>
    public string RemoteTlsPassword { get; set; } = "";

    /// <summary>How peers' certificates are checked: pinned (the default), chain or none. Only with <see cref="RemoteTlsCertificate"/>.</summary>
    public string RemoteTlsValidation { get; set; } = "";

    /// <summary>With pinned validation: comma-separated SHA-256 hashes (hex) of further certificates peers may present.</summary>
    public string RemoteTlsPeerHashes { get; set; } = "";

    /// <summary>Whether the node serves Prometheus metrics at <c>GET /metrics</c> and counts what they show.</summary>
    public bool Metrics { get; set; } = true;

    public bool RemoteTlsEnabled => !string.IsNullOrWhiteSpace(RemoteTlsCertificate);

    /// <summary>The Akka protocol of this node's address and of its seeds: <c>akka.ssl.tcp</c> with TLS, else <c>akka.tcp</c>.</summary>
    public string RemoteProtocol => RemoteTlsEnabled ? "akka.ssl.tcp" : "akka.tcp";

    public IReadOnlyList<string> WsAllowedOriginList => Split(WsAllowedOrigins);

    public Cluster.Consensus.ByzantineMode ByzantineMode =>
        Cluster.Consensus.ByzantineModes.TryParse(Byzantine, out var mode) ? mode : Cluster.Consensus.ByzantineMode.Honest;

    /// <summary>Every reason these options cannot run a node, worded for the person who set them.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        // Kestrel reads a query or fragment as part of the port and then listens on every interface (http://[::]:80).
        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.AbsolutePath != "/"
            || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            problems.Add($"--http-url / {Section}:HttpUrl: '{HttpUrl}' must be an http URL with no path, query, fragment or user name, e.g. http://127.0.0.1:5080");
        if (string.IsNullOrWhiteSpace(Host) || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
            problems.Add($"--host / {Section}:Host: '{Host}' is not a host name or IP address");
        if (PublicHost.Length > 0 && (Uri.CheckHostName(PublicHost) == UriHostNameType.Unknown || IsWildcard(PublicHost)))
            problems.Add($"--public-host / {Section}:PublicHost: '{PublicHost}' is not a host name or IP address peers can connect to");
        if (Port is < 0 or > 65535)
            problems.Add($"--port / {Section}:Port: {Port} must be between 0 and 65535");
        if (string.IsNullOrWhiteSpace(SystemName) || !SystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            || !char.IsAsciiLetterOrDigit(SystemName[0]))
            problems.Add($"--system-name / {Section}:SystemName: '{SystemName}' may only hold letters, digits, '-' and '_' and must start with a letter or digit");
        problems.AddRange(SeedNodeProblems());
        foreach (var role in RoleList)
        {
            if (role.Length > 64 || !role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                problems.Add($"--roles / {Section}:Roles: '{role}' may only hold letters, digits, '-' and '_' (at most 64 characters)");
        }
        if (string.IsNullOrWhiteSpace(DataDirectory) || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            problems.Add($"--data-dir / {Section}:DataDirectory: '{DataDirectory}' is not a usable path");
        if (!Cluster.Hosting.PersistenceProviders.TryParse(Persistence, out var provider))
            problems.Add($"--persistence / {Section}:Persistence: '{Persistence}' is not a persistence provider; expected one of {string.Join(", ", Cluster.Hosting.PersistenceProviders.Names)}");
        else if (provider == Cluster.Hosting.PersistenceProvider.PostgreSql
                 && Cluster.Hosting.PersistenceProviders.PostgresConnectionStringProblem(PostgresConnectionString) is { } connectionProblem)
            problems.Add($"{PostgresSetting}: {connectionProblem}");
        if (DatabaseStartupTimeout < TimeSpan.Zero || DatabaseStartupTimeout > TimeSpan.FromMinutes(10))
            problems.Add($"--database-timeout / {Section}:DatabaseStartupTimeout: {DatabaseStartupTimeout} must be between 00:00:00 and 00:10:00");
        if (CacheCapacity is < 1 or > 10_000_000)
            problems.Add($"--cache-capacity / {Section}:CacheCapacity: {CacheCapacity} must be between 1 and 10000000");
        if (PassivationIdleTimeout < TimeSpan.FromSeconds(1))
            problems.Add($"--passivation-idle / {Section}:PassivationIdleTimeout: {PassivationIdleTimeout} must be at least 00:00:01");
        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
            problems.Add($"--max-body-bytes / {Section}:MaxRequestBodyBytes: {MaxRequestBodyBytes} must be between 1024 and 16777216");
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(10))
            problems.Add($"--request-timeout / {Section}:RequestTimeout: {RequestTimeout} must be between 00:00:00.1 and 00:10:00");
        if (MaxInventoryItems is < 1 or > MaxInventoryItemsLimit)
            problems.Add($"--max-inventory-items / {Section}:MaxInventoryItems: {MaxInventoryItems} must be between 1 and {MaxInventoryItemsLimit}");
        if (PositionPersistInterval < TimeSpan.FromMilliseconds(100) || PositionPersistInterval > TimeSpan.FromMinutes(1))
            problems.Add($"--position-persist-interval / {Section}:PositionPersistInterval: {PositionPersistInterval} must be between 00:00:00.1 and 00:01:00");
        if (PresenceTimeout < TimeSpan.FromSeconds(3) || PresenceTimeout > TimeSpan.FromHours(1))
            problems.Add($"--presence-timeout / {Section}:PresenceTimeout: {PresenceTimeout} must be between 00:00:03 and 01:00:00");
        // At least two hours: always twice the longest presence timeout, so no player online is ever forgotten.
        if (PlayerRetention != TimeSpan.Zero && (PlayerRetention < TimeSpan.FromHours(2) || PlayerRetention > TimeSpan.FromDays(3650)))
            problems.Add($"--player-retention / {Section}:PlayerRetention: {PlayerRetention} must be 0 (keep every player) or between 02:00:00 and 3650.00:00:00");
        if (PreviewCacheBytes is < 1024 * 1024 or > 16L * 1024 * 1024 * 1024)
            problems.Add($"--preview-cache-bytes / {Section}:PreviewCacheBytes: {PreviewCacheBytes} must be between 1048576 (1 MiB) and 17179869184 (16 GiB)");
        if (PreviewRenders is < 1 or > 256)
            problems.Add($"--preview-renders / {Section}:PreviewRenders: {PreviewRenders} must be between 1 and 256");
        if (!Cluster.Consensus.ByzantineModes.TryParse(Byzantine, out _))
            problems.Add($"--byzantine / {Section}:Byzantine: '{Byzantine}' is not a mode; expected one of {string.Join(", ", Cluster.Consensus.ByzantineModes.Names)}");
        ReadAllowedValidators(problems);
        ReadRemoteTls(problems)?.Certificate.Dispose();
        if (IdentityTimeoutMs is < 100 or > 600_000)
            problems.Add($"--identity-timeout / {Section}:IdentityTimeoutMs: {IdentityTimeoutMs} must be between 100 and 600000 milliseconds");
        if (HeaderClockWindow < TimeSpan.FromSeconds(1) || HeaderClockWindow > TimeSpan.FromDays(1))
            problems.Add($"--header-clock-window / {Section}:HeaderClockWindow: {HeaderClockWindow} must be between 00:00:01 and 1.00:00:00");
        if (VoteTurnWaitMs is < 0 or > 100)
            problems.Add($"--vote-turn-wait / {Section}:VoteTurnWaitMs: {VoteTurnWaitMs} must be between 0 and 100 milliseconds");
        if (ShareBatchWaitMs is < 0 or > 100)
            problems.Add($"--share-batch-wait / {Section}:ShareBatchWaitMs: {ShareBatchWaitMs} must be between 0 and 100 milliseconds");
        if (DecisionTimeoutMs is < 1 or > 60_000)
            problems.Add($"--decision-timeout / {Section}:DecisionTimeoutMs: {DecisionTimeoutMs} must be between 1 and 60000 milliseconds");
        if (ProposalRate is < 1 or > 1_000_000)
            problems.Add($"--proposal-rate / {Section}:ProposalRate: {ProposalRate} must be between 1 and 1000000 proposals per second");
        if (ProposalBurst is < 1 or > 10_000_000)
            problems.Add($"--proposal-burst / {Section}:ProposalBurst: {ProposalBurst} must be between 1 and 10000000");
        if (HttpWriteRate is < 0 or > 1_000_000)
            problems.Add($"--http-write-rate / {Section}:HttpWriteRate: {HttpWriteRate} must be between 0 (no limit) and 1000000 writes per second");
        if (HttpWriteBurst is < 1 or > 1_000_000)
            problems.Add($"--http-write-burst / {Section}:HttpWriteBurst: {HttpWriteBurst} must be between 1 and 1000000");
        else if (HttpWriteBurst < HttpWriteRate)
            // The bucket refills once a second and holds at most the burst: a smaller burst would cap the rate at it.
            problems.Add($"--http-write-burst / {Section}:HttpWriteBurst: {HttpWriteBurst} must be at least --http-write-rate ({HttpWriteRate}), or the rate could never be reached");
        if (!double.IsFinite(WsMessagesPerSecond) || WsMessagesPerSecond is < 0.1 or > 100_000)
            problems.Add($"--ws-rate / {Section}:WsMessagesPerSecond: {WsMessagesPerSecond} must be between 0.1 and 100000 messages per second");
        if (WsMessageBurst is < 1 or > 1_000_000)
            problems.Add($"--ws-burst / {Section}:WsMessageBurst: {WsMessageBurst} must be between 1 and 1000000");
        if (WsMaxMessageBytes is < 1024 or > 16 * 1024 * 1024)
            problems.Add($"--ws-max-message-bytes / {Section}:WsMaxMessageBytes: {WsMaxMessageBytes} must be between 1024 and 16777216");
        if (WsOutgoingQueue is < 4 or > 1_000_000)
            problems.Add($"--ws-queue / {Section}:WsOutgoingQueue: {WsOutgoingQueue} must be between 4 and 1000000 frames");
        foreach (var origin in WsAllowedOriginList.Where(o => o != "*"))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/"
                || origin.EndsWith('/'))
                problems.Add($"--ws-allowed-origins / {Section}:WsAllowedOrigins: '{origin}' is not an origin; expected scheme://host[:port], e.g. https://game.example.com, or *");
        }
        foreach (var entry in AllowedHostList)
        {
            if (Api.HostNames.EntryProblem(entry) is { } problem)
                problems.Add($"--allowed-hosts / {Section}:AllowedHosts: {problem}");
        }
        if (RoomCapacity is < 2 or > 1024)
            problems.Add($"--room-capacity / {Section}:RoomCapacity: {RoomCapacity} must be between 2 and 1024 peers");
        if (WsPositionsInterval < TimeSpan.Zero || WsPositionsInterval > TimeSpan.FromSeconds(1))
            problems.Add($"--ws-positions-interval / {Section}:WsPositionsInterval: {WsPositionsInterval} must be between 00:00:00 and 00:00:01");
        if (WsResumeGrace < TimeSpan.Zero || WsResumeGrace > TimeSpan.FromHours(1))
            problems.Add($"--ws-resume-grace / {Section}:WsResumeGrace: {WsResumeGrace} must be between 00:00:00 and 01:00:00");
        return problems;
    }

    public IReadOnlyList<string> SeedNodeList => Split(SeedNodes);

    /// <summary>The host name peers are told to connect to: <see cref="PublicHost"/>, else <see cref="Host"/> unless that is a wildcard.</summary>
    public string AdvertisedHost => PublicHost.Length > 0 ? PublicHost : IsWildcard(Host) ? System.Net.Dns.GetHostName() : Host;

    /// <summary>Any spelling of the unspecified address ("0:0:0:0:0:0:0:0" too): bindable, but no peer can dial it.</summary>
    private static bool IsWildcard(string host) =>
        System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address)
        && (address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any));

    public IReadOnlyList<string> RoleList => Split(Roles);

    /// <summary>
    /// The allowed validator ids of <see cref="AllowedValidators"/> and <see cref="ValidatorsFile"/>, or null for open
    /// membership; <paramref name="problems"/> gets one line per unusable entry, naming the setting (and line).
    /// </summary>
    public IReadOnlySet<string>? ReadAllowedValidators(List<string> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in Split(AllowedValidators))
        {
            if (Cluster.Consensus.ValidatorKeys.IsCanonicalId(id))
                ids.Add(id);
            else
                problems.Add($"--validators / {Section}:AllowedValidators: '{id}' is not a validator id (64 lower-case hex characters, as the keys command prints it)");
        }
        if (!string.IsNullOrWhiteSpace(ValidatorsFile))
        {
            var prefix = $"--validators-file / {Section}:ValidatorsFile: '{ValidatorsFile}'";
            string[] lines;
            try
            {
                if (ReadBounded(ValidatorsFile, MaxValidatorsFileBytes) is not { } text)
                {
                    problems.Add($"{prefix} is larger than {MaxValidatorsFileBytes} bytes (a list of 10,000 validator ids takes about 650 KB)");
                    return null;
                }
                lines = text.Split('\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add($"{prefix} cannot be read: {e.Message}");
                return null;
            }
            var bad = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var hash = line.IndexOf('#', StringComparison.Ordinal);
                var id = (hash >= 0 ? line[..hash] : line).Trim();
                if (id.Length == 0)
                    continue;
                if (Cluster.Consensus.ValidatorKeys.IsCanonicalId(id))
                    ids.Add(id);
                else if (++bad <= MaxReportedLines)
                    problems.Add($"{prefix} line {i + 1}: '{Shorten(id)}' is not a validator id (64 lower-case hex characters, as the keys command prints it)");
            }
            if (bad > MaxReportedLines)
                problems.Add($"{prefix}: {bad - MaxReportedLines} more lines are not validator ids either");
            if (ids.Count == 0)
                problems.Add($"{prefix} lists no validator id; a closed membership needs at least one");
        }
        return ids.Count == 0 ? null : ids;
    }

    /// <summary>A validators file is read whole before it is checked, so its size is bounded: <c>/dev/zero</c> never ends.</summary>
    public const int MaxValidatorsFileBytes = 1 << 20;

    /// <summary>Unusable lines named one by one; a file of garbage gets a count for the rest, not a line each.</summary>
    private const int MaxReportedLines = 5;

    private static string Shorten(string id) => id.Length <= 80 ? id : string.Concat(id.AsSpan(0, 77), "...");

    /// <summary>The file as UTF-8 text, or null when it holds more than <paramref name="maxBytes"/> bytes.</summary>
    private static string? ReadBounded(string path, int maxBytes)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            total += read;
        return total > maxBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private const string CertificateSetting = $"--remote-tls-certificate / {Section}:RemoteTlsCertificate";

    /// <summary>
    /// The remoting TLS settings, with the certificate loaded from <see cref="RemoteTlsCertificate"/>, or null for plain
    /// TCP; <paramref name="problems"/> gets one line per unusable setting, naming it (never the password's value).
    /// </summary>
    public Cluster.Hosting.RemoteTlsSettings? ReadRemoteTls(List<string> problems)
    {
        var validationGiven = !string.IsNullOrWhiteSpace(RemoteTlsValidation);
        var validation = Cluster.Hosting.RemoteTlsValidation.Pinned;
        if (validationGiven && !Cluster.Hosting.RemoteTlsValidations.TryParse(RemoteTlsValidation, out validation))
            problems.Add($"--remote-tls-validation / {Section}:RemoteTlsValidation: '{RemoteTlsValidation}' is not a validation mode; expected one of {string.Join(", ", Cluster.Hosting.RemoteTlsValidations.Names)}");
        var hashes = Split(RemoteTlsPeerHashes).Select(h => h.Replace(":", "", StringComparison.Ordinal)).ToList();
        foreach (var hash in hashes.Where(h => h.Length != 64 || !h.All(char.IsAsciiHexDigit)))
            problems.Add($"--remote-tls-peer-hashes / {Section}:RemoteTlsPeerHashes: '{hash}' is not a SHA-256 hash (64 hex characters, as openssl x509 -noout -fingerprint -sha256 prints it)");
        if (!RemoteTlsEnabled)
        {
            if (validationGiven)
                problems.Add($"--remote-tls-validation / {Section}:RemoteTlsValidation: set without {CertificateSetting}; TLS needs this node's certificate");
            if (hashes.Count > 0)
                problems.Add($"--remote-tls-peer-hashes / {Section}:RemoteTlsPeerHashes: set without {CertificateSetting}; TLS needs this node's certificate");
            // A password with no certificate to open is a certificate forgotten: the node would run plain TCP unasked.
            if (!string.IsNullOrEmpty(RemoteTlsPassword))
                problems.Add($"--remote-tls-password / {Section}:RemoteTlsPassword: set without {CertificateSetting}; it opens that certificate's PFX");
            return null;
        }
        if (hashes.Count > 0 && validation != Cluster.Hosting.RemoteTlsValidation.Pinned)
            problems.Add($"--remote-tls-peer-hashes / {Section}:RemoteTlsPeerHashes: only used with --remote-tls-validation pinned, not {RemoteTlsValidation}");
        var prefix = $"{CertificateSetting}: '{RemoteTlsCertificate}'";
        if (!File.Exists(RemoteTlsCertificate))
        {
            problems.Add($"{prefix} does not exist");
            return null;
        }
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                RemoteTlsCertificate, string.IsNullOrEmpty(RemoteTlsPassword) ? null : RemoteTlsPassword);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add($"{prefix} does not exist");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"{prefix} cannot be read: {e.Message}");
            return null;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            problems.Add($"{prefix} cannot be loaded as a PKCS#12 (PFX) file with --remote-tls-password / {Section}:RemoteTlsPassword " +
                $"(wrong password, or not a PFX: {e.Message.TrimEnd('.')})");
            return null;
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            problems.Add($"{prefix} holds no private key; remoting TLS needs the certificate together with its key in one PFX");
            return null;
        }
        return new Cluster.Hosting.RemoteTlsSettings { Certificate = certificate, Validation = validation, PeerCertificateHashes = hashes };
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A seed the node cannot reach would only show up as an endless "joining" loop, so it is refused up front.</summary>
    private IEnumerable<string> SeedNodeProblems()
    {
        foreach (var seed in SeedNodeList)
        {
            var prefix = $"--seed-node / {Section}:SeedNodes: '{seed}'";
            if (!Akka.Actor.ActorPath.TryParseAddress(seed, out var address) || address.Host is null || address.Port is null
                || address.ToString() != seed.TrimEnd('/'))
            {
                yield return $"{prefix} is not a seed node address; expected {RemoteProtocol}://{SystemName}@host:port, e.g. {RemoteProtocol}://{SystemName}@127.0.0.1:4053";
                continue;
            }
            if (address.Protocol != RemoteProtocol)
                yield return RemoteTlsEnabled
                    ? $"{prefix} uses protocol '{address.Protocol}', but this node speaks TLS ({CertificateSetting} is set), so its peers' addresses are akka.ssl.tcp://; write the seed as {RemoteProtocol}://{address.System}@{address.Host}:{address.Port}"
                    : $"{prefix} uses protocol '{address.Protocol}', but this node speaks plain TCP (no {CertificateSetting}), so its peers' addresses are akka.tcp://; write the seed as akka.tcp://{address.System}@{address.Host}:{address.Port}, or give this node a certificate";
            if (address.System != SystemName)
                yield return $"{prefix} names actor system '{address.System}', but this node's system is '{SystemName}'; peers must share it";
            if (address.Port is < 1 or > 65535)
                yield return $"{prefix} has port {address.Port}; expected 1 to 65535";
        }
    }
}
