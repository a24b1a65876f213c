namespace P2PActors.Content.Validation;

/// <summary>Reads the data files the Content assembly embeds from its <c>Data/</c> folder.</summary>
internal static class EmbeddedData
{
    public static IEnumerable<string> ReadLines(string fileName)
    {
        var assembly = typeof(EmbeddedData).Assembly;
        var resource = assembly.GetManifestResourceNames()
            .SingleOrDefault(name => name.EndsWith("." + fileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Embedded data file '{fileName}' is missing from {assembly.GetName().Name}.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            lines.Add(line);
        return lines;
    }
}
