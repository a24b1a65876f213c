using System.Globalization;

namespace P2PActors.Cluster.Membership;

/// <summary>
/// How a node joins the cluster: its remoting endpoint, the seed nodes, its roles, and how the Split Brain
/// Resolver settles a partition. With no seed nodes the node joins itself and forms a cluster of one.
/// </summary>
public sealed record MembershipSettings
{
    public const string SystemName = "p2pactors";

    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port; read the bound one from <c>Cluster.Get(system).SelfAddress</c>.</summary>
    public int Port { get; init; }

    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>How long the membership must be stable before the SBR downs the minority side.</summary>
    public TimeSpan SbrStableAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Heartbeat pause after which a peer is unreachable (Akka's default is 3 s).</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Everything an ActorSystem created without Akka.Hosting needs to be a cluster member.</summary>
    public string ToHocon()
    {
        static string Quote(string s) => "\"" + s.Replace("\"", "", StringComparison.Ordinal) + "\"";
        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        return $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(Hostname)}}
              port = {{Port}}
            }
            akka.cluster {
              seed-nodes = [{{string.Join(", ", SeedNodes.Select(Quote))}}]
              roles = [{{string.Join(", ", Roles.Select(Quote))}}]
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = keep-majority
                stable-after = {{Ms(SbrStableAfter)}}
              }
              failure-detector.acceptable-heartbeat-pause = {{Ms(AcceptableHeartbeatPause)}}
              run-coordinated-shutdown-when-down = on
            }
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = on
            """;
    }
}
