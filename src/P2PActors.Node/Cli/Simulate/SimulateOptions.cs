using System.Globalization;
using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Hosting;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>What one <c>simulate</c> run does; <see cref="Validate"/> names every bad value before anything starts.</summary>
public sealed record SimulateOptions
{
    public const int MaxNodes = ClusterCommand.MaxNodes;
    public const int MaxPlayers = 5000;

    public int Nodes { get; init; } = 3;

    public int Players { get; init; } = 30;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Load played before <see cref="Duration"/> and left out of the throughput, latency, reach, error and node
    /// figures (not of consensus outcomes or the convergence check): a node started a moment ago spends its first tens
    /// of seconds under load compiling (tiered JIT), which is not its steady state.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    /// <summary>Running nodes to drive instead of starting <see cref="Nodes"/> of them.</summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [];

    public string? ReportDirectory { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>0: free ports found at start.</summary>
    public int BaseHttpPort { get; init; }

    public int BasePort { get; init; }

    /// <summary>How long the convergence check may wait for the nodes to agree after the load stops.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Moves per second per bot; the other operations are drawn once per move.</summary>
    public double MoveRate { get; init; } = 2;

    public string? DataDirectory { get; init; }

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public string LogLevel { get; init; } = "Error";

    /// <summary>How many of the started nodes run Byzantine: the last ones, as in <c>chaos</c>.</summary>
    public int Byzantine { get; init; }

    /// <summary>Handed out round-robin to the Byzantine nodes.</summary>
    public IReadOnlyList<ByzantineMode> Modes { get; init; } = [ByzantineMode.Equivocate];

    /// <summary>The started nodes' <c>--persistence</c>; null leaves the node's own default (or environment).</summary>
    public string? Persistence { get; init; }

    /// <summary>
    /// The started nodes' <c>--postgres</c>; null falls back to <see cref="PostgresEnvironmentVariable"/>, which the
    /// nodes inherit and which keeps the password out of the process list.
    /// </summary>
    public string? PostgresConnectionString { get; init; }

    public const string PostgresEnvironmentVariable = "P2PActors__PostgresConnectionString";

    /// <summary>The live dashboard or one line per second while the bots play; auto picks by whether the output is a terminal.</summary>
    public SimulateView View { get; init; } = SimulateView.Auto;

    public bool StartsNodes => Targets.Count == 0;

    /// <summary>The mode of started node <paramref name="index"/> (0-based): honest but for the last <see cref="Byzantine"/>.</summary>
    public ByzantineMode ModeOf(int index)
    {
        var firstByzantine = Nodes - Byzantine;
        return !StartsNodes || index < firstByzantine || Modes.Count == 0 ? ByzantineMode.Honest : Modes[(index - firstByzantine) % Modes.Count];
    }

    /// <summary>The flags node <paramref name="index"/> is started with beyond those of <c>cluster</c>.</summary>
    public IEnumerable<string> NodeArguments(int index)
    {
        var mode = ModeOf(index);
        if (mode != ByzantineMode.Honest)
        {
            yield return "--byzantine";
            yield return ByzantineModes.WireName(mode);
        }
        if (Persistence is not null)
        {
            yield return "--persistence";
            yield return Persistence;
        }
    }

    public int NodeCount => StartsNodes ? Nodes : Targets.Count;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Nodes is < 1 or > MaxNodes)
            problems.Add($"--nodes: {Nodes} must be between 1 and {MaxNodes}");
        if (Players is < 1 or > MaxPlayers)
            problems.Add($"--players: {Players} must be between 1 and {MaxPlayers}");
        if (Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromHours(24))
            problems.Add($"--duration: {Duration} must be between 00:00:01 and 24:00:00");
        if (Warmup < TimeSpan.Zero || Warmup > TimeSpan.FromHours(1))
            problems.Add($"--warmup: {Warmup} must be between 0 and 01:00:00");
        if (SettleTimeout < TimeSpan.Zero || SettleTimeout > TimeSpan.FromMinutes(30))
            problems.Add($"--settle: {SettleTimeout} must be between 00:00:00 and 00:30:00");
        if (!(MoveRate is >= 0.1 and <= 20))
            problems.Add($"--move-rate: {MoveRate.ToString(CultureInfo.InvariantCulture)} must be between 0.1 and 20 moves per second (the node allows 50 messages per second per connection)");
        if (Seed < 0)
            problems.Add($"--seed: {Seed} must be 0 or more");
        foreach (var (name, port) in new[] { ("--base-http-port", BaseHttpPort), ("--base-port", BasePort) })
        {
            if (port != 0 && (port < 1 || port + Nodes - 1 > 65535))
                problems.Add($"{name}: {port} must be 0 (free ports) or leave room for {Nodes} ports between 1 and 65535");
        }
        if (BaseHttpPort != 0 && BasePort != 0 && BaseHttpPort < BasePort + Nodes && BasePort < BaseHttpPort + Nodes)
            problems.Add($"--base-http-port {BaseHttpPort} and --base-port {BasePort}: the HTTP and remoting port ranges overlap");
        if (ReportDirectory is not null && (string.IsNullOrWhiteSpace(ReportDirectory) || ReportDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            problems.Add($"--report: '{ReportDirectory}' is not a usable folder path");
        // Checked before the run, not found out after it: a file there made a whole run end in "Simulation failed".
        else if (ReportDirectory is not null && File.Exists(ReportDirectory))
            problems.Add($"--report: '{ReportDirectory}' is a file; give a folder (it is created if missing)");
        if (DataDirectory is not null && (string.IsNullOrWhiteSpace(DataDirectory) || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            problems.Add($"--data-dir: '{DataDirectory}' is not a usable folder path");
        if (StartupTimeout < TimeSpan.FromSeconds(1) || StartupTimeout > TimeSpan.FromDays(1))
            problems.Add($"--startup-timeout: {StartupTimeout} must be between 00:00:01 and 1.00:00:00");
        ValidateByzantine(problems);
        ValidatePersistence(problems);
        return problems;
    }

    private void ValidateByzantine(List<string> problems)
    {
        if (!StartsNodes)
        {
            // A node's validator behaviour is fixed when it starts; the simulator cannot change it from outside.
            if (Byzantine != 0)
                problems.Add("--byzantine: not with --targets: nodes that already run cannot be made Byzantine (start them with --byzantine MODE)");
            return;
        }
        if (Byzantine < 0 || Byzantine > Math.Max(Nodes - 1, 0))
            problems.Add($"--byzantine: {Byzantine} must be between 0 and nodes - 1 ({Math.Max(Nodes - 1, 0)}): at least one node stays honest");
        if (Modes.Count == 0)
            problems.Add($"--mode: no mode given; use one or more of {string.Join(", ", ChaosModes.Byzantine.Select(ByzantineModes.WireName))} (comma-separated)");
        else if (Modes.Contains(ByzantineMode.Honest))
            problems.Add($"--mode: honest is not a Byzantine mode; use one or more of {string.Join(", ", ChaosModes.Byzantine.Select(ByzantineModes.WireName))}");
    }

    private void ValidatePersistence(List<string> problems)
    {
        if (!StartsNodes)
        {
            // Running nodes keep the store they were started with.
            if (Persistence is not null)
                problems.Add("--persistence: not with --targets: nodes that already run keep the persistence they were started with");
            if (PostgresConnectionString is not null)
                problems.Add("--postgres: not with --targets: nodes that already run keep the persistence they were started with");
            return;
        }
        PersistenceProvider? provider = null;
        if (Persistence is not null)
        {
            if (PersistenceProviders.TryParse(Persistence, out var parsed))
                provider = parsed;
            else
                problems.Add($"--persistence: '{Persistence}' is not a persistence provider; expected one of {string.Join(", ", PersistenceProviders.Names)}");
        }
        if (provider == PersistenceProvider.PostgreSql)
        {
            var connectionString = PostgresConnectionString ?? Environment.GetEnvironmentVariable(PostgresEnvironmentVariable);
            if (PersistenceProviders.PostgresConnectionStringProblem(connectionString) is { } problem)
                problems.Add($"--postgres (or {PostgresEnvironmentVariable} in the environment) {problem}; --persistence postgresql needs it");
        }
        else if (PostgresConnectionString is not null)
        {
            // Silently unused, a connection string would let a user believe the run went to PostgreSQL.
            problems.Add("--postgres: only with --persistence postgresql");
        }
    }

    /// <summary>
    /// <c>hh:mm:ss</c> (any <see cref="TimeSpan"/> in the invariant culture) or a number of seconds (<c>20</c>, <c>2.5</c>).
    /// </summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration, out string? problem)
    {
        duration = default;
        problem = null;
        var value = text?.Trim() ?? "";
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                problem = $"'{value}' is not a usable number of seconds";
                return false;
            }
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }
        if (value.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration))
            return true;
        problem = $"'{value}' is neither hh:mm:ss nor a number of seconds";
        return false;
    }

    /// <summary>
    /// A comma list of node base URLs. Only this machine's loopback addresses: the simulator is a load generator, and
    /// its traffic is meant to stay on this machine (a local cluster, or the compose cluster's published ports).
    /// </summary>
    public static IReadOnlyList<Uri> ParseTargets(string? text, List<string> problems)
    {
        var targets = new List<Uri>();
        if (string.IsNullOrWhiteSpace(text))
        {
            if (text is not null)
                problems.Add("--targets: give one or more node URLs, e.g. http://127.0.0.1:5081,http://127.0.0.1:5082");
            return targets;
        }
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"
                || !string.IsNullOrEmpty(uri.Query))
            {
                problems.Add($"--targets: '{part}' is not a node's base URL such as http://127.0.0.1:5081");
                continue;
            }
            if (!uri.IsLoopback)
            {
                problems.Add($"--targets: '{part}' is not on this machine; simulate drives only nodes on 127.0.0.1 / localhost");
                continue;
            }
            if (targets.Contains(uri))
            {
                problems.Add($"--targets: '{part}' is listed twice");
                continue;
            }
            targets.Add(uri);
        }
        return targets;
    }
}
