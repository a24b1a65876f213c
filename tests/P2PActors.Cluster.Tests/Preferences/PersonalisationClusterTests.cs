using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using static P2PActors.Cluster.Tests.Preferences.PlayerMemoryStateRatingTests;

namespace P2PActors.Cluster.Tests.Preferences;

/// <summary>
/// A node that joins after a player gained patterns must not answer that player's seeded requests with content
/// cached for someone else: it fetches the personalised players from the members already Up.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class PersonalisationClusterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_node_joining_later_serves_a_personalised_player_generated_content_not_the_shared_cache()
    {
        using var data1 = new TempDataDirectory();
        using var data2 = new TempDataDirectory();
        var port1 = FreePort();
        var seed = $"akka.tcp://p2pactors@127.0.0.1:{port1}";
        await using var node1 = await TestNode.StartAsync(data1.Settings() with { Port = port1, SeedNodes = [seed] });
        await AwaitAssertAsync(() =>
            Assert.Equal(MemberStatus.Up, Akka.Cluster.Cluster.Get(node1.System).SelfMember.Status), Timeout);

        for (var i = 0; i < 5; i++)
        {
            var stored = await node1.PlayerMemory.Ask<ContentRatingStored>(Rate("pia", $"mage-{i}", 5), Timeout);
            Assert.Equal(i == 4, stored.Personalised);
        }

        await AwaitAssertAsync(() => Assert.Contains("pia", GenerationClient.For(node1.System).PersonalisedPlayers), Timeout, TimeSpan.FromMilliseconds(50));

        await using var node2 = await TestNode.StartAsync(data2.Settings() with { Port = FreePort(), SeedNodes = [seed] });
        await AwaitAssertAsync(() =>
        {
            foreach (var node in new[] { node1, node2 })
                Assert.Equal(2, Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up));
        }, Timeout, TimeSpan.FromMilliseconds(100));

        var client = GenerationClient.For(node2.System);
        var request = new GenerateContent(ContentType.Character, NoParams, 4242, "other");
        Assert.False(((ContentGenerated)await client.GenerateAsync(request)).FromCache);
        var cached = (ContentGenerated)await client.GenerateAsync(request);
        Assert.True(cached.FromCache);

        await AwaitAssertAsync(() => Assert.Contains("pia", client.PersonalisedPlayers), Timeout, TimeSpan.FromMilliseconds(50));

        var patterns = (await node2.PlayerMemory.Ask<PlayerPatterns>(new GetLearnedPatterns("pia"), Timeout)).Patterns;
        Assert.False(patterns.IsEmpty);
        var forPia = Assert.IsType<ContentGenerated>(await client.GenerateAsync(request with { PlayerId = "pia" }));
        Assert.False(forPia.FromCache);
        Assert.Equal(
            ContentJson.Serialize(ContentFactory.Generate(ContentType.Character, NoParams, 4242, patterns)),
            ContentJson.Serialize(forPia.Content));
    }
}
