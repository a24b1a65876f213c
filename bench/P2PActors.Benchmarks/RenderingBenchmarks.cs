using BenchmarkDotNet.Attributes;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Rendering;

namespace P2PActors.Benchmarks;

/// <summary>
/// Preview rendering, PNG encoding included (each benchmark returns the PNG bytes).
/// Targets: a 64 px character sprite ≤ 1 ms, a 128×128 map at 8 px per tile ≤ 20 ms.
/// In-process, like the other benchmarks here: the generated project misses BenchmarkDotNet's build timeout on this
/// shared machine.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
public class RenderingBenchmarks
{
    private static readonly Dictionary<string, string> NoParameters = new();
    private GameContent _character = null!;
    private GameContent _item = null!;
    private GameContent _overworld = null!;
    private GameContent _dungeon = null!;
    private GameContent _quest = null!;
    private GameContent _dialog = null!;

    [GlobalSetup]
    public void Setup()
    {
        _character = ContentFactory.Generate(ContentType.Character, NoParameters, 42);
        _item = ContentFactory.Generate(ContentType.Item, new Dictionary<string, string> { ["rarity"] = "legendary" }, 42);
        _overworld = ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["width"] = "128", ["height"] = "128", ["generator"] = "overworld" }, 42);
        _dungeon = ContentFactory.Generate(ContentType.Map,
            new Dictionary<string, string> { ["width"] = "128", ["height"] = "128", ["generator"] = "dungeon" }, 42);
        _quest = ContentFactory.Generate(ContentType.Quest, NoParameters, 42);
        _dialog = ContentFactory.Generate(ContentType.Dialog, NoParameters, 42);
    }

    [Benchmark]
    public byte[] Character64() => PreviewRenderer.RenderPng(_character, new PreviewOptions(64));

    [Benchmark]
    public byte[] Character256() => PreviewRenderer.RenderPng(_character, new PreviewOptions(256));

    [Benchmark]
    public byte[] ItemLegendary64() => PreviewRenderer.RenderPng(_item, new PreviewOptions(64));

    [Benchmark]
    public byte[] Overworld128At8px() => PreviewRenderer.RenderPng(_overworld, new PreviewOptions(TileSize: 8));

    [Benchmark]
    public byte[] Dungeon128At8pxGrid() => PreviewRenderer.RenderPng(_dungeon, new PreviewOptions(Grid: true, TileSize: 8));

    [Benchmark]
    public byte[] Overworld128Fit256() => PreviewRenderer.RenderPng(_overworld, new PreviewOptions(256));

    [Benchmark]
    public byte[] QuestCard256() => PreviewRenderer.RenderPng(_quest, new PreviewOptions(256));

    [Benchmark]
    public byte[] DialogTree512() => PreviewRenderer.RenderPng(_dialog, new PreviewOptions(512));
}
