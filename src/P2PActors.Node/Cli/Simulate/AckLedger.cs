using System.Collections.Concurrent;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>A position as written: zone (a map's content id) and the point.</summary>
public readonly record struct Position(string Zone, double X, double Y);

/// <summary>
/// What one player's writes should have left behind, from the acknowledgements its bot received. A write that got
/// no answer (timeout, dropped connection) may or may not have happened: its position is allowed as the final one,
/// and its item is left out of the comparison, rather than guessed.
/// </summary>
public sealed class PlayerLedger(string playerId, string node)
{
    private readonly HashSet<string> _inventory = new(StringComparer.Ordinal);
    private readonly HashSet<string> _uncertainItems = new(StringComparer.Ordinal);
    private readonly List<Position> _unansweredMoves = [];

    public string PlayerId { get; } = playerId;

    /// <summary>The base URL of the node this player's bot talks to.</summary>
    public string Node { get; } = node;

    public Position? LastPosition { get; private set; }

    public long AcknowledgedMoves { get; private set; }

    public long AcknowledgedAdds { get; private set; }

    public long AcknowledgedRemoves { get; private set; }

    public IReadOnlyCollection<string> Inventory => _inventory;

    public IReadOnlyCollection<string> UncertainItems => _uncertainItems;

    /// <summary>Positions the node may hold besides <see cref="LastPosition"/>: moves sent after it that got no answer.</summary>
    public IReadOnlyList<Position> UnansweredMoves => _unansweredMoves;

    public bool Holds(string item) => _inventory.Contains(item);

    public void MoveAcknowledged(Position position)
    {
        LastPosition = position;
        _unansweredMoves.Clear();
        AcknowledgedMoves++;
    }

    public void MoveUnanswered(Position position) => _unansweredMoves.Add(position);

    public void AddAcknowledged(string item)
    {
        _inventory.Add(item);
        _uncertainItems.Remove(item);
        AcknowledgedAdds++;
    }

    public void RemoveAcknowledged(string item)
    {
        _inventory.Remove(item);
        _uncertainItems.Remove(item);
        AcknowledgedRemoves++;
    }

    public void ItemUnanswered(string item)
    {
        _inventory.Remove(item);
        _uncertainItems.Add(item);
    }

    /// <summary>True when <paramref name="position"/> is what the acknowledged (or unanswered later) moves allow.</summary>
    public bool Allows(Position? position)
    {
        if (position is not { } seen)
            return LastPosition is null && _unansweredMoves.Count == 0;
        return (LastPosition is { } last && Same(last, seen)) || _unansweredMoves.Any(m => Same(m, seen));
    }

    /// <summary>The items the node must hold exactly (uncertain ones left out on both sides).</summary>
    public bool InventoryMatches(IEnumerable<string> items, out IReadOnlyList<string> missing, out IReadOnlyList<string> extra)
    {
        var seen = items.Where(i => !_uncertainItems.Contains(i)).ToHashSet(StringComparer.Ordinal);
        missing = _inventory.Where(i => !seen.Contains(i)).Order(StringComparer.Ordinal).ToList();
        extra = seen.Where(i => !_inventory.Contains(i)).Order(StringComparer.Ordinal).ToList();
        return missing.Count == 0 && extra.Count == 0;
    }

    private static bool Same(Position a, Position b) => a.Zone == b.Zone && Math.Abs(a.X - b.X) < 1e-9 && Math.Abs(a.Y - b.Y) < 1e-9;
}

/// <summary>Every acknowledged write of the run: the players' ledgers and the catalog shares.</summary>
public sealed class AckLedger
{
    private readonly ConcurrentDictionary<string, PlayerLedger> _players = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _invalid = new(StringComparer.Ordinal);

    public PlayerLedger Player(string playerId, string node) => _players.GetOrAdd(playerId, id => new PlayerLedger(id, node));

    public IReadOnlyCollection<PlayerLedger> Players => _players.Values.OrderBy(p => p.PlayerId, StringComparer.Ordinal).ToList();

    /// <summary>Content ids the validators accepted into the catalog (answered <c>shared</c>).</summary>
    public IReadOnlyCollection<string> AcceptedShares => _accepted.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Content ids shared on purpose that must never be in any catalog.</summary>
    public IReadOnlyCollection<string> InvalidShares => _invalid.Keys.Order(StringComparer.Ordinal).ToList();

    public void ShareAccepted(string contentId) => _accepted.TryAdd(contentId, 0);

    public void InvalidShared(string contentId) => _invalid.TryAdd(contentId, 0);
}
