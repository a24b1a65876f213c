namespace P2PActors.Content.Preferences;

/// <summary>
/// The knobs of <see cref="PreferenceProfile"/>.
/// </summary>
/// <param name="LearningRate">α of the per-attribute exponentially weighted average, in (0, 1]: how far one rating moves a weight.</param>
/// <param name="MinimumRatings">How many distinct rated contents a player needs before a profile exists.</param>
/// <param name="Sharpness">β in the generator weight exp(β·w): how strongly a learned weight w ∈ [−1, 1] biases generation.</param>
public sealed record PreferenceOptions(double LearningRate = 0.2, int MinimumRatings = 5, double Sharpness = 2.0)
{
    public static readonly PreferenceOptions Default = new();

    public PreferenceOptions Validated()
    {
        if (!(LearningRate is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be in (0, 1]");
        }
        if (MinimumRatings < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumRatings), MinimumRatings, "at least one rating is needed for a profile");
        }
        if (!(Sharpness is >= 0 and <= 20))
        {
            throw new ArgumentOutOfRangeException(nameof(Sharpness), Sharpness, "sharpness must be in [0, 20]");
        }
        return this;
    }
}
