using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.TestKit;
using P2PActors.Cluster.Membership;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>One cluster node in this process: a real ActorSystem with remoting on 127.0.0.1 and a free port.</summary>
public sealed class StateNode(ActorSystem system, GameState state, string? dataDirectory) : IAsyncDisposable
{
    public ActorSystem System { get; } = system;
    public GameState State { get; } = state;
    public string? DataDirectory { get; } = dataDirectory;
    public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);
    public Address Address => Cluster.SelfAddress;

    public async ValueTask DisposeAsync()
    {
        if (!System.WhenTerminated.IsCompleted)
            await System.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
    }
}

public sealed record StateNodeOptions
{
    public GameStateSettings State { get; init; } = new();
    public MembershipSettings Membership { get; init; } = new();

    /// <summary>Insert Akka.Remote's throttler and failure-injector adapters so tests can cut links.</summary>
    public bool FailureInjection { get; init; }

    /// <summary>Terminate without leaving the cluster, as a crash would.</summary>
    public bool CrashOnTerminate { get; init; }
}

public static class TestCluster
{
    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);

    public static Config Config(StateNodeOptions options) =>
        ConfigurationFactory.ParseString(string.Join('\n',
                options.State.ToHocon(),
                options.Membership.ToHocon(),
                SerializationSetup.Hocon,
                """
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                akka.log-dead-letters = off
                akka.cluster.log-info = off
                akka.remote.log-remote-lifecycle-events = off
                akka.cluster.jmx.enabled = off
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """,
                options.FailureInjection ? "akka.remote.dot-netty.tcp.applied-adapters = [trttl, gremlin]" : "",
                options.CrashOnTerminate
                    ? "akka.coordinated-shutdown.run-by-actor-system-terminate = off\nakka.cluster.run-coordinated-shutdown-when-down = off"
                    : ""))
            .WithFallback(DistributedData.DefaultConfig());

    /// <summary>Starts a node; it joins <paramref name="seed"/> or, without one, forms a cluster of its own.</summary>
    public static StateNode StartNode(StateNodeOptions options, Address? seed, bool join = true)
    {
        var system = ActorSystem.Create(MembershipSettings.SystemName, Config(options));
        var state = GameState.Start(system, options.State);
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (join) cluster.Join(seed ?? cluster.SelfAddress);
        return new StateNode(system, state, options.State.DataDirectory);
    }

    /// <summary>Starts <paramref name="count"/> nodes and returns once every node sees all of them Up.</summary>
    public static async Task<StateNode[]> StartAsync(TestKitBase kit, int count, Func<int, StateNodeOptions> options)
    {
        var first = StartNode(options(0), null);
        var nodes = new List<StateNode> { first };
        for (var i = 1; i < count; i++) nodes.Add(StartNode(options(i), first.Address));
        await AllUpAsync(kit, nodes, count);
        return nodes.ToArray();
    }

    public static Task AllUpAsync(TestKitBase kit, IReadOnlyList<StateNode> nodes, int expectedMembers) =>
        kit.AwaitAssertAsync(() =>
        {
            foreach (var n in nodes)
            {
                Assert.Equal(expectedMembers, n.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up));
                Assert.Empty(n.Cluster.State.Unreachable);
            }
        }, FormTimeout, TimeSpan.FromMilliseconds(50));

    public static string NewDataDirectory() =>
        Directory.CreateTempSubdirectory("p2p-state-test-").FullName;

    /// <summary>Removes a folder made by <see cref="NewDataDirectory"/> once its nodes have stopped.</summary>
    public static void DeleteDataDirectory(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finalising connection stays in the temp folder; it affects no other test.
        }
    }

    public static Item SampleItem(int i) =>
        ContentJson.WithId(new Item($"Blade {i}", ItemKind.Weapon, Rarity.Rare, 1 + i % 50, new Stats(i % 90, 5, 3, 2, 0, 1, 1),
            $"Forged for test {i}") { Seed = i });
}
