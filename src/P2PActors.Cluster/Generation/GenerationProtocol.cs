using P2PActors.Cluster.Serialization;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Generation;

/// <summary>
/// Asks the node's <see cref="GenerationCoordinator"/> for content. A request with a <see cref="Seed"/> is
/// reproducible and may be answered from the cache; without one it always gets fresh content on a new seed.
/// Replies: <see cref="ContentGenerated"/>, <see cref="GenerationRejected"/> or <see cref="GenerationFailed"/>.
/// </summary>
public sealed record GenerateContent(
    ContentType Type,
    IReadOnlyDictionary<string, string> Params,
    long? Seed,
    string PlayerId) : IP2PMessage;

/// <summary>Every answer to <see cref="GenerateContent"/>.</summary>
public interface IGenerationReply : IP2PMessage;

public sealed record ContentGenerated(GameContent Content, bool FromCache) : IGenerationReply;

/// <summary>The request was invalid; every problem names the field at fault (a parameter, "seed" or "playerId").</summary>
public sealed record GenerationRejected(IReadOnlyList<ParameterProblem> Problems) : IGenerationReply;

/// <summary>The request was valid but the node could not serve it (player memory unavailable, generator fault).</summary>
public sealed record GenerationFailed(string Reason) : IGenerationReply;

/// <summary>Looks up content this node generated or holds. Replies <see cref="ContentFound"/>, <see cref="ContentNotFound"/> or <see cref="ContentUnreadable"/>.</summary>
public sealed record GetContent(string Id) : IP2PMessage;

public sealed record ContentFound(GameContent Content) : IP2PMessage;

public sealed record ContentNotFound(string Id) : IP2PMessage;

/// <summary>The store failed to read the content (a damaged file, a disk gone); <paramref name="Reason"/> is its error.</summary>
public sealed record ContentUnreadable(string Id, string Reason) : IP2PMessage;

/// <summary>
/// Keeps content in the node's local store (content received from peers, for instance). The content must carry
/// its valid id. Replies <see cref="ContentStored"/> or <see cref="ContentRejected"/> when <see cref="Ack"/> is set.
/// </summary>
public sealed record StoreContent(GameContent Content, bool Ack = false) : IP2PMessage;

public sealed record ContentStored(string Id) : IP2PMessage;

public sealed record ContentRejected(string Reason) : IP2PMessage;

/// <summary>Asks the coordinator for its counters. Replies <see cref="CoordinatorStats"/>.</summary>
public sealed record GetCoordinatorStats : IP2PMessage
{
    public static readonly GetCoordinatorStats Instance = new();
}

/// <param name="ActiveGenerations">Ephemeral generator actors alive right now (the coordinator's live children).</param>
public sealed record CoordinatorStats(
    int ActiveGenerations,
    int CachedEntries,
    int CacheCapacity,
    long CacheHits,
    long CacheMisses,
    long Generated,
    long Rejected) : IP2PMessage;
