using Microsoft.AspNetCore.Http;
using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Tests;

/// <summary>The origin rule on its own: the page's own origin however the node is reached, plus the listed ones.</summary>
public sealed class WsOriginPolicyTests
{
    [Theory]
    // Reached on its own address, by a name, or through a port docker-compose publishes: Origin follows Host.
    [InlineData("http://127.0.0.1:5080", "127.0.0.1:5080")]
    [InlineData("http://localhost:8080", "localhost:8080")]
    [InlineData("http://GAME.local:18080", "game.local:18080")]
    [InlineData("http://game.local", "game.local")]
    [InlineData("https://game.local", "game.local:443")]
    // The scheme is not compared: behind a TLS-terminating proxy the page is https while the node sees http.
    [InlineData("https://127.0.0.1:5080", "127.0.0.1:5080")]
    public void The_pages_own_origin_is_allowed(string origin, string host) =>
        Assert.True(WsOriginPolicy.Allows(origin, new HostString(host), []));

    [Theory]
    [InlineData("http://evil.example", "127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5081", "127.0.0.1:5080")]
    [InlineData("null", "127.0.0.1:5080")]
    [InlineData("file:///home/page.html", "127.0.0.1:5080")]
    // Host headers Kestrel lets through but Uri cannot parse: no page's origin (building a Uri of them threw).
    [InlineData("http://example.com", "a!b")]
    [InlineData("http://example.com", "a..b")]
    public void Other_origins_are_refused(string origin, string host) =>
        Assert.False(WsOriginPolicy.Allows(origin, new HostString(host), []));

    [Fact]
    public void Listed_origins_and_the_wildcard_are_allowed_and_clients_without_origin_are_accepted()
    {
        Assert.True(WsOriginPolicy.Allows("https://game.example.com", new HostString("10.0.0.5:5080"), ["https://game.example.com"]));
        Assert.False(WsOriginPolicy.Allows("https://game.example.com:8443", new HostString("10.0.0.5:5080"), ["https://game.example.com"]));
        Assert.True(WsOriginPolicy.Allows("http://anything.example", new HostString("10.0.0.5:5080"), ["*"]));
        Assert.True(WsOriginPolicy.Allows(null, new HostString("10.0.0.5:5080"), []));
    }
}
