using System.Net;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api;

/// <summary>
/// The names this node answers to. A page on another site cannot read the node's answers or pass the WebSocket's
/// origin check, unless its own name leads to this machine: with DNS rebinding, the page's name first resolves to the
/// attacker's server and then to 127.0.0.1, and the browser takes the node for that page's own origin. Its requests
/// then carry the attacker's name in <c>Host</c>, which no user of the node types. So the node answers only to IP
/// addresses (no lookup is involved), <c>localhost</c> and its subdomains (browsers resolve those to loopback
/// themselves), the host of <c>--http-url</c>, <c>--public-host</c>, this machine's name, and the names listed in
/// <c>--allowed-hosts</c>; <c>*</c> there lets every name in.
/// </summary>
public sealed class HostNames
{
    private readonly HashSet<string> _names;
    private readonly string[] _suffixes;

    public HostNames(IEnumerable<string> names)
    {
        var list = names.Select(Normalise).Where(n => n.Length > 0).ToList();
        AllowsAny = list.Contains("*");
        _names = list.Where(n => !n.StartsWith("*.", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // "*.example.com" lets in every name below example.com (not example.com itself, as for TLS wildcards).
        _suffixes = [.. list.Where(n => n.StartsWith("*.", StringComparison.Ordinal)).Select(n => n[1..])];
    }

    public bool AllowsAny { get; }

    /// <summary>What a node with <paramref name="options"/> answers to (see the class summary).</summary>
    public static HostNames For(NodeOptions options)
    {
        var names = new List<string>(options.AllowedHostList);
        if (Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var url))
            names.Add(url.Host);
        if (options.PublicHost.Length > 0)
            names.Add(options.PublicHost);
        try
        {
            names.Add(Dns.GetHostName());
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No name for this machine: nobody can reach it by one.
        }
        return new HostNames(names);
    }

    /// <summary>Whether a request whose <c>Host</c> names <paramref name="host"/> (without its port) is served.</summary>
    public bool Allows(string host)
    {
        if (AllowsAny)
            return true;
        var name = Normalise(host);
        if (name.Length == 0)
            return false;
        if (IPAddress.TryParse(name.Trim('[', ']'), out _))
            return true;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return _names.Contains(name) || _suffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// "Example.COM." and "example.com" are one name (DNS ignores case and the final dot), and so are "bücher.example"
    /// and "xn--bcher-kva.example", which is what a browser sends for it.
    /// </summary>
    private static string Normalise(string name)
    {
        var trimmed = name.Trim().TrimEnd('.');
        if (trimmed.Length == 0 || trimmed.All(char.IsAscii))
            return trimmed;
        var wildcard = trimmed.StartsWith("*.", StringComparison.Ordinal);
        try
        {
            var ascii = new System.Globalization.IdnMapping().GetAscii(wildcard ? trimmed[2..] : trimmed);
            return wildcard ? "*." + ascii : ascii;
        }
        catch (ArgumentException)
        {
            return trimmed;
        }
    }

    /// <summary>The problem of one <c>--allowed-hosts</c> entry, or null: a host name, <c>*.</c> and a name, or <c>*</c>.</summary>
    public static string? EntryProblem(string entry)
    {
        if (entry == "*")
            return null;
        var name = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry;
        // Underscores are no part of a DNS host name, but container names (docker-compose 1.x: project_node_1) have them.
        return name.Length > 0 && !name.Contains('*', StringComparison.Ordinal)
            && Uri.CheckHostName(name.Replace('_', '-')) != UriHostNameType.Unknown
            ? null
            : $"'{entry}' is not a host name; expected a name such as game.example.com, *.example.com for every name below it, or *";
    }
}

/// <summary>Refuses requests, the WebSocket's included, whose <c>Host</c> is not one of the node's <see cref="HostNames"/>.</summary>
public static class HostFiltering
{
    public static WebApplication UseHostNameGuard(this WebApplication app)
    {
        var names = HostNames.For(app.Services.GetRequiredService<NodeOptions>());
        if (names.AllowsAny)
            return app;
        app.Use(async (http, next) =>
        {
            var host = http.Request.Host;
            // HTTP/1.0 may leave Host out; no browser does, and without one there is no name to rebind.
            if (!host.HasValue || names.Allows(host.Host))
            {
                await next(http);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Host name not allowed.",
                detail: $"This node does not answer to the name '{host.Host}': a page reached through a name the node does not know could be " +
                        "another site's whose name was pointed at this machine (DNS rebinding). It answers to IP addresses, localhost, the host of " +
                        "--http-url, --public-host and this machine's name. To use this name, start the node with --allowed-hosts " +
                        $"{host.Host} (P2PActors:AllowedHosts). Nothing was done.")
                .ExecuteAsync(http);
        });
        return app;
    }
}
