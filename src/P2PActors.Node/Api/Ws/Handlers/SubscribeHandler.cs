using System.Text.Json;
using P2PActors.Cluster.State;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>subscribe {topics, zone?}</c> → <c>subscribed {topics, zone}</c>: starts the pushes of each topic (registered
/// <see cref="IWsTopic"/>s). One zone per connection: subscribing to a zone topic with another zone moves it there.
/// </summary>
public sealed class SubscribeHandler(WsTopicRegistry registry) : IWsHandler
{
    public sealed record Subscriptions(IReadOnlyList<string> Topics, string? Zone);

    public string Type => "subscribe";

    public IReadOnlyCollection<string> Fields { get; } = ["topics", "zone"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var topics = ReadTopics(request, registry, required: true);
        var zone = request.String("zone", required: false, "the zone (a map's content id) whose positions to push");
        if (zone is not null && StateValidation.Zone(zone) is { } problem)
            request.Errors["zone"] = [problem];
        if (zone is null && topics?.Any(t => t.NeedsZone) == true && !request.Errors.ContainsKey("zone"))
            request.Errors["zone"] = [$"Required by {string.Join(", ", topics.Where(t => t.NeedsZone).Select(t => t.Name))}: the zone to watch."];
        if (request.Invalid() is { } invalid)
            return invalid;

        var state = WsSubscriptionState.Of(request.Connection);
        await state.Gate.WaitAsync(ct);
        try
        {
            foreach (var topic in topics!)
            {
                var key = topic.Name;
                var topicZone = topic.NeedsZone ? zone : null;
                var had = state.Active.TryGetValue(key, out var existing);
                if (had && existing.Zone == topicZone)
                    continue;
                // The new subscription first: if it fails (the state too busy to answer), the page keeps the one it had.
                var stop = await topic.SubscribeAsync(request.Connection, topicZone, ct);
                if (had)
                    existing.Stop.Dispose();
                // The close registration goes with the subscription: a page that moves between zones all day would
                // otherwise pile one up per move on its connection.
                var onClose = request.Connection.Closed.Register(stop.Dispose);
                state.Active[key] = (topicZone, new StopBoth(stop, onClose));
            }
            return WsReply.Answer("subscribed", state.Describe());
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>The <c>topics</c> array as registered topics; unknown names are recorded as an <c>invalid-field</c> error.</summary>
    internal static List<IWsTopic>? ReadTopics(WsRequest request, WsTopicRegistry registry, bool required)
    {
        if (!request.Root.TryGetProperty("topics", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
                request.Errors["topics"] = [$"Required: a non-empty array of topics, of {string.Join(", ", registry.Topics)}."];
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0 || value.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
        {
            request.Errors["topics"] = [$"topics must be a non-empty array of strings, of {string.Join(", ", registry.Topics)}."];
            return null;
        }
        var topics = new List<IWsTopic>();
        foreach (var name in value.EnumerateArray().Select(t => t.GetString()!).Distinct())
        {
            if (registry.TryGetTopic(name, out var topic))
                topics.Add(topic);
            else
                request.Errors["topics"] = [$"Unknown topic '{name}'; this node serves {string.Join(", ", registry.Topics)}."];
        }
        return request.Errors.ContainsKey("topics") ? null : topics;
    }
}

/// <summary>Stops a subscription and forgets its registration on the connection's close.</summary>
internal sealed class StopBoth(IDisposable stop, CancellationTokenRegistration onClose) : IDisposable
{
    public void Dispose()
    {
        onClose.Dispose();
        stop.Dispose();
    }
}

/// <summary>A connection's active subscriptions, kept in <see cref="WsConnection.Items"/>.</summary>
internal sealed class WsSubscriptionState
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public Dictionary<string, (string? Zone, IDisposable Stop)> Active { get; } = new(StringComparer.Ordinal);

    public static WsSubscriptionState Of(WsConnection connection) =>
        (WsSubscriptionState)connection.Items.GetOrAdd("subscriptions", _ => new WsSubscriptionState());

    public SubscribeHandler.Subscriptions Describe() => new(
        [.. Active.Keys.Order(StringComparer.Ordinal)],
        Active.Values.Select(v => v.Zone).FirstOrDefault(z => z is not null));
}
