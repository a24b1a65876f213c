using Akka.Actor;
using Akka.Event;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Storage;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Generation;

/// <summary>
/// Serves one request and stops: loads the player's learned patterns, generates, records the result in the
/// player's memory and the content store, replies to the requester, tells the coordinator (for the cache).
/// </summary>
public sealed class GeneratorActor : UntypedActor
{
    private readonly Work _work;

    private GeneratorActor(Work work) => _work = work;

    internal static Props PropsFor(Work work) => Props.CreateBy(new Producer(work));

    protected override void PreStart()
    {
        _work.PlayerMemory.Tell(new GetLearnedPatterns(_work.PlayerId), Self);
        Context.SetReceiveTimeout(_work.MemoryTimeout);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case PlayerPatterns patterns:
                Context.SetReceiveTimeout(null);
                Generate(patterns.Patterns);
                Context.Stop(Self);
                break;
            case ReceiveTimeout:
                Context.GetLogger().Warning("Player memory of {0} did not answer within {1}", _work.PlayerId, _work.MemoryTimeout);
                _work.ReplyTo.Tell(new GenerationFailed($"the memory of player {_work.PlayerId} did not answer in time"));
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Generate(LearnedPatterns patterns)
    {
        GameContent content;
        try
        {
            content = ContentFactory.Generate(_work.Type, _work.Params, _work.Seed, patterns);
        }
        catch (ContentParameterException e)
        {
            _work.ReplyTo.Tell(new GenerationRejected(e.Problems));
            return;
        }
        catch (Exception e)
        {
            Context.GetLogger().Error(e, "Generating {0} with seed {1} failed", _work.Type, _work.Seed);
            _work.ReplyTo.Tell(new GenerationFailed($"generating {ContentTypes.WireName(_work.Type)} failed"));
            return;
        }

        _work.ContentStore.Tell(new ContentStoreActor.StoreGenerated(content));
        _work.PlayerMemory.Tell(new RecordGenerated(_work.PlayerId, content.Id!, content.Type, content.Seed, DateTimeOffset.UtcNow));
        // Content made with patterns belongs to this player alone: it must never answer someone else's seeded request.
        // Written to the shared cache before the caller hears of it: a repeat sent after this reply is a hit, whether
        // it reaches the coordinator or the client's own lookup (which does not wait for the coordinator's mailbox).
        _work.Cache.NotePersonalised(_work.PlayerId, !patterns.IsEmpty);
        if (patterns.IsEmpty && _work.Key is { } key)
            _work.Cache.Set(key, content);
        Context.Parent.Tell(Completed.Instance);
        _work.ReplyTo.Tell(new ContentGenerated(content, FromCache: false));
    }

    internal sealed record Work(
        ContentType Type,
        IReadOnlyDictionary<string, string> Params,
        long Seed,
        string PlayerId,
        CacheKey? Key,
        IActorRef ReplyTo,
        IActorRef PlayerMemory,
        IActorRef ContentStore,
        TimeSpan MemoryTimeout,
        ContentCache Cache);

    /// <summary>Sent to the coordinator once content was made (and cached, when it may be): it counts it.</summary>
    internal sealed class Completed
    {
        public static readonly Completed Instance = new();
    }

    /// <summary>Creates the actor directly: no reflection or expression compilation per request.</summary>
    private sealed class Producer(Work work) : IIndirectActorProducer
    {
        public Type ActorType => typeof(GeneratorActor);

        public ActorBase Produce() => new GeneratorActor(work);

        public void Release(ActorBase actor)
        {
        }
    }
}
