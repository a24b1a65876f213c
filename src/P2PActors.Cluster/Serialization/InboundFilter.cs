using Akka.Actor;

namespace P2PActors.Cluster.Serialization;

/// <summary>
/// What this node does to a value as <see cref="P2PJsonSerializer"/> reads it from a peer, before any actor (the
/// replicator included) sees it. Serialization knows none of the types involved: the subsystem that owns a type sets
/// the filter when it starts (the game state drops the catalog variants its admission refutes). Until then, and on a
/// system that sets none, values pass as read.
/// </summary>
public sealed class InboundFilter : IExtension
{
    private Func<object, object>? _filter;

    public static InboundFilter For(ActorSystem system) => system.WithExtension<InboundFilter, InboundFilterProvider>();

    public void Set(Func<object, object> filter) => Volatile.Write(ref _filter, filter);

    public object Apply(object value) => Volatile.Read(ref _filter) is { } filter ? filter(value) : value;
}

public sealed class InboundFilterProvider : ExtensionIdProvider<InboundFilter>
{
    public override InboundFilter CreateExtension(ExtendedActorSystem system) => new();
}
