using BenchmarkDotNet.Attributes;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Benchmarks;

/// <summary>
/// Pure generation, id included (canonical JSON + SHA-256), as ContentFactory.Generate returns it.
/// Each invocation uses the next seed so caches inside the generators cannot flatter the numbers.
/// In-process: on this shared 2-core machine BenchmarkDotNet's generated project often misses its 2-minute build timeout.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
public class GenerationBenchmarks
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, string> Map64Overworld =
        new Dictionary<string, string> { ["width"] = "64", ["height"] = "64", ["generator"] = "overworld" };
    private static readonly IReadOnlyDictionary<string, string> Map64Dungeon =
        new Dictionary<string, string> { ["width"] = "64", ["height"] = "64", ["generator"] = "dungeon" };

    private long _seed;

    [Benchmark]
    public GameContent Character() => ContentFactory.Generate(ContentType.Character, None, ++_seed);

    [Benchmark]
    public GameContent Item() => ContentFactory.Generate(ContentType.Item, None, ++_seed);

    [Benchmark]
    public GameContent Quest() => ContentFactory.Generate(ContentType.Quest, None, ++_seed);

    [Benchmark]
    public GameContent Dialog() => ContentFactory.Generate(ContentType.Dialog, None, ++_seed);

    [Benchmark]
    public GameContent MapOverworld64() => ContentFactory.Generate(ContentType.Map, Map64Overworld, ++_seed);

    [Benchmark]
    public GameContent MapDungeon64() => ContentFactory.Generate(ContentType.Map, Map64Dungeon, ++_seed);
}
