namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Which pages may open a WebSocket. A browser always sends <c>Origin</c> on a WebSocket handshake, so checking it
/// stops another site's page from acting for the user of this one. The page's own origin is accepted however the
/// node is reached (its own address, a name, or a port docker-compose publishes): the origin's host and port equal
/// the request's <c>Host</c> header. Listed origins are accepted too; <c>*</c> accepts every origin.
/// </summary>
public static class WsOriginPolicy
{
    /// <param name="origin">The <c>Origin</c> header; null or empty for non-browser clients, which are accepted.</param>
    /// <param name="host">The request's <c>Host</c> header (host and optional port).</param>
    public static bool Allows(string? origin, HostString host, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrEmpty(origin))
            return true;
        if (allowed.Contains("*"))
            return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return false;
        if (allowed.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var listed) && SameOrigin(listed, uri)))
            return true;
        if (!host.HasValue)
            return false;
        // The Host header is the client's to write: Kestrel lets through names Uri cannot parse ("a!b"), and those
        // are no page's origin.
        if (!Uri.TryCreate($"{uri.Scheme}://{host.Host}", UriKind.Absolute, out var requested))
            return false;
        var hostPort = host.Port ?? (uri.Scheme == "https" ? 443 : 80);
        return string.Equals(uri.IdnHost, requested.IdnHost, StringComparison.OrdinalIgnoreCase) && uri.Port == hostPort;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
}
