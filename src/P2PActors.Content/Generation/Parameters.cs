namespace P2PActors.Content.Generation;

/// <summary>One thing wrong with a generation request; <see cref="Field"/> is the parameter name (or "seed").</summary>
public sealed record ParameterProblem(string Field, string Message);

/// <summary>Thrown by <see cref="ContentFactory.Generate"/> when parameters or the seed are invalid.</summary>
public sealed class ContentParameterException(IReadOnlyList<ParameterProblem> problems) : Exception(Describe(problems))
{
    public IReadOnlyList<ParameterProblem> Problems { get; } = problems;

    private static string Describe(IReadOnlyList<ParameterProblem> problems) =>
        "Invalid content parameters: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"));
}

/// <summary>A parameter a content type accepts. <see cref="Range"/> is "min..max" for integers,
/// <see cref="Allowed"/> the (case-insensitive) values of an enumeration.</summary>
public sealed record ParameterSpec(string Name, string Description, string? Range, IReadOnlyList<string>? Allowed);

/// <summary>
/// Attribute key → weight (keys like "class:mage", "rarity:epic", "biome:forest", "size:small"; see
/// Preferences.ContentAttributes for the vocabulary). Generators bias choices of parameters the request left
/// unspecified toward higher weights, keeping a minimum exploration share; explicit parameters always win.
/// </summary>
public sealed record LearnedPatterns(IReadOnlyDictionary<string, double> Weights)
{
    public static readonly LearnedPatterns Empty = new(new Dictionary<string, double>());

    public bool IsEmpty => Weights.Count == 0;
}

public static class Seeds
{
    /// <summary>2^53 − 1: the largest integer a browser's JSON number holds exactly.</summary>
    public const long Max = (1L << 53) - 1;

    public static long NewSeed() => Random.Shared.NextInt64(0, Max + 1);

    public static bool IsValid(long seed) => seed is >= 0 and <= Max;
}
