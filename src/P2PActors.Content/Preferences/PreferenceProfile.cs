using System.Collections.Immutable;
using P2PActors.Content.Generation;

namespace P2PActors.Content.Preferences;

/// <summary>What a player's ratings say about one attribute key.</summary>
/// <param name="Weight">The learned weight in [−1, 1]: −1 always hated, 0 neutral or unknown, +1 always loved.</param>
/// <param name="Ratings">How many of the player's ratings carried this attribute.</param>
public sealed record AttributePreference(double Weight, int Ratings);

/// <summary>
/// A player's learned taste: a weight per content attribute.
/// <para>
/// The rule. Each rating is centred to x = (stars − 3) / 2, so 1★ → −1, 3★ → 0, 5★ → +1. Walking the player's
/// ratings oldest first (a re-rating counts once, at its new place), every attribute a of the rated content
/// moves its weight towards x by the learning rate α:  w_a ← w_a + α·(x − w_a), starting from w_a = 0.
/// That is an exponentially weighted average with a neutral prior: one rating moves a weight by α, twenty
/// consistent 5★ ratings bring it to 1 − (1 − α)^20 (0.988 for α = 0.2), newer opinions outweigh older
/// ones, and attributes the player never rated stay at 0.
/// </para>
/// <para>
/// The profile exists once the player has rated <see cref="PreferenceOptions.MinimumRatings"/> distinct
/// contents. It is recomputed from the ratings rather than updated in place, so replacing a rating is exact;
/// that costs O(ratings × attributes per rating), microseconds for thousands of ratings.
/// </para>
/// <para>
/// The generator sees weights exp(β·w) (see <see cref="ToGeneratorWeights"/>): positive, 1 for neutral,
/// e^β for loved and e^−β for hated attributes, so that picking a value with probability proportional to
/// its weight (before the generator's exploration share) follows the profile.
/// </para>
/// </summary>
public sealed record PreferenceProfile
{
    private PreferenceProfile(ImmutableSortedDictionary<string, AttributePreference> attributes, int ratingCount, PreferenceOptions options)
    {
        Attributes = attributes;
        RatingCount = ratingCount;
        Options = options;
    }

    /// <summary>Per attribute key, sorted ordinally so the profile serialises the same way everywhere.</summary>
    public ImmutableSortedDictionary<string, AttributePreference> Attributes { get; }

    public int RatingCount { get; }

    public PreferenceOptions Options { get; }

    /// <summary>How many more ratings <paramref name="ratings"/> needs before a profile exists (0 when it has one).</summary>
    public static int RatingsNeeded(PlayerRatings ratings, PreferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var minimum = (options ?? PreferenceOptions.Default).Validated().MinimumRatings;
        return Math.Max(0, minimum - ratings.Count);
    }

    /// <summary>The profile learned from <paramref name="ratings"/>, or null while there are too few ratings.</summary>
    public static PreferenceProfile? Learn(PlayerRatings ratings, PreferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        options = (options ?? PreferenceOptions.Default).Validated();
        if (ratings.Count < options.MinimumRatings)
        {
            return null;
        }
        var alpha = options.LearningRate;
        var weights = new Dictionary<string, (double Weight, int Count)>(StringComparer.Ordinal);
        foreach (var rating in ratings.InOrder)
        {
            var x = Centred(rating.Stars);
            // A rating names each of its attributes once; duplicates would double-count one opinion.
            foreach (var key in rating.Attributes.Distinct(StringComparer.Ordinal))
            {
                var (w, n) = weights.GetValueOrDefault(key);
                weights[key] = (w + alpha * (x - w), n + 1);
            }
        }
        var attributes = weights.ToImmutableSortedDictionary(
            kv => kv.Key, kv => new AttributePreference(kv.Value.Weight, kv.Value.Count), StringComparer.Ordinal);
        return new PreferenceProfile(attributes, ratings.Count, options);
    }

    /// <summary>Stars 1..5 centred and scaled to [−1, 1].</summary>
    public static double Centred(int stars) => (stars - 3) / 2.0;

    /// <summary>The learned weight of <paramref name="key"/>; 0 (neutral) for attributes never rated.</summary>
    public double WeightOf(string key) => Attributes.TryGetValue(key, out var p) ? p.Weight : 0;

    /// <summary>
    /// The weights handed to the generator: exp(β·w) for every key of <see cref="ContentAttributes.AllKeys"/>
    /// and every learned key. Neutral keys are written out as 1 so the generator never has to guess what a
    /// missing key means.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToGeneratorWeights()
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var key in ContentAttributes.AllKeys)
        {
            result[key] = 1.0;
        }
        foreach (var (key, preference) in Attributes)
        {
            result[key] = Math.Exp(Options.Sharpness * preference.Weight);
        }
        return result.ToImmutable();
    }

    /// <summary>The patterns to generate with for this player: <see cref="ToGeneratorWeights"/> for ContentFactory.Generate.</summary>
    public LearnedPatterns ToLearnedPatterns() => new(ToGeneratorWeights());

    /// <summary>
    /// The patterns for a player with these ratings: empty (generation exactly as for anyone) until the player
    /// has a profile.
    /// </summary>
    public static LearnedPatterns PatternsFor(PlayerRatings ratings, PreferenceOptions? options = null) =>
        Learn(ratings, options)?.ToLearnedPatterns() ?? LearnedPatterns.Empty;

    /// <summary>Learned attributes from most to least liked (ties by key), for display.</summary>
    public IEnumerable<KeyValuePair<string, AttributePreference>> Ranked() =>
        Attributes.OrderByDescending(kv => kv.Value.Weight).ThenBy(kv => kv.Key, StringComparer.Ordinal);
}
