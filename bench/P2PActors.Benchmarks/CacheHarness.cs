using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using BitFaster.Caching;
using BitFaster.Caching.Lfu;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Caching.Memory;
using P2PActors.Cluster.Generation;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Rendering;
using static P2PActors.Benchmarks.HarnessProbe;

namespace P2PActors.Benchmarks;

/// <summary>
/// The two hand-written LRU caches against the two served libraries, each on its cache's own workload:
/// <c>dotnet $B caches [--seconds 1] [--rounds 2]</c>.
/// <list type="bullet">
/// <item><b>content</b>: <see cref="ContentCache"/> (1,000 entries, the node's default) against MemoryCache with
/// SizeLimit 1,000 and Size 1 per entry, BitFaster ConcurrentLru(1,000) and ConcurrentLfu(1,000).</item>
/// <item><b>preview</b>: <see cref="PreviewCache"/> (4,096 entries, 64 MiB) against MemoryCache with SizeLimit 64 MiB
/// and Size = PNG bytes, and BitFaster ConcurrentLru / ConcurrentLfu of 4,096 entries (they bound by count only).
/// Every candidate does what <see cref="PreviewCache.GetOrRender"/> does (validate, key, render once, keep no PNG
/// larger than the budget); the "renderer" returns a prepared array, so the figures are the cache's, not SkiaSharp's.</item>
/// </list>
/// Measured: hits per second on 1 and 2 threads, a miss followed by an insert, bytes allocated per operation (all
/// threads, the library's background work included), hit ratio on a skewed (Zipf) stream, and whether the bound holds:
/// peak entries / bytes held while inserting, and the share of inserts still there right after.
/// </summary>
public static class CacheHarness
{
    private const int ContentCapacity = 1_000;
    private const int PreviewCapacity = 4_096;
    private const long PreviewBytes = PreviewCache.DefaultMaxBytes;

