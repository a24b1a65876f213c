using System.Reflection;
using P2PActors.Content.Validation;

namespace P2PActors.Content.Generation;

/// <summary>The word lists and grammars shipped as embedded files under Data/, loaded and compiled once.</summary>
internal static class ContentData
{
    // Invented names pass the same profanity filter validators apply, so honest content is never voted down for one.
    public static readonly MarkovNames People = new(ReadLines("people.txt"), minLength: 3, maxLength: 9, ProfanityFilter.Default.IsClean);
    public static readonly MarkovNames Places = new(ReadLines("places.txt"), minLength: 4, maxLength: 11, ProfanityFilter.Default.IsClean);

    public static readonly Grammar Grammar = new(
        ResourceNames().Where(n => n.EndsWith(".grammar", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(n => (n, Read(n))),
        new Dictionary<string, Func<Rng, string>>(StringComparer.Ordinal)
        {
            ["person"] = People.Next,
            ["place"] = Places.Next,
        });

    private static IEnumerable<string> ResourceNames() =>
        typeof(ContentData).Assembly.GetManifestResourceNames().Where(n => n.Contains(".Data.", StringComparison.Ordinal));

    private static IEnumerable<string> ReadLines(string fileName)
    {
        var name = ResourceNames().SingleOrDefault(n => n.EndsWith(".Data." + fileName, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"embedded data file Data/{fileName} is missing");
        return Read(name).Split('\n');
    }

    private static string Read(string resourceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new InvalidDataException($"embedded resource {resourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
