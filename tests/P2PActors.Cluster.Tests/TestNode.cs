using Akka.Actor;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Hosting;
using P2PActors.Cluster.Players;

namespace P2PActors.Cluster.Tests;

/// <summary>A real node (remoting on 127.0.0.1, single-member cluster, SQLite) started through WithP2PNode.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly IHost _host;

    private TestNode(IHost host, NodeSettings settings)
    {
        _host = host;
        Settings = settings;
        System = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        Coordinator = registry.Get<GenerationCoordinator>();
        PlayerMemory = registry.Get<PlayerMemoryActor>();
    }

    public NodeSettings Settings { get; }

    public ActorSystem System { get; }

    public IActorRef Coordinator { get; }

    public IActorRef PlayerMemory { get; }

    public static async Task<TestNode> StartAsync(NodeSettings settings)
    {
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(settings.SystemName, builder => builder
                .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
                .WithP2PNode(settings)))
            .Build();
        await host.StartAsync();
        return new TestNode(host, settings);
    }

    public Task<T> Ask<T>(object message) => Coordinator.Ask<T>(message, TimeSpan.FromSeconds(20));

    public Task<PlayerSnapshot> Snapshot(string playerId) =>
        PlayerMemory.Ask<PlayerSnapshot>(new GetPlayerSnapshot(playerId), TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>A data directory that is deleted, SQLite pools and all, when the test ends.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "p2pactors-tests", Guid.NewGuid().ToString("N"));

    public NodeSettings Settings(TimeSpan? passivation = null, int cacheCapacity = 1_000, int snapshotEvery = 100) => new()
    {
        DataDirectory = Path,
        Port = 0,
        CacheCapacity = cacheCapacity,
        SnapshotEvery = snapshotEvery,
        PassivationIdleTimeout = passivation ?? TimeSpan.FromMinutes(2),
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finalising connection is left in the temp folder; it does not affect other tests.
        }
    }
}
