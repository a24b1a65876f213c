using Akka.Actor;
using P2PActors.Cluster.Players;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Generation;

/// <summary>
/// The node's front door to generation. A seeded request already in the shared <see cref="ContentCache"/> is
/// answered on the caller's thread, with an already completed task and no message round trip (the player's memory
/// is still told, fire-and-forget, exactly as the coordinator does for its own hits); everything else is asked of
/// the <see cref="GenerationCoordinator"/>, which validates, generates and fills the cache.
/// Obtain the node's instance with <see cref="For"/>.
/// </summary>
public sealed class GenerationClient
{
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();

    private readonly ContentCache _cache;
    private readonly TimeSpan _defaultTimeout;

    public GenerationClient(IActorRef coordinator, IActorRef playerMemory, ContentCache cache, TimeSpan defaultTimeout)
    {
        Coordinator = coordinator;
        PlayerMemory = playerMemory;
        _cache = cache;
        _defaultTimeout = defaultTimeout;
    }

    public IActorRef Coordinator { get; }

    public IActorRef PlayerMemory { get; }

    /// <summary>
    /// Tells this node whether <paramref name="playerId"/> now has learned patterns (after a rating made here), so
    /// their next seeded request is generated for them instead of answered from the shared cache.
    /// </summary>
    public void NotePersonalised(string playerId, bool personalised) => _cache.NotePersonalised(playerId, personalised);

    /// <summary>The players this node knows to have learned patterns.</summary>
    public IReadOnlyList<string> PersonalisedPlayers => _cache.PersonalisedPlayers;

    /// <summary>The client WithGeneration made for <paramref name="system"/>.</summary>
    /// <exception cref="InvalidOperationException">The system was not configured with WithGeneration, or has not started its actors yet.</exception>
    public static GenerationClient For(ActorSystem system) =>
        system.WithExtension<GenerationClientHolder, GenerationClientHolderId>().Client
        ?? throw new InvalidOperationException("This actor system runs no generation coordinator (configure it with WithGeneration).");

    /// <summary>
    /// <see cref="ContentGenerated"/>, <see cref="GenerationRejected"/> or <see cref="GenerationFailed"/>; an
    /// <see cref="AskTimeoutException"/> when the coordinator does not answer within <paramref name="timeout"/>
    /// (default: the memory timeout plus a margin).
    /// </summary>
    public Task<IGenerationReply> GenerateAsync(
        GenerateContent request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        // Only a key the coordinator filled can hit, and it filled it from a request that passed validation with the
        // same type, parameters and seed; the player id is the one field the key does not cover, so it is checked here.
        if (request.Seed is { } seed && Enum.IsDefined(request.Type) && PlayerIds.IsValid(request.PlayerId)
            && !_cache.IsPersonalised(request.PlayerId)
            && _cache.TryGet(CacheKey.Create(request.Type, request.Params ?? NoParams, seed), out var cached))
        {
            PlayerMemory.Tell(new RecordGenerated(request.PlayerId, cached.Id!, cached.Type, cached.Seed, DateTimeOffset.UtcNow));
            return Task.FromResult<IGenerationReply>(new ContentGenerated(cached, FromCache: true));
        }
        return Coordinator.Ask<IGenerationReply>(request, timeout ?? _defaultTimeout, cancellationToken);
    }
}

/// <summary>Holds the node's <see cref="GenerationClient"/> for the lifetime of its actor system.</summary>
public sealed class GenerationClientHolder : IExtension
{
    private volatile GenerationClient? _client;

    public GenerationClient? Client => _client;

    internal void Set(GenerationClient client) => _client = client;
}

public sealed class GenerationClientHolderId : ExtensionIdProvider<GenerationClientHolder>
{
    public override GenerationClientHolder CreateExtension(ExtendedActorSystem system) => new();
}
