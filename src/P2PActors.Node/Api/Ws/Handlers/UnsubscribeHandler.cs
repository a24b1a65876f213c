namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary><c>unsubscribe {topics?}</c> → <c>unsubscribed {topics, zone}</c>: stops the listed topics, or all of them.</summary>
public sealed class UnsubscribeHandler(WsTopicRegistry registry) : IWsHandler
{
    public string Type => "unsubscribe";

    public IReadOnlyCollection<string> Fields { get; } = ["topics"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var topics = SubscribeHandler.ReadTopics(request, registry, required: false);
        if (request.Invalid() is { } invalid)
            return invalid;
        var state = WsSubscriptionState.Of(request.Connection);
        await state.Gate.WaitAsync(ct);
        try
        {
            foreach (var name in topics?.Select(t => t.Name) ?? [.. state.Active.Keys])
            {
                if (state.Active.Remove(name, out var active))
                    active.Stop.Dispose();
            }
            return WsReply.Answer("unsubscribed", state.Describe());
        }
        finally
        {
            state.Gate.Release();
        }
    }
}
