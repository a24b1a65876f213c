using System.Text;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Generation;

/// <summary>
/// What identifies reproducible content: its type, its parameters in canonical form (sorted by name, escaped)
/// and its seed. Two requests with the same key produce byte-identical content.
/// </summary>
public readonly record struct CacheKey(ContentType Type, string CanonicalParams, long Seed)
{
    public static CacheKey Create(ContentType type, IReadOnlyDictionary<string, string> parameters, long seed) =>
        new(type, Canonicalize(parameters), seed);

    public static string Canonicalize(IReadOnlyDictionary<string, string> parameters)
    {
        if (parameters.Count == 0)
            return string.Empty;
        var names = new string[parameters.Count];
        var i = 0;
        foreach (var name in parameters.Keys)
            names[i++] = name;
        Array.Sort(names, StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var name in names)
        {
            if (builder.Length > 0)
                builder.Append('&');
            Escape(builder, name).Append('=');
            Escape(builder, parameters[name]);
        }
        return builder.ToString();
    }

    private static StringBuilder Escape(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            if (c is '%' or '&' or '=')
                builder.Append('%').Append(((int)c).ToString("X2"));
            else
                builder.Append(c);
        }
        return builder;
    }
}

/// <summary>A bounded least-recently-used map. Not thread-safe: it lives inside one actor.</summary>
public sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();

    public LruCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _map = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(Math.Min(capacity, 4096));
    }

    public int Capacity { get; }

    public int Count => _map.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (_map.TryGetValue(key, out var existing))
        {
            existing.Value = (key, value);
            _order.Remove(existing);
            _order.AddFirst(existing);
            return;
        }
        if (_map.Count >= Capacity)
        {
            var oldest = _order.Last!;
            _order.RemoveLast();
            _map.Remove(oldest.Value.Key);
        }
        _map[key] = _order.AddFirst((key, value));
    }
}
