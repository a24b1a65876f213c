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
