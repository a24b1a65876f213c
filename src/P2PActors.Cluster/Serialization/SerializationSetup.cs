using Akka.Hosting;

namespace P2PActors.Cluster.Serialization;

public static class SerializationSetup
{
    /// <summary>Binds every <see cref="IP2PMessage"/> to <see cref="P2PJsonSerializer"/>.</summary>
    public static AkkaConfigurationBuilder WithP2PSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("p2p-json", [typeof(IP2PMessage)], system => new P2PJsonSerializer(system));

    /// <summary>The same binding as HOCON, for ActorSystems created without Akka.Hosting (tests, tools).</summary>
    public const string Hocon = """
        akka.actor {
          serializers.p2p-json = "P2PActors.Cluster.Serialization.P2PJsonSerializer, P2PActors.Cluster"
          serialization-bindings { "P2PActors.Cluster.Serialization.IP2PMessage, P2PActors.Cluster" = p2p-json }
          serialization-identifiers { "P2PActors.Cluster.Serialization.P2PJsonSerializer, P2PActors.Cluster" = 5180 }
        }
        """;
}
