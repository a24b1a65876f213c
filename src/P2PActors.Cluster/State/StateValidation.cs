using System.Text.RegularExpressions;

namespace P2PActors.Cluster.State;

/// <summary>
/// Input checks shared by the facade and the HTTP layer. Each returns null when the input is fine, or a message
/// that can be shown to the caller as is.
/// </summary>
public static partial class StateValidation
{
    public const int MaxIdLength = 64;
    public const int MaxItemIdLength = 128;
    public const double MaxCoordinate = 1_000_000_000d;

    // \z, not $: $ also matches before a final newline, and "alice\n" was taken as a player id (and stored).
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]+\z")]
    private static partial Regex SafeId();

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex ContentId();

    public static string? PlayerId(string? id) => Identifier(id, "player id", MaxIdLength);

    public static string? Zone(string? zone) => Identifier(zone, "zone", MaxIdLength);

    public static string? ItemId(string? id) => Identifier(id, "item id", MaxItemIdLength);

    /// <summary>Who shared a catalog entry: an id-like name (validators check a proposed header's author with it).</summary>
    public static string? Author(string? author) => Identifier(author, "author", MaxIdLength);

    public static string? Coordinates(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y))
            return "coordinates must be finite numbers";
        if (Math.Abs(x) > MaxCoordinate || Math.Abs(y) > MaxCoordinate)
            return $"coordinates must lie within ±{MaxCoordinate:0}";
        return null;
    }

    public static string? CatalogId(string? id) =>
        id is not null && ContentId().IsMatch(id) ? null : "content id must be 64 lower-case hex characters (SHA-256)";

    internal static string? Identifier(string? value, string what, int maxLength)
    {
        if (string.IsNullOrEmpty(value)) return $"{what} is required";
        if (value.Length > maxLength) return $"{what} is longer than {maxLength} characters";
        if (!SafeId().IsMatch(value)) return $"{what} may only contain letters, digits, '_', '-', '.' and ':'";
        return null;
    }

    /// <summary>
    /// <paramref name="check"/> for a name read back from disk or from a peer, which also takes what the releases before
    /// took: their patterns ended in <c>$</c>, which matches before one final newline, so a player "alice\n" may sit in
    /// a data folder or come from a node not yet upgraded. Refused there, it would fail its whole bucket, and a durable
    /// bucket that fails to load stops the node. New input is checked strictly.
    /// </summary>
    internal static string? AsStored(string? value, Func<string?, string?> check) =>
        check(value is { Length: > 1 } v && v[^1] == '\n' ? v[..^1] : value);

    internal static void Require(string? error, string paramName)
    {
        if (error is not null) throw new ArgumentException(error, paramName);
    }
}
