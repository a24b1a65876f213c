using Akka.Actor;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Tests.Preferences;

/// <summary>
/// A node that comes up beside other members reads every shared-profile bucket from a peer, so the profiles shared
/// before it came count in the recommendations asked on it at once. Nothing else brings them to it but gossip.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class SharedProfilesCatchUpTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_joiner_holds_the_profiles_shared_before_it_came_without_any_gossip()
    {
        // Gossip (and so delta propagation, at a fifth of it) once an hour: only the catch-up reads can bring the
        // holder's profiles to the joiner within the test.
        var state = new GameStateSettings { GossipInterval = TimeSpan.FromHours(1) };
        var holder = TestCluster.StartNode(new StateNodeOptions { State = state }, null);
        StateNode? joiner = null;
        try
        {
            await TestCluster.AllUpAsync(this, [holder], 1);
            var holderProfiles = Start(holder);
            string[] players = ["ada", "bo", "cy"];
            foreach (var (player, i) in players.Select((p, i) => (p, i)))
                holderProfiles.Tell(new PublishSharedProfile(SharedProfileEntry.Pack(player,
                    [new SharedRating(Convert.ToHexStringLower(BitConverter.GetBytes((long)i + 1).Concat(new byte[24]).ToArray()), ContentType.Item, 4)])));
            await AwaitAssertAsync(async () => Assert.Equal(players.Length, (await Info(holderProfiles)).Profiles),
                Patience, TimeSpan.FromMilliseconds(100));

            joiner = TestCluster.StartNode(new StateNodeOptions { State = state }, holder.Address);
            var joinerProfiles = Start(joiner);
            await TestCluster.AllUpAsync(this, [holder, joiner], 2);

            await AwaitAssertAsync(async () =>
            {
                Assert.Equal(players.Length, (await Info(joinerProfiles)).Profiles);
                Assert.NotNull((await Info(joinerProfiles, "bo")).Profile);
            }, Patience, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await Task.WhenAll(new[] { holder, joiner }.OfType<StateNode>().Select(n => n.DisposeAsync().AsTask()));
        }
    }

    private static IActorRef Start(StateNode node) =>
        node.System.ActorOf(SharedProfilesActor.Props(new SharedProfilesSettings(), DistributedData.Get(node.System).Replicator));

    private static Task<SharedProfilesInfo> Info(IActorRef profiles, string? player = null) =>
        profiles.Ask<SharedProfilesInfo>(new GetSharedProfiles(player), TimeSpan.FromSeconds(5));
}
