using System.Diagnostics.CodeAnalysis;

namespace P2PActors.Node.Api.Ws;

/// <summary>Every registered handler by its request type, and every subscription topic by name.</summary>
public sealed class WsHandlerRegistry
{
    private readonly Dictionary<string, IWsHandler> _handlers;
    private readonly Dictionary<string, IWsTopic> _topics;

    public WsHandlerRegistry(IEnumerable<IWsHandler> handlers, IEnumerable<IWsTopic> topics)
    {
        _handlers = new Dictionary<string, IWsHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Type, handler))
                throw new InvalidOperationException($"Two WebSocket handlers for type '{handler.Type}'.");
        }
        _topics = new Dictionary<string, IWsTopic>(StringComparer.Ordinal);
        foreach (var topic in topics)
        {
            if (!_topics.TryAdd(topic.Name, topic))
                throw new InvalidOperationException($"Two WebSocket topics named '{topic.Name}'.");
        }
        Types = [.. _handlers.Keys.Order(StringComparer.Ordinal)];
        Topics = [.. _topics.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> Types { get; }

    public IReadOnlyList<string> Topics { get; }

    public bool TryGet(string type, [NotNullWhen(true)] out IWsHandler? handler) => _handlers.TryGetValue(type, out handler);

    public bool TryGetTopic(string name, [NotNullWhen(true)] out IWsTopic? topic) => _topics.TryGetValue(name, out topic);
}
