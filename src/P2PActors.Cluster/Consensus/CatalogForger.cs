using System.Security.Cryptography;
using Akka.Actor;
using Akka.DistributedData;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Chaos only (<see cref="ByzantineMode.ForgeSignatures"/>): puts content the honest rules reject into the replicated
/// catalog, under a certificate of votes with garbage signatures from every member. Honest nodes must refuse the entry.
/// Kept out of <see cref="ValidatorActor"/>: an honest validator never constructs one.
/// </summary>
public sealed class CatalogForger(ActorSystem system, string selfAddress)
{
    private StateKeys? _keys;

    /// <summary>The forged entry for <paramref name="contentId"/>: this node as holder, a certificate no registry verifies.</summary>
    public static CatalogHeader ForgedHeader(string contentId, ContentType type, ValidatorSet set, string holder, long nowMs)
    {
        var forged = new Certificate(contentId, set.Epoch, set.Hash,
            set.Members.Select(m => new Vote(m, contentId, set.Epoch, true, [], RandomNumberGenerator.GetBytes(ValidatorKeys.SignatureLength))).ToList());
        return new CatalogHeader(contentId, type, "forged", "byzantine", nowMs, holder, forged.ToProof());
    }

    /// <summary>Writes the forged entry locally; the replicator gossips it on and answers <paramref name="replyTo"/>.</summary>
    public void Forge(string contentId, GameContent? content, ValidatorSet set, IActorRef replyTo)
    {
        if (GameState.TryGet(system) is not { } state || StateValidation.CatalogId(contentId) is not null)
            return;
        _keys ??= state.Settings.CreateKeys();
        var header = ForgedHeader(contentId, content?.Type ?? ContentType.Item, set, selfAddress, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;
        DistributedData.Get(system).Replicator.Tell(Dsl.Update(_keys.CatalogKey(contentId), CatalogBucket.Empty,
            WriteLocal.Instance, d => d.SetItem(self, header)), replyTo);
    }
}
