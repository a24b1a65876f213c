using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace P2PActors.Node.Cli.Simulate;

/// <summary>What the convergence check found once the nodes agreed, or the settle time ran out.</summary>
public sealed record ConvergenceFigures(
    bool Converged, double SettleSeconds, int Rounds, int Players, long AcknowledgedMoves, long AcknowledgedAdds, long AcknowledgedRemoves,
    int AcceptedShares, int InvalidShares, IReadOnlyList<int> CatalogSizes, int Disagreements, int MissingWrites, int InvalidInCatalog,
    IReadOnlyList<string> Problems)
{
    /// <summary>Every node agrees, every acknowledged write is on every node, and no deliberately invalid share is in a catalog.</summary>
    public bool Held => Converged && Disagreements == 0 && MissingWrites == 0 && InvalidInCatalog == 0;
}

/// <summary>
/// After the load: reads every player back from every node (<c>GET /api/players/{id}</c>) and every node's whole
/// catalog (<c>GET /api/catalog</c>, paged), and compares them with each other and with the acknowledged writes,
/// again and again until they all hold or the settle time passes. The last round's findings are the verdict.
/// </summary>
public sealed class ConvergenceCheck(IReadOnlyList<Uri> nodes, HttpClient http, AckLedger ledger)
{
    private const int ProblemsKept = 20;
    private const int Concurrency = 16;

    public async Task<ConvergenceFigures> RunAsync(TimeSpan settle, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var players = ledger.Players;
        Round round;
        var rounds = 0;
        while (true)
        {
            rounds++;
            round = await RoundAsync(players, ct);
            if (round.Problems.Count == 0 || watch.Elapsed >= settle || ct.IsCancellationRequested)
                break;
            await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        }
        return new ConvergenceFigures(round.Problems.Count == 0, Math.Round(watch.Elapsed.TotalSeconds, 2), rounds, players.Count,
            players.Sum(p => p.AcknowledgedMoves), players.Sum(p => p.AcknowledgedAdds), players.Sum(p => p.AcknowledgedRemoves),
            ledger.AcceptedShares.Count, ledger.InvalidShares.Count, round.CatalogSizes, round.Disagreements, round.Missing, round.InvalidInCatalog,
            round.Problems.Take(ProblemsKept).ToList());
    }

    private sealed record Round(IReadOnlyList<int> CatalogSizes, int Disagreements, int Missing, int InvalidInCatalog, IReadOnlyList<string> Problems);

    private sealed record PlayerView(Position? Position, IReadOnlyList<string> Inventory, string? Error);

    private async Task<Round> RoundAsync(IReadOnlyCollection<PlayerLedger> players, CancellationToken ct)
    {
        var problems = new List<string>();
        int disagreements = 0, missing = 0, invalid = 0;

        var catalogs = await Task.WhenAll(nodes.Select(node => CatalogAsync(node, ct)));
        for (var n = 0; n < nodes.Count; n++)
        {
            if (catalogs[n].Error is { } error)
            {
                problems.Add($"node {n + 1}: catalog unreadable: {error}");
                disagreements++;
                continue;
            }
            var ids = catalogs[n].Ids;
            foreach (var id in ledger.AcceptedShares.Where(id => !ids.Contains(id)))
            {
                missing++;
                problems.Add($"node {n + 1}: accepted share {id} is not in its catalog");
            }
            foreach (var id in ledger.InvalidShares.Where(ids.Contains))
            {
                invalid++;
                problems.Add($"node {n + 1}: invalid share {id} is in its catalog");
            }
            if (n > 0 && catalogs[0].Error is null && !ids.SetEquals(catalogs[0].Ids))
            {
                disagreements++;
                problems.Add($"node {n + 1}: catalog of {ids.Count} entries differs from node 1's {catalogs[0].Ids.Count}");
            }
        }

        using var gate = new SemaphoreSlim(Concurrency);
        var views = await Task.WhenAll(players.Select(async player =>
        {
            var perNode = new PlayerView[nodes.Count];
            for (var n = 0; n < nodes.Count; n++)
            {
                await gate.WaitAsync(ct);
                try
                {
                    perNode[n] = await PlayerAsync(nodes[n], player.PlayerId, ct);
                }
                finally
                {
                    gate.Release();
                }
            }
            return (player, perNode);
        }));
        foreach (var (player, perNode) in views)
        {
            for (var n = 0; n < perNode.Length; n++)
            {
                var view = perNode[n];
                if (view.Error is { } error)
                {
                    missing++;
                    problems.Add($"node {n + 1}: player {player.PlayerId} unreadable: {error}");
                    continue;
                }
                if (!player.Allows(view.Position))
                {
                    missing++;
                    problems.Add($"node {n + 1}: player {player.PlayerId} at {Describe(view.Position)}, acknowledged {Describe(player.LastPosition)}");
                }
                if (!player.InventoryMatches(view.Inventory, out var lost, out var extra))
                {
                    missing++;
                    problems.Add($"node {n + 1}: player {player.PlayerId} inventory lacks [{string.Join(", ", lost)}], has unacknowledged [{string.Join(", ", extra)}]");
                }
                if (n > 0 && perNode[0].Error is null
                    && (perNode[0].Position != view.Position || !perNode[0].Inventory.Order(StringComparer.Ordinal).SequenceEqual(view.Inventory.Order(StringComparer.Ordinal))))
                {
                    disagreements++;
                    problems.Add($"node {n + 1}: player {player.PlayerId} differs from node 1");
                }
            }
        }
        return new Round(catalogs.Select(c => c.Ids.Count).ToList(), disagreements, missing, invalid, problems);
    }

    private async Task<(HashSet<string> Ids, string? Error)> CatalogAsync(Uri node, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        const int take = 1000;
        try
        {
            for (var skip = 0; ; skip += take)
            {
                using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(node, $"/api/catalog?skip={skip.ToString(CultureInfo.InvariantCulture)}&take={take.ToString(CultureInfo.InvariantCulture)}"), ct));
                var entries = document.RootElement.GetProperty("entries");
                foreach (var entry in entries.EnumerateArray())
                    ids.Add(entry.GetProperty("id").GetString() ?? "");
                var total = document.RootElement.GetProperty("total").GetInt32();
                if (entries.GetArrayLength() == 0 || skip + take >= total)
                    return (ids, null);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (ids, e.Message);
        }
    }

    private async Task<PlayerView> PlayerAsync(Uri node, string playerId, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node, $"/api/players/{Uri.EscapeDataString(playerId)}"), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return new PlayerView(null, [], null);
            if (!response.IsSuccessStatusCode)
                return new PlayerView(null, [], $"HTTP {(int)response.StatusCode}");
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = document.RootElement;
            Position? position = root.TryGetProperty("position", out var p) && p.ValueKind == JsonValueKind.Object
                ? new Position(p.GetProperty("zone").GetString() ?? "", p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble())
                : null;
            var inventory = root.TryGetProperty("inventory", out var items) && items.ValueKind == JsonValueKind.Array
                ? items.EnumerateArray().Select(i => i.GetString() ?? "").ToList()
                : [];
            return new PlayerView(position, inventory, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new PlayerView(null, [], e.Message);
        }
    }

    private static string Describe(Position? position) =>
        position is { } p ? $"({p.X.ToString(CultureInfo.InvariantCulture)}, {p.Y.ToString(CultureInfo.InvariantCulture)}) of {p.Zone[..Math.Min(8, p.Zone.Length)]}" : "nowhere";
}