    public static int Run(string[] args)
    {
        var seconds = double.Parse(StringOption(args, "--seconds", "1"), CultureInfo.InvariantCulture);
        var rounds = IntOption(args, "--rounds", 2);
        Console.WriteLine($"# caches on {Environment.ProcessorCount} cores, load average {LoadAverage()} at start, GC server={System.Runtime.GCSettings.IsServerGC}, {seconds} s per figure, {rounds} rounds");
        var content = new ContentWorkload();
        var preview = new PreviewWorkload();
        for (var round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"## round {round}, load {LoadAverage()}");
            foreach (var make in ContentWorkload.Candidates)
                content.Measure(make, seconds);
            foreach (var make in PreviewWorkload.Candidates)
                preview.Measure(make, seconds);
        }
        Console.WriteLine("## bounds (untimed)");
        foreach (var make in ContentWorkload.Candidates)
            content.Bound(make);
        content.LruCapacities();
        foreach (var make in PreviewWorkload.Candidates)
            preview.Bound(make);
        Console.WriteLine($"# load average {LoadAverage()} at end");
        return 0;
    }

    /// <summary>Runs <paramref name="op"/> on <paramref name="threads"/> threads for the given time (after a short warm-up): ns per op on one thread, ops/s in all, bytes allocated per op.</summary>
    private static (double NsPerOp, double OpsPerSecond, double BytesPerOp) Time(int threads, double seconds, Func<int, Func<long, bool>> op)
    {
        Run(threads, Math.Min(0.3, seconds / 3), op);
        return Run(threads, seconds, op);
    }

    private static (double NsPerOp, double OpsPerSecond, double BytesPerOp) Run(int threads, double seconds, Func<int, Func<long, bool>> op)
    {
        var stop = false;
        var counts = new long[threads];
        using var ready = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var step = op(t);
            ready.SignalAndWait();
            long n = 0;
            while (!Volatile.Read(ref stop))
            {
                for (var i = 0; i < 256; i++)
                    step(n++);
            }
            counts[t] = n;
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        ready.SignalAndWait();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref stop, true);
        workers.ForEach(w => w.Join());
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var total = counts.Sum();
        return (wall * threads * 1e9 / total, total / wall, (double)bytes / total);
    }

    private static string Figures(string what, (double NsPerOp, double OpsPerSecond, double BytesPerOp) f) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} {f.NsPerOp,7:0.0} ns/op {f.OpsPerSecond / 1e6,6:0.00} M/s {f.BytesPerOp,6:0.0} B/op");

    // ---------------------------------------------------------------- content

    public interface IContentCandidate
    {
        string Name { get; }
        bool TryGet(CacheKey key, out GameContent content);
        void Set(CacheKey key, GameContent content);
        int Count { get; }
    }

    private sealed class HandWrittenContent : IContentCandidate
    {
        private readonly ContentCache _cache = new(ContentCapacity);
        public string Name => "hand-written ContentCache";
        public bool TryGet(CacheKey key, out GameContent content) => _cache.TryGet(key, out content);
        public void Set(CacheKey key, GameContent content) => _cache.Set(key, content);
        public int Count => _cache.Count;
    }

    /// <summary>What a MemoryCache-backed ContentCache would do: Size 1 per entry, SizeLimit = capacity, a hit counter.</summary>
    private sealed class MemoryCacheContent : IContentCandidate
    {
        private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = ContentCapacity });
        private long _hits;
        public string Name => "MemoryCache SizeLimit";
        public bool TryGet(CacheKey key, out GameContent content)
        {
            if (_cache.TryGetValue(key, out GameContent? found))
            {
                Interlocked.Increment(ref _hits);
                content = found!;
                return true;
            }
            content = null!;
            return false;
        }
        public void Set(CacheKey key, GameContent content)
        {
            using var entry = _cache.CreateEntry(key);
            entry.Size = 1;
            entry.Value = content;
        }
        public int Count => _cache.Count;
    }

    /// <summary>BitFaster's caches count hits themselves (<c>Metrics</c>).</summary>
    private sealed class BitFasterContent(string name, ICache<CacheKey, GameContent> cache) : IContentCandidate
    {
        public string Name => name;
        public bool TryGet(CacheKey key, out GameContent content) => cache.TryGet(key, out content!);
        public void Set(CacheKey key, GameContent content) => cache.AddOrUpdate(key, content);
        public int Count => cache.Count;
    }

    private sealed class ContentWorkload
    {
        public static readonly Func<IContentCandidate>[] Candidates =
        [
            () => new HandWrittenContent(),
            () => new MemoryCacheContent(),
            () => new BitFasterContent("BitFaster ConcurrentLru", new ConcurrentLru<CacheKey, GameContent>(ContentCapacity)),
            () => new BitFasterContent("BitFaster ConcurrentLfu", new ConcurrentLfu<CacheKey, GameContent>(ContentCapacity)),
        ];

        private static readonly IReadOnlyDictionary<string, string> Params = new Dictionary<string, string> { ["level"] = "10" };
        private readonly GameContent _value = ContentFactory.Generate(ContentType.Character, Params, 1);
        /// <summary>Hits: 800 keys, all within the capacity. Misses: 200,000 fresh seeds. Zipf: 10,000 keys, s = 0.9.</summary>
        private readonly CacheKey[] _hot;
        private readonly CacheKey[] _cold;
        private readonly CacheKey[] _zipfKeys;
        private readonly int[] _zipf;
        private readonly int[][] _orders;

        public ContentWorkload()
        {
            var canonical = CacheKey.Canonicalize(Params);
            _hot = Enumerable.Range(0, 800).Select(i => new CacheKey(ContentType.Character, canonical, i)).ToArray();
            _cold = Enumerable.Range(0, 200_000).Select(i => new CacheKey(ContentType.Character, canonical, 1_000_000 + i)).ToArray();
            _zipfKeys = Enumerable.Range(0, 10_000).Select(i => new CacheKey(ContentType.Item, canonical, i)).ToArray();
            _zipf = Zipf(_zipfKeys.Length, 0.9, 1 << 20, seed: 7);
            var random = new Random(3);
            _orders = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 1 << 16).Select(_ => random.Next(_hot.Length)).ToArray()).ToArray();
        }

        public void Measure(Func<IContentCandidate> make, double seconds)
        {
            var cache = make();
            foreach (var key in _hot)
                cache.Set(key, _value);
            // MemoryCache compacts in the background; let it settle, then make sure every hot key is in.
            Thread.Sleep(50);
            foreach (var key in _hot)
                if (!cache.TryGet(key, out _))
                    cache.Set(key, _value);
            Func<int, Func<long, bool>> hit = t =>
            {
                var order = _orders[t];
                return n => cache.TryGet(_hot[order[n & 0xFFFF]], out _);
            };
            var hit1 = Time(1, seconds, hit);
            var hit2 = Time(2, seconds, hit);
            var next = 0L;
            var miss = Time(1, seconds, thread => n =>
            {
                var key = _cold[next++ % _cold.Length];
                if (!cache.TryGet(key, out _))
                    cache.Set(key, _value);
                return true;
            });

            var zipfCache = make();
            long hits = 0, ops = 0;
            var zipf = Time(1, seconds, thread => n =>
            {
                var key = _zipfKeys[_zipf[n & ((1 << 20) - 1)]];
                ops++;
                if (zipfCache.TryGet(key, out _))
                {
                    hits++;
                    return true;
                }
                zipfCache.Set(key, _value);
                return false;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"content {cache.Name,-26} | {Figures("hit 1T", hit1)} | {Figures("hit 2T", hit2)} | {Figures("miss+set", miss)} | {Figures("zipf", zipf)} hit ratio {100.0 * hits / ops:0.0} % | load {LoadAverage()}"));
        }

        /// <summary>The strict LRU's hit ratio on the same Zipf stream at larger capacities: what more entries buy.</summary>
        public void LruCapacities()
        {
            foreach (var capacity in new[] { 1_000, 1_250, 1_500, 2_000 })
            {
                var lru = new LruCache<CacheKey, GameContent>(capacity);
                var hits = 0;
                foreach (var index in _zipf)
                {
                    if (lru.TryGet(_zipfKeys[index], out _))
                        hits++;
                    else
                        lru.Set(_zipfKeys[index], _value);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"content hand-written LRU, capacity {capacity,5} | zipf hit ratio {100.0 * hits / _zipf.Length:0.0} %"));
            }
        }

        /// <summary>200,000 inserts of fresh keys: the most entries ever held, and how many inserts were there right after.</summary>
        public void Bound(Func<IContentCandidate> make)
        {
            var cache = make();
            var peak = 0;
            var kept = 0;
            foreach (var key in _cold)
            {
                cache.Set(key, _value);
                if (cache.TryGet(key, out _))
                    kept++;
                peak = Math.Max(peak, cache.Count);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"content {cache.Name,-26} | bound {ContentCapacity} entries: peak {peak}, now {cache.Count}; inserts found right after {100.0 * kept / _cold.Length:0.0} %"));
        }
    }

    // ---------------------------------------------------------------- preview

    public interface IPreviewCandidate
    {
        string Name { get; }
        byte[] GetOrRender(GameContent content, PreviewOptions options);
        /// <summary>PNG bytes held now (by the candidate's own count where it keeps one, otherwise summed over its entries).</summary>
        long HeldBytes { get; }
        int Count { get; }
    }

    private sealed class HandWrittenPreview(Func<GameContent, PreviewOptions, byte[]> render) : IPreviewCandidate
    {
        private readonly PreviewCache _cache = new(PreviewCapacity, PreviewBytes, render);
        public string Name => "hand-written PreviewCache";
        public byte[] GetOrRender(GameContent content, PreviewOptions options) => _cache.GetOrRender(content, options);
        public long HeldBytes => _cache.Bytes;
        public int Count => _cache.Count;
    }

    /// <summary>The front every library candidate needs: validation, the key, one render per key at a time, and a PNG larger than the budget not kept.</summary>
    private abstract class LibraryPreview(Func<GameContent, PreviewOptions, byte[]> render) : IPreviewCandidate
    {
        private readonly ConcurrentDictionary<(string, PreviewOptions), Lazy<byte[]>> _rendering = new();
        public abstract string Name { get; }
        public abstract long HeldBytes { get; }
        public abstract int Count { get; }
        protected abstract bool TryGet((string, PreviewOptions) key, out byte[] png);
        protected abstract void Set((string, PreviewOptions) key, byte[] png);

        public byte[] GetOrRender(GameContent content, PreviewOptions options)
        {
            var errors = PreviewRenderer.Validate(content, options);
            if (errors.Count > 0)
                throw new PreviewRequestException(errors[0].Field, string.Join("; ", errors.Select(e => e.Message)));
            var key = (content.Id ?? ContentJson.ComputeId(content), options);
            if (TryGet(key, out var cached))
                return cached;
            var lazy = _rendering.GetOrAdd(key, _ => new Lazy<byte[]>(() => render(content, options), LazyThreadSafetyMode.ExecutionAndPublication));
            try
            {
                var png = lazy.Value;
                if (png.LongLength <= PreviewBytes)
                    Set(key, png);
                return png;
            }
            finally
            {
                _rendering.TryRemove(KeyValuePair.Create(key, lazy));
            }
        }
    }

    private sealed class MemoryCachePreview(Func<GameContent, PreviewOptions, byte[]> render) : LibraryPreview(render)
    {
        private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = PreviewBytes, TrackStatistics = true });
        public override string Name => "MemoryCache SizeLimit=bytes";
        public override long HeldBytes => _cache.GetCurrentStatistics()!.CurrentEstimatedSize ?? 0;
        public override int Count => _cache.Count;
        protected override bool TryGet((string, PreviewOptions) key, out byte[] png) => _cache.TryGetValue(key, out png!);
        protected override void Set((string, PreviewOptions) key, byte[] png)
        {
            using var entry = _cache.CreateEntry(key);
            entry.Size = png.LongLength;
            entry.Value = png;
        }
    }

    /// <summary>Bounded by entry count only: BitFaster.Caching 2.6.1 has no weigher (weighted LFU is an open pull request).</summary>
    private sealed class BitFasterPreview(string name, ICache<(string, PreviewOptions), byte[]> cache, Func<GameContent, PreviewOptions, byte[]> render)
        : LibraryPreview(render)
    {
        public override string Name => name;
        public override long HeldBytes => cache.Sum(pair => pair.Value.LongLength);
        public override int Count => cache.Count;
        protected override bool TryGet((string, PreviewOptions) key, out byte[] png) => cache.TryGet(key, out png!);
        protected override void Set((string, PreviewOptions) key, byte[] png) => cache.AddOrUpdate(key, png);
    }

    private sealed class PreviewWorkload
    {
        public static readonly Func<Func<GameContent, PreviewOptions, byte[]>, IPreviewCandidate>[] Candidates =
        [
            render => new HandWrittenPreview(render),
            render => new MemoryCachePreview(render),
            render => new BitFasterPreview("BitFaster ConcurrentLru", new ConcurrentLru<(string, PreviewOptions), byte[]>(PreviewCapacity), render),
            render => new BitFasterPreview("BitFaster ConcurrentLfu", new ConcurrentLfu<(string, PreviewOptions), byte[]>(PreviewCapacity), render),
        ];

        /// <summary>
        /// PNG lengths as the node serves them: 70 % sprites and cards (2–16 KB), 25 % mid-size maps (64–512 KB),
        /// 5 % large maps (1–4 MB); 8 prepared arrays per class, shared by the keys of that class.
        /// </summary>
        private readonly byte[][][] _pngs;
        private readonly Dictionary<string, byte[]> _pngById = new(StringComparer.Ordinal);
        private readonly GameContent[] _hot;   // 200 previews, at most 48 MiB in all: every one fits the budget
        private readonly GameContent[] _cold;  // 20,000 previews, many times the budget
        private readonly int[][] _orders;
        private static readonly PreviewOptions Options = new(128);

        public PreviewWorkload()
        {
            var random = new Random(11);
            _pngs =
            [
                Enumerable.Range(0, 8).Select(_ => new byte[random.Next(2_000, 16_000)]).ToArray(),
                Enumerable.Range(0, 8).Select(_ => new byte[random.Next(64_000, 512_000)]).ToArray(),
                Enumerable.Range(0, 8).Select(_ => new byte[random.Next(1_000_000, 4_000_000)]).ToArray(),
            ];
            var template = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string>(), 5);
            GameContent Make(string id)
            {
                var roll = random.Next(100);
                var pool = _pngs[roll < 70 ? 0 : roll < 95 ? 1 : 2];
                _pngById[id] = pool[random.Next(pool.Length)];
                return template with { Id = id };
            }
            _hot = Enumerable.Range(0, 200).Select(i => Make($"hot-{i:D5}")).ToArray();
            while (_hot.Sum(c => (long)_pngById[c.Id!].Length) > PreviewBytes * 3 / 4)
                _hot = Enumerable.Range(0, 200).Select(i => Make($"hot-{i:D5}")).ToArray();
            _cold = Enumerable.Range(0, 20_000).Select(i => Make($"cold-{i:D5}")).ToArray();
            _orders = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 1 << 16).Select(_ => random.Next(_hot.Length)).ToArray()).ToArray();
        }

        private long _renders;

        private byte[] Render(GameContent content, PreviewOptions options)
        {
            Interlocked.Increment(ref _renders);
            return _pngById[content.Id!];
        }

        public void Measure(Func<Func<GameContent, PreviewOptions, byte[]>, IPreviewCandidate> make, double seconds)
        {
            var cache = make(Render);
            foreach (var content in _hot)
                cache.GetOrRender(content, Options);
            Thread.Sleep(50);
            foreach (var content in _hot)
                cache.GetOrRender(content, Options);
            Func<int, Func<long, bool>> hit = t =>
            {
                var order = _orders[t];
                return n => cache.GetOrRender(_hot[order[n & 0xFFFF]], Options).Length > 0;
            };
            var hit1 = Time(1, seconds, hit);
            var hit2 = Time(2, seconds, hit);
            var next = 0L;
            var miss = Time(1, seconds, thread => n => cache.GetOrRender(_cold[next++ % _cold.Length], Options).Length > 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"preview {cache.Name,-28} | {Figures("hit 1T", hit1)} | {Figures("hit 2T", hit2)} | {Figures("miss+set", miss)} | load {LoadAverage()}"));
        }

        /// <summary>20,000 fresh previews through one cache: peak bytes and entries held, and how many were kept.</summary>
        public void Bound(Func<Func<GameContent, PreviewOptions, byte[]>, IPreviewCandidate> make)
        {
            var cache = make(Render);
            long peakBytes = 0;
            var peakCount = 0;
            var kept = 0;
            var sampled = 0;
            for (var i = 0; i < _cold.Length; i++)
            {
                cache.GetOrRender(_cold[i], Options);
                // Summing a BitFaster cache's entries is slow; every 4th insert is enough to find the peak.
                if ((i & 3) != 0)
                    continue;
                sampled++;
                peakBytes = Math.Max(peakBytes, cache.HeldBytes);
                peakCount = Math.Max(peakCount, cache.Count);
                // Kept if asking again renders nothing.
                var renders = Interlocked.Read(ref _renders);
                cache.GetOrRender(_cold[i], Options);
                if (Interlocked.Read(ref _renders) == renders)
                    kept++;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"preview {cache.Name,-28} | bound {PreviewBytes / 1048576} MiB / {PreviewCapacity} entries: peak {peakBytes / 1048576.0:0.0} MiB, {peakCount} entries; now {cache.HeldBytes / 1048576.0:0.0} MiB; inserts found right after {100.0 * kept / sampled:0.0} %"));
        }
    }

    /// <summary>A fixed-seed Zipf stream of <paramref name="count"/> indices over <paramref name="n"/> keys.</summary>
    private static int[] Zipf(int n, double s, int count, int seed)
    {
        var cdf = new double[n];
        double sum = 0;
        for (var i = 0; i < n; i++)
            cdf[i] = sum += 1 / Math.Pow(i + 1, s);
        var random = new Random(seed);
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble() * sum;
            var index = Array.BinarySearch(cdf, u);
            result[i] = Math.Min(n - 1, index < 0 ? ~index : index);
        }
        return result;
    }
}
