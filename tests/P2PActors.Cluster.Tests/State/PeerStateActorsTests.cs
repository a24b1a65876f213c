using Akka.Actor;
using Akka.Cluster;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// A peer's state actor is reached by selection until it answered this node's question, then by its reference; an
/// answer without the question's nonce, or naming another actor, changes nothing.
/// </summary>
public sealed class PeerStateActorsTests : Akka.TestKit.Xunit2.TestKit
{
    private sealed class Forward(IActorRef to) : ReceiveActor
    {
        protected override void Unhandled(object message) => to.Forward(message);
    }

    [Fact]
    public void Resolves_a_peer_from_its_own_answer_only_and_forgets_it_when_it_stops()
    {
        var owner = CreateTestProbe();
        var inbox = CreateTestProbe();
        var stateActor = Sys.ActorOf(Props.Create(() => new Forward(inbox.Ref)), GameStateActor.Name);
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        var peer = new UniqueAddress(address, 1);
        var watched = new List<IActorRef>();
        var peers = new PeerStateActors(a => Sys.ActorSelection(new RootActorPath(a) / "user" / GameStateActor.Name), owner.Ref);

        peers.Tell([peer], "first");
        inbox.ExpectMsg("first");
        // The state actor answers the question itself (every actor answers Identify); the answer comes to the owner.
        var answer = owner.ExpectMsg<ActorIdentity>();
        Assert.Equal(stateActor, answer.Subject);

        // Another member answering with a guessed nonce is not taken.
        peers.Answered(new ActorIdentity(12345L, inbox.Ref), watched.Add);
        Assert.Equal(0, peers.Resolved);

        peers.Answered(answer, watched.Add);
        Assert.Equal(1, peers.Resolved);
        Assert.Equal(stateActor, Assert.Single(watched));

        // Resolved: the next message goes by reference, and no question is asked again.
        peers.Tell([peer], "second");
        inbox.ExpectMsg("second");
        owner.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // A new incarnation on the same address is asked again, and an answer naming another actor is refused.
        var restarted = new UniqueAddress(address, 2);
        peers.Tell([restarted], "third");
        inbox.ExpectMsg("third");
        var second = owner.ExpectMsg<ActorIdentity>();
        peers.Answered(new ActorIdentity(second.MessageId, inbox.Ref), watched.Add);
        Assert.Equal(1, peers.Resolved);
        Assert.Single(watched);

        // The watched actor stopped: back to the selection.
        peers.Terminated(stateActor);
        Assert.Equal(0, peers.Resolved);
    }

    [Fact]
    public void Forgets_members_that_left()
    {
        var owner = CreateTestProbe();
        var inbox = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Forward(inbox.Ref)), GameStateActor.Name);
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        var peer = new UniqueAddress(address, 7);
        var peers = new PeerStateActors(a => Sys.ActorSelection(new RootActorPath(a) / "user" / GameStateActor.Name), owner.Ref);
        peers.Tell([peer], "hello");
        peers.Answered(owner.ExpectMsg<ActorIdentity>(), _ => { });
        Assert.Equal(1, peers.Resolved);

        peers.Retain([peer]);
        Assert.Equal(1, peers.Resolved);
        peers.Retain([]);
        Assert.Equal(0, peers.Resolved);
    }
}
