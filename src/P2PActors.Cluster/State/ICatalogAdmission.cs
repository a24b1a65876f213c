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
}

public sealed class AdmitAll : ICatalogAdmission
{
    public static readonly AdmitAll Instance = new();

    private AdmitAll() { }

    public bool Admit(CatalogHeader header) => true;
}
