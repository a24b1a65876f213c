using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// Session claims across the cluster: two real nodes in this process (Kestrel and Akka remoting on 127.0.0.1), built
/// by the same <see cref="NodeHost.Build"/> as <c>dotnet run</c>.
/// </summary>
public sealed class WsClusterClaimTests : IAsyncLifetime
{
    private readonly List<(WebApplication App, string Data)> _nodes = [];
    private readonly HashSet<int> _stopped = [];

    private Uri Base(int node) => new(_nodes[node].App.Urls.Single());

    private ActorSystem SystemOf(int node) => _nodes[node].App.Services.GetRequiredService<ActorSystem>();

    public async Task InitializeAsync()
    {
        await StartAsync(seed: null);
        await StartAsync(Akka.Cluster.Cluster.Get(SystemOf(0)).SelfAddress.ToString());
        for (var i = 0; i < 2; i++)
            await NodeSignals.MembersUpAsync(Base(i), 2, TimeSpan.FromSeconds(60));
    }

    private async Task StartAsync(string? seed)
    {
        var data = Path.Combine(Path.GetTempPath(), "p2pactors-ws-claims-" + Guid.NewGuid().ToString("N"));
        var app = NodeHost.Build(new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Port"] = "0",
            ["P2PActors:DataDirectory"] = data,
            ["P2PActors:SeedNodes"] = seed ?? "",
            ["P2PActors:RequestTimeout"] = "00:01:00",
            // Far longer than the test: a claim that stops blocking does so because its node left, not because it expired.
            ["P2PActors:WsResumeGrace"] = "00:30:00",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        _nodes.Add((app, data));
        await app.StartAsync();
    }

    private async Task StopAsync(int node)
    {
        if (!_stopped.Add(node))
            return;
        await _nodes[node].App.StopAsync();
        await _nodes[node].App.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            await StopAsync(i);
            try
            {
                Directory.Delete(_nodes[i].Data, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold a file a moment after shutdown; a stray temp directory is harmless.
            }
        }
    }

    private static async Task<HttpStatusCode> PutPositionAsync(Uri node, string player, string? token)
    {
        using var http = new HttpClient { BaseAddress = node };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/players/{player}/position")
        {
            Content = new StringContent("""{ "zone": "yard", "x": 1, "y": 1 }""", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_claim_on_one_node_holds_on_the_other_is_resumed_there_and_stops_blocking_when_its_node_leaves()
    {
        await using var onA = await WsClient.ConnectAsync(Base(0));
        var welcome = await onA.HelloAsync("xc-player");
        var token = welcome.GetProperty("resumeToken").GetString()!;
        Assert.Equal(Akka.Cluster.Cluster.Get(SystemOf(0)).SelfAddress.ToString(), welcome.GetProperty("node").GetString());

        // Written to a majority and read from a majority: node B sees the claim at once.
        await using var onB = await WsClient.ConnectAsync(Base(1));
        WsFrameAssert.Error(await onB.RequestAsync("hello", new { playerId = "xc-player" }), "session-held");
        Assert.Equal(HttpStatusCode.Forbidden, await PutPositionAsync(Base(1), "xc-player", null));

        // The page moves to node B with its token: same session, new token, and A's connection is closed.
        var resumed = await onB.HelloAsync("xc-player", token);
        Assert.True(resumed.GetProperty("resumed").GetBoolean());
        Assert.Equal(welcome.GetProperty("sessionId").GetString(), resumed.GetProperty("sessionId").GetString());
        Assert.Equal(Akka.Cluster.Cluster.Get(SystemOf(1)).SelfAddress.ToString(), resumed.GetProperty("node").GetString());
        Assert.Equal((WebSocketCloseStatus)4001, await onA.ReceiveCloseAsync());
        var newToken = resumed.GetProperty("resumeToken").GetString()!;
        var status = await PutPositionAsync(Base(0), "xc-player", newToken);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, status.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, await PutPositionAsync(Base(0), "xc-player", token));

        // Node B leaves the cluster with the session still open there: its claim stops blocking the player on A once A
        // no longer counts B a member (exiting or gone), which A's members push says.
        var addressOfB = Akka.Cluster.Cluster.Get(SystemOf(1)).SelfAddress.ToString();
        await StopAsync(1);
        await NodeSignals.MembersAsync(Base(0),
            frame => NodeSignals.StatusOf(frame, addressOfB) is not ("joining" or "weaklyup" or "up" or "leaving"),
            "count node B out", WsClient.Patience);
        await using var again = await WsClient.ConnectAsync(Base(0));
        var answer = await again.RequestAsync("hello", new { playerId = "xc-player" });
        Assert.True(WsFrameAssert.Type(answer) == "welcome", $"node B's claim still blocks after it left the cluster: {answer}");
        Assert.False(answer.GetProperty("resumed").GetBoolean());
    }
}
