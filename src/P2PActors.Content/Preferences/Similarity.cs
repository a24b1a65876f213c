namespace P2PActors.Content.Preferences;

/// <summary>
/// Pearson correlation between two players over the contents both rated ("co-rated").
/// <list type="bullet">
/// <item>Means are taken over the co-rated contents only, so the value is the textbook correlation of the two
/// players' stars on the same contents.</item>
/// <item>Fewer than <see cref="MinCoRatings"/> (2) co-rated contents: no similarity (null). One shared opinion
/// says nothing about correlation, and such a pair is never a neighbour.</item>
/// <item>Zero variance on either side (e.g. one player gave every co-rated content 4★): 0. Correlation is
/// undefined there, and 0 keeps the pair out of recommendations, which only use positive similarity.</item>
/// </list>
/// Computed from integer sums as (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)), which is exact until the
/// final division and lets the index accumulate the sums one co-rating at a time.
/// </summary>
public static class Similarity
{
    public const int MinCoRatings = 2;

    public static double? Pearson(SharedProfile a, SharedProfile b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Pearson(ToStars(a), b.Ratings.Select(r => (r.ContentId, r.Stars)));
    }

    public static double? Pearson(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Pearson(a, b.Select(kv => (kv.Key, kv.Value)));
    }

    internal static Dictionary<string, int> ToStars(SharedProfile profile)
    {
        var stars = new Dictionary<string, int>(profile.Ratings.Count, StringComparer.Ordinal);
        foreach (var r in profile.Ratings)
        {
            stars[r.ContentId] = r.Stars;
        }
        return stars;
    }

    internal static double? Pearson(IReadOnlyDictionary<string, int> a, IEnumerable<(string ContentId, int Stars)> b) =>
        Sums(a, b).Pearson();

    internal static CoRatingSums Sums(IReadOnlyDictionary<string, int> a, IEnumerable<(string ContentId, int Stars)> b)
    {
        var sums = default(CoRatingSums);
        foreach (var (id, y) in b)
        {
            if (a.TryGetValue(id, out var x))
            {
                sums.Add(x, y);
            }
        }
        return sums;
    }
}

/// <summary>The running sums Pearson needs; stars ≤ 5 keep every sum far inside an int for any realistic count.</summary>
internal struct CoRatingSums
{
    public int N;
    public int Sx;
    public int Sy;
    public int Sxx;
    public int Syy;
    public int Sxy;

    public void Add(int x, int y)
    {
        N++;
        Sx += x;
        Sy += y;
        Sxx += x * x;
        Syy += y * y;
        Sxy += x * y;
    }

    public readonly double? Pearson()
    {
        if (N < Similarity.MinCoRatings)
        {
            return null;
        }
        long n = N;
        var varX = n * Sxx - (long)Sx * Sx;
        var varY = n * Syy - (long)Sy * Sy;
        if (varX == 0 || varY == 0)
        {
            return 0;
        }
        var cov = n * Sxy - (long)Sx * Sy;
        // Rounding must not push a perfect correlation past ±1.
        return Math.Clamp(cov / Math.Sqrt((double)varX * varY), -1.0, 1.0);
    }
}
