using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.State;

/// <summary>
/// The <see cref="InboundFilter"/> of a node's game state: every catalog bucket read from a peer loses the variants the
/// node's admission refutes (<see cref="CatalogBucket.WithoutRefuted"/>), and they are counted, so an operator sees a
/// peer writing forgeries (<c>p2pactors_catalog_variants_refuted_total</c>).
/// </summary>
internal sealed class RefutedVariants(ICatalogAdmission admission)
{
    private long _dropped;

    /// <summary>Variants dropped since start; one a peer sends again is counted again.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public object Filter(object value)
    {
        if (value is not CatalogBucket bucket)
            return value;
        var kept = bucket.WithoutRefuted(admission);
        if (!ReferenceEquals(kept, bucket))
            Interlocked.Add(ref _dropped, bucket.SlotCount - kept.SlotCount);
        return kept;
    }
}
