using Akka.DistributedData;
using Akka.Hosting;

namespace P2PActors.Cluster.Preferences;

public static class PreferencesHosting
{
    /// <summary>
    /// Shared profiles and recommendations: the node's <see cref="SharedProfilesActor"/> (registered), which sharing
    /// players' memories publish through and the HTTP layer asks for recommendations, and the listener that tells the
    /// generation cache which players have learned patterns (<see cref="PersonalisationListener"/>). Needs clustering and
    /// <c>WithP2PSerialization</c>; the keys are durable with the rest of the game state (<c>WithGameState</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithSharedPreferences(this AkkaConfigurationBuilder builder, SharedProfilesSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var actor = system.ActorOf(SharedProfilesActor.Props(settings, DistributedData.Get(system).Replicator), SharedProfilesActor.Name);
            registry.Register<SharedProfilesActor>(actor);
            system.ActorOf(PersonalisationListener.Props(), PersonalisationListener.Name);
        });
}
