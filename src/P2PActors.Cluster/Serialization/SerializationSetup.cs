using Akka.Hosting;

namespace P2PActors.Cluster.Serialization;

public static class SerializationSetup
{
    /// <summary>
    /// Binds every <see cref="IP2PMessage"/> to <see cref="P2PJsonSerializer"/>, and puts
    /// <see cref="CanonicalReplicatedDataSerializer"/> in the place of Akka's replicated-data serializer.
    /// </summary>
    public static AkkaConfigurationBuilder WithP2PSerialization(this AkkaConfigurationBuilder builder) =>
        builder.AddHocon(ReplicatedDataHocon + "\n" + PeerCommandHocon, HoconAddMode.Prepend)
            .WithCustomSerializer("p2p-json", [typeof(IP2PMessage)], system => new P2PJsonSerializer(system));

    /// <summary>Akka's own alias and identifier for replicated data, served by the canonical serializer.</summary>
    public const string ReplicatedDataHocon = """
        akka.actor {
          serializers.akka-replicated-data = "P2PActors.Cluster.Serialization.CanonicalReplicatedDataSerializer, P2PActors.Cluster"
          serialization-identifiers {
            "P2PActors.Cluster.Serialization.CanonicalReplicatedDataSerializer, P2PActors.Cluster" = 11
            "Akka.DistributedData.Serialization.ReplicatedDataSerializer, Akka.DistributedData" = 11
          }
        }
        """;

    /// <summary>
    /// The guards of PeerCommandGuards.cs in place of Akka's serializers of the same names and identifiers: no peer
    /// stops an actor here (PoisonPill, Kill, Terminate) or deploys one, under any serializer it names.
    /// </summary>
    public const string PeerCommandHocon = """
        akka.actor {
          serializers {
            akka-misc = "P2PActors.Cluster.Serialization.GuardedMiscMessageSerializer, P2PActors.Cluster"
            akka-system-msg = "P2PActors.Cluster.Serialization.GuardedSystemMessageSerializer, P2PActors.Cluster"
            daemon-create = "P2PActors.Cluster.Serialization.NoRemoteDeploymentSerializer, P2PActors.Cluster"
            json = "P2PActors.Cluster.Serialization.LimitedJsonSerializer, P2PActors.Cluster"
          }
          serialization-identifiers {
            "P2PActors.Cluster.Serialization.GuardedMiscMessageSerializer, P2PActors.Cluster" = 16
            "P2PActors.Cluster.Serialization.GuardedSystemMessageSerializer, P2PActors.Cluster" = 22
            "P2PActors.Cluster.Serialization.NoRemoteDeploymentSerializer, P2PActors.Cluster" = 3
            "P2PActors.Cluster.Serialization.LimitedJsonSerializer, P2PActors.Cluster" = 1
          }
        }
        """;

    /// <summary>The same bindings as HOCON, for ActorSystems created without Akka.Hosting (tests, tools).</summary>
    public const string Hocon = """
        akka.actor {
          serializers.p2p-json = "P2PActors.Cluster.Serialization.P2PJsonSerializer, P2PActors.Cluster"
          serialization-bindings { "P2PActors.Cluster.Serialization.IP2PMessage, P2PActors.Cluster" = p2p-json }
          serialization-identifiers { "P2PActors.Cluster.Serialization.P2PJsonSerializer, P2PActors.Cluster" = 5180 }
        }
        """ + "\n" + ReplicatedDataHocon + "\n" + PeerCommandHocon;
}
