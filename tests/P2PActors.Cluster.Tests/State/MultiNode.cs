namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// Multi-node tests run one class at a time: each starts several ActorSystems, and on two cores running them
/// side by side only makes every failure detector nervous.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class MultiNode
{
    public const string Collection = "multi-node";
}
