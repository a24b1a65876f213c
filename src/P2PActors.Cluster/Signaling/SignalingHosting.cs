using Akka.Hosting;

namespace P2PActors.Cluster.Signaling;

public static class SignalingHosting
{
    /// <summary>
    /// WebRTC signaling rooms: the node's <see cref="SignalingRoomsActor"/> (registered), reached through
    /// <see cref="SignalingRooms.For"/>. Needs clustering and <c>WithP2PSerialization</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithSignaling(this AkkaConfigurationBuilder builder, SignalingSettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<SignalingRoomsActor>(SignalingRooms.Start(system, settings).Actor));
}
