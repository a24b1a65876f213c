using System.Collections.Concurrent;
using Akka.Actor;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Gathers single proposals from concurrent callers into one <see cref="ConsensusProtocol.ProposeAll"/> message for
/// the coordinator, with zero linger: the first proposal schedules a drain on the thread pool, and every proposal
/// queued before the drain runs travels with it. A lone caller pays one thread-pool hop; many concurrent callers
/// share one message, and so one <see cref="ProposalBatch"/> per validator.
/// </summary>
internal sealed class ProposalFunnel(IActorRef coordinator)
{
    private readonly ConcurrentQueue<(ConsensusProtocol.Propose Propose, TaskCompletionSource<ProposalOutcome> Reply)> _queue = new();
    private int _drainScheduled;

    public void Enqueue(ConsensusProtocol.Propose propose, TaskCompletionSource<ProposalOutcome> reply)
    {
        _queue.Enqueue((propose, reply));
        if (Interlocked.CompareExchange(ref _drainScheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static funnel => funnel.Drain(), this, preferLocal: false);
    }

    private void Drain()
    {
        // Cleared first: a proposal queued from here on schedules its own drain (which may find nothing left).
        Volatile.Write(ref _drainScheduled, 0);
        while (!_queue.IsEmpty)
        {
            var items = new List<ConsensusProtocol.Propose>();
            var replies = new List<TaskCompletionSource<ProposalOutcome>>();
            while (items.Count < ProposalBatch.MaxProposals && _queue.TryDequeue(out var queued))
            {
                items.Add(queued.Propose);
                replies.Add(queued.Reply);
            }
            if (items.Count > 0)
                coordinator.Tell(new ConsensusProtocol.ProposeAll(items, replies));
        }
    }
}
