using Akka.Actor;
using Akka.Cluster;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using P2PActors.Cluster.State;

namespace P2PActors.Benchmarks;

/// <summary>
/// <c>GET /api/state</c>'s work in the game state actor: the page's world card asks it every 5 s from every open page,
/// so its cost is paid per page and per poll. <see cref="Known"/> players have a position (each also a presence
/// heartbeat and an inventory, as a played player has), of whom <see cref="Online"/> were heard from lately; every
/// player ever known stays known. The answer is the world card's page: the first 200 online.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class StateSnapshotBenchmarks
{
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);
    private static readonly TimeSpan PresenceTimeout = TimeSpan.FromSeconds(30);
    private const long Now = 1_764_000_000_000;

    [Params(10_000, 100_000)]
    public int Known { get; set; }

    public int Online => 500;

    private GameStateView _view = null!;

    [GlobalSetup]
    public void Setup()
    {
        var keys = new GameStateSettings().CreateKeys();
        var view = GameStateView.Empty(keys, AdmitAll.Instance);
        // Online: the last Online players, heard from a second ago; the rest last seen an hour ago.
        string Id(int i) => $"player-{i:D6}";
        long Seen(int i) => i >= Known - Online ? Now - 1_000 : Now - 3_600_000;
        view = view.ApplyPositions(Enumerable.Range(0, Known)
            .Select(i => new KeyValuePair<string, PlayerPosition>(Id(i), new PlayerPosition($"zone-{i % 7}", i % 50, i % 40, Seen(i)))), false).View;
        foreach (var bucket in Enumerable.Range(0, Known).GroupBy(i => keys.PlayerBucket(Id(i))))
        {
            var presence = view.Presence[bucket.Key];
            var inventory = view.Inventories[bucket.Key];
            foreach (var i in bucket)
            {
                presence = presence.SetItem(Writer, Id(i), new PresenceEntry($"zone-{i % 7}", Seen(i), "node"));
                inventory = inventory.Add("node", Id(i), $"item-{i % 13}");
            }
            view = view.Apply(keys.Presence[bucket.Key].Id, presence, collectChanges: false).View;
            view = view.Apply(keys.Inventories[bucket.Key].Id, inventory, collectChanges: false).View;
        }
        var check = view.Snapshot(Now, PresenceTimeout, 0, 200);
        if (check.OnlineCount != Online || check.KnownPlayers != Known)
            throw new InvalidOperationException($"setup: {check.OnlineCount} online of {check.KnownPlayers} known");
        _view = view;
    }

    [Benchmark(Description = "GET /api/state's snapshot: the first 200 players online")]
    public int Snapshot() => _view.Snapshot(Now, PresenceTimeout, 0, 200).Online.Count;
}
