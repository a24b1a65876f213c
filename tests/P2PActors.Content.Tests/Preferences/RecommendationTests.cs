using CsCheck;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Content.Tests.Preferences;

public class RecommendationTests
{
    private const ContentType Chr = ContentType.Character;
    private const ContentType Itm = ContentType.Item;
    private const ContentType Qst = ContentType.Quest;

    private static SharedProfile P(string id, params (string Content, ContentType Type, int Stars)[] ratings) =>
        new(id, [.. ratings.Select(r => new SharedRating(r.Content, r.Type, r.Stars))]);

    // The hand-computed set. The target T rated c1..c3 (characters); its mean is (5 + 3 + 1) / 3 = 3.
    private static readonly SharedProfile T = P("t", ("c1", Chr, 5), ("c2", Chr, 3), ("c3", Chr, 1));

    // Co-rated c1..c3: T − mean = (2, 0, −2), A − mean = (4, 3, 2) − 3 = (1, 0, −1)
    // cov = 2 + 0 + 2 = 4, √(8 · 2) = 4 → r = 1.  A's mean over all 5 ratings = 16 / 5 = 3.2.
    private static readonly SharedProfile A = P("a", ("c1", Chr, 4), ("c2", Chr, 3), ("c3", Chr, 2), ("c4", Itm, 5), ("c5", Itm, 2));

    // (5, 1, 3) − 3 = (2, −2, 0): cov = 4 + 0 + 0 = 4, √(8 · 8) = 8 → r = 0.5.  C's mean = 17 / 5 = 3.4.
    private static readonly SharedProfile C = P("c", ("c1", Chr, 5), ("c2", Chr, 1), ("c3", Chr, 3), ("c4", Itm, 3), ("c6", Qst, 5));

    // (2, 3, 4) − 3 = (−1, 0, 1): cov = −4, √(8 · 2) = 4 → r = −1: never a neighbour.
    private static readonly SharedProfile B = P("b", ("c1", Chr, 2), ("c2", Chr, 3), ("c3", Chr, 4), ("c4", Itm, 1), ("c6", Qst, 1));

    // Only c1 in common with T: no similarity, so its 5★ for c7 must never be recommended.
    private static readonly SharedProfile D = P("d", ("c1", Chr, 5), ("c7", Itm, 5));

    // 4, 4, 4 on the co-rated contents: zero variance → similarity 0: not a neighbour either.
    private static readonly SharedProfile E = P("e", ("c1", Chr, 4), ("c2", Chr, 4), ("c3", Chr, 4), ("c5", Itm, 5));

    private static readonly SharedProfile[] Others = [A, B, C, D, E];

    [Fact]
    public void Pearson_matches_the_hand_computed_values()
    {
        Assert.Equal(1.0, Similarity.Pearson(T, A));
        Assert.Equal(0.5, Similarity.Pearson(T, C));
        Assert.Equal(-1.0, Similarity.Pearson(T, B));

        // x = (1, 2, 3, 4), y = (2, 1, 4, 3); means 2.5 and 2.5:
        // dx = (−1.5, −0.5, 0.5, 1.5), dy = (−0.5, −1.5, 1.5, 0.5); Σdx·dy = 0.75 + 0.75 + 0.75 + 0.75 = 3,
        // Σdx² = Σdy² = 5 → r = 3 / 5 = 0.6.
        var x = new Dictionary<string, int> { ["p"] = 1, ["q"] = 2, ["r"] = 3, ["s"] = 4, ["only-x"] = 5 };
        var y = new Dictionary<string, int> { ["p"] = 2, ["q"] = 1, ["r"] = 4, ["s"] = 3, ["only-y"] = 1 };
        Assert.Equal(0.6, Similarity.Pearson(x, y)!.Value, 12);
        Assert.Equal(Similarity.Pearson(x, y), Similarity.Pearson(y, x));
    }

    [Fact]
    public void Fewer_than_two_co_ratings_is_no_similarity_and_zero_variance_is_zero()
    {
        Assert.Null(Similarity.Pearson(T, D));
        Assert.Null(Similarity.Pearson(T, P("z")));
        Assert.Equal(0.0, Similarity.Pearson(T, E));
        Assert.Equal(0.0, Similarity.Pearson(E, T));
    }

