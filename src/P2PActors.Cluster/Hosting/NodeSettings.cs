using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Hosting;

/// <summary>
/// Everything a node needs to start. The defaults are the embedded single-node set-up: a one-member cluster on
/// 127.0.0.1 with its data in ./data.
/// </summary>
public sealed record NodeSettings
{
    public string SystemName { get; init; } = "p2pactors";

    /// <summary>Remoting host the node binds to; also the address peers see unless <see cref="PublicHost"/> is set.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The host name peers connect to when it differs from <see cref="Host"/> (bind 0.0.0.0, advertise a container's name); null: <see cref="Host"/>.</summary>
    public string? PublicHost { get; init; }

    /// <summary>Remoting port; 0 picks a free one.</summary>
    public int Port { get; init; }

    public string DataDirectory { get; init; } = "./data";

    /// <summary>TLS for remoting; null (the default) is plain TCP.</summary>
    public RemoteTlsSettings? RemoteTls { get; init; }

    public int CacheCapacity { get; init; } = 1_000;

    public TimeSpan PassivationIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public int SnapshotEvery { get; init; } = 100;

    public int HistoryLimit { get; init; } = 1_000;

    /// <summary>Most distinct items one player may hold; an add beyond it is refused (<see cref="InventoryFullException"/>).</summary>
    public int MaxInventoryItems { get; init; } = GameStateSettings.DefaultMaxInventoryItems;

    /// <summary>A player not heard from (no move, no heartbeat) for this long is offline (<see cref="GameStateSettings.PresenceTimeout"/>).</summary>
    public TimeSpan PresenceTimeout { get; init; } = GameStateSettings.DefaultPresenceTimeout;

    /// <summary>How long a share waits for others to be pushed with (<see cref="GameStateSettings.ShareBatchWait"/>).</summary>
    public TimeSpan ShareBatchWait { get; init; } = GameStateSettings.DefaultShareBatchWait;

    /// <summary>A player not seen for this long is forgotten, inventory kept (<see cref="GameStateSettings.PlayerRetention"/>); zero keeps every player.</summary>
    public TimeSpan PlayerRetention { get; init; } = GameStateSettings.DefaultPlayerRetention;

    /// <summary>Most time between a move and its durable write (<see cref="GameStateSettings.PositionPersistInterval"/>).</summary>
    public TimeSpan PositionPersistInterval { get; init; } = GameStateSettings.DefaultPositionPersistInterval;

    /// <summary>How ratings become a profile: learning rate, minimum ratings before a profile exists, sharpness.</summary>
    public Content.Preferences.PreferenceOptions Preferences { get; init; } = Content.Preferences.PreferenceOptions.Default;

    /// <summary>Akka addresses of seed nodes ("akka.tcp://p2pactors@host:port"); none means the node joins itself.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Vote timeout, rate limit, Byzantine mode. The validator key is kept in <see cref="DataDirectory"/> unless its KeyDirectory is set.</summary>
    public ConsensusOptions Consensus { get; init; } = new();

    /// <summary>WebRTC signaling rooms: room cap, signal size, resync interval.</summary>
    public Signaling.SignalingSettings Signaling { get; init; } = new();

    /// <summary>Which catalog entries the node admits; null (the default) admits only entries with a certificate that verifies.</summary>
    public ICatalogAdmission? Admission { get; init; }

    /// <summary>Where the journal and snapshots go: SQLite in <see cref="PersistenceDatabasePath"/> (the default) or PostgreSQL.</summary>
    public PersistenceProvider Persistence { get; init; } = PersistenceProvider.Sqlite;

    /// <summary>Npgsql connection string of the journal database; required with <see cref="PersistenceProvider.PostgreSql"/>.</summary>
    public string? PostgresConnectionString { get; init; }

    public string PersistenceDatabasePath => Path.Combine(DataDirectory, "p2pactors.db");

    public string ContentDatabasePath => Path.Combine(DataDirectory, "content.db");

    /// <summary>The replicated state's durable store and the catalog bodies.</summary>
    public string StateDirectory => Path.Combine(DataDirectory, "state");

    /// <summary>
    /// The SQLite files this node keeps in its data directory, and what each holds (for the operator: what a node
    /// started without that file would lack).
    /// </summary>
    public IReadOnlyList<(string Path, string Holds)> SqliteDataFiles =>
    [
        (ContentDatabasePath, "the content this node generated"),
        .. Persistence == PersistenceProvider.Sqlite
            ? [(PersistenceDatabasePath, "the players' memory journaled on this node: history, ratings, learned profiles, sharing choices")]
            : Array.Empty<(string, string)>(),
        (Path.Combine(StateDirectory, State.GameStateSettings.DurableFileName), "this node's stored replica of the shared state (its peers hold it too)"),
        (Path.Combine(StateDirectory, State.ContentBodyActor.FileName), "the bodies of shared content this node holds, some perhaps nowhere else"),
    ];

