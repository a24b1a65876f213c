namespace P2PActors.Cluster.State;

/// <summary>
/// Gate for catalog entries. The replicator merges whatever peers gossip, so the gate is applied where entries
/// are used: when this node shares one, lists or counts them, and serves or fetches a body. A node with consensus
/// plugs in <c>CertificateAdmission</c> (a header is shown only with a certificate its own registry verifies); the
/// default admits everything (state-only tests).
/// </summary>
public interface ICatalogAdmission
{
    bool Admit(CatalogHeader header);

    /// <summary>
    /// Whether <paramref name="header"/> is refused for good: nothing this node can learn later (a validator set, the
    /// clock moving on) would admit it. Such a header is dropped from a peer's bucket before this node's replicator
    /// merges it (<see cref="CatalogBucket.WithoutRefuted"/>). Only what this returns true for is dropped, so the
    /// default refutes nothing.
    /// </summary>
    bool Refutes(CatalogHeader header) => false;
}

public sealed class AdmitAll : ICatalogAdmission
{
    public static readonly AdmitAll Instance = new();

    private AdmitAll() { }

    public bool Admit(CatalogHeader header) => true;
}
