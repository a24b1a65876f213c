namespace P2PActors.Cluster.State;

/// <summary>
/// Which players standing in a zone went offline, or came back without moving, between two looks at the view. Nothing
/// else tells a zone's watchers that a player left the game: a page that closes sends no last move, so without this
/// the player stayed on every other page's map. A move is pushed as it is taken; only the passing of time is found here.
/// </summary>
public sealed class OnlineWatch
{
    /// <summary>The players online at the last look; null before the first (which reports nothing, having nothing to compare).</summary>
    private HashSet<string>? _online;
    private long _lastLookMs;

    /// <summary>
    /// The players online now whose last look found them offline and who did not move since (a heartbeat brought them
    /// back, e.g. after a partition), as <see cref="PlayerMoved"/> so watchers put them back on the map; and the players
    /// online at the last look who are not any more, as <see cref="PlayerOffline"/>.
    /// </summary>
    public IReadOnlyList<StateChange> Look(GameStateView view, long nowMs, TimeSpan presenceTimeout)
    {
        var changes = new List<StateChange>();
        var online = new HashSet<string>(_online?.Count ?? 0, StringComparer.Ordinal);
        foreach (var (id, position) in view.Positions)
        {
            var lastSeen = view.LastSeenMs(id, position, nowMs);
            var isOnline = GameStateView.IsOnline(lastSeen, nowMs, presenceTimeout);
            if (isOnline) online.Add(id);
            if (_online is null) continue;
            var wasOnline = _online.Contains(id);
            if (wasOnline && !isOnline) changes.Add(new PlayerOffline(id, position, lastSeen));
            // A move since the last look was pushed when it was taken.
            else if (!wasOnline && isOnline && position.UpdatedAtMs <= _lastLookMs) changes.Add(new PlayerMoved(id, position, position.Zone));
        }
        (_online, _lastLookMs) = (online, nowMs);
        return changes;
    }

    /// <summary>Forgets the last look (nobody listens any more): the next one only takes stock again.</summary>
    public void Reset() => _online = null;
}
