using System.Net.Http.Json;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// Waits for what a running node pushes over <c>/ws</c> instead of polling its HTTP API: the <c>members</c> topic sends
/// the current members first and the members after every change, the <c>catalog</c> topic every entry added
/// (docs/protocol.md "Subscriptions"). The node must already listen for HTTP. Each watch says hello as a player of its
/// own (<c>signals-…</c>), which nothing else uses.
/// </summary>
public static class NodeSignals
{
    /// <summary>
    /// The first <c>members</c> frame of <paramref name="node"/> that lists at least <paramref name="up"/> members up;
    /// fails after <paramref name="patience"/> with the last frame seen and <paramref name="context"/> (a node's output).
    /// </summary>
    public static Task<JsonElement> MembersUpAsync(Uri node, int up, TimeSpan patience, Func<string>? context = null) =>
        MembersAsync(node, frame => UpAddresses(frame).Count >= up, $"see {up} members up", patience, context);

    /// <summary>The first <c>members</c> frame of <paramref name="node"/> (its current members, then each change) that satisfies <paramref name="until"/>.</summary>
    public static async Task<JsonElement> MembersAsync(Uri node, Func<JsonElement, bool> until, string what, TimeSpan patience, Func<string>? context = null)
    {
        await using var ws = await WsClient.ConnectAsync(node);
        JsonElement? last = null;
        try
        {
            return await ReceiveAfterSubscribingAsync(ws, "members", frame =>
            {
                if (WsFrameAssert.Type(frame) != "members")
                    return false;
                last = frame;
                return until(frame);
            }).Frame.WaitAsync(patience);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw new TimeoutException($"{node} did not {what} within {patience}; last members frame: {last}\n{context?.Invoke()}", e);
        }
    }

    /// <summary>The status a <c>members</c> frame gives <paramref name="address"/>, or null when it does not list it.</summary>
    public static string? StatusOf(JsonElement members, string address) =>
        members.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("address").GetString() == address)
            .Select(m => m.GetProperty("status").GetString())
            .FirstOrDefault();

    /// <summary>The addresses a <c>members</c> frame lists as up.</summary>
    public static List<string> UpAddresses(JsonElement members) =>
        members.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("status").GetString() == "up")
            .Select(m => m.GetProperty("address").GetString()!)
            .ToList();

    /// <summary>
    /// Returns once <paramref name="node"/> lists catalog entry <paramref name="id"/>: subscribed first, then the catalog
    /// read once, so an entry added before the subscription is found by the read and one added after it is pushed.
    /// </summary>
    public static async Task CatalogEntryAsync(Uri node, string id, TimeSpan patience)
    {
        await using var ws = await WsClient.ConnectAsync(node);
        var pushed = ReceiveAfterSubscribingAsync(ws, "catalog", frame =>
            WsFrameAssert.Type(frame) == "catalog-entry" && frame.GetProperty("entry").GetProperty("id").GetString() == id);
        // The read waits for the subscription: the catalog is read only after the node confirmed it.
        await pushed.Subscribed;
        using var http = new HttpClient { BaseAddress = node };
        var page = await http.GetFromJsonAsync<JsonElement>("/api/catalog?take=1000");
        if (page.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("id").GetString() == id))
            return;
        try
        {
            await pushed.Frame.WaitAsync(patience);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw new TimeoutException($"{node} did not list catalog entry {id} within {patience}", e);
        }
    }

    private sealed record Subscription(Task Subscribed, Task<JsonElement> Frame);

    /// <summary>
    /// Subscribes to <paramref name="topic"/> and reads frames until one matches: pushes can arrive before the
    /// <c>subscribed</c> answer (the members topic sends its current frame at once), so none is skipped.
    /// </summary>
    private static Subscription ReceiveAfterSubscribingAsync(WsClient ws, string topic, Func<JsonElement, bool> match)
    {
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new Subscription(subscribed.Task, ReadAsync());

        async Task<JsonElement> ReadAsync()
        {
            try
            {
                // Subscriptions need a session; a player of its own per watch, since a session outlives its connection
                // for the resume grace and would hold the player against the next watch.
                await ws.HelloAsync("signals-" + Guid.NewGuid().ToString("N"));
                var id = await ws.SendAsync("subscribe", new { topics = new[] { topic } });
                while (true)
                {
                    // No per-frame limit here: the caller bounds the whole wait, and membership may change seldom.
                    var frame = await ws.ReceiveAsync(Timeout.InfiniteTimeSpan)
                                ?? throw new InvalidOperationException($"The node closed the connection ({ws.Socket.CloseStatus}).");
                    if (frame.TryGetProperty("id", out var answered) && answered.GetString() == id)
                    {
                        Assert.True(WsFrameAssert.Type(frame) == "subscribed", frame.ToString());
                        subscribed.TrySetResult();
                    }
                    else if (match(frame))
                    {
                        subscribed.TrySetResult();
                        return frame;
                    }
                }
            }
            catch (Exception e)
            {
                subscribed.TrySetException(e);
                throw;
            }
        }
    }
}
