namespace P2PActors.Cluster.Players;

/// <summary>
/// A player id becomes a sharding entity id, an actor name and part of a persistence id, so it is kept to
/// 1–64 characters of [A-Za-z0-9_-].
/// </summary>
public static class PlayerIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? playerId)
    {
        if (string.IsNullOrEmpty(playerId) || playerId.Length > MaxLength)
            return false;
        foreach (var c in playerId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                return false;
        }
        return true;
    }

    /// <summary>Null when valid, otherwise why not, phrased for the caller.</summary>
    public static string? Problem(string? playerId) =>
        IsValid(playerId)
            ? null
            : string.IsNullOrEmpty(playerId)
                ? "playerId is required"
                : $"playerId must be 1-{MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'";
}
