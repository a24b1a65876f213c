using Akka.Hosting;
using Akka.Event;

namespace P2PActors.Cluster.Consensus;

public static class ConsensusHosting
{
    /// <summary>
    /// Consensus on this node: the validator (<c>/user/validator</c>), the validator registry and the proposer
    /// (<c>/user/consensus</c>), reached through <see cref="ConsensusClient.For"/>. Pass the <paramref name="snapshot"/>
    /// the node's <see cref="CertificateAdmission"/> reads, so catalog entries are checked against this registry.
    /// Needs clustering, DistributedData and <c>WithP2PSerialization</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithConsensus(this AkkaConfigurationBuilder builder, ConsensusOptions options,
        ConsensusSnapshot? snapshot = null, CertificateAdmission? admission = null) =>
        builder.WithActors((system, registry) =>
        {
            var runtime = ConsensusRuntime.Start(system, options, snapshot ?? admission?.Snapshot);
            if (admission is not null)
                admission.Log = Logging.GetLogger(system, typeof(CertificateAdmission));
            registry.Register<ConsensusCoordinator>(runtime.Coordinator);
            registry.Register<ValidatorActor>(runtime.Validator);
            registry.Register<ValidatorRegistryActor>(runtime.Registry);
        });
}
