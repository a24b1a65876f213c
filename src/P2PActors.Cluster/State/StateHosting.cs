using Akka.Hosting;

namespace P2PActors.Cluster.State;

public static class StateHosting
{
    /// <summary>
    /// The shared game state: DData tuning and durable store in front of the rest of the configuration, then the
    /// <see cref="GameStateActor"/> and <see cref="ContentBodyActor"/> (both registered). Endpoints reach it through
    /// <see cref="GameState.For"/>. Needs clustering and <c>WithP2PSerialization</c>. The replicator is watched
    /// (<see cref="Replicas.ReplicatorHealth"/>), so a node whose replicator stopped says so.
    /// </summary>
    public static AkkaConfigurationBuilder WithGameState(this AkkaConfigurationBuilder builder, GameStateSettings settings)
    {
        builder.AddHocon(settings.ToHocon(), HoconAddMode.Prepend);
        return builder.WithActors((system, registry) =>
        {
            Replicas.ReplicatorHealth.Watch(system);
            var state = GameState.Start(system, settings);
            registry.Register<GameStateActor>(state.Actor);
            registry.Register<ContentBodyActor>(state.Bodies);
        });
    }
}
