using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace P2PActors.Node.Hosting;

/// <summary>
/// How many messages were enqueued to the actors of one actor system: the source of <c>p2pactors_akka_messages_total</c>.
/// Counted by the mailboxes below, which replace Akka's two unbounded ones when metrics are on (HOCON of
/// <see cref="ActorSystemSetup"/>): every user message to an actor with the default mailbox or a stash's deque counts
/// once; system messages, bounded and logger mailboxes do not. Per system, not static: the tests run many nodes in one process.
/// </summary>
public static class AkkaMessageCount
{
    private static readonly ConditionalWeakTable<ActorSystem, StrongBox<long>> Counts = new();

    /// <summary>The HOCON that puts the counting mailboxes in place of Akka's unbounded ones.</summary>
    public static string Hocon => $"""
        akka.actor.default-mailbox.mailbox-type = "{Name<CountingMailbox>()}"
        akka.actor.mailbox.unbounded-queue-based.mailbox-type = "{Name<CountingMailbox>()}"
        akka.actor.mailbox.unbounded-deque-based.mailbox-type = "{Name<CountingDequeMailbox>()}"
        """;

    /// <summary>Messages enqueued so far to <paramref name="system"/>'s actors (0 when its mailboxes do not count).</summary>
    public static long Read(ActorSystem system) => Volatile.Read(ref Of(system).Value);

    internal static StrongBox<long> Of(ActorSystem system) => Counts.GetValue(system, _ => new StrongBox<long>());

    private static string Name<T>() => $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}

/// <summary>Akka's unbounded mailbox, counting each message enqueued.</summary>
public sealed class CountingMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<CountingMessageQueue>
{
    // Akka creates one mailbox type per configuration and system, so the lookup happens once, not per actor.
    private readonly StrongBox<long> _count = AkkaMessageCount.Of(settings.System);

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CountingMessageQueue(_count);
}

/// <summary>Akka's unbounded deque mailbox (actors with a stash), counting each message enqueued; unstashing counts nothing again.</summary>
public sealed class CountingDequeMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<CountingDequeMessageQueue>
{
    private readonly StrongBox<long> _count = AkkaMessageCount.Of(settings.System);

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CountingDequeMessageQueue(_count);
}

public sealed class CountingMessageQueue(StrongBox<long> count) : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly UnboundedMessageQueue _queue = new();

    public bool HasMessages => _queue.HasMessages;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        _queue.Enqueue(receiver, envelope);
        Interlocked.Increment(ref count.Value);
    }

    public bool TryDequeue(out Envelope envelope) => _queue.TryDequeue(out envelope);

    public void CleanUp(IActorRef owner, IMessageQueue deadletters) => _queue.CleanUp(owner, deadletters);
}

/// <summary>As Akka's <see cref="UnboundedDequeMessageQueue"/>: the deque wrapper around an unbounded queue, here a counting one.</summary>
public sealed class CountingDequeMessageQueue(StrongBox<long> count)
    : DequeWrapperMessageQueue(new CountingMessageQueue(count)), IUnboundedDequeBasedMessageQueueSemantics;
