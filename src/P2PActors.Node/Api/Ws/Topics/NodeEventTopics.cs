using Akka.Actor;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Events;

namespace P2PActors.Node.Api.Ws.Topics;

/// <summary>One /ws topic fed by the node's <see cref="NodeEvents"/>; each subclass names the topic and shapes its frames.</summary>
public abstract class NodeEventTopic(ActorSystem system, NodeEventTopics topics) : IWsTopic
{
    public abstract string Name { get; }

    public bool NeedsZone => false;

    public Task<IDisposable> SubscribeAsync(WsConnection connection, string? zone, CancellationToken ct) =>
        NodeEvents.For(system).SubscribeAsync(topics, e => Push(connection, e), Replay, ct);

    /// <summary>How many of the node's latest decisions a subscription starts with (only the consensus topic has any).</summary>
    protected virtual int Replay => 0;

    protected abstract void Push(WsConnection connection, INodeEvent e);
}

/// <summary><c>consensus</c>: a <c>consensus-outcome</c> frame for every proposal this node decides.</summary>
public sealed class ConsensusTopic(ActorSystem system, WsSettings settings) : NodeEventTopic(system, NodeEventTopics.Consensus)
{
    /// <summary>One decision as pages and <c>GET /api/consensus/recent</c> show it.</summary>
    public sealed record OutcomeFrame(string ContentId, string Decision, long Epoch, int Validators, int Threshold, int Approvals,
        int Rejections, IReadOnlyList<string> Signers, IReadOnlyList<string> Rules, IReadOnlyList<string> Equivocators,
        IReadOnlyList<string> Refusals, double ElapsedMs, long DecidedAtMs)
    {
        public static OutcomeFrame From(ConsensusDecided decided)
        {
            var o = decided.Outcome;
            return new(o.ContentId, o.Decision.ToString().ToLowerInvariant(), o.Epoch, o.Validators, o.Threshold, o.Approvals,
                o.Rejections, o.Certificate?.Approvals.Select(v => v.ValidatorId).ToList() ?? [], o.Rules, o.Equivocators, o.Refusals,
                o.Elapsed.TotalMilliseconds, decided.DecidedAtMs);
        }
    }

    public override string Name => "consensus";

    /// <summary>A quarter of the connection's queue at most: the replay must not fill it and close a page as a slow consumer.</summary>
    protected override int Replay => Math.Min(RecentDecisions.Capacity, settings.OutgoingQueue / 4);

    protected override void Push(WsConnection connection, INodeEvent e)
    {
        if (e is ConsensusDecided decided) connection.Push("consensus-outcome", OutcomeFrame.From(decided));
    }
}

/// <summary><c>members</c>: a <c>members</c> frame with every member after each change, the current members first.</summary>
public sealed class MembersTopic(ActorSystem system) : NodeEventTopic(system, NodeEventTopics.Members)
{
    public override string Name => "members";

    protected override void Push(WsConnection connection, INodeEvent e)
    {
        if (e is MembersChanged changed)
            connection.Push("members", new { changed.Change, changed.Member, changed.Members });
    }
}

/// <summary><c>validators</c>: a <c>validators</c> frame (as <c>GET /api/validators</c>) whenever the node's view changes, the current one first.</summary>
public sealed class ValidatorsTopic(ActorSystem system) : NodeEventTopic(system, NodeEventTopics.Validators)
{
    public override string Name => "validators";

    protected override void Push(WsConnection connection, INodeEvent e)
    {
        if (e is ValidatorsChanged { Overview: var o })
            connection.Push("validators", new { o.Epoch, o.SetHash, o.N, o.Threshold, o.F, o.Tolerance, o.KnownEpochs, o.Validators, o.LeftOut });
    }
}
