using System.Security.Cryptography;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// The catalog header a proposer will share with content once accepted (every field of a catalog entry but the id
/// and the certificate): the validators check it and sign its <see cref="Digest"/> in their votes (vote statement
/// v3), so a certificate vouches for the header as well as the body. Type and name must be the body's own; the
/// created time must lie within <see cref="ConsensusOptions.HeaderClockWindow"/> of the validator's clock; the
/// holder must be the proposing node; the author is the proposer's word, checked for shape only.
/// Comes from peers: nothing here is trusted until <see cref="HeaderRules.Check"/> passed it.
/// </summary>
public sealed record EntryHeader(ContentType Type, string Name, string Author, long CreatedMs, string Holder)
{
    public const string Domain = "P2PActors/catalog-header/v1";

    /// <summary>SHA-256 of the header fields of the entry <paramref name="contentId"/>, domain-separated and length-prefixed.</summary>
    public byte[] Digest(string contentId) => Compute(contentId, Type, Name, Author, CreatedMs, Holder);

    /// <summary>The digest of any header's fields; peer input may hold nulls, which hash as empty strings.</summary>
    public static byte[] Compute(string? contentId, ContentType type, string? name, string? author, long createdMs, string? holder)
    {
        // Computed for every header a node admits: the fields go to this thread's scratch writer, not an array.
        var bytes = CanonicalWriter.Scratch(Domain)
            .String(contentId ?? "")
            .String(ContentTypes.WireName(type))
            .String(name ?? "")
            .String(author ?? "")
            .Int64(createdMs)
            .String(holder ?? "")
            .WrittenSpan;
        var digest = new byte[SHA256.HashSizeInBytes];
        VoteMerkle.Sha256(bytes, digest);
        return digest;
    }
}

/// <summary>What a validator checks of a proposed <see cref="EntryHeader"/> before it signs an approval for it.</summary>
public static class HeaderRules
{
    public const string Missing = "proposal.no-header";
    public const string TypeMismatch = "header.type-mismatch";
    public const string NameMismatch = "header.name-mismatch";
    public const string BadAuthor = "header.bad-author";
    public const string HolderMismatch = "header.holder-mismatch";
    public const string CreatedOutOfWindow = "header.created-out-of-window";

    /// <summary>
    /// Every rule <paramref name="header"/> breaks for <paramref name="content"/> proposed by the node at
    /// <paramref name="proposerAddress"/>, judged at <paramref name="nowMs"/> on this validator's clock; empty when it
    /// may be signed.
    /// </summary>
    public static List<string> Check(EntryHeader header, GameContent content, string proposerAddress, long nowMs, TimeSpan window)
    {
        var broken = new List<string>();
        if (header.Type != content.Type)
            broken.Add(TypeMismatch);
        if (!string.Equals(header.Name, content.DisplayName, StringComparison.Ordinal))
            broken.Add(NameMismatch);
        if (State.StateValidation.Author(header.Author) is not null)
            broken.Add(BadAuthor);
        if (!string.Equals(header.Holder, proposerAddress, StringComparison.Ordinal))
            broken.Add(HolderMismatch);
        if (!WithinWindow(header.CreatedMs, nowMs, window))
            broken.Add(CreatedOutOfWindow);
        return broken;
    }

    /// <summary>True when <paramref name="createdMs"/> is at most <paramref name="window"/> before or after <paramref name="nowMs"/>.</summary>
    public static bool WithinWindow(long createdMs, long nowMs, TimeSpan window)
    {
        var bound = (long)window.TotalMilliseconds;
        // Subtraction in 128 bits: a peer's created time may be long.MinValue.
        var difference = (Int128)createdMs - nowMs;
        return difference >= -bound && difference <= bound;
    }
}