    [Fact]
    public void Neighbours_are_the_positively_correlated_players_best_first()
    {
        var expected = new[] { new Neighbour("a", 1.0, 3), new Neighbour("c", 0.5, 3) };

        Assert.Equal(expected, Recommender.Neighbours(T, Others));
        Assert.Equal(expected, RecommendationIndex.Build(Others).Neighbours(T));
        Assert.Equal([expected[0]], Recommender.Neighbours(T, Others, k: 1));
    }

    [Fact]
    public void Recommendations_match_the_hand_computed_scores_and_ranking()
    {
        // c4: A: 1 · (5 − 3.2) = 1.8, C: 0.5 · (3 − 3.4) = −0.2 → 3 + 1.6 / 1.5 = 61/15 ≈ 4.0667 (2 neighbours)
        // c5: A only: 3 + (2 − 3.2) = 1.8
        // c6: C only: 3 + 0.5 · (5 − 3.4) / 0.5 = 4.6
        // c1..c3 are T's own; c7 comes only from D, which is no neighbour.
        foreach (var recommendations in Both(T, Others))
        {
            Assert.Equal(["c6", "c4", "c5"], recommendations.Select(r => r.ContentId));
            Assert.Equal(4.6, recommendations[0].Score, 12);
            Assert.Equal(61.0 / 15, recommendations[1].Score, 12);
            Assert.Equal(1.8, recommendations[2].Score, 12);
            Assert.Equal([1, 2, 1], recommendations.Select(r => r.Neighbours));
            Assert.Equal([Qst, Itm, Itm], recommendations.Select(r => r.Type));
        }
    }

    [Fact]
    public void The_type_filter_keeps_only_that_type()
    {
        foreach (var items in Both(T, Others, type: Itm))
        {
            Assert.Equal(["c4", "c5"], items.Select(r => r.ContentId));
        }
        foreach (var quests in Both(T, Others, type: Qst))
        {
            Assert.Equal(["c6"], quests.Select(r => r.ContentId));
        }
        // Every character the neighbours rated, T rated too.
        foreach (var characters in Both(T, Others, type: Chr))
        {
            Assert.Empty(characters);
        }
    }

    [Fact]
    public void Fewer_neighbours_and_take_change_the_answer_as_computed()
    {
        // k = 1 keeps only A: c4 = 3 + 1.8 = 4.8, c5 = 1.8.
        foreach (var recommendations in Both(T, Others, k: 1))
        {
            Assert.Equal(["c4", "c5"], recommendations.Select(r => r.ContentId));
            Assert.Equal(4.8, recommendations[0].Score, 12);
        }
        foreach (var top in Both(T, Others, take: 1))
        {
            Assert.Equal(["c6"], top.Select(r => r.ContentId));
        }
    }

    [Fact]
    public void Content_the_target_rated_is_never_recommended()
    {
        var target = P("t", ("c1", Chr, 5), ("c2", Chr, 3), ("c3", Chr, 1), ("c6", Qst, 2));

        foreach (var recommendations in Both(target, Others))
        {
            Assert.DoesNotContain(recommendations, r => r.ContentId is "c1" or "c2" or "c3" or "c6");
            Assert.Equal(["c4", "c5"], recommendations.Select(r => r.ContentId));
        }
    }

    [Fact]
    public void No_neighbours_means_no_recommendations()
    {
        foreach (var recommendations in Both(T, [B, D, E]))
        {
            Assert.Empty(recommendations);
        }
        foreach (var recommendations in Both(P("new"), Others))
        {
            Assert.Empty(recommendations);
        }
        Assert.Empty(RecommendationIndex.Empty.Recommend(T));
    }

