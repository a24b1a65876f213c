using System.Text.Json.Serialization;
using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>One rating as a player shares it: no attributes or timestamps, only what collaborative filtering needs.</summary>
public readonly record struct SharedRating(string ContentId, ContentType Type, int Stars);

/// <summary>
/// The ratings a player opted in to share with the cluster. Meant to travel between nodes (the Cluster
/// project wraps it in its replicated data), so the constructor refuses what a peer must not be trusted with:
/// an empty player id, an empty content id, stars outside 1..5 or the same content rated twice.
/// </summary>
public sealed record SharedProfile
{
    public SharedProfile(string PlayerId, IReadOnlyList<SharedRating> Ratings)
    {
        if (string.IsNullOrWhiteSpace(PlayerId))
        {
            throw new ArgumentException("a shared profile needs a player id", nameof(PlayerId));
        }
        ArgumentNullException.ThrowIfNull(Ratings);
        var seen = new HashSet<string>(Ratings.Count, StringComparer.Ordinal);
        var sum = 0L;
        foreach (var rating in Ratings)
        {
            if (string.IsNullOrWhiteSpace(rating.ContentId))
            {
                throw new ArgumentException("a shared rating needs a content id", nameof(Ratings));
            }
            if (!Rating.IsValidStars(rating.Stars))
            {
                throw new ArgumentOutOfRangeException(nameof(Ratings), rating.Stars, $"stars must be {Rating.MinStars}..{Rating.MaxStars}");
            }
            if (!seen.Add(rating.ContentId))
            {
                throw new ArgumentException($"content {rating.ContentId} is rated twice", nameof(Ratings));
            }
            sum += rating.Stars;
        }
        this.PlayerId = PlayerId;
        this.Ratings = Ratings;
        Mean = Ratings.Count == 0 ? 0 : (double)sum / Ratings.Count;
    }

    public string PlayerId { get; }

    public IReadOnlyList<SharedRating> Ratings { get; }

    /// <summary>The mean of all this player's stars (0 with no ratings): the baseline predictions are made around.</summary>
    [JsonIgnore]
    public double Mean { get; }
}
