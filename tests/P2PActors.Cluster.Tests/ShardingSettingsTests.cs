using Akka.Cluster.Sharding;

namespace P2PActors.Cluster.Tests;

/// <summary>What the node's shard coordinator is tuned with, read back from a node started through WithP2PNode.</summary>
public sealed class ShardingSettingsTests
{
    [Fact]
    public async Task The_shard_coordinator_waits_10_s_for_its_state_before_it_logs_an_error()
    {
        // Prevents: the 2 s default, at which a healthy 3-node cluster forming on a loaded machine logged an ERROR
        // (the coordinator's state read from every node timed out once, and Akka.NET logs the first one as an error).
        using var data = new TempDataDirectory();
        await using var node = await TestNode.StartAsync(data.Settings());

        var tuning = ClusterShardingSettings.Create(node.System).TuningParameters;

        Assert.Equal(TimeSpan.FromSeconds(10), tuning.WaitingForStateTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), tuning.UpdatingStateTimeout);
    }
}
