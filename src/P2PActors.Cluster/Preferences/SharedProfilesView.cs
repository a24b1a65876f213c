using System.Collections.Immutable;
using Akka.DistributedData;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>A replicated entry this node accepted, and the profile it unpacks to.</summary>
public sealed record AcceptedProfile(SharedProfileEntry Entry, SharedProfile Profile);

/// <summary>
/// What one node accepted of the replicated shared profiles: per bucket, the entries that passed
/// <see cref="SharedProfileEntry.Validate"/> unpacked to profiles, and how many entries each bucket holds that did not.
/// <see cref="Apply"/> replaces one bucket with what the replicator now holds for it and returns a new view; a view is
/// never changed, so a snapshot of it can be indexed on another thread. The <see cref="Pool"/> of content-id strings
/// is the one exception: a cache only <see cref="Apply"/> (on the owning actor's thread) adds to.
/// </summary>
public sealed record SharedProfilesView(
    SharedProfileKeys Keys,
    ImmutableArray<ImmutableDictionary<string, AcceptedProfile>> Buckets,
    ImmutableArray<int> Rejected,
    ContentIdPool Pool)
{
    public static SharedProfilesView Empty(SharedProfileKeys keys) => new(
        keys,
        [.. Enumerable.Repeat(ImmutableDictionary<string, AcceptedProfile>.Empty.WithComparers(StringComparer.Ordinal), keys.BucketCount)],
        [.. Enumerable.Repeat(0, keys.BucketCount)],
        new ContentIdPool());

    public int ProfileCount => Buckets.Sum(b => b.Count);

    public int RejectedCount => Rejected.Sum();

    public IEnumerable<SharedProfile> Profiles => Buckets.SelectMany(b => b.Values.Select(a => a.Profile));

    public AcceptedProfile? Find(string playerId) =>
        Buckets[Keys.Bucket(playerId)].GetValueOrDefault(playerId);

    /// <summary>
    /// The view with bucket <paramref name="bucket"/> replaced by the valid entries of <paramref name="data"/>, and the
    /// problems of the invalid ones (to log). Profiles whose entry did not change are kept as they are.
    /// </summary>
    public (SharedProfilesView View, IReadOnlyList<string> Problems) Apply(int bucket, LWWDictionary<string, SharedProfileEntry> data)
    {
        var current = Buckets[bucket];
        var accepted = ImmutableDictionary.CreateBuilder<string, AcceptedProfile>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (playerId, entry) in data.Entries)
        {
            if (current.TryGetValue(playerId, out var known) && entry is not null && entry.SameAs(known.Entry))
            {
                accepted[playerId] = known;
                continue;
            }
            if (SharedProfileEntry.Validate(playerId, entry, Keys, bucket, out var problem, Pool) is { } profile)
                accepted[playerId] = new AcceptedProfile(entry!, profile);
            else
                problems.Add($"shared profile '{playerId}' refused: {problem}");
        }
        var view = this with { Buckets = Buckets.SetItem(bucket, accepted.ToImmutable()), Rejected = Rejected.SetItem(bucket, problems.Count) };
        return (view.WithPoolTrimmed(), problems);
    }

    /// <summary>
    /// The view with a pool of only the ids its profiles rate, once the pool holds more than twice those (and a few
    /// thousand): rebuilt at most once per doubling, so its cost stays proportional to the adds.
    /// </summary>
    private SharedProfilesView WithPoolTrimmed()
    {
        if (Pool.Count < MinPoolToTrim)
            return this;
        var rated = Profiles.Sum(p => p.Ratings.Count);
        return Pool.Count <= 2 * rated ? this : this with { Pool = ContentIdPool.Of(Profiles.SelectMany(p => p.Ratings.Select(r => r.ContentId))) };
    }

    /// <summary>Below this many ids a pool is left as it is (a few hundred KB at most).</summary>
    internal const int MinPoolToTrim = 4_096;

    public RecommendationIndex BuildIndex() => RecommendationIndex.Build(Profiles);
}
