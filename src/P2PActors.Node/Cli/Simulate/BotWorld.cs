using System.Collections.Concurrent;
using System.Text.Json;
using P2PActors.Content.Model;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>The zone every bot walks in: a map shared in the catalog, and its walkable tiles (the generator's own rule).</summary>
public sealed class ZoneMap
{
    private readonly bool[,] _walkable;

    public ZoneMap(string contentId, IReadOnlyList<string> rows)
    {
        ContentId = contentId;
        Height = rows.Count;
        Width = rows.Count == 0 ? 0 : rows.Max(r => r.Length);
        _walkable = new bool[Width, Height];
        var tiles = new List<(int X, int Y)>();
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < rows[y].Length; x++)
            {
                if (Tiles.IsWalkable(rows[y][x]))
                {
                    _walkable[x, y] = true;
                    tiles.Add((x, y));
                }
            }
        }
        WalkableTiles = tiles;
        if (tiles.Count == 0)
            throw new ArgumentException($"map {contentId} has no walkable tile", nameof(rows));
    }

    public string ContentId { get; }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<(int X, int Y)> WalkableTiles { get; }

    public bool IsWalkable(int x, int y) => x >= 0 && y >= 0 && x < Width && y < Height && _walkable[x, y];

    /// <summary>From a map content's canonical JSON (<c>id</c>, <c>rows</c>).</summary>
    public static ZoneMap FromContent(JsonElement content) =>
        new(content.GetProperty("id").GetString()!, content.GetProperty("rows").EnumerateArray().Select(r => r.GetString() ?? "").ToList());

    /// <summary>A step to a walkable neighbour of <paramref name="from"/> (or anywhere walkable when it is boxed in).</summary>
    public (int X, int Y) Step((int X, int Y) from, Random random)
    {
        Span<(int, int)> candidates = stackalloc (int, int)[4];
        var count = 0;
        foreach (var (dx, dy) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
        {
            if (IsWalkable(from.X + dx, from.Y + dy))
                candidates[count++] = (from.X + dx, from.Y + dy);
        }
        return count == 0 ? WalkableTiles[random.Next(WalkableTiles.Count)] : candidates[random.Next(count)];
    }

    /// <summary>The point a bot stands on in a tile: its centre, so the node's floor() lands on the tile.</summary>
    public Position At((int X, int Y) tile) => new(ContentId, tile.X + 0.5, tile.Y + 0.5);
}

/// <summary>The operations a bot draws besides its moves, with their weights.</summary>
public static class BotOperations
{
    public const string Hello = "hello";
    public const string Resume = "resume";
    public const string Subscribe = "subscribe";
    public const string Move = "move";
    public const string Rate = "rate";
    public const string InventoryAdd = "inventory-add";
    public const string InventoryRemove = "inventory-remove";
    public const string TradeGive = "trade-give";
    public const string TradeTake = "trade-take";
    public const string Share = "share";
    public const string ShareInvalid = "share-invalid";

    public static readonly IReadOnlyList<string> ContentTypes = ["character", "item", "quest", "map", "dialog"];

    public static string Generate(string contentType) => "generate-" + contentType;

    /// <summary>Every operation name a run of a few seconds with a few bots performs.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Hello, Resume, Subscribe, Move, .. ContentTypes.Select(Generate), Rate, InventoryAdd, InventoryRemove, TradeGive, TradeTake, Share, ShareInvalid];

    private static readonly (string Operation, int Weight)[] Mix =
    [
        ("generate", 30), (Rate, 15), (InventoryAdd, 12), (InventoryRemove, 8), (TradeGive, 6), (TradeTake, 6), (Share, 8), (ShareInvalid, 3),
    ];

    private static readonly int TotalWeight = Mix.Sum(m => m.Weight);

    /// <summary>One draw from the mix; <c>generate</c> stands for the next content type of the bot's rotation.</summary>
    public static string Draw(Random random)
    {
        var pick = random.Next(TotalWeight);
        foreach (var (operation, weight) in Mix)
        {
            if (pick < weight)
                return operation;
            pick -= weight;
        }
        return Mix[^1].Operation;
    }
}

/// <summary>
/// Items on their way between players: a trade is a remove from the giver's inventory (acknowledged), then an add to
/// a taker's (acknowledged), by two different bots, as two players would over their own connections.
/// </summary>
public sealed class TradeBoard
{
    private readonly ConcurrentQueue<string> _offered = new();

    public void Offer(string item) => _offered.Enqueue(item);

    public bool TryTake(out string item) => _offered.TryDequeue(out item!);

    public int Waiting => _offered.Count;
}
