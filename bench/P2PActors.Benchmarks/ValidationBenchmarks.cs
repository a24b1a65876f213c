using BenchmarkDotNet.Attributes;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Content.Validation;

namespace P2PActors.Benchmarks;

/// <summary>The local check a validator runs before voting, per content type, and the profanity filter alone.</summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private GameContent _character = null!;
    private GameContent _item = null!;
    private GameContent _quest = null!;
    private GameContent _dialog = null!;
    private GameContent _map64 = null!;
    private GameContent _map256 = null!;
    private string _sentence = "";
    private string _characterJson = "";
    private string _dialogJson = "";

    [GlobalSetup]
    public void Setup()
    {
        _character = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string>(), 1);
        _item = ContentFactory.Generate(ContentType.Item, new Dictionary<string, string>(), 1);
        _quest = ContentFactory.Generate(ContentType.Quest, new Dictionary<string, string>(), 1);
        _dialog = ContentFactory.Generate(ContentType.Dialog, new Dictionary<string, string> { ["depth"] = "4" }, 1);
        _map64 = ContentFactory.Generate(ContentType.Map, new Dictionary<string, string> { ["width"] = "64", ["height"] = "64" }, 1);
        _map256 = ContentFactory.Generate(ContentType.Map, new Dictionary<string, string> { ["width"] = "256", ["height"] = "256" }, 1);
        _sentence = ((Quest)_quest).Description;
        _characterJson = ContentJson.Serialize(_character);
        _dialogJson = ContentJson.Serialize(_dialog);
        _ = ProfanityFilter.Default.IsClean("warm up");
    }

    [Benchmark(Description = "Validate character")]
    public bool Character() => ContentValidator.Validate(_character).IsValid;

    [Benchmark(Description = "Validate item")]
    public bool Item() => ContentValidator.Validate(_item).IsValid;

    [Benchmark(Description = "Validate quest")]
    public bool Quest() => ContentValidator.Validate(_quest).IsValid;

    [Benchmark(Description = "Validate dialog (depth 4)")]
    public bool Dialog() => ContentValidator.Validate(_dialog).IsValid;

    [Benchmark(Description = "Validate map 64x64")]
    public bool Map64() => ContentValidator.Validate(_map64).IsValid;

    [Benchmark(Description = "Validate map 256x256")]
    public bool Map256() => ContentValidator.Validate(_map256).IsValid;

    [Benchmark(Description = "Parse character JSON")]
    public GameContent ParseCharacter() => ContentJson.Deserialize(_characterJson);

    [Benchmark(Description = "Parse dialog JSON (depth 4)")]
    public GameContent ParseDialog() => ContentJson.Deserialize(_dialogJson);

    [Benchmark(Description = "Content id of a dialog (canonical JSON + SHA-256)")]
    public string DialogId() => ContentJson.ComputeId(_dialog);

    [Benchmark(Description = "Profanity check of a quest description")]
    public bool ProfanitySentence() => ProfanityFilter.Default.IsClean(_sentence);
}

/// <summary>
/// What one validator spends on one proposal (see <c>ValidatorActor.Judge</c>): parse the proposal's JSON, run every
/// local rule with the claimed id, compare ids. Per content type over 1,000 generated items (seeded), and over the
/// chaos run's mix of 1,000 items (all five types, half of them broken on purpose). The mean is per item.
/// </summary>
[MemoryDiagnoser]
public class JudgeValidationBenchmarks
{
    private const int Items = 1_000;

    private readonly ContentValidator _validator = new();
    private (string Json, string Id)[] _proposals = [];

    [Params("character", "item", "quest", "dialog", "map64", "chaos-mix")]
    public string Workload { get; set; } = "chaos-mix";

    [GlobalSetup]
    public void Setup()
    {
        var empty = new Dictionary<string, string>();
        IEnumerable<GameContent> contents = Workload switch
        {
            "chaos-mix" => P2PActors.Cluster.Chaos.ChaosWorkload.Create(Items, 42, 0.5).Select(i => i.Content),
            "map64" => Enumerable.Range(0, Items).Select(s => ContentFactory.Generate(ContentType.Map,
                new Dictionary<string, string> { ["width"] = "64", ["height"] = "64" }, s * 7919L + 1)),
            _ => Enumerable.Range(0, Items).Select(s =>
                ContentFactory.Generate(ContentTypes.TryParse(Workload, out var t) ? t : throw new ArgumentException(Workload), empty, s * 7919L + 1)),
        };
        _proposals = contents.Select(c => (ContentJson.Serialize(c), c.Id!)).ToArray();
        _ = Judge();
    }

    /// <summary>The validator's path as <c>ValidatorActor.Judge</c> runs it: deserialize, check with the claimed id, compare ids.</summary>
    [Benchmark(OperationsPerInvoke = Items, Description = "Parse + validate (Deserialize + Check)")]
    public int Judge()
    {
        var approved = 0;
        foreach (var (json, id) in _proposals)
        {
            var content = ContentJson.Deserialize(json);
            var result = _validator.Check(content with { Id = id });
            if (result.IsValid && string.Equals(content.Id, id, StringComparison.Ordinal))
                approved++;
        }
        return approved;
    }

    /// <summary>The same verdict in one call: the canonical JSON read strictly and its own bytes hashed for the id.</summary>
    [Benchmark(OperationsPerInvoke = Items, Description = "Parse + validate (CheckJson)")]
    public int CheckJson()
    {
        var approved = 0;
        foreach (var (json, id) in _proposals)
        {
            if (_validator.CheckJson(json, id).IsApproved)
                approved++;
        }
        return approved;
    }
}
