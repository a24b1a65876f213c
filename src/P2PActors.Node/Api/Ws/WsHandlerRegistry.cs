using System.Diagnostics.CodeAnalysis;

namespace P2PActors.Node.Api.Ws;

/// <summary>Every registered handler by its request type.</summary>
public sealed class WsHandlerRegistry
{
    private readonly Dictionary<string, IWsHandler> _handlers = new(StringComparer.Ordinal);

    public WsHandlerRegistry(IEnumerable<IWsHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Type, handler))
                throw new InvalidOperationException($"Two WebSocket handlers for type '{handler.Type}'.");
        }
        Types = [.. _handlers.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> Types { get; }

    public bool TryGet(string type, [NotNullWhen(true)] out IWsHandler? handler) => _handlers.TryGetValue(type, out handler);
}

/// <summary>Every registered subscription topic by name (apart from the handlers, which include <c>subscribe</c> itself).</summary>
public sealed class WsTopicRegistry
{
    private readonly Dictionary<string, IWsTopic> _topics = new(StringComparer.Ordinal);

    public WsTopicRegistry(IEnumerable<IWsTopic> topics)
    {
        foreach (var topic in topics)
        {
            if (!_topics.TryAdd(topic.Name, topic))
                throw new InvalidOperationException($"Two WebSocket topics named '{topic.Name}'.");
        }
        Topics = [.. _topics.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> Topics { get; }

    public bool TryGetTopic(string name, [NotNullWhen(true)] out IWsTopic? topic) => _topics.TryGetValue(name, out topic);
}
