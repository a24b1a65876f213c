using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>Refutes (and so refuses) the headers of one author, standing in for certificates that fail against a known set.</summary>
internal sealed class RefuteAuthor(string author) : ICatalogAdmission
{
    public bool Admit(CatalogHeader header) => !Refutes(header);

    public bool Refutes(CatalogHeader header) => string.Equals(header.Author, author, StringComparison.Ordinal);
}
