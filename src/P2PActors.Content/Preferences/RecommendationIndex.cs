using System.Buffers;
using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>
/// Shared profiles laid out for fast recommendations; answers exactly as <see cref="Recommender"/> does.
/// <para>
/// Content ids are interned to ints once. Ratings sit in flat arrays grouped by player (to predict from a
/// neighbour's ratings) and again grouped by content as postings (content → raters). A query walks only
/// the postings of the target's own contents, adding to per-player co-rating sums, so it touches the
/// ratings that actually overlap the target's instead of comparing the target with every profile:
/// O(Σ raters of the target's contents + players + k · ratings per neighbour), not O(players · ratings).
/// </para>
/// <para>
/// Immutable once built, so any number of threads may query it; a node rebuilds it when the replicated set
/// of shared profiles changes. Memory: 4+1+1 bytes per rating grouped by player, 4+1 per posting, one
/// content-id string (shared with the first profile that rated it) and a dictionary entry per content, and
/// an id and a few numbers per player. It keeps no reference to the profiles themselves.
/// </para>
/// </summary>
public sealed class RecommendationIndex
{
    private readonly Dictionary<string, int> _contentSlots;
    private readonly string[] _contentIds;
    private readonly Dictionary<string, int> _playerSlots;
    private readonly string[] _playerIds;
    private readonly double[] _playerMeans;
    private readonly int[] _playerStart;
    private readonly int[] _ratingContent;
    private readonly byte[] _ratingStars;
    private readonly byte[] _ratingType;
    private readonly int[] _postingStart;
    private readonly int[] _postingPlayer;
    private readonly byte[] _postingStars;

    private RecommendationIndex(
        Dictionary<string, int> contentSlots, string[] contentIds, Dictionary<string, int> playerSlots, string[] playerIds,
        double[] playerMeans, int[] playerStart, int[] ratingContent, byte[] ratingStars, byte[] ratingType,
        int[] postingStart, int[] postingPlayer, byte[] postingStars)
    {
        _contentSlots = contentSlots;
        _contentIds = contentIds;
        _playerSlots = playerSlots;
        _playerIds = playerIds;
        _playerMeans = playerMeans;
        _playerStart = playerStart;
        _ratingContent = ratingContent;
        _ratingStars = ratingStars;
        _ratingType = ratingType;
        _postingStart = postingStart;
        _postingPlayer = postingPlayer;
        _postingStars = postingStars;
    }

    public static readonly RecommendationIndex Empty = Build([]);

    public int PlayerCount => _playerIds.Length;

    public int ContentCount => _contentIds.Length;

    public int RatingCount => _ratingContent.Length;

    /// <summary>Indexes <paramref name="profiles"/>; a player id that occurs twice keeps its last profile.</summary>
    public static RecommendationIndex Build(IEnumerable<SharedProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var playerSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        var chosen = new List<SharedProfile>();
        foreach (var profile in profiles)
        {
            if (playerSlots.TryGetValue(profile.PlayerId, out var slot))
            {
                chosen[slot] = profile;
            }
            else
            {
                playerSlots.Add(profile.PlayerId, chosen.Count);
                chosen.Add(profile);
            }
        }

        var total = chosen.Sum(p => p.Ratings.Count);
        var contentSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        var contentIds = new List<string>();
        var playerIds = new string[chosen.Count];
        var playerMeans = new double[chosen.Count];
        var playerStart = new int[chosen.Count + 1];
        var ratingContent = new int[total];
        var ratingStars = new byte[total];
        var ratingType = new byte[total];
        var position = 0;
        for (var p = 0; p < chosen.Count; p++)
        {
            var profile = chosen[p];
            playerIds[p] = profile.PlayerId;
            playerMeans[p] = profile.Mean;
            playerStart[p] = position;
            foreach (var rating in profile.Ratings)
            {
                if (!contentSlots.TryGetValue(rating.ContentId, out var c))
                {
                    c = contentIds.Count;
                    contentSlots.Add(rating.ContentId, c);
                    contentIds.Add(rating.ContentId);
                }
                ratingContent[position] = c;
                ratingStars[position] = (byte)rating.Stars;
                ratingType[position] = (byte)rating.Type;
                position++;
            }
        }
        playerStart[chosen.Count] = position;

        // Postings in compressed-row form: the raters of content c are postingPlayer[postingStart[c]..postingStart[c + 1]).
        var postingStart = new int[contentIds.Count + 1];
        foreach (var c in ratingContent)
        {
            postingStart[c + 1]++;
        }
        for (var c = 0; c < contentIds.Count; c++)
        {
            postingStart[c + 1] += postingStart[c];
        }
        var fill = postingStart[..^1];
        var postingPlayer = new int[total];
        var postingStars = new byte[total];
        for (var p = 0; p < chosen.Count; p++)
        {
            for (var i = playerStart[p]; i < playerStart[p + 1]; i++)
            {
                var at = fill[ratingContent[i]]++;
                postingPlayer[at] = p;
                postingStars[at] = ratingStars[i];
            }
        }

        return new RecommendationIndex(
            contentSlots, [.. contentIds], playerSlots, playerIds, playerMeans, playerStart,
            ratingContent, ratingStars, ratingType, postingStart, postingPlayer, postingStars);
    }

