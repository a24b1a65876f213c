using System.Buffers.Binary;
using P2PActors.Cluster.Players;
using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// A sharing player's ratings as they are replicated: the value of a <see cref="SharedProfileKeys"/> bucket, keyed by
/// player id. The ratings are packed, <see cref="BytesPerRating"/> bytes each — the content id's 32 SHA-256 bytes, the
/// content type, the stars — so that every node's replica holds ~35 bytes per rating instead of a 64-character id
/// string and an object per rating, and the JSON on the wire is base64 instead of hex and field names.
/// A peer can put anything here, so nothing reads an entry except through <see cref="Validate"/>.
/// </summary>
public sealed record SharedProfileEntry(string PlayerId, byte[] Ratings) : IP2PMessage
{
    /// <summary>The most ratings one entry may carry (a player shares their newest ones): bounds one entry to ~34 KB.</summary>
    public const int MaxRatings = 1_000;

    public const int BytesPerRating = 34;

    private const int IdBytes = 32;

    public int Count => (Ratings?.Length ?? 0) / BytesPerRating;

    /// <summary>Packs <paramref name="ratings"/>; content ids must be 64 hex digits (any case).</summary>
    public static SharedProfileEntry Pack(string playerId, IReadOnlyCollection<SharedRating> ratings)
    {
        var bytes = new byte[ratings.Count * BytesPerRating];
        var at = 0;
        foreach (var rating in ratings)
        {
            if (rating.ContentId is not { Length: 2 * IdBytes })
                throw new ArgumentException($"'{rating.ContentId}' is not a content id", nameof(ratings));
            Convert.FromHexString(rating.ContentId, bytes.AsSpan(at, IdBytes), out _, out var written);
            if (written != IdBytes)
                throw new ArgumentException($"'{rating.ContentId}' is not a content id", nameof(ratings));
            bytes[at + IdBytes] = checked((byte)rating.Type);
            bytes[at + IdBytes + 1] = checked((byte)rating.Stars);
            at += BytesPerRating;
        }
        return new SharedProfileEntry(playerId, bytes);
    }

    /// <summary>The ratings as values, content ids as lower-case hex (taken from <paramref name="pool"/> when given).</summary>
    public SharedRating[] Unpack(ContentIdPool? pool = null)
    {
        var result = new SharedRating[Count];
        for (var i = 0; i < result.Length; i++)
        {
            var slice = Ratings.AsSpan(i * BytesPerRating, BytesPerRating);
            var id = pool is null ? Convert.ToHexStringLower(slice[..IdBytes]) : pool.Get(slice[..IdBytes]);
            result[i] = new SharedRating(id, (ContentType)slice[IdBytes], slice[IdBytes + 1]);
        }
        return result;
    }

    /// <summary>
    /// The profile this entry describes when it is one this node accepts under <paramref name="key"/> in bucket
    /// <paramref name="bucket"/>; otherwise null and why. Checks what a peer must not be trusted with: the key is the
    /// entry's own valid player id in the bucket that id belongs to, whole ratings only, at most
    /// <see cref="MaxRatings"/>, every type known, stars 1..5 and no content rated twice.
    /// </summary>
    public static SharedProfile? Validate(
        string key, SharedProfileEntry? entry, SharedProfileKeys keys, int bucket, out string? problem, ContentIdPool? pool = null)
    {
        problem = Check(key, entry, keys, bucket);
        if (problem is not null)
            return null;
        try
        {
            // Refuses stars outside 1..5 and duplicates.
            return new SharedProfile(entry!.PlayerId, entry.Unpack(pool));
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private static string? Check(string key, SharedProfileEntry? entry, SharedProfileKeys keys, int bucket)
    {
        if (entry is null)
            return "no entry";
        if (!PlayerIds.IsValid(entry.PlayerId) || !string.Equals(entry.PlayerId, key, StringComparison.Ordinal))
            return $"entry under '{key}' names player '{entry.PlayerId}'";
        if (keys.Bucket(entry.PlayerId) != bucket)
            return $"player {entry.PlayerId} does not belong in bucket {bucket}";
        if (entry.Ratings is null)
            return "no ratings";
        if (entry.Ratings.Length % BytesPerRating != 0)
            return $"{entry.Ratings.Length} bytes of ratings is not a whole number of {BytesPerRating}-byte ratings";
        if (entry.Count > MaxRatings)
            return $"{entry.Count} ratings, more than {MaxRatings}";
        for (var at = 0; at < entry.Ratings.Length; at += BytesPerRating)
        {
            var type = entry.Ratings[at + IdBytes];
            var stars = entry.Ratings[at + IdBytes + 1];
            if (!Enum.IsDefined((ContentType)type))
                return $"unknown content type {type}";
            if (!Rating.IsValidStars(stars))
                return $"{stars} stars";
        }
        return null;
    }

    /// <summary>Same player, same ratings in the same order: publishing it again would change nothing.</summary>
    public bool SameAs(SharedProfileEntry other) =>
        string.Equals(PlayerId, other.PlayerId, StringComparison.Ordinal)
        && Ratings is not null && other.Ratings is not null && Ratings.AsSpan().SequenceEqual(other.Ratings);
}

/// <summary>
/// One string per content id for all the profiles a node unpacks, so 10,000 profiles that rate the same popular
/// contents do not hold 10,000 copies of their 64-character ids. Not thread-safe: owned by one actor.
/// </summary>
public sealed class ContentIdPool
{
    private readonly Dictionary<(ulong, ulong, ulong, ulong), string> _ids = [];

    public int Count => _ids.Count;

    public string Get(ReadOnlySpan<byte> sha256)
    {
        var key = Key(sha256);
        if (!_ids.TryGetValue(key, out var id))
        {
            id = Convert.ToHexStringLower(sha256);
            _ids.Add(key, id);
        }
        return id;
    }

    /// <summary>
    /// A pool holding only <paramref name="ids"/> (lower-case hex, as <see cref="Get"/> made them; the same strings):
    /// ids no profile rates any longer (withdrawn, rolled out of a profile, or a peer's random ones) otherwise stayed
    /// for good.
    /// </summary>
    public static ContentIdPool Of(IEnumerable<string> ids)
    {
        var pool = new ContentIdPool();
        Span<byte> sha256 = stackalloc byte[32];
        foreach (var id in ids)
        {
            if (Convert.FromHexString(id, sha256, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32)
                pool._ids.TryAdd(Key(sha256), id);
        }
        return pool;
    }

    private static (ulong, ulong, ulong, ulong) Key(ReadOnlySpan<byte> sha256) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(sha256),
            BinaryPrimitives.ReadUInt64LittleEndian(sha256[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sha256[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sha256[24..]));
}
