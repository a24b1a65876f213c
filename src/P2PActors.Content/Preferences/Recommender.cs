using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>A player similar to the target, as used for a recommendation.</summary>
public sealed record Neighbour(string PlayerId, double Similarity, int CoRatings);

/// <summary>A content the target has not rated, with its predicted score and how many neighbours rated it.</summary>
public sealed record Recommendation(string ContentId, ContentType Type, double Score, int Neighbours);

/// <summary>
/// User-based collaborative filtering.
/// <list type="number">
/// <item>Neighbours: the other players (never the target's own id) with a positive <see cref="Similarity.Pearson(SharedProfile, SharedProfile)"/>
/// to the target, the k most similar ones; ties by player id (ordinal), so the choice is deterministic.</item>
/// <item>Candidates: every content a neighbour rated that the target has not rated, of the requested type if any.</item>
/// <item>Score (Resnick's prediction): mean_target + Σ sim·(r − mean_neighbour) / Σ sim over the neighbours that
/// rated the content, where the means are over all of each player's ratings. It reads "how much more than
/// their usual do similar players like this", shifted to the target's own scale; it can leave 1..5 slightly
/// and is a ranking score, not a promise of stars.</item>
/// <item>Ranking: score descending, then more supporting neighbours first, then content id (ordinal).</item>
/// </list>
/// This class is the straightforward reference: it scans every profile. <see cref="RecommendationIndex"/> gives
/// the same answers from an index built once, which is what a node serving requests should use.
/// </summary>
public static class Recommender
{
    public const int DefaultNeighbours = 20;
    public const int DefaultTake = 10;

    public static IReadOnlyList<Neighbour> Neighbours(SharedProfile target, IEnumerable<SharedProfile> others, int k = DefaultNeighbours)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(others);
        CheckNeighbours(k);
        var targetStars = Similarity.ToStars(target);
        var candidates = new List<Neighbour>();
        foreach (var other in others)
        {
            if (string.Equals(other.PlayerId, target.PlayerId, StringComparison.Ordinal))
            {
                continue;
            }
            var sums = Similarity.Sums(targetStars, other.Ratings.Select(r => (r.ContentId, r.Stars)));
            if (sums.Pearson() is > 0 and var sim)
            {
                candidates.Add(new Neighbour(other.PlayerId, sim, sums.N));
            }
        }
        candidates.Sort(NeighbourOrder);
        return candidates.Count > k ? candidates.GetRange(0, k) : candidates;
    }

    public static IReadOnlyList<Recommendation> Recommend(
        SharedProfile target,
        IEnumerable<SharedProfile> others,
        int k = DefaultNeighbours,
        ContentType? type = null,
        int take = DefaultTake)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(others);
        CheckTake(take);
        var profiles = new Dictionary<string, SharedProfile>(StringComparer.Ordinal);
        foreach (var other in others)
        {
            profiles[other.PlayerId] = other;
        }
        var neighbours = Neighbours(target, profiles.Values, k);
        var rated = new HashSet<string>(target.Ratings.Select(r => r.ContentId), StringComparer.Ordinal);
        var predictions = new Dictionary<string, Prediction>(StringComparer.Ordinal);
        foreach (var neighbour in neighbours)
        {
            var profile = profiles[neighbour.PlayerId];
            foreach (var r in profile.Ratings)
            {
                if (rated.Contains(r.ContentId) || (type is { } t && r.Type != t))
                {
                    continue;
                }
                var p = predictions.GetValueOrDefault(r.ContentId, new Prediction(r.Type, 0, 0, 0));
                predictions[r.ContentId] = p with
                {
                    Numerator = p.Numerator + neighbour.Similarity * (r.Stars - profile.Mean),
                    Denominator = p.Denominator + neighbour.Similarity,
                    Count = p.Count + 1,
                };
            }
        }
        var result = predictions
            .Select(kv => new Recommendation(kv.Key, kv.Value.Type, target.Mean + kv.Value.Numerator / kv.Value.Denominator, kv.Value.Count))
            .ToList();
        result.Sort(RecommendationOrder);
        return result.Count > take ? result.GetRange(0, take) : result;
    }

    internal static int NeighbourOrder(Neighbour a, Neighbour b)
    {
        var bySimilarity = b.Similarity.CompareTo(a.Similarity);
        return bySimilarity != 0 ? bySimilarity : string.CompareOrdinal(a.PlayerId, b.PlayerId);
    }

    internal static int RecommendationOrder(Recommendation a, Recommendation b)
    {
        var byScore = b.Score.CompareTo(a.Score);
        if (byScore != 0)
        {
            return byScore;
        }
        var bySupport = b.Neighbours.CompareTo(a.Neighbours);
        return bySupport != 0 ? bySupport : string.CompareOrdinal(a.ContentId, b.ContentId);
    }

    internal static void CheckNeighbours(int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "at least one neighbour is needed");
        }
    }

    internal static void CheckTake(int take)
    {
        if (take < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(take), take, "take cannot be negative");
        }
    }

    private readonly record struct Prediction(ContentType Type, double Numerator, double Denominator, int Count);
}
