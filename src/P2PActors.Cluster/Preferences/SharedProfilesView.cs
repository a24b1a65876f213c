using System.Collections.Immutable;
using Akka.DistributedData;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// What one node accepted of the replicated shared profiles: per bucket, the profiles that passed
/// <see cref="SharedProfileEntry.Validate"/>, and how many entries each bucket holds that did not. Pure and immutable;
/// <see cref="Apply"/> replaces one bucket with what the replicator now holds for it.
/// </summary>
public sealed record SharedProfilesView(
    SharedProfileKeys Keys,
    ImmutableArray<ImmutableDictionary<string, SharedProfile>> Buckets,
    ImmutableArray<int> Rejected)
{
    public static SharedProfilesView Empty(SharedProfileKeys keys) => new(
        keys,
        [.. Enumerable.Repeat(ImmutableDictionary<string, SharedProfile>.Empty.WithComparers(StringComparer.Ordinal), keys.BucketCount)],
        [.. Enumerable.Repeat(0, keys.BucketCount)]);

    public int ProfileCount => Buckets.Sum(b => b.Count);

    public int RejectedCount => Rejected.Sum();

    public IEnumerable<SharedProfile> Profiles => Buckets.SelectMany(b => b.Values);

    public SharedProfile? Find(string playerId) =>
        Buckets[Keys.Bucket(playerId)].GetValueOrDefault(playerId);

    /// <summary>
    /// The view with bucket <paramref name="bucket"/> replaced by the valid entries of <paramref name="data"/>, and the
    /// problems of the invalid ones (to log). Profiles whose entry did not change are kept as they are.
    /// </summary>
    public (SharedProfilesView View, IReadOnlyList<string> Problems) Apply(int bucket, LWWDictionary<string, SharedProfileEntry> data)
    {
        var current = Buckets[bucket];
        var accepted = ImmutableDictionary.CreateBuilder<string, SharedProfile>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (playerId, entry) in data.Entries)
        {
            if (current.TryGetValue(playerId, out var known) && entry is not null && entry.SameAs(known))
            {
                accepted[playerId] = known;
                continue;
            }
            if (SharedProfileEntry.Validate(playerId, entry, Keys, bucket, out var problem) is { } profile)
                accepted[playerId] = profile;
            else
                problems.Add($"shared profile '{playerId}' refused: {problem}");
        }
        return (this with { Buckets = Buckets.SetItem(bucket, accepted.ToImmutable()), Rejected = Rejected.SetItem(bucket, problems.Count) }, problems);
    }

    public RecommendationIndex BuildIndex() => RecommendationIndex.Build(Profiles);
}
