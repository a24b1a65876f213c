using P2PActors.Content.Model;

namespace P2PActors.Rendering;

// Why hand-written and not a library (measured 2026-12-04, docs/benchmarks.md "Caches", `dotnet $B caches`, load 1.9-2.4, three runs):
// the bound that matters here is bytes. BitFaster.Caching 2.6.1 bounds by entry count only: at 4,096 entries it held
// 891 MiB of PNGs against this cache's 64 MiB. MemoryCache with SizeLimit = bytes holds the budget but, once full,
// refuses the entry being added and compacts later, so 59-69 % of fresh renders were not kept (each a re-render of up
// to seconds on the next request), and it cannot also bound the entry count; its hits allocate more (112 vs 72 B)
// and its inserts cost 1.6-2.7x. BitFaster's LRU hits faster (48-76 vs 100-138 ns on one thread), a saving lost next
// to an HTTP answer that hashes the whole PNG for its ETag, and of no use without the byte bound.

/// <summary>
/// A thread-safe LRU of rendered previews keyed by (content id, options), bounded both by entry count and by the bytes
/// of the PNGs it holds: one 4096 px map preview is megabytes, so a count alone does not bound memory. Content ids are
/// hashes of the content, so an entry never goes stale. Concurrent requests for the same key render once; failed
/// renders are not kept, and a PNG larger than the whole byte budget is returned but not kept.
/// </summary>
public sealed class PreviewCache
{
    /// <summary>Default byte budget: 64 MiB, about 20 of the largest map previews or thousands of sprites.</summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    private readonly int _capacity;
    private readonly long _maxBytes;
    private readonly Dictionary<(string Id, PreviewOptions Options), LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private long _hits;
    private long _misses;
    private long _bytes;
    private readonly Func<GameContent, PreviewOptions, byte[]> _render;

    public PreviewCache(int capacity, long maxBytes = DefaultMaxBytes)
        : this(capacity, maxBytes, PreviewRenderer.RenderPng)
    {
    }

    /// <summary>With another renderer: the cache benchmark measures the cache, not SkiaSharp.</summary>
    internal PreviewCache(int capacity, long maxBytes, Func<GameContent, PreviewOptions, byte[]> render)
    {
        _render = render;
        _capacity = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be positive");
        _maxBytes = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "the byte budget must be positive");
    }

    /// <summary>Bytes counted once a render finishes (<see cref="Entry.Size"/>); renders still running count 0.</summary>
    private sealed record Entry((string Id, PreviewOptions Options) Key, Lazy<byte[]> Png)
    {
        public long Size { get; set; }
    }

    /// <summary>PNG bytes held now; never more than the budget once a render has been accounted.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public long MaxBytes => _maxBytes;

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
                entry = new Entry(key, new Lazy<byte[]>(() => _render(content, options), LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[key] = _recency.AddFirst(entry);
                Interlocked.Increment(ref _misses);
                while (_entries.Count > _capacity)
                    RemoveLast();
            }
        }
        byte[] png;
        try
        {
            png = entry.Png.Value;
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
        Account(key, entry, png.LongLength);
        return png;
    }

    /// <summary>Counts a finished render and evicts from the least recently used end until the budget holds again.</summary>
    private void Account((string Id, PreviewOptions Options) key, Entry entry, long size)
    {
        lock (_lock)
        {
            // Evicted while rendering, or already counted by a concurrent request for the same key.
            if (!_entries.TryGetValue(key, out var node) || !ReferenceEquals(node.Value, entry) || entry.Size > 0)
                return;
            entry.Size = size;
            _bytes += size;
            if (size > _maxBytes)
            {
                _recency.Remove(node);
                _entries.Remove(key);
                _bytes -= size;
                return;
            }
            while (_bytes > _maxBytes && _recency.Last is { } last && !ReferenceEquals(last, node))
                RemoveLast();
        }
    }

    private void RemoveLast()
    {
        var last = _recency.Last!;
        _recency.RemoveLast();
        _entries.Remove(last.Value.Key);
        _bytes -= last.Value.Size;
    }
}
