using CsCheck;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Content.Tests;

internal static class TestSupport
{
    public static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();

    public static readonly ContentType[] AllTypes = Enum.GetValues<ContentType>();

    public static readonly Gen<long> Seed = Gen.Long[0, Seeds.Max];

    public static Dictionary<string, string> P(params (string Key, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!.ToLowerInvariant());

    public static T Generate<T>(long seed, params (string Key, object Value)[] parameters) where T : GameContent
    {
        var type = typeof(T) == typeof(Character) ? ContentType.Character
            : typeof(T) == typeof(Item) ? ContentType.Item
            : typeof(T) == typeof(Quest) ? ContentType.Quest
            : typeof(T) == typeof(GameMap) ? ContentType.Map
            : ContentType.Dialog;
        return (T)ContentFactory.Generate(type, P(parameters), seed);
    }

    /// <summary>The content's JSON with seed and id blanked, to compare what was generated rather than how it is labelled.</summary>
    public static string Body(GameContent content) => ContentJson.Serialize(content with { Seed = 0, Id = null });
}
