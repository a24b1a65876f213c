namespace P2PActors.Cluster.State;

/// <summary>
/// Gate for catalog entries. The replicator merges whatever peers gossip, so the gate is applied where entries
/// are used: when this node shares one, lists or counts them, and serves or fetches a body. A later step plugs
/// certificate checks in here.
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