    /// <summary>
    /// The data files that exist but cannot be read (damaged, truncated, not SQLite at all, a folder where a file
    /// belongs, a validator key that is not one) and a file where the state folder belongs, each phrased for the
    /// operator with what it holds; empty when every one reads or is still to be made. Checked before the node starts:
    /// once running, a damaged durable store (or a file named <c>state</c>) stopped the replicator while the node
    /// reported itself healthy, and a bad key stopped the node with two stack traces.
    /// </summary>
    public IReadOnlyList<string> UnreadableDataFiles() =>
    [
        .. File.Exists(StateDirectory)
            ? [$"{Path.GetFullPath(StateDirectory)} is a file where the node keeps a folder (its stored replica of the shared state and " +
               "the bodies of shared content it holds). The node did not start: move the file aside."]
            : Array.Empty<string>(),
        .. SqliteDataFiles
            .Where(file => Directory.Exists(file.Path))
            .Select(file => $"{Path.GetFullPath(file.Path)} is a folder where the node keeps a SQLite file; it would hold {file.Holds}. " +
                            "The node did not start: move the folder aside."),
        .. ValidatorKeyProblem() is { } keyProblem ? [keyProblem] : Array.Empty<string>(),
        .. SqliteDataFiles
            .Select(file => (file.Path, file.Holds, Problem: Storage.SqliteFiles.Unreadable(file.Path)))
            .Where(file => file.Problem is not null)
            .Select(file => file.Problem!.Value.Damaged
                ? $"{Path.GetFullPath(file.Path)} cannot be read ({file.Problem.Value.Reason}); it holds {file.Holds}. The node did not start " +
                  "and left the file as it is: restore it from a backup, or move it aside to start without what it held."
                : $"{Path.GetFullPath(file.Path)} cannot be opened ({file.Problem.Value.Reason}); it holds {file.Holds}. The node did not " +
                  "start: check that no other program holds the file and that this user may read and write it."),
    ];

    /// <summary>Why the validator key in its folder cannot be used (a folder, unreadable, not a key); null when it loads or is still to be made.</summary>
    private string? ValidatorKeyProblem()
    {
        var path = Path.GetFullPath(Path.Combine(Consensus.KeyDirectory ?? DataDirectory, P2PActors.Cluster.Consensus.ValidatorIdentity.FileName));
        if (Directory.Exists(path))
            return $"{path} is a folder where the node keeps its validator key. The node did not start: move the folder aside.";
        return P2PActors.Cluster.Consensus.ValidatorIdentity.KeyFileProblem(path) is { } problem
            ? $"{problem} The node did not start and left the file as it is."
            : null;
    }

    /// <summary>Every problem with these settings, phrased for the operator; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(SystemName) || !SystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            problems.Add("SystemName must be non-empty and use only A-Z, a-z, 0-9, '-' or '_'");
        if (string.IsNullOrWhiteSpace(Host))
            problems.Add("Host is required");
        if (Port is < 0 or > 65535)
            problems.Add("Port must be between 0 and 65535");
        if (string.IsNullOrWhiteSpace(DataDirectory))
            problems.Add("DataDirectory is required");
        if (CacheCapacity < 1)
            problems.Add("CacheCapacity must be at least 1");
        if (PassivationIdleTimeout <= TimeSpan.Zero)
            problems.Add("PassivationIdleTimeout must be positive");
        if (SnapshotEvery < 1)
            problems.Add("SnapshotEvery must be at least 1");
        if (HistoryLimit < 1)
            problems.Add("HistoryLimit must be at least 1");
        if (MaxInventoryItems < 1)
            problems.Add("MaxInventoryItems must be at least 1");
        if (Persistence == PersistenceProvider.PostgreSql && PersistenceProviders.PostgresConnectionStringProblem(PostgresConnectionString) is { } problem)
            problems.Add("PostgresConnectionString " + problem);
        problems.AddRange(Consensus.Validate());
        problems.AddRange(Signaling.Validate().Select(p => "Signaling." + p));
        try
        {
            Preferences.Validated();
        }
        catch (ArgumentOutOfRangeException e)
        {
            problems.Add($"Preferences.{e.ParamName}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        return problems;
    }
}
