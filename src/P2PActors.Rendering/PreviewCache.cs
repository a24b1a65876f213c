using P2PActors.Content.Model;

namespace P2PActors.Rendering;

/// <summary>
/// A thread-safe LRU of rendered previews keyed by (content id, options). Content ids are hashes of the content,
/// so an entry never goes stale. Concurrent requests for the same key render once; failed renders are not kept.
/// </summary>
public sealed class PreviewCache(int capacity)
{
    private readonly int _capacity = capacity > 0
        ? capacity
        : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be positive");
    private readonly Dictionary<(string Id, PreviewOptions Options), LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private long _hits;
    private long _misses;

    private sealed record Entry((string Id, PreviewOptions Options) Key, Lazy<byte[]> Png);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public bool Contains(string contentId, PreviewOptions options)
    {
        lock (_lock)
        {
            return _entries.ContainsKey((contentId, options));
        }
    }

    /// <summary>
    /// The cached PNG, or a fresh render. Invalid requests throw <see cref="PreviewRequestException"/> before
    /// anything is cached.
    /// </summary>
    public byte[] GetOrRender(GameContent content, PreviewOptions options)
    {
        var errors = PreviewRenderer.Validate(content, options);
        if (errors.Count > 0)
        {
            throw new PreviewRequestException(errors[0].Field, string.Join("; ", errors.Select(e => e.Message)));
        }
        var key = (content.Id ?? ContentJson.ComputeId(content), options);
        Entry entry;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                entry = node.Value;
                Interlocked.Increment(ref _hits);
            }
            else
            {
                entry = new Entry(key, new Lazy<byte[]>(() => PreviewRenderer.RenderPng(content, options), LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[key] = _recency.AddFirst(entry);
                Interlocked.Increment(ref _misses);
                while (_entries.Count > _capacity)
                {
                    var last = _recency.Last!;
                    _recency.RemoveLast();
                    _entries.Remove(last.Value.Key);
                }
            }
        }
        try
        {
            return entry.Png.Value;
        }
        catch
        {
            lock (_lock)
            {
                if (_entries.TryGetValue(key, out var node) && ReferenceEquals(node.Value, entry))
                {
                    _recency.Remove(node);
                    _entries.Remove(key);
                }
            }
            throw;
        }
    }
}
