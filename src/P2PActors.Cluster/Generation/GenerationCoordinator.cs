using Akka.Actor;
using P2PActors.Cluster.Players;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Generation;

/// <summary>
/// One per node. Rejects invalid requests, answers seeded repeats from the LRU cache, and hands every other
/// request to an ephemeral <see cref="GeneratorActor"/> that lives exactly as long as the request.
/// </summary>
public sealed class GenerationCoordinator : ReceiveActor
{
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();

    private readonly IActorRef _playerMemory;
    private readonly IActorRef _contentStore;
    private readonly GenerationOptions _options;
    private readonly ContentCache _cache;
    private long _misses;
    private long _generated;
    private long _rejected;

    public GenerationCoordinator(IActorRef playerMemory, IActorRef contentStore, GenerationOptions options, ContentCache cache)
    {
        _playerMemory = playerMemory;
        _contentStore = contentStore;
        _options = options;
        _cache = cache;

        Receive<GenerateContent>(Generate);
        Receive<GeneratorActor.Completed>(Completed);
        Receive<GetContent>(m => _contentStore.Forward(m));
        Receive<StoreContent>(m => _contentStore.Forward(m));
        Receive<GetCoordinatorStats>(_ => Sender.Tell(new CoordinatorStats(
            Context.GetChildren().Count(), _cache.Count, _cache.Capacity, _cache.Hits, _misses, _generated, _rejected)));
    }

    /// <param name="cache">Shared with the node's <see cref="GenerationClient"/>; a new one when not given.</param>
    public static Props PropsFor(IActorRef playerMemory, IActorRef contentStore, GenerationOptions options, ContentCache? cache = null)
    {
        var shared = cache ?? new ContentCache(options.CacheCapacity);
        return Props.Create(() => new GenerationCoordinator(playerMemory, contentStore, options, shared));
    }

    /// <summary>Every problem with a request, each naming its field; empty when the request may be served.</summary>
    public static IReadOnlyList<ParameterProblem> Validate(GenerateContent request)
    {
        var problems = new List<ParameterProblem>();
        if (PlayerIds.Problem(request.PlayerId) is { } playerProblem)
            problems.Add(new ParameterProblem("playerId", playerProblem));
        if (!Enum.IsDefined(request.Type))
            problems.Add(new ParameterProblem("type", $"type must be one of {ContentTypes.Names}"));
        else
            problems.AddRange(ContentFactory.ValidateParameters(request.Type, request.Params ?? NoParams));
        if (request.Seed is { } seed && !Seeds.IsValid(seed))
            problems.Add(new ParameterProblem("seed", $"seed {seed} is out of range"));
        return problems;
    }

    private void Generate(GenerateContent request)
    {
        var problems = Validate(request);
        if (problems.Count > 0)
        {
            _rejected++;
            Sender.Tell(new GenerationRejected(problems));
            return;
        }

        var parameters = request.Params ?? NoParams;
        CacheKey? key = null;
        if (request.Seed is { } seed)
        {
            var seededKey = CacheKey.Create(request.Type, parameters, seed);
            if (!_cache.IsPersonalised(request.PlayerId) && _cache.TryGet(seededKey, out var cached))
            {
                Sender.Tell(new ContentGenerated(cached, FromCache: true));
                _playerMemory.Tell(new RecordGenerated(request.PlayerId, cached.Id!, cached.Type, cached.Seed, DateTimeOffset.UtcNow));
                return;
            }
            _misses++;
            key = seededKey;
        }

        var work = new GeneratorActor.Work(request.Type, parameters, request.Seed ?? Seeds.NewSeed(), request.PlayerId, key,
            Sender, _playerMemory, _contentStore, _options.EffectiveMemoryTimeout, _cache);
        Context.ActorOf(GeneratorActor.PropsFor(work));
    }

    private void Completed(GeneratorActor.Completed completed) => _generated++;
}
