using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using P2PActors.Cluster.Membership;
using P2PActors.Cluster.Preferences;
using P2PActors.Cluster.Replicas;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.Sessions;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// Cluster state synchronisation, measured on real nodes: N ActorSystems in this process, remoting over TCP on
/// 127.0.0.1, the production DData tuning. A latency distribution (p50/p99) is not what BenchmarkDotNet reports,
/// so this is a harness: <c>dotnet run -c Release --project bench/P2PActors.Benchmarks -- state-sync [options]</c>.
/// Options: <c>--samples N</c> (latency samples, default 2000), <c>--rates 500,1000,2000</c> (updates/s),
/// <c>--seconds S</c> per rate, <c>--catalog 10000,100000</c> (entries for the join test), <c>--profile-buckets</c> (every
/// node also holds the 512 shared-profile buckets), <c>--players N</c> (the holders also hold N players' inventories,
/// and the join reports when the new node sees them all: nothing pushes an unchanged inventory to a joiner),
/// <c>--profiles N</c> (every node runs the shared-profiles actor, A publishes N players' profiles, and the join reports
/// when the new node holds them all).
/// </summary>
public static class StateSyncHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var samples = IntOption(args, "--samples", 2000);
        var seconds = IntOption(args, "--seconds", 5);
        var rates = ListOption(args, "--rates", [500, 1000, 2000, 4000]);
        var catalogSizes = ListOption(args, "--catalog", [10_000, 100_000]);
        var holders = IntOption(args, "--holders", 3);
        var prefix = IntOption(args, "--catalog-prefix", 2);
        var profileBuckets = args.Contains("--profile-buckets");
        var players = IntOption(args, "--players", 0);
        var profiles = IntOption(args, "--profiles", 0);
        var settings = new GameStateSettings();

        Console.WriteLine($"# state-sync on {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"# gossip {settings.GossipInterval.TotalMilliseconds} ms, notify {settings.NotifySubscribersInterval.TotalMilliseconds} ms, positions sent live per flush, durable buckets written every {settings.PositionPersistInterval.TotalMilliseconds} ms");

        var nodes = await StartClusterAsync(3, settings);
        try
        {
            await LatencyAsync(nodes, samples);
            foreach (var rate in rates) await SustainedAsync(nodes, rate, TimeSpan.FromSeconds(seconds));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.Terminate()));
        }

        foreach (var size in catalogSizes)
            await JoinAsync(size, holders, prefix, profileBuckets, players, profiles);
        return 0;
    }

    private static async Task LatencyAsync(ActorSystem[] nodes, int samples)
    {
        var a = GameState.For(nodes[0]);
        var c = GameState.For(nodes[2]);
        using var subscription = await c.SubscribeAsync();
        var latencies = new List<double>(samples);
        for (var i = 1; i <= samples + 50; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await a.UpdatePositionAsync("latency-probe", "bench", i, 0);
            await WaitForAsync(subscription, m => m.PlayerId == "latency-probe" && (int)m.Position.X == i);
            if (i > 50) latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Report($"latency A→subscriber on C, sequential, {samples} samples", latencies);
    }

    /// <summary>
    /// Writers on A and B at a fixed total rate over 100 players; C subscribes. Latency is sampled per update
    /// (write call on A or B until C's subscriber sees that value), then every node must hold identical positions.
    /// </summary>
    private static async Task SustainedAsync(ActorSystem[] nodes, int rate, TimeSpan duration)
    {
        const int players = 100;
        var writers = new[] { GameState.For(nodes[0]), GameState.For(nodes[1]) };
        var c = GameState.For(nodes[2]);
        using var subscription = await c.SubscribeAsync(capacity: 1_000_000);
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<long, long>();
        var latencies = new List<double>();
        var total = (int)(rate * duration.TotalSeconds);
        var reader = Task.Run(async () =>
        {
            var received = 0;
            while (await subscription.Changes.WaitToReadAsync())
            while (subscription.Changes.TryRead(out var change))
            {
                if (change is not PlayerMoved m || !m.PlayerId.StartsWith("load-", StringComparison.Ordinal)) continue;
                if (sent.TryRemove((long)m.Position.X, out var t0))
                    latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (++received >= total) return;
            }
        });

        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var seq = i + 1L + rate * 100_000L;
            sent[seq] = Stopwatch.GetTimestamp();
            inFlight.Add(writers[i % 2].UpdatePositionAsync($"load-{i % players}", "bench", seq, i));
        }
        await Task.WhenAll(inFlight);
        var writeTime = clock.Elapsed;

        var converged = await ConvergedAsync(nodes, players, TimeSpan.FromSeconds(60));
        // LWW may skip intermediate values of a player, so not every update is observed: that is correct behaviour.
        await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(2)));
        var achieved = total / writeTime.TotalSeconds;
        Report($"sustained {rate}/s target, {achieved:0} updates/s achieved, {latencies.Count}/{total} observed on C, converged {converged.TotalMilliseconds:0} ms after the last write", latencies);
    }

    private static async Task<TimeSpan> ConvergedAsync(ActorSystem[] nodes, int players, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var views = await Task.WhenAll(nodes.Select(async n =>
            {
                var state = GameState.For(n);
                var parts = new List<string>();
                for (var p = 0; p < players; p++)
                    parts.Add((await state.GetPlayerAsync($"load-{p}"))?.Position?.ToString() ?? "-");
                return string.Join("|", parts);
            }));
            if (views.All(v => v == views[0])) return clock.Elapsed;
            await Task.Delay(20);
        }
        throw new TimeoutException($"positions did not converge within {limit}");
    }

    /// <summary>A cluster of <paramref name="holders"/> nodes holding <paramref name="entries"/> catalog entries; one more node joins and must get them all.</summary>
    private static async Task JoinAsync(int entries, int holders, int catalogPrefix, bool profileBuckets, int players, int profiles)
    {
        // A node's own settings (2 hex chars, max-delta-elements 4), unless asked for more keys: 3 hex chars (4,096 keys)
        // keep each key small at 100k entries, and more keys per gossip message compensate (an experiment; a node has
        // no option for either).
        var settings = catalogPrefix >= 3
            ? new GameStateSettings { CatalogPrefixLength = catalogPrefix, MaxDeltaElements = 64 }
            : new GameStateSettings { CatalogPrefixLength = catalogPrefix };
        var nodes = await StartClusterAsync(holders, settings, profileBuckets, profiles > 0);
        ActorSystem? joiner = null;
        try
        {
            var seedClock = Stopwatch.StartNew();
            await SeedCatalogAsync(nodes[0], settings, entries);
            await Task.WhenAll(nodes.Select(n => CatalogSizeReachedAsync(n, entries, TimeSpan.FromMinutes(10))));
            var held = (await DistributedData.Get(nodes[0]).Replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, TimeSpan.FromSeconds(30))).Keys.Count;
            Console.WriteLine($"# seeded {entries} entries on A and replicated to {holders - 1} more holder(s) in {seedClock.Elapsed.TotalSeconds:0.0} s; {settings.CreateKeys().Catalog.Count} catalog keys of {held} keys held, max-delta-elements {settings.MaxDeltaElements}");
            if (players > 0)
            {
                seedClock.Restart();
                var a = GameState.For(nodes[0]);
                foreach (var chunk in Enumerable.Range(0, players).Chunk(100))
                    await Task.WhenAll(chunk.Select(p => a.AddItemAsync(InventoryPlayer(p), $"relic-{p}")));
                await Task.WhenAll(nodes.Select(n => InventoriesReachedAsync(n, players, TimeSpan.FromMinutes(5))));
                Console.WriteLine($"# seeded {players} players' inventories on A and replicated to {holders - 1} more holder(s) in {seedClock.Elapsed.TotalSeconds:0.0} s");
            }
            if (profiles > 0)
            {
                seedClock.Restart();
                var a = await ProfilesActorAsync(nodes[0]);
                foreach (var p in Enumerable.Range(0, profiles))
                    a.Tell(new PublishSharedProfile(SharedProfileEntry.Pack($"sharer-{p}",
                        Enumerable.Range(0, 5).Select(r => new SharedRating(Header(p * 5 + r).Id, ContentType.Item, 1 + (p + r) % 5)).ToList())));
                await Task.WhenAll(nodes.Select(n => ProfilesReachedAsync(n, profiles, TimeSpan.FromMinutes(5))));
                Console.WriteLine($"# seeded {profiles} shared profiles on A and replicated to {holders - 1} more holder(s) in {seedClock.Elapsed.TotalSeconds:0.0} s");
            }

            var before = HeapMegabytes();
            var clock = Stopwatch.StartNew();
            joiner = StartNode(settings, Akka.Cluster.Cluster.Get(nodes[0]).SelfAddress, profileBuckets, profiles > 0);
            var sharedProfiles = profiles > 0 ? TimedAsync(ProfilesReachedAsync(joiner, profiles, JoinPatience), clock) : null;
            var inventories = players > 0 ? TimedAsync(InventoriesReachedAsync(joiner, players, JoinPatience), clock) : null;
            try
            {
                await CatalogSizeReachedAsync(joiner, entries, JoinPatience);
            }
            catch (TimeoutException)
            {
                await PrintJoinDiagnosisAsync(nodes, joiner, settings);
                throw;
            }
            var elapsed = clock.Elapsed;
            var after = HeapMegabytes();
            Console.WriteLine($"| new node converges with {entries:N0} catalog entries ({holders} holder(s)) | {elapsed.TotalSeconds:0.0} s | managed heap +{after - before:0} MB for the new node (managed heap of the whole process, all nodes: {HeapMegabytes():0} MB) |");
            if (inventories is not null)
                Console.WriteLine($"| new node sees all {players:N0} players' inventories | {(await inventories).TotalSeconds:0.0} s | |");
            if (sharedProfiles is not null)
                Console.WriteLine($"| new node holds all {profiles:N0} shared profiles | {(await sharedProfiles).TotalSeconds:0.0} s | |");
        }
        finally
        {
            await Task.WhenAll(nodes.Append(joiner).OfType<ActorSystem>().Select(n => n.Terminate()));
        }
    }

    /// <summary>Joins take seconds to half a minute; one that has not converged by then is stuck, and says where.</summary>
    private static readonly TimeSpan JoinPatience = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Why a joiner did not converge: each node's view of the membership, and per catalog key the entries the
    /// joiner's replica holds against each holder's, and whether the holders' replicas are equal to each other.
    /// </summary>
    private static async Task PrintJoinDiagnosisAsync(ActorSystem[] holders, ActorSystem joiner, GameStateSettings settings)
    {
        var all = holders.Append(joiner).ToArray();
        foreach (var node in all)
        {
            var state = Akka.Cluster.Cluster.Get(node).State;
            Console.WriteLine($"# {Akka.Cluster.Cluster.Get(node).SelfAddress}: members [{string.Join(", ", state.Members.Select(m => $"{m.Address.Port}:{m.Status}"))}], unreachable [{string.Join(", ", state.Unreachable.Select(m => m.Address.Port))}]");
        }
        var lacking = 0;
        foreach (var key in settings.CreateKeys().Catalog)
        {
            var buckets = await Task.WhenAll(all.Select(async n =>
            {
                var answer = await DistributedData.Get(n).Replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(10));
                return answer is GetSuccess ok ? ok.Get(key) : null;
            }));
            var joined = buckets[^1];
            var holdersEqual = buckets[..^1].All(b => b is not null && b.Equals(buckets[0]));
            if (joined is not null && joined.Equals(buckets[0]) && holdersEqual) continue;
            lacking++;
            Console.WriteLine($"# {key.Id}: joiner {joined?.Count.ToString(CultureInfo.InvariantCulture) ?? "absent"}, holders [{string.Join(", ", buckets[..^1].Select(b => b?.Count.ToString(CultureInfo.InvariantCulture) ?? "absent"))}], holders equal: {holdersEqual}");
        }
        Console.WriteLine($"# {lacking} of {settings.CreateKeys().Catalog.Count} catalog keys differ; joiner's view lists {(await GameState.For(joiner).GetSnapshotAsync()).CatalogSize}");

        // Akka's replicator answers a gossip status chunk with at most max-delta-elements keys, taken in hash-set order
        // from the chunk's keys, and ignores an empty chunk: a key the joiner lacks can then be out of reach both ways.
        var holderKeys = (await DistributedData.Get(holders[0]).Replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, TimeSpan.FromSeconds(10))).Keys;
        var joinerKeys = (await DistributedData.Get(joiner).Replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, TimeSpan.FromSeconds(10))).Keys;
        var holderChunks = Math.Max(1, holderKeys.Count / settings.MaxDeltaElements);
        var joinerChunks = Math.Max(1, joinerKeys.Count / settings.MaxDeltaElements);
        static int Chunk(string key, int chunks) => Math.Abs(Akka.Util.MurmurHash.StringHash(key) % chunks);
        foreach (var missing in holderKeys.Except(joinerKeys).Order(StringComparer.Ordinal))
        {
            var chunk = Chunk(missing, holderChunks);
            var inChunk = holderKeys.Where(k => Chunk(k, holderChunks) == chunk).ToImmutableHashSet().ToList();
            var joinerChunk = Chunk(missing, joinerChunks);
            Console.WriteLine($"# missing {missing}: holders' chunk {chunk}/{holderChunks} holds {inChunk.Count} keys, this one {inChunk.IndexOf(missing) + 1}th in hash-set order; joiner's chunk {joinerChunk}/{joinerChunks} holds {joinerKeys.Count(k => Chunk(k, joinerChunks) == joinerChunk)} of its keys");
        }
    }

    private static string InventoryPlayer(int p) => $"keeper-{p}";

    private static Task<IActorRef> ProfilesActorAsync(ActorSystem node) =>
        node.ActorSelection($"/user/{SharedProfilesActor.Name}").ResolveOne(TimeSpan.FromSeconds(10));

    /// <summary>Until the node's shared-profiles actor holds <paramref name="profiles"/> profiles.</summary>
    private static async Task ProfilesReachedAsync(ActorSystem node, int profiles, TimeSpan limit)
    {
        var actor = await ProfilesActorAsync(node);
        var clock = Stopwatch.StartNew();
        while ((await actor.Ask<SharedProfilesInfo>(new GetSharedProfiles(), TimeSpan.FromSeconds(10))).Profiles < profiles)
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"shared profiles did not reach {profiles} within {limit}");
            await Task.Delay(50);
        }
    }

    private static async Task<TimeSpan> TimedAsync(Task task, Stopwatch clock)
    {
        await task;
        return clock.Elapsed;
    }

    /// <summary>Until the node lists every seeded player with the item it was given.</summary>
    private static async Task InventoriesReachedAsync(ActorSystem node, int players, TimeSpan limit)
    {
        var state = GameState.For(node);
        var clock = Stopwatch.StartNew();
        var missing = Enumerable.Range(0, players).ToList();
        while (true)
        {
            var seen = await Task.WhenAll(missing.Select(async p => (p, View: await state.GetPlayerAsync(InventoryPlayer(p)))));
            missing = seen.Where(s => s.View?.Inventory.Contains($"relic-{s.p}") != true).Select(s => s.p).ToList();
            if (missing.Count == 0) return;
            if (clock.Elapsed > limit) throw new TimeoutException($"{missing.Count} of {players} inventories not seen within {limit}");
            await Task.Delay(50);
        }
    }

    private static async Task CatalogSizeReachedAsync(ActorSystem node, int entries, TimeSpan limit)
    {
        var state = GameState.For(node);
        var clock = Stopwatch.StartNew();
        while ((await state.GetSnapshotAsync()).CatalogSize < entries)
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"catalog did not reach {entries} within {limit}");
            await Task.Delay(50);
        }
    }

    /// <summary>Bulk catalog writes, in batches sized so one delta-propagation round stays well inside a frame.</summary>
    private static async Task SeedCatalogAsync(ActorSystem node, GameStateSettings settings, int entries)
    {
        const int batch = 5_000;
        var keys = settings.CreateKeys();
        var self = Akka.Cluster.Cluster.Get(node).SelfUniqueAddress;
        var replicator = DistributedData.Get(node).Replicator;
        for (var from = 0; from < entries; from += batch)
        {
            var headers = Enumerable.Range(from, Math.Min(batch, entries - from)).Select(Header);
            var updates = headers.GroupBy(h => keys.CatalogKey(h.Id)).Select(bucket =>
                replicator.Ask<IUpdateResponse>(Dsl.Update(bucket.Key, CatalogBucket.Empty, WriteLocal.Instance,
                    d => bucket.Aggregate(d, (acc, h) => acc.SetItem(self, h))), TimeSpan.FromMinutes(5)));
            await Task.WhenAll(updates);
            await Task.Delay(settings.GossipInterval / 4);
        }
    }

    private static CatalogHeader Header(int i) => new(
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"bench-{i}"))),
        (ContentType)(i % 5), $"Bench entry {i}", "bench", 1_700_000_000_000 + i, "akka.tcp://p2pactors@127.0.0.1:1");

    private static async Task<ActorSystem[]> StartClusterAsync(int count, GameStateSettings settings, bool profileBuckets = false, bool sharedProfiles = false)
    {
        var first = StartNode(settings, null, profileBuckets, sharedProfiles);
        var nodes = new List<ActorSystem> { first };
        for (var i = 1; i < count; i++) nodes.Add(StartNode(settings, Akka.Cluster.Cluster.Get(first).SelfAddress, profileBuckets, sharedProfiles));
        while (!nodes.All(n => Akka.Cluster.Cluster.Get(n).State.Members.Count(m => m.Status == MemberStatus.Up) == count))
            await Task.Delay(50);
        return nodes.ToArray();
    }

    /// <param name="profileBuckets">Whether the node also holds the shared-profile buckets, as nodes of a cluster where profiles are shared do.</param>
    /// <param name="sharedProfiles">Whether the node runs the shared-profiles actor, as a node does.</param>
    internal static ActorSystem StartNode(GameStateSettings settings, Address? seed, bool profileBuckets, bool sharedProfiles = false)
    {
        var config = ConfigurationFactory.ParseString(string.Join('\n',
                settings.ToHocon(),
                new MembershipSettings().ToHocon(),
                SerializationSetup.Hocon,
                "akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR\nakka.log-dead-letters = off\nakka.cluster.log-info = off"))
            .WithFallback(DistributedData.DefaultConfig());
        var system = ActorSystem.Create(MembershipSettings.SystemName, config);
        GameState.Start(system, settings);
        // The other keys a node holds from its start (the session claims; not the registry's four sets), so gossip here
        // passes over as many keys as a node's does: a pass takes keys / (10 x max-delta-elements) ticks. With
        // --profile-buckets, the 512 shared-profile buckets too, which a node holds once any profile is shared.
        SessionClaims.Start(system);
        if (sharedProfiles)
            system.ActorOf(SharedProfilesActor.Props(new SharedProfilesSettings(), DistributedData.Get(system).Replicator), SharedProfilesActor.Name);
        if (profileBuckets)
            HeldKeys.CreateMissing(system, DistributedData.Get(system).Replicator, [.. HeldKeys.Of(new SharedProfileKeys().Keys, LWWDictionary<string, SharedProfileEntry>.Empty)]);
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(seed ?? cluster.SelfAddress);
        return system;
    }

    private static async Task WaitForAsync(ChangeSubscription subscription, Func<PlayerMoved, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await subscription.Changes.WaitToReadAsync(timeout.Token))
        while (subscription.Changes.TryRead(out var change))
            if (change is PlayerMoved moved && match(moved)) return;
    }

    private static void Report(string title, List<double> latencies)
    {
        if (latencies.Count == 0)
        {
            Console.WriteLine($"| {title} | no samples |");
            return;
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {title} | p50 {P(0.50):0.00} ms | p99 {P(0.99):0.00} ms | max {latencies[^1]:0.00} ms |"));
    }

    private static double HeapMegabytes() => GC.GetTotalMemory(forceFullCollection: true) / 1024d / 1024d;
}
