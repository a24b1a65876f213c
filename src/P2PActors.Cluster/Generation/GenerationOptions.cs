namespace P2PActors.Cluster.Generation;

/// <param name="ContentDatabasePath">SQLite file of the node's content store.</param>
/// <param name="CacheCapacity">Entries of the seeded-request LRU cache.</param>
/// <param name="MemoryTimeout">How long an ephemeral generator waits for the player's memory before failing the request.</param>
public sealed record GenerationOptions(string ContentDatabasePath, int CacheCapacity = 1_000, TimeSpan? MemoryTimeout = null)
{
    public TimeSpan EffectiveMemoryTimeout => MemoryTimeout ?? TimeSpan.FromSeconds(10);

    public const string CoordinatorName = "generation-coordinator";

    public const string ContentStoreName = "content-store";
}
