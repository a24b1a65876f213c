using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;
using Akka.Serialization;

namespace P2PActors.Cluster.Serialization;

// Akka's remoting lets any member tell any actor of this node to stop (PoisonPill, Kill, the Terminate system message)
// and create actors here by remote deployment. A Byzantine peer is a member, so it could stop the game state, the
// validator or the replicator of every honest node with one message each. Nothing in this system sends those over the
// network, so the serializers that would read them refuse them instead. A refused PoisonPill, Kill or deployment is
// logged as a transient error and dropped, and the association stays up. A refused system message fails the reader of
// that peer's association (Akka reads system messages without catching): the link to the sender is gated and the
// message is resent on every reconnect, so only the peer that sent it loses its link to this node. Installed in place
// of Akka's own serializers under the same identifiers (SerializationSetup.PeerCommandHocon), so they also read what an
// unguarded node writes. Not checked: a DeathWatchNotification naming another node's actor (Akka does not tie it to its
// sender), which can make a watcher here believe that actor stopped.

/// <summary>Akka's misc-message serializer (identify, heartbeats, status) refusing to read <c>PoisonPill</c> and <c>Kill</c>.</summary>
public sealed class GuardedMiscMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    // MiscMessageSerializer's manifests for the two (Akka.Remote 1.5: "PP" and "K"); checked by the guard's tests.
    private static readonly HashSet<string> Refused = ["PP", "K"];

    private readonly MiscMessageSerializer _inner = new(system);

    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override string Manifest(object o) => _inner.Manifest(o);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Refused.Contains(manifest)
            ? throw new SerializationException($"A peer's {(manifest == "PP" ? "PoisonPill" : "Kill")} is refused: no peer may stop this node's actors.")
            : _inner.FromBinary(bytes, manifest);
}

/// <summary>
/// Akka's system-message serializer reading only what remote death watch needs (<c>Watch</c>, <c>Unwatch</c>,
/// <c>DeathWatchNotification</c>); <c>Terminate</c>, <c>Suspend</c>, <c>Create</c> and the rest supervise remote-deployed
/// children, which this system has none of, and from a peer would stop or suspend a local actor.
/// </summary>
public sealed class GuardedSystemMessageSerializer(ExtendedActorSystem system) : Serializer(system)
{
    private readonly SystemMessageSerializer _inner = new(system);

    public override bool IncludeManifest => true;

    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) =>
        type == typeof(Watch) || type == typeof(Unwatch) || type == typeof(DeathWatchNotification)
            ? _inner.FromBinary(bytes, type)
            : throw new SerializationException($"A peer's {type?.Name ?? "unnamed"} system message is refused: only death watch crosses the network here.");
}

/// <summary>Refuses remote deployment: no peer may create an actor of its choosing on this node.</summary>
public sealed class NoRemoteDeploymentSerializer(ExtendedActorSystem system) : Serializer(system)
{
    private readonly DaemonMsgCreateSerializer _inner = new(system);

    public override bool IncludeManifest => false;

    // Written only if this node deployed remotely, which it never does; kept so such a mistake fails on the reader.
    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException("A peer's remote deployment is refused: no peer may create actors on this node.");
}