    [Fact]
    public void The_target_is_never_its_own_neighbour()
    {
        var selfCopy = P("t", ("c1", Chr, 5), ("c2", Chr, 3), ("c3", Chr, 1), ("c9", Itm, 5));

        Assert.DoesNotContain(Recommender.Neighbours(T, [selfCopy, A]), n => n.PlayerId == "t");
        Assert.DoesNotContain(RecommendationIndex.Build([selfCopy, A]).Neighbours(T), n => n.PlayerId == "t");
    }

    [Fact]
    public void Ties_are_broken_by_support_then_content_id()
    {
        // Both neighbours copy T on c1..c3 (r = 1) and have the same mean m = 25 / 7, so a 5★ from either
        // predicts exactly 3 + (5 − m): x and y (two supporters) tie with v and z (one supporter) on score.
        var n1 = P("n1", ("c1", Chr, 5), ("c2", Chr, 3), ("c3", Chr, 1), ("y", Itm, 5), ("x", Itm, 5), ("z", Itm, 5), ("w", Itm, 1));
        var n2 = P("n2", ("c1", Chr, 5), ("c2", Chr, 3), ("c3", Chr, 1), ("y", Itm, 5), ("x", Itm, 5), ("v", Itm, 5), ("u", Itm, 1));
        foreach (var recommendations in Both(T, [n2, n1]))
        {
            Assert.Equal(["x", "y", "v", "z", "u", "w"], recommendations.Select(r => r.ContentId));
            Assert.Equal(recommendations[0].Score, recommendations[3].Score);
        }
    }

    [Fact]
    public void A_shared_profile_refuses_what_a_peer_must_not_send()
    {
        Assert.Throws<ArgumentException>(() => P(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => P("p", ("c1", Chr, 6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => P("p", ("c1", Chr, 0)));
        Assert.Throws<ArgumentException>(() => P("p", ("c1", Chr, 3), ("c1", Chr, 4)));
        Assert.Throws<ArgumentException>(() => P("p", ("", Chr, 3)));
        Assert.Throws<ArgumentException>(() => new SharedProfile("p", [default]));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Recommender.Recommend(T, Others, k: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecommendationIndex.Build(Others).Recommend(T, take: -1));
    }

    [Fact]
    public void The_index_answers_exactly_as_the_reference_scan()
    {
        // Players rate a catalogue of 10 contents (0 = not rated) of three types; the first player is the target.
        var gen = Gen.Int[0, 5].Array[10].Array[2, 25].Select(Gen.Int[1, 6], Gen.Int[0, 3], Gen.Int[0, 3]);
        var withRecommendations = 0;
        Check.Sample(gen, t =>
        {
            var (players, k, typeCode, duplicateCode) = t;
            var profiles = players.Select((stars, p) => new SharedProfile($"p{p % (25 - duplicateCode)}", [.. stars
                .Select((s, c) => (s, c))
                .Where(x => x.s > 0)
                .Select(x => new SharedRating($"c{x.c}", (ContentType)(x.c % 3), x.s))])).ToList();
            var target = profiles[0];
            ContentType? type = typeCode == 3 ? null : (ContentType)typeCode;
            // The reference keeps the last profile of a repeated player id, as the index does.
            var others = profiles.Skip(1).ToList();
            var index = RecommendationIndex.Build(others);

            Assert.Equal(Recommender.Neighbours(target, others.GroupBy(p => p.PlayerId).Select(g => g.Last()), k), index.Neighbours(target, k));
            var expected = Recommender.Recommend(target, others, k, type, take: 20);
            Assert.Equal(expected, index.Recommend(target, k, type, take: 20));
            if (expected.Count > 0)
            {
                Interlocked.Increment(ref withRecommendations);
            }
        }, iter: 2000);
        // The comparison must not pass by both sides being empty.
        Assert.True(withRecommendations > 500, $"only {withRecommendations} samples had recommendations");
    }

    private static IEnumerable<IReadOnlyList<Recommendation>> Both(
        SharedProfile target, IReadOnlyList<SharedProfile> others, int k = 20, ContentType? type = null, int take = 10)
    {
        yield return Recommender.Recommend(target, others, k, type, take);
        yield return RecommendationIndex.Build(others).Recommend(target, k, type, take);
    }
}