    public IReadOnlyList<Neighbour> Neighbours(SharedProfile target, int k = Recommender.DefaultNeighbours)
    {
        ArgumentNullException.ThrowIfNull(target);
        Recommender.CheckNeighbours(k);
        return FindNeighbours(target, k).Select(n => new Neighbour(_playerIds[n.Slot], n.Similarity, n.CoRatings)).ToList();
    }

    public IReadOnlyList<Recommendation> Recommend(
        SharedProfile target, int k = Recommender.DefaultNeighbours, ContentType? type = null, int take = Recommender.DefaultTake)
    {
        ArgumentNullException.ThrowIfNull(target);
        Recommender.CheckNeighbours(k);
        Recommender.CheckTake(take);
        var neighbours = FindNeighbours(target, k);
        if (neighbours.Count == 0 || take == 0)
        {
            return [];
        }
        var rated = new HashSet<int>();
        foreach (var r in target.Ratings)
        {
            if (_contentSlots.TryGetValue(r.ContentId, out var c))
            {
                rated.Add(c);
            }
        }
        var candidates = 0;
        foreach (var (slot, _, _) in neighbours)
        {
            candidates += _playerStart[slot + 1] - _playerStart[slot];
        }
        var predictions = new Dictionary<int, Prediction>(candidates);
        foreach (var (slot, sim, _) in neighbours)
        {
            var mean = _playerMeans[slot];
            for (var i = _playerStart[slot]; i < _playerStart[slot + 1]; i++)
            {
                var c = _ratingContent[i];
                if (rated.Contains(c) || (type is { } t && _ratingType[i] != (byte)t))
                {
                    continue;
                }
                ref var p = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(predictions, c, out var existed);
                if (!existed)
                {
                    p.Type = (ContentType)_ratingType[i];
                }
                p.Numerator += sim * (_ratingStars[i] - mean);
                p.Denominator += sim;
                p.Count++;
            }
        }
        var result = new List<Recommendation>(predictions.Count);
        foreach (var (c, p) in predictions)
        {
            result.Add(new Recommendation(_contentIds[c], p.Type, target.Mean + p.Numerator / p.Denominator, p.Count));
        }
        result.Sort(Recommender.RecommendationOrder);
        return result.Count > take ? result.GetRange(0, take) : result;
    }

    /// <summary>The k best neighbours, best first, by accumulating co-rating sums over the target's postings.</summary>
    private List<(int Slot, double Similarity, int CoRatings)> FindNeighbours(SharedProfile target, int k)
    {
        var players = _playerIds.Length;
        var self = _playerSlots.GetValueOrDefault(target.PlayerId, -1);
        var sums = ArrayPool<CoRatingSums>.Shared.Rent(Math.Max(players, 1));
        try
        {
            Array.Clear(sums, 0, players);
            foreach (var r in target.Ratings)
            {
                if (!_contentSlots.TryGetValue(r.ContentId, out var c))
                {
                    continue;
                }
                for (var i = _postingStart[c]; i < _postingStart[c + 1]; i++)
                {
                    sums[_postingPlayer[i]].Add(r.Stars, _postingStars[i]);
                }
            }

            // A bounded heap whose root is the worst kept neighbour: lowest similarity, then largest player id.
            var heap = new PriorityQueue<int, (double Similarity, string Id)>(k + 1, WorstFirst.Instance);
            for (var p = 0; p < players; p++)
            {
                if (p == self || sums[p].N < Similarity.MinCoRatings || sums[p].Pearson() is not (> 0 and var sim))
                {
                    continue;
                }
                var key = (sim, _playerIds[p]);
                if (heap.Count < k)
                {
                    heap.Enqueue(p, key);
                }
                else if (heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
                {
                    heap.DequeueEnqueue(p, key);
                }
            }
            var result = new List<(int Slot, double Similarity, int CoRatings)>(heap.Count);
            while (heap.TryDequeue(out var p, out var key))
            {
                result.Add((p, key.Similarity, sums[p].N));
            }
            result.Reverse();
            return result;
        }
        finally
        {
            ArrayPool<CoRatingSums>.Shared.Return(sums);
        }
    }

    private struct Prediction
    {
        public ContentType Type;
        public double Numerator;
        public double Denominator;
        public int Count;
    }

    private sealed class WorstFirst : IComparer<(double Similarity, string Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Similarity, string Id) a, (double Similarity, string Id) b)
        {
            var bySimilarity = a.Similarity.CompareTo(b.Similarity);
            return bySimilarity != 0 ? bySimilarity : string.CompareOrdinal(b.Id, a.Id);
        }
    }
}
