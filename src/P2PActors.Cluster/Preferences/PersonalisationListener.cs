using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// Tells this node's generation cache which players have learned patterns, as their memories announce it on
/// <see cref="PlayerPersonalised.Topic"/>: a personalised player's seeded request must be generated with their
/// patterns, not answered with content cached for another player.
/// </summary>
public sealed class PersonalisationListener : ReceiveActor
{
    public const string Name = "p2p-personalisation-listener";

    public PersonalisationListener()
    {
        Receive<SubscribeAck>(_ => { });
        Receive<PlayerPersonalised>(p =>
            Context.System.WithExtension<GenerationClientHolder, GenerationClientHolderId>().Client?.NotePersonalised(p.PlayerId, p.Personalised));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new PersonalisationListener());

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(PlayerPersonalised.Topic, Self));
}
