using Akka.Actor;
using Akka.Cluster;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// Tells this node's generation cache which players have learned patterns, as their memories announce it to every
/// member's listener (<see cref="Announce"/>): a personalised player's seeded request must be generated with their
/// patterns, not answered with content cached for another player. Announcements made before this node joined are
/// fetched once it is Up, from the listener of every other member.
/// </summary>
public sealed class PersonalisationListener : ReceiveActor
{
    public const string Name = "p2p-personalisation-listener";

    /// <summary>Player ids per catch-up message: keeps one message far below a remoting frame.</summary>
    private const int ChunkSize = 5_000;

    public PersonalisationListener()
    {
        Receive<PlayerPersonalised>(p => Client?.NotePersonalised(p.PlayerId, p.Personalised));
        Receive<ClusterEvent.MemberUp>(up =>
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            if (up.Member.Address != cluster.SelfAddress)
                return;
            // This node is Up: ask every other member what it learned before this node was there.
            cluster.Unsubscribe(Self);
            foreach (var member in cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.Address != cluster.SelfAddress))
                Context.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(KnownPersonalisedRequest.Instance);
        });
        Receive<KnownPersonalisedRequest>(_ =>
        {
            var known = Client?.PersonalisedPlayers ?? [];
            foreach (var chunk in known.Chunk(ChunkSize))
                Sender.Tell(new KnownPersonalised(chunk));
        });
        Receive<KnownPersonalised>(k =>
        {
            // Only ids that could be players; a peer's list is a hint that skips the cache, never more.
            foreach (var id in k.PlayerIds ?? [])
            {
                if (PlayerIds.IsValid(id))
                    Client?.NotePersonalised(id, true);
            }
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new PersonalisationListener());

    /// <summary>Tells the listener of every member that is Up (this node included) that a player gained or lost patterns.</summary>
    public static void Announce(ActorSystem system, PlayerPersonalised message)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(system).State.Members)
        {
            if (member.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
                system.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(message);
        }
    }

    private GenerationClient? Client => Context.System.WithExtension<GenerationClientHolder, GenerationClientHolderId>().Client;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
    }
}

/// <summary>From a node that just joined to another node's <see cref="PersonalisationListener"/>: which players have patterns?</summary>
public sealed record KnownPersonalisedRequest : IP2PMessage
{
    public static readonly KnownPersonalisedRequest Instance = new();
}

/// <summary>Players the answering node knows to be personalised (one chunk of them).</summary>
public sealed record KnownPersonalised(IReadOnlyList<string> PlayerIds) : IP2PMessage;
