using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>A node taking one HTTP write per second per client address, three at once.</summary>
public sealed class SlowWritesNodeFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:HttpWriteRate"] = "1",
        ["P2PActors:HttpWriteBurst"] = "3",
    };
}

public sealed class WriteRateLimitTests(SlowWritesNodeFixture node) : IClassFixture<SlowWritesNodeFixture>
{
    private static StringContent Move(int x) => new($$"""{ "zone": "forest", "x": {{x}}, "y": 0 }""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Writes_over_a_clients_budget_are_429_with_retry_after_and_reads_and_other_clients_are_served()
    {
        // Prevents: HTTP had no budget at all (only /ws did), so one client could make a node generate, store and
        // replicate as fast as it could send.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            var answer = await node.Http.PutAsync($"/api/players/rate-{i}/position", Move(i));
            if (answer.StatusCode == HttpStatusCode.TooManyRequests) refused = answer;
            else
            {
                Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
                answer.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) >= 1);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Contains("1 writes per second from one address", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Reads are never limited.
        for (var i = 0; i < 5; i++)
        {
            using var read = await node.Http.GetAsync("/api/state");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // Another address has a budget of its own: a client whose connections come from 127.0.0.2.
        using var other = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = node.Http.BaseAddress };
        using var theirs = await other.PutAsync("/api/players/rate-other/position", Move(1));
        Assert.True(theirs.IsSuccessStatusCode, $"{(int)theirs.StatusCode}: {await theirs.Content.ReadAsStringAsync()}");
    }
}
