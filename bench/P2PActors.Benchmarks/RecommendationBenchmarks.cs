using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Preferences;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Benchmarks;

/// <summary>
/// Recommendations for one player among 10,000 shared profiles of 50 ratings each (issue 5: ≤ 10 ms).
/// The data has structure so that similarities are real: 20,000 contents whose popularity falls off like a
/// Zipf law (popular contents have thousands of raters, which is the hard case for the postings walk),
/// and players in 10 taste groups whose stars follow their group's affinity for a content plus noise.
/// Content ids are 64-character hex strings, one fresh string per rating, as profiles deserialised from
/// DistributedData would hold them.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class RecommendationBenchmarks
{
    private const int Players = 10_000;
    private const int RatingsPerPlayer = 50;
    private const int Catalogue = 20_000;
    private const int Groups = 10;

    private List<SharedProfile> _profiles = [];
    private RecommendationIndex _index = RecommendationIndex.Empty;
    private SharedProfile[] _targets = [];
    private int _next;
    private SharedProfilesView _view = SharedProfilesView.Empty(new SharedProfileKeys());
    private LWWDictionary<string, SharedProfileEntry> _changedBucket = LWWDictionary<string, SharedProfileEntry>.Empty;
    private int _changedBucketNumber;

    [GlobalSetup]
    public void Setup()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        (_profiles, _targets) = Generate(seed: 42, freshStrings: true);
        var afterProfiles = GC.GetTotalMemory(forceFullCollection: true);
        _index = RecommendationIndex.Build(_profiles);
        var afterIndex = GC.GetTotalMemory(forceFullCollection: true);

        var (shared, _) = Generate(seed: 42, freshStrings: false);
        var afterShared = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(shared);
        shared = [];

        var beforeAlone = GC.GetTotalMemory(forceFullCollection: true);
        var alone = BuildFromFreshProfiles();
        var afterAlone = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(alone);

        var raters = _profiles.SelectMany(p => p.Ratings).CountBy(r => r.ContentId).ToDictionary();
        var touched = _targets.Average(t => t.Ratings.Sum(r => raters.GetValueOrDefault(r.ContentId)));
        Console.WriteLine($"// profiles: {Players} × {RatingsPerPlayer} ratings, {_index.ContentCount} distinct contents");
        Console.WriteLine($"// retained by the profiles, one id string per rating: {Mb(afterProfiles - before)}");
        Console.WriteLine($"// retained by the same profiles sharing one string per content: {Mb(afterShared - afterIndex)}");
        Console.WriteLine($"// retained by the index on top of the profiles: {Mb(afterIndex - afterProfiles)}");
        Console.WriteLine($"// retained by the index alone, its profiles dropped: {Mb(afterAlone - beforeAlone)}");
        Console.WriteLine($"// postings walked per query (mean over targets): {touched:F0}");

        MeasureNode();
    }

    /// <summary>
    /// What one node holds for the same 10,000 profiles as the cluster layer keeps them: the replicator's
    /// LWWDictionary buckets of <see cref="SharedProfileEntry"/> (512 keys, one id string per rating, as deserialised
    /// from peers), the actor's <see cref="SharedProfilesView"/> of validated profiles (sharing the entries' lists) and
    /// the index built from it.
    /// </summary>
    private void MeasureNode()
    {
        var keys = new SharedProfileKeys();
        var node = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);
        var start = GC.GetTotalMemory(forceFullCollection: true);
        var buckets = BuildBuckets(keys, node);
        var afterReplicated = GC.GetTotalMemory(forceFullCollection: true);
        var view = SharedProfilesView.Empty(keys);
        for (var b = 0; b < keys.BucketCount; b++)
        {
            view = view.Apply(b, buckets[b]).View;
        }
        var afterView = GC.GetTotalMemory(forceFullCollection: true);
        var index = view.BuildIndex();
        var afterIndex = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// node: {view.ProfileCount} accepted profiles, {view.RejectedCount} refused, over {keys.BucketCount} keys");
        Console.WriteLine($"// node: replicated LWWDictionary buckets of packed entries: {Mb(afterReplicated - start)}");
        Console.WriteLine($"// node: validated, unpacked view on top ({view.Pool.Count} pooled content ids): {Mb(afterView - afterReplicated)}");
        Console.WriteLine($"// node: recommendation index on top: {Mb(afterIndex - afterView)}");
        Console.WriteLine($"// node: total: {Mb(afterIndex - start)}");

        // A later change: one player of one bucket re-rated a content.
        var changed = view.Buckets.Select((b, i) => (b, i)).First(x => x.b.Count > 0);
        var player = changed.b.Keys.First();
        var ratings = changed.b[player].Profile.Ratings.ToArray();
        ratings[0] = ratings[0] with { Stars = ratings[0].Stars % 5 + 1 };
        _changedBucket = buckets[changed.i].SetItem(node, player, SharedProfileEntry.Pack(player, ratings));
        _changedBucketNumber = changed.i;
        _view = view;
        GC.KeepAlive(index);
        GC.KeepAlive(buckets);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LWWDictionary<string, SharedProfileEntry>[] BuildBuckets(SharedProfileKeys keys, UniqueAddress node)
    {
        var buckets = Enumerable.Repeat(LWWDictionary<string, SharedProfileEntry>.Empty, keys.BucketCount).ToArray();
        foreach (var profile in Generate(seed: 42, freshStrings: true).Profiles)
        {
            var b = keys.Bucket(profile.PlayerId);
            buckets[b] = buckets[b].SetItem(node, profile.PlayerId, SharedProfileEntry.Pack(profile.PlayerId, [.. profile.Ratings]));
        }
        return buckets;
    }

    [Benchmark(Description = "index: recommend 10 of any type, k = 20")]
    public IReadOnlyList<Recommendation> IndexedRecommend() => _index.Recommend(NextTarget(), k: 20, take: 10);

    [Benchmark(Description = "index: recommend 10 items, k = 20")]
    public IReadOnlyList<Recommendation> IndexedRecommendItems() => _index.Recommend(NextTarget(), k: 20, type: ContentType.Item, take: 10);

    [Benchmark(Description = "reference scan over all profiles")]
    public IReadOnlyList<Recommendation> ScanRecommend() => Recommender.Recommend(NextTarget(), _profiles, k: 20, take: 10);

    [Benchmark(Description = "build the index from 10,000 profiles")]
    public RecommendationIndex BuildIndex() => RecommendationIndex.Build(_profiles);

    [Benchmark(Description = "apply a changed bucket (one re-rating) to the validated view")]
    public SharedProfilesView ApplyChangedBucket() => _view.Apply(_changedBucketNumber, _changedBucket).View;

    // A frame of its own, so the profiles are unreachable once it returns (setup runs unoptimised, where a
    // local would stay alive until the end of the method).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RecommendationIndex BuildFromFreshProfiles() => RecommendationIndex.Build(Generate(seed: 42, freshStrings: true).Profiles);

    private SharedProfile NextTarget() => _targets[_next++ % _targets.Length];

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MiB ({bytes / (double)(Players * RatingsPerPlayer):F0} B per rating)";

    private static (List<SharedProfile> Profiles, SharedProfile[] Targets) Generate(int seed, bool freshStrings)
    {
        var random = new Random(seed);
        var ids = new string[Catalogue];
        var affinity = new double[Catalogue, Groups];
        var cumulative = new double[Catalogue];
        var total = 0.0;
        for (var c = 0; c < Catalogue; c++)
        {
            ids[c] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(c)));
            for (var g = 0; g < Groups; g++)
            {
                affinity[c, g] = Normal(random);
            }
            total += 1.0 / Math.Pow(c + 10, 0.9);
            cumulative[c] = total;
        }

        SharedProfile Player(string id, int group)
        {
            var chosen = new HashSet<int>();
            var ratings = new SharedRating[RatingsPerPlayer];
            while (chosen.Count < RatingsPerPlayer)
            {
                var c = Array.BinarySearch(cumulative, random.NextDouble() * total);
                c = c < 0 ? Math.Min(~c, Catalogue - 1) : c;
                if (!chosen.Add(c))
                {
                    continue;
                }
                var stars = (int)Math.Clamp(Math.Round(3 + 1.2 * affinity[c, group] + 0.8 * Normal(random)), 1, 5);
                var contentId = freshStrings ? new string(ids[c].AsSpan()) : ids[c];
                ratings[chosen.Count - 1] = new SharedRating(contentId, (ContentType)(c % 5), stars);
            }
            return new SharedProfile(id, ratings);
        }

        var profiles = new List<SharedProfile>(Players);
        for (var p = 0; p < Players; p++)
        {
            profiles.Add(Player($"player-{p:D5}", p % Groups));
        }
        var targets = Enumerable.Range(0, 16).Select(t => Player($"target-{t}", t % Groups)).ToArray();
        return (profiles, targets);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
