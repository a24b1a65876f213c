using P2PActors.Content.Model;

namespace P2PActors.Cluster.Storage;

/// <summary>Content this node generated or holds, by content id. Implementations are safe to call from any thread.</summary>
public interface IContentStore : IDisposable
{
    /// <summary>Stores every item in one transaction; an id already stored is left as it is (content is immutable).</summary>
    void PutMany(IReadOnlyCollection<GameContent> contents);

    GameContent? Get(string id);

    long Count();
}
