using Akka.Actor;
using Akka.Hosting;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Benchmarks;

/// <summary>
/// A whole node (single-member cluster, SQL journal and content store on SQLite) and the coordinator's round trip:
/// ask → validation → (cache | ephemeral generator → player memory → generate → record → reply → stop).
/// Requests rotate over 64 players, as many players would; the journal and content-store writes they cause run
/// in the background, on the same two cores, and so are part of what is measured.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class CoordinatorBenchmarks : CoordinatorNode
{
    /// <summary>A seed never asked before: misses the cache, spawns an ephemeral generator.</summary>
    [Benchmark]
    public Task<object> RoundTripSeededMiss() => SeededMiss();

    /// <summary>No seed: never cached, always an ephemeral generator on a fresh seed.</summary>
    [Benchmark]
    public Task<object> RoundTripUnseeded() => Unseeded();

    /// <summary>A seeded repeat answered from the coordinator's LRU cache (still an ask through the actor).</summary>
    [Benchmark]
    public Task<object> CoordinatorCacheHit() => CacheHit();

    /// <summary>The same seeded repeat through the node's <see cref="GenerationClient"/>: the shared cache, no ask.</summary>
    [Benchmark]
    public Task<IGenerationReply> ClientCacheHit() => ClientHit();

    /// <summary>The cache alone: canonical key and LRU lookup, as the coordinator does it.</summary>
    [Benchmark]
    public GameContent CacheLookup() => Lookup();
}

public abstract class CoordinatorNode
{
    private static readonly IReadOnlyDictionary<string, string> Params = new Dictionary<string, string> { ["level"] = "10" };
    private readonly string[] _players = Enumerable.Range(0, 64).Select(i => $"bench-player-{i}").ToArray();
    private readonly LruCache<CacheKey, GameContent> _lru = new(1_000);
    private string _dataDirectory = "";
    private IHost _host = null!;
    private IActorRef _coordinator = null!;
    private IActorRef _playerMemory = null!;
    private long _rating;
    private GenerationClient _client = null!;
    private long _seed;
    private int _player;

    [GlobalSetup]
    public void Setup()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-bench", Guid.NewGuid().ToString("N"));
        var settings = ConfigureSettings(new NodeSettings { DataDirectory = _dataDirectory, Port = 0 });
        _host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(settings.SystemName, builder => builder
                .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
                .WithP2PNode(settings)))
            .Build();
        _host.Start();
        _coordinator = _host.Services.GetRequiredService<ActorRegistry>().Get<GenerationCoordinator>();
        _playerMemory = _host.Services.GetRequiredService<ActorRegistry>().Get<PlayerMemoryActor>();
        _client = GenerationClient.For(_host.Services.GetRequiredService<ActorSystem>());

        // A node serves many requests before it reaches steady state: the runtime's tiered JIT keeps recompiling the
        // journal, sharding and SQLite paths for tens of seconds on two busy cores (its thread alone took 60-150 us
        // of CPU per request during the first 30 s here). Serve that many first, waking every player's memory, so
        // the figures are those of a node that has been running, not of its first minute; BenchmarkDotNet's own
        // warm-up is far shorter.
        for (var i = 0; i < WarmUpRequests; i++)
            SeededMiss().GetAwaiter().GetResult();

        // Fill the cache entry the hit benchmarks ask for (the warm-up's own seeds have evicted older entries).
        foreach (var player in _players)
            Ask(new GenerateContent(ContentType.Character, Params, 1, player)).GetAwaiter().GetResult();
        _lru.Set(CacheKey.Create(ContentType.Character, Params, 1), ContentFactory.Generate(ContentType.Character, Params, 1));
    }

    /// <summary>The node's settings; the harness points the journal at PostgreSQL here.</summary>
    protected virtual NodeSettings ConfigureSettings(NodeSettings settings) => settings;

    /// <summary>Round trips served in the set-up, before anything is measured.</summary>
    protected virtual int WarmUpRequests => 50_000;

    [GlobalCleanup]
    public virtual void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder if something still holds a file; harmless.
        }
    }

    /// <summary>Where this node keeps its SQLite files.</summary>
    protected string DataDirectory => _dataDirectory;

    protected Task<object> SeededMiss() =>
        Ask(new GenerateContent(ContentType.Character, Params, 1_000 + Interlocked.Increment(ref _seed), NextPlayer()));

    protected Task<object> Unseeded() => Ask(new GenerateContent(ContentType.Character, Params, null, NextPlayer()));

    protected Task<object> CacheHit() => Ask(new GenerateContent(ContentType.Character, Params, 1, NextPlayer()));

    protected async Task<IGenerationReply> ClientHit()
    {
        var reply = await _client.GenerateAsync(new GenerateContent(ContentType.Character, Params, 1, NextPlayer()));
        return reply is ContentGenerated { FromCache: true } ? reply : throw new InvalidOperationException($"unexpected reply {reply}");
    }

    protected GameContent Lookup()
    {
        _lru.TryGet(CacheKey.Create(ContentType.Character, Params, 1), out var content);
        return content;
    }

    /// <summary>
    /// A rating, answered only once journaled (Persist, not PersistAsync): the journal's write latency on the request
    /// path. Each player re-rates a pool of 32 contents, so its state (and its snapshots) stay the same size.
    /// </summary>
    protected async Task<object> Rate()
    {
        var n = Interlocked.Increment(ref _rating);
        var contentId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n % 32)));
        var reply = await _playerMemory.Ask<object>(new RateContent(NextPlayer(), contentId, ContentType.Character,
            ["class:mage", "rarity:common"], (int)(1 + n % 5), DateTimeOffset.UtcNow));
        return reply is ContentRatingStored ? reply : throw new InvalidOperationException($"unexpected reply {reply}");
    }

    private string NextPlayer() => _players[(_player = (_player + 1) & 63)];

    private async Task<object> Ask(GenerateContent request)
    {
        var reply = await _coordinator.Ask<object>(request);
        return reply is ContentGenerated ? reply : throw new InvalidOperationException($"unexpected reply {reply}");
    }
}
