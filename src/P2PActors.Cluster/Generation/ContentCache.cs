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

// Why hand-written and not a library (measured 2026-12-04, docs/benchmarks.md "Caches", `dotnet $B caches`, load 1.9-2.4, three runs):
// BitFaster's ConcurrentLru holds the same 1,000-entry bound and beats this lock on hits only when two cores do
// nothing else (15-69 vs 3-6 M hits/s; one thread 29-41 vs 36-50 ns, 0 B both), where a node's hit costs ~1 us
// end to end; its inserts cost more (200-293 vs 108-168 ns, 120 vs 72 B); its higher hit ratio on a skewed
// stream (61.9 vs 55.8 %) is what this LRU reaches with ~1,500 entries (--cache-capacity); and it
// needs a capacity of 3 or more where the node accepts 1. MemoryCache is slower on every timing, allocates 40 B per
// hit (the boxed key) and, once full, refuses new entries (51-68 % of inserts absent right after).

/// <summary>
/// The node's cache of seeded content, shared by the <see cref="GenerationCoordinator"/> (which fills it) and the
/// <see cref="GenerationClient"/> (which answers hits without a message). Thread-safe: one lock around a small LRU;
/// a lookup holds it for a dictionary probe and a list splice, far shorter than any ask.
/// </summary>
public sealed class ContentCache(int capacity)
{
    private readonly LruCache<CacheKey, GameContent> _lru = new(capacity);
    private readonly Lock _lock = new();
    private long _hits;

    /// <summary>
    /// Players this node knows to have learned patterns. Their content depends on their patterns, not only on
    /// (type, parameters, seed), so it is never cached and their requests never take an unbiased cached answer.
    /// Filled from the patterns each generation loads and from ratings made through this node.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _personalised = new(StringComparer.Ordinal);

    public int Capacity => _lru.Capacity;

    public int Count
    {
        get
        {
            lock (_lock)
                return _lru.Count;
        }
    }

    /// <summary>Hits served so far, by the coordinator and the client together.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public bool TryGet(CacheKey key, out GameContent content)
    {
        bool found;
        lock (_lock)
            found = _lru.TryGet(key, out content);
        if (found)
            Interlocked.Increment(ref _hits);
        return found;
    }

    public void Set(CacheKey key, GameContent content)
    {
        lock (_lock)
            _lru.Set(key, content);
    }

    public bool IsPersonalised(string playerId) => _personalised.ContainsKey(playerId);

    /// <summary>Every player this node knows to be personalised, for a node that joins later.</summary>
    public IReadOnlyList<string> PersonalisedPlayers => [.. _personalised.Keys];

    public void NotePersonalised(string playerId, bool personalised)
    {
        if (personalised)
            _personalised.TryAdd(playerId, 0);
        else
            _personalised.TryRemove(playerId, out _);
    }
}

/// <summary>A bounded least-recently-used map. Not thread-safe: <see cref="ContentCache"/> guards it.</summary>
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
