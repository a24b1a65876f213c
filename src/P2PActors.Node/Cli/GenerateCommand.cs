using System.CommandLine;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>generate &lt;type&gt; [--seed N] [--param key=value]...</c>: prints one content's canonical JSON on stdout.
/// Pure generation, no actor system: the same command line prints the same bytes on every machine.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = $"Content type: {ContentTypes.Names}" };
        var seed = SeedOption.Create($"Seed from 0 to {Seeds.Max}; omitted, a fresh random seed (printed in the JSON)");
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A generator parameter as key=value, repeatable (e.g. -p level=10 -p class=mage)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("generate", "Generate one content and print its JSON, without starting a node.") { type, seed, parameters };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(type),
            parseResult.GetValue(seed),
            parseResult.GetValue(parameters) ?? [],
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string typeName, long? seed, string[] rawParameters, TextWriter output, TextWriter error)
    {
        var problems = ReadRequest(typeName, seed, rawParameters, out var type, out var parameters);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                error.WriteLine(problem);
            return ExitCodes.Usage;
        }
        var content = ContentFactory.Generate(type, parameters, seed ?? Seeds.NewSeed());
        output.WriteLine(ContentJson.Serialize(content));
        return ExitCodes.Ok;
    }

    /// <summary>Checks a generation request from the command line; every problem is a line naming its flag. Shared with <c>render</c>.</summary>
    internal static List<string> ReadRequest(
        string typeName, long? seed, string[] rawParameters, out ContentType type, out Dictionary<string, string> parameters)
    {
        var problems = new List<string>();
        if (!ContentTypes.TryParse(typeName, out type))
            problems.Add($"type: unknown content type '{typeName}'; expected one of {ContentTypes.Names}");
        if (seed is { } s && !Seeds.IsValid(s))
            problems.Add($"--seed: {s} is out of range; expected 0 to {Seeds.Max}");
        parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in rawParameters)
        {
            var equals = raw.IndexOf('=');
            if (equals <= 0)
                problems.Add($"--param: '{raw}' is not key=value");
            else if (!parameters.TryAdd(raw[..equals], raw[(equals + 1)..]))
                problems.Add($"--param: '{raw[..equals]}' is given twice");
        }
        if (problems.Count == 0)
            problems.AddRange(ContentFactory.ValidateParameters(type, parameters).Select(p => $"--param {p.Field}: {p.Message}"));
        return problems;
    }
}
