namespace P2PActors.Content.Generation;

/// <summary>
/// Draws a value for a parameter the request left open, biased by learned pattern weights.
/// A fixed share of draws ignores the patterns entirely so a player keeps seeing things outside their taste.
/// </summary>
internal static class Preference
{
    /// <summary>Share of open choices drawn from the base distribution even when patterns exist.</summary>
    public const double Exploration = 0.2;

    /// <summary>
    /// Picks an index in [0, keys.Length). <paramref name="baseWeights"/> (null = uniform) is the unbiased distribution;
    /// with patterns, 80% of draws multiply it by each option's positive weight under key <c>keys[i]</c>.
    /// </summary>
    public static int Pick(Rng rng, LearnedPatterns? patterns, string[] keys, double[]? baseWeights = null)
    {
        var n = keys.Length;
        Span<double> weights = stackalloc double[n];
        for (var i = 0; i < n; i++) weights[i] = baseWeights?[i] ?? 1.0;
        if (patterns is null || patterns.IsEmpty) return rng.PickWeighted(weights);
        // Always spend the exploration draw so the random stream does not depend on whether it fires.
        var explore = rng.Chance(Exploration);
        if (!explore)
        {
            Span<double> biased = stackalloc double[n];
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                var w = patterns.Weights.TryGetValue(keys[i], out var learned) && learned > 0 && double.IsFinite(learned) ? learned : 0;
                biased[i] = weights[i] * w;
                total += biased[i];
            }
            if (total > 0) return rng.PickWeighted(biased);
        }
        return rng.PickWeighted(weights);
    }

    public static string[] Keys<T>(string prefix) where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => prefix + ":" + v.ToString().ToLowerInvariant()).ToArray();
}
