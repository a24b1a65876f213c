using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Replicas;

namespace P2PActors.Cluster.Sessions;

/// <summary>
/// Keeps <see cref="SessionClaims"/> told: passes every change of the claims to it (a connection taken over on
/// another node is closed here), and deletes the claims of a node once it is removed from the cluster (readers already
/// ignore them; this keeps the dictionaries from growing with dead entries).
/// </summary>
public sealed class SessionClaimsActor : ReceiveActor
{
    public const string Name = "p2p-session-claims";

    private readonly IActorRef _replicator;

    public SessionClaimsActor(SessionClaims claims, IActorRef replicator)
    {
        _replicator = replicator;
        Receive<Changed>(c =>
        {
            if (c.Data is LWWDictionary<string, SessionClaim> data)
                claims.OnChanged(data);
        });
        Receive<ClusterEvent.MemberRemoved>(removed => Prune(claims, removed.Member.UniqueAddress));
        Receive<IUpdateResponse>(_ => { });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(SessionClaims claims, IActorRef replicator) =>
        Akka.Actor.Props.Create(() => new SessionClaimsActor(claims, replicator));

    protected override void PreStart()
    {
        var claims = SessionClaims.For(Context.System);
        foreach (var key in claims.Keys)
            _replicator.Tell(new Subscribe(key, Self));
        HeldKeys.CreateMissing(Context.System, _replicator, [.. HeldKeys.Of(claims.Keys, LWWDictionary<string, SessionClaim>.Empty)]);
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Prune(SessionClaims claims, UniqueAddress removed)
    {
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
        var node = removed.Address.ToString();
        foreach (var key in claims.Keys)
        {
            _replicator.Tell(Dsl.Update(key, LWWDictionary<string, SessionClaim>.Empty, WriteLocal.Instance, dictionary =>
                dictionary.Where(e => e.Value.Node == node && e.Value.NodeUid == removed.Uid)
                    .Aggregate(dictionary, (acc, e) => acc.RemoveAsFullState(self, e.Key))));
        }
    }
}
