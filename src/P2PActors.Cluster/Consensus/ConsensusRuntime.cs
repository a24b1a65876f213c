using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// The consensus actors of one ActorSystem and what readers off the actor threads need: the options, this node's
/// validator id and the <see cref="ConsensusSnapshot"/>. Started once per system (<see cref="Start"/>; the hosting
/// extension is <c>WithConsensus</c>).
/// </summary>
public sealed class ConsensusRuntime
{
    private ConsensusRuntime(ConsensusOptions options, ValidatorIdentity identity, ConsensusSnapshot snapshot,
        IActorRef validator, IActorRef registry, IActorRef coordinator)
    {
        Options = options;
        Identity = identity;
        Snapshot = snapshot;
        Validator = validator;
        Registry = registry;
        Coordinator = coordinator;
        Funnel = new ProposalFunnel(coordinator);
    }

    /// <summary>Where single proposals of this node's callers are gathered before they reach the coordinator.</summary>
    internal ProposalFunnel Funnel { get; }

    public ConsensusOptions Options { get; }

    public string ValidatorId => Identity.ValidatorId;

    internal ValidatorIdentity Identity { get; }

    public ConsensusSnapshot Snapshot { get; }

    public IActorRef Validator { get; }

    public IActorRef Registry { get; }

    public IActorRef Coordinator { get; }

    /// <summary>
    /// Starts the validator, the registry and the coordinator on this node. Pass the same <paramref name="snapshot"/>
    /// to the node's <see cref="CertificateAdmission"/> so the catalog is checked against this registry.
    /// </summary>
    public static ConsensusRuntime Start(ActorSystem system, ConsensusOptions options, ConsensusSnapshot? snapshot = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid consensus options: " + string.Join("; ", problems), nameof(options));
        var holder = system.WithExtension<ConsensusHolder, ConsensusHolderProvider>();
        lock (holder)
        {
            if (holder.Instance is not null)
                throw new InvalidOperationException("Consensus is already started on this ActorSystem");
            var identity = options.KeyDirectory is { } directory ? ValidatorIdentity.LoadOrCreate(directory) : ValidatorIdentity.CreateEphemeral();
            system.RegisterOnTermination(identity.Dispose);
            snapshot ??= new ConsensusSnapshot();
            var replicator = DistributedData.Get(system).Replicator;
            var validator = system.ActorOf(ValidatorActor.Props(identity, options, snapshot), ValidatorActor.Name);
            var registry = system.ActorOf(ValidatorRegistryActor.Props(identity, snapshot, replicator, options.AllowedValidators, options.IdentityTimeout), ValidatorRegistryActor.Name);
            var coordinator = system.ActorOf(ConsensusCoordinator.Props(options, snapshot, registry, identity.ValidatorId, validator), ConsensusCoordinator.Name);
            var log = Logging.GetLogger(system, typeof(ConsensusRuntime));
            if (options.AllowedValidators is null)
                log.Warning("Open validator membership: every cluster member becomes a validator, so anyone who can reach this node's remoting port can add validators and outvote the honest ones. Run closed with a validator list for anything but local development (docs/consensus.md, \"Trust model\")");
            else if (!options.AllowedValidators.Contains(identity.ValidatorId))
                log.Warning("This node's validator key {0} is not on the validator list: it is a cluster member without a vote", identity.ValidatorId);
            else
                log.Info("Closed validator membership: {0} validator key(s) listed, this node's among them", options.AllowedValidators.Count);
            if (options.Byzantine != ByzantineMode.Honest)
                log.Warning("This node is Byzantine ({0}) for chaos testing", ByzantineModes.WireName(options.Byzantine));
            if (options.Byzantine == ByzantineMode.TamperHeaders)
                system.ActorOf(HeaderTamperer.Props(), HeaderTamperer.Name);
            holder.Instance = new ConsensusRuntime(options, identity, snapshot, validator, registry, coordinator);
            return holder.Instance;
        }
    }

    public static ConsensusRuntime? TryGet(ActorSystem system) =>
        system.WithExtension<ConsensusHolder, ConsensusHolderProvider>().Instance;

    public static ConsensusRuntime For(ActorSystem system) =>
        TryGet(system) ?? throw new InvalidOperationException("Consensus has not been started on this ActorSystem (WithConsensus)");
}

internal sealed class ConsensusHolder : IExtension
{
    public ConsensusRuntime? Instance { get; set; }
}

internal sealed class ConsensusHolderProvider : ExtensionIdProvider<ConsensusHolder>
{
    public override ConsensusHolder CreateExtension(ExtendedActorSystem system) => new();
}
