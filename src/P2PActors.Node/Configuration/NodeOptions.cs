namespace P2PActors.Node.Configuration;

/// <summary>
/// Everything a node can be told, bound from the <c>P2PActors</c> configuration section. The defaults here are
/// the embedded defaults: one node alone on this machine, reachable from nowhere else.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "P2PActors";

    /// <summary>Where the HTTP API listens. Port 0 picks a free port (the bound address is logged).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Host name or IP the Akka remoting endpoint binds to and advertises.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Akka remoting port. 0 picks a free port.</summary>
    public int Port { get; set; } = 4053;

    public string SystemName { get; set; } = "p2pactors";

    /// <summary>Directory of the SQLite journal and snapshot store; created when missing.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>How many generated contents the LRU cache keeps, keyed by (type, params, seed).</summary>
    public int CacheCapacity { get; set; } = 1000;

    /// <summary>How long a player's memory stays in memory without use before it is passivated.</summary>
    public TimeSpan PassivationIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest request body the HTTP API reads; a content request is a few hundred bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long an HTTP request waits for the actors before it answers 503.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every reason these options cannot run a node, worded for the person who set them.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.AbsolutePath != "/")
            problems.Add($"--http-url / {Section}:HttpUrl: '{HttpUrl}' must be an http URL with no path, e.g. http://127.0.0.1:5080");
        if (string.IsNullOrWhiteSpace(Host) || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
            problems.Add($"--host / {Section}:Host: '{Host}' is not a host name or IP address");
        if (Port is < 0 or > 65535)
            problems.Add($"--port / {Section}:Port: {Port} must be between 0 and 65535");
        if (string.IsNullOrWhiteSpace(SystemName) || !SystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            || !char.IsAsciiLetterOrDigit(SystemName[0]))
            problems.Add($"--system-name / {Section}:SystemName: '{SystemName}' may only hold letters, digits, '-' and '_' and must start with a letter or digit");
        if (string.IsNullOrWhiteSpace(DataDirectory) || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            problems.Add($"--data-dir / {Section}:DataDirectory: '{DataDirectory}' is not a usable path");
        if (CacheCapacity is < 1 or > 10_000_000)
            problems.Add($"--cache-capacity / {Section}:CacheCapacity: {CacheCapacity} must be between 1 and 10000000");
        if (PassivationIdleTimeout < TimeSpan.FromSeconds(1))
            problems.Add($"--passivation-idle / {Section}:PassivationIdleTimeout: {PassivationIdleTimeout} must be at least 00:00:01");
        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
            problems.Add($"--max-body-bytes / {Section}:MaxRequestBodyBytes: {MaxRequestBodyBytes} must be between 1024 and 16777216");
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(10))
            problems.Add($"--request-timeout / {Section}:RequestTimeout: {RequestTimeout} must be between 00:00:00.1 and 00:10:00");
        return problems;
    }
}
