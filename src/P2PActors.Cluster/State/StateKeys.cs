using System.Text;
using Akka.DistributedData;

namespace P2PActors.Cluster.State;

/// <summary>
/// The replicated keys. Every data type is split across buckets so that no single key's full state grows past
/// what one remoting frame carries: the replicator gossips whole keys, and a key bigger than the frame never
/// reaches a joining node. Bucket choice must be identical on every node, so it never uses string.GetHashCode.
/// </summary>
public sealed class StateKeys
{
    public const string PositionPrefix = "pos-";
    public const string PresencePrefix = "presence-";
    public const string InventoryPrefix = "inventory-";
    /// <summary>Keys of the former ORDictionary inventories; only read, to migrate durable data (see <see cref="InventoryBucket.FromLegacy"/>).</summary>
    public const string LegacyInventoryPrefix = "inv-";
    /// <summary>Keys of the catalog buckets (<see cref="CatalogBucket"/>).</summary>
    public const string CatalogPrefix = "catalog2-";
    /// <summary>Keys of the former LWWDictionary catalog buckets; only read, to migrate durable data (see <see cref="CatalogBucket.FromLegacy"/>).</summary>
    public const string LegacyCatalogPrefix = "catalog-";
    /// <summary>Keys of the consensus registry (attestations, bindings, evidence); written by the consensus actors.</summary>
    public const string ConsensusPrefix = "consensus-";

    public StateKeys(int playerBuckets, int catalogPrefixLength)
    {
        if (playerBuckets is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(playerBuckets));
        if (catalogPrefixLength is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(catalogPrefixLength));
        PlayerBuckets = playerBuckets;
        CatalogPrefixLength = catalogPrefixLength;
        Positions = Enumerable.Range(0, playerBuckets)
            .Select(i => new LWWDictionaryKey<string, PlayerPosition>($"{PositionPrefix}{i}")).ToArray();
        Presence = Enumerable.Range(0, playerBuckets)
            .Select(i => new LWWDictionaryKey<string, PresenceEntry>($"{PresencePrefix}{i}")).ToArray();
        Inventories = Enumerable.Range(0, playerBuckets)
            .Select(i => new InventoryBucketKey($"{InventoryPrefix}{i}")).ToArray();
        LegacyInventories = Enumerable.Range(0, playerBuckets)
            .Select(i => new ORDictionaryKey<string, ORSet<string>>($"{LegacyInventoryPrefix}{i}")).ToArray();
        var catalogBuckets = 1 << (4 * catalogPrefixLength);
        var hex = "x" + catalogPrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Catalog = Enumerable.Range(0, catalogBuckets)
            .Select(i => new CatalogBucketKey(CatalogPrefix + i.ToString(hex, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        LegacyCatalog = Enumerable.Range(0, catalogBuckets)
            .Select(i => new LWWDictionaryKey<string, CatalogHeader>(LegacyCatalogPrefix + i.ToString(hex, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
    }

    public int PlayerBuckets { get; }
    public int CatalogPrefixLength { get; }
    public IReadOnlyList<LWWDictionaryKey<string, PlayerPosition>> Positions { get; }
    public IReadOnlyList<LWWDictionaryKey<string, PresenceEntry>> Presence { get; }
    public IReadOnlyList<InventoryBucketKey> Inventories { get; }
    public IReadOnlyList<ORDictionaryKey<string, ORSet<string>>> LegacyInventories { get; }
    public IReadOnlyList<CatalogBucketKey> Catalog { get; }
    public IReadOnlyList<LWWDictionaryKey<string, CatalogHeader>> LegacyCatalog { get; }

    public LWWDictionaryKey<string, PlayerPosition> PositionKey(string playerId) => Positions[PlayerBucket(playerId)];
    public LWWDictionaryKey<string, PresenceEntry> PresenceKey(string playerId) => Presence[PlayerBucket(playerId)];
    public InventoryBucketKey InventoryKey(string playerId) => Inventories[PlayerBucket(playerId)];

    /// <summary>Content ids are SHA-256 hex, so their first characters spread evenly over the buckets.</summary>
    public CatalogBucketKey CatalogKey(string contentId) =>
        Catalog[Convert.ToInt32(contentId[..CatalogPrefixLength], 16)];

    /// <summary>The catalog bucket of an id that came from a peer, which may be anything: false unless it is a content id.</summary>
    public bool TryCatalogBucket(string? contentId, out int bucket)
    {
        bucket = -1;
        if (StateValidation.CatalogId(contentId) is not null) return false;
        bucket = Convert.ToInt32(contentId![..CatalogPrefixLength], 16);
        return true;
    }

    /// <summary>Every key this layer writes or migrates from.</summary>
    public IEnumerable<IKey> All() =>
        Positions.Cast<IKey>().Concat(Presence).Concat(Inventories).Concat(LegacyInventories).Concat(Catalog).Concat(LegacyCatalog);

    public int PlayerBucket(string playerId) => (int)(StableHash(playerId) % (uint)PlayerBuckets);

    /// <summary>FNV-1a over UTF-8: stable across processes and runtimes, so every node picks the same bucket.</summary>
    public static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}
