using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;
using Akka.Serialization;
using Newtonsoft.Json.Serialization;

namespace P2PActors.Cluster.Serialization;

// Akka's remoting lets any member tell any actor of this node to stop (PoisonPill, Kill, the Terminate system message)
// and create actors here by remote deployment. A Byzantine peer is a member, so it could stop the game state, the
// validator or the replicator of every honest node with one message each. Nothing in this system sends those over the
// network, so the serializers that would read them refuse them instead. A refused PoisonPill, Kill or deployment is
// logged as a transient error and dropped, and the association stays up. A refused system message fails the reader of
// that peer's association (Akka reads system messages without catching): the link to the sender is gated and the
// message is resent on every reconnect, so only the peer that sent it loses its link to this node. Installed in place
// of Akka's own serializers under the same identifiers (SerializationSetup.PeerCommandHocon), so they also read what an
// unguarded node writes. Not checked: a DeathWatchNotification naming a third node's actor (Akka does not tie it to its
// sender), which can make a watcher here believe that actor stopped; one naming an actor of this node is refused.
// A guard per message serializer is not enough on its own: the remoting reads each message with whichever serializer
// identifier the sender wrote on it, so a peer could send a PoisonPill or a Terminate under Akka's catch-all JSON
// serializer (identifier 1) and get past the guards above. That one is guarded too (LimitedJsonSerializer).

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
/// <c>DeathWatchNotification</c>, each only with a peer's actor as the watcher or the one that died); <c>Terminate</c>, <c>Suspend</c>, <c>Create</c> and the rest supervise remote-deployed
/// children, which this system has none of, and from a peer would stop or suspend a local actor.
/// </summary>
public sealed class GuardedSystemMessageSerializer(ExtendedActorSystem system) : Serializer(system)
{
    private readonly SystemMessageSerializer _inner = new(system);

    public override bool IncludeManifest => true;

    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type)
    {
        if (type != typeof(Watch) && type != typeof(Unwatch) && type != typeof(DeathWatchNotification))
            throw new SerializationException($"A peer's {type?.Name ?? "unnamed"} system message is refused: only death watch crosses the network here.");
        // Death watch across nodes has one shape: a peer's actor watches (or stops watching) one of ours, and a peer
        // tells us one of its own actors stopped. A message naming an actor of this node as the watcher would make
        // that actor watch whatever the peer chose (and crash, DeathPactException, when it stops); one reporting the
        // death of an actor of this node would make its watchers drop it (a page's subscriptions, its signaling
        // rooms) while it is alive.
        return _inner.FromBinary(bytes, type) switch
        {
            Watch { Watcher: var watcher } when IsHere(watcher) => throw Forged("Watch", "an actor of this node as the watcher"),
            Unwatch { Watcher: var watcher } when IsHere(watcher) => throw Forged("Unwatch", "an actor of this node as the watcher"),
            DeathWatchNotification { Actor: var actor } when IsHere(actor) => throw Forged("DeathWatchNotification", "the death of an actor of this node"),
            var message => message,
        };
    }

    /// <summary>An actor of this node (or one of its local stand-ins: dead letters, an unknown local path).</summary>
    private static bool IsHere(IActorRef? actor) => actor is null or IInternalActorRef { IsLocal: true };

    private static SerializationException Forged(string name, string what) =>
        new($"A peer's {name} system message naming {what} is refused: a peer reports only on its own actors.");
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

/// <summary>
/// Akka's catch-all Newtonsoft serializer (alias <c>json</c>, identifier 1, bound to <c>System.Object</c>) reading
/// only plain values. It reads type names from the JSON and from the sender's manifest, so under it a peer could make
/// this node build any type it names: a <c>PoisonPill</c> or a <c>Terminate</c> past the guards above, or any class with
/// a constructor and setters. Everything this system sends has a serializer of its own (its messages the
/// P2P JSON serializer, Akka's the ones bound in its reference configuration); what is left for this one is a bare
/// value (an answer of <c>true</c>, a number), so those are all it reads. Writing is Akka's, unchanged.
/// </summary>
public sealed class LimitedJsonSerializer : Serializer
{
    /// <summary>Types with no members to set and no behaviour: safe to build from a peer's bytes.</summary>
    private static readonly HashSet<Type> Values =
    [
        typeof(string), typeof(bool), typeof(char), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(Guid), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
    ];

    private readonly NewtonSoftJsonSerializer _inner;

    public LimitedJsonSerializer(ExtendedActorSystem system) : this(system, new NewtonSoftJsonSerializer(system)) { }

    /// <summary>What Akka calls when <c>akka.actor.serialization-settings.json</c> is set, as it is by default.</summary>
    public LimitedJsonSerializer(ExtendedActorSystem system, Config settings) : this(system, new NewtonSoftJsonSerializer(system, settings)) { }

    private LimitedJsonSerializer(ExtendedActorSystem system, NewtonSoftJsonSerializer inner) : base(system)
    {
        _inner = inner;
        // Type names inside the document ("$type") are refused as well: the manifest is not all Newtonsoft reads.
        _inner.Settings.SerializationBinder = new ValuesOnlyBinder();
    }

    public override bool IncludeManifest => _inner.IncludeManifest;

    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type)
    {
        // Akka writes no manifest for this serializer (the type is named inside, "$type"), but a peer may send one.
        if (type is not null && !Values.Contains(type))
            throw Refused(type.Name);
        object? value;
        try
        {
            value = _inner.FromBinary(bytes, type);
        }
        catch (Newtonsoft.Json.JsonSerializationException e) when (e.InnerException is SerializationException refused)
        {
            throw refused;
        }
        return value is null || Values.Contains(value.GetType()) ? value! : throw Refused(value.GetType().Name);
    }

    private static SerializationException Refused(string? name) =>
        new($"A peer's {name ?? "unnamed type"} sent as JSON is refused: only plain values are read under Akka's JSON serializer here.");

    private sealed class ValuesOnlyBinder : ISerializationBinder
    {
        private readonly DefaultSerializationBinder _default = new();

        public Type BindToType(string? assemblyName, string typeName)
        {
            var type = _default.BindToType(assemblyName, typeName);
            return Values.Contains(type) ? type : throw Refused(type.Name);
        }

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
            _default.BindToName(serializedType, out assemblyName, out typeName);
    }
}
