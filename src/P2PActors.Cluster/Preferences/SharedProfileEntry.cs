using P2PActors.Cluster.Players;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// A sharing player's ratings as they are replicated: the value of a <see cref="SharedProfileKeys"/> bucket, keyed by
/// player id. A peer can put anything here, so nothing reads an entry except through <see cref="Validate"/>.
/// </summary>
public sealed record SharedProfileEntry(string PlayerId, IReadOnlyList<SharedRating> Ratings) : IP2PMessage
{
    /// <summary>The most ratings one entry may carry (a player shares their newest ones): bounds one profile to ~100 KB.</summary>
    public const int MaxRatings = 1_000;

    /// <summary>
    /// The profile this entry describes when it is one this node accepts under <paramref name="key"/> in bucket
    /// <paramref name="bucket"/>; otherwise null and why. Checks what a peer must not be trusted with: the key is the
    /// entry's own valid player id in the bucket that id belongs to, at most <see cref="MaxRatings"/> ratings, every
    /// content id a SHA-256 content id, every type known, stars 1..5 and no content rated twice.
    /// </summary>
    public static SharedProfile? Validate(string key, SharedProfileEntry? entry, SharedProfileKeys keys, int bucket, out string? problem)
    {
        problem = Check(key, entry, keys, bucket);
        if (problem is not null)
            return null;
        try
        {
            // Refuses empty ids, stars outside 1..5 and duplicates; shares the entry's list, so no copy is made.
            return new SharedProfile(entry!.PlayerId, entry.Ratings);
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
        if (entry.Ratings.Count > MaxRatings)
            return $"{entry.Ratings.Count} ratings, more than {MaxRatings}";
        foreach (var rating in entry.Ratings)
        {
            if (StateValidation.CatalogId(rating.ContentId) is not null)
                return $"'{rating.ContentId}' is not a content id";
            if (!Enum.IsDefined(rating.Type))
                return $"unknown content type {(int)rating.Type}";
            if (!Rating.IsValidStars(rating.Stars))
                return $"{rating.Stars} stars";
        }
        return null;
    }

    /// <summary>Same player, same ratings in the same order: publishing it again would change nothing.</summary>
    public bool SameAs(SharedProfile profile) =>
        string.Equals(PlayerId, profile.PlayerId, StringComparison.Ordinal) && Ratings.SequenceEqual(profile.Ratings);

    public bool SameAs(SharedProfileEntry other) =>
        string.Equals(PlayerId, other.PlayerId, StringComparison.Ordinal)
        && Ratings is not null && other.Ratings is not null && Ratings.SequenceEqual(other.Ratings);
}
