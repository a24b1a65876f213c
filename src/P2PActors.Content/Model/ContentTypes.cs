namespace P2PActors.Content.Model;

public static class ContentTypes
{
    /// <summary>Parses the lower-case wire name of a content type ("character", "item", "quest", "map", "dialog").</summary>
    public static bool TryParse(string? name, out ContentType type)
    {
        foreach (var candidate in Enum.GetValues<ContentType>())
        {
            if (string.Equals(WireName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    public static string WireName(ContentType type) => type.ToString().ToLowerInvariant();

    public static string Names => string.Join(", ", Enum.GetValues<ContentType>().Select(WireName));
}
