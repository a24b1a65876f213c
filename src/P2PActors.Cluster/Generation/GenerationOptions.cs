namespace P2PActors.Cluster.Generation;

/// <param name="ContentDatabasePath">SQLite file of the node's content store.</param>
/// <param name="CacheCapacity">Entries of the seeded-request LRU cache.</param>
/// <param name="MemoryTimeout">How long an ephemeral generator waits for the player's memory before failing the request.</param>
/// <param name="StoreFlushDelay">
/// How long generated content waits in the content store's buffer (where lookups already find it) for more to share
/// its SQLite transaction. What a crash of the node can lose from the store: content is reproducible from its seed.
/// </param>
public sealed record GenerationOptions(
    string ContentDatabasePath, int CacheCapacity = 1_000, TimeSpan? MemoryTimeout = null, TimeSpan? StoreFlushDelay = null)
{
    public TimeSpan EffectiveMemoryTimeout => MemoryTimeout ?? TimeSpan.FromSeconds(10);

    public TimeSpan EffectiveStoreFlushDelay => StoreFlushDelay ?? TimeSpan.FromMilliseconds(50);

    public const string CoordinatorName = "generation-coordinator";

    public const string ContentStoreName = "content-store";
}
