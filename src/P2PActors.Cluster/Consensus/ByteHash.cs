namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Hash codes over signature and nonce bytes, for the records that live in replicated sets (Akka's GSet keeps them in a
/// hash set, and so does the registry). Without the bytes, every record a peer writes differing only in its signature
/// fell into one hash bucket, and each lookup or merge walked all of them: a Byzantine member could make every node's
/// set operations quadratic. Process-local, like every hash code: nothing stored or sent depends on it.
/// </summary>
internal static class ByteHash
{
    public static int Of(byte[]? bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes ?? []);
        return hash.ToHashCode();
    }
}
