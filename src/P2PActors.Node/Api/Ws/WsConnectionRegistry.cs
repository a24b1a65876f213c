using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace P2PActors.Node.Api.Ws;

/// <summary>The connections open on this node, by peer id: how a push for one peer (a relayed signal) finds it.</summary>
public sealed class WsConnectionRegistry
{
    private readonly ConcurrentDictionary<string, WsConnection> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public IEnumerable<WsConnection> All => _connections.Values;

    public bool TryGet(string peerId, [NotNullWhen(true)] out WsConnection? connection) => _connections.TryGetValue(peerId, out connection);

    internal void Add(WsConnection connection) => _connections[connection.PeerId] = connection;

    internal void Remove(WsConnection connection) => _connections.TryRemove(new(connection.PeerId, connection));
}
