using System.Globalization;
using System.Text;
using Akka.DistributedData;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// The replicated shared profiles, split over <see cref="BucketCount"/> DData keys ("prefs-0" …) by player id. The
/// replicator gossips whole keys, up to max-delta-elements of them per message, so a key must stay far below one
/// remoting frame: 10,000 packed profiles of 50 ratings are ~23 MB of JSON, ~45 KB per key with the default 512 keys.
/// The bucket of a player is FNV-1a over the UTF-8 id, identical on every node.
/// </summary>
public sealed class SharedProfileKeys
{
    public const string Prefix = "prefs-";
    public const int DefaultBuckets = 512;

    private readonly Dictionary<string, int> _bucketOfKey;

    public SharedProfileKeys(int buckets = DefaultBuckets)
    {
        if (buckets is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "1 to 4096 buckets");
        BucketCount = buckets;
        Keys = Enumerable.Range(0, buckets)
            .Select(i => new LWWDictionaryKey<string, SharedProfileEntry>(Prefix + i.ToString(CultureInfo.InvariantCulture)))
            .ToArray();
        _bucketOfKey = Keys.Select((k, i) => (k.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
    }

    public int BucketCount { get; }

    public IReadOnlyList<LWWDictionaryKey<string, SharedProfileEntry>> Keys { get; }

    public LWWDictionaryKey<string, SharedProfileEntry> KeyOf(string playerId) => Keys[Bucket(playerId)];

    /// <summary>The bucket a key id names, or -1 for a key that is not one of ours.</summary>
    public int BucketOfKey(string keyId) => _bucketOfKey.GetValueOrDefault(keyId, -1);

    public int Bucket(string playerId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(playerId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % (uint)BucketCount);
    }
}
