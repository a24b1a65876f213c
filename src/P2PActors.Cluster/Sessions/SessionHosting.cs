using Akka.Hosting;

namespace P2PActors.Cluster.Sessions;

public static class SessionHosting
{
    /// <summary>
    /// Cluster-wide WebSocket session claims (<see cref="SessionClaims.For"/>). Not durable: a claim means nothing once
    /// the cluster restarts. Needs clustering and <c>WithP2PSerialization</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithSessionClaims(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, _) => SessionClaims.Start(system));
}
