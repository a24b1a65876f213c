using System.CommandLine;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Rendering;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>render &lt;type&gt; [--seed N] [--param key=value]... --out file.png [--size N] [--grid] [--tile-size N]</c>:
/// generates content as <c>generate</c> does and writes its preview. No actor system is started.
/// </summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = $"Content type: {ContentTypes.Names}" };
        var seed = SeedOption.Create($"Seed from 0 to {Seeds.Max}; omitted, a fresh random seed");
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A generator parameter as key=value, repeatable (e.g. -p level=10 -p class=mage)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The PNG file to write", Required = true };
        var size = new Option<int>("--size")
        {
            Description = $"Longest side in pixels, {PreviewRenderer.MinSize} to {PreviewRenderer.MaxSide}",
            DefaultValueFactory = _ => PreviewOptions.Default.Size,
        };
        var grid = new Option<bool>("--grid") { Description = "Maps only: draw lines between tiles" };
        var tileSize = new Option<int?>("--tile-size") { Description = $"Maps only: pixels per tile, 1 to {PreviewRenderer.MaxTileSize}" };
        var command = new Command("render", "Generate one content and write its PNG preview, without starting a node.")
        {
            type, seed, parameters, output, size, grid, tileSize,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetRequiredValue(type),
            parseResult.GetValue(seed),
            parseResult.GetValue(parameters) ?? [],
            parseResult.GetRequiredValue(output),
            new PreviewOptions(parseResult.GetValue(size), parseResult.GetValue(grid), parseResult.GetValue(tileSize)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(
        string typeName, long? seed, string[] rawParameters, FileInfo file, PreviewOptions options, TextWriter output, TextWriter error)
    {
        var problems = GenerateCommand.ReadRequest(typeName, seed, rawParameters, out var type, out var parameters);
        GameContent? content = null;
        if (problems.Count == 0)
        {
            content = ContentFactory.Generate(type, parameters, seed ?? Seeds.NewSeed());
            problems.AddRange(PreviewRenderer.Validate(content, options).Select(p => $"{Flag(p.Field)}: {p.Message}"));
        }
        if (content is null || problems.Count > 0)
        {
            foreach (var problem in problems)
                error.WriteLine(problem);
            return ExitCodes.Usage;
        }
        // Checked before writing, so a bad request never truncates an existing file.
        var png = PreviewRenderer.RenderPng(content, options);
        try
        {
            File.WriteAllBytes(file.FullName, png);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"--out: cannot write {file.FullName}: {e.Message}");
            return ExitCodes.Failure;
        }
        output.WriteLine($"wrote {file.FullName}");
        output.WriteLine($"id {content.Id}");
        return ExitCodes.Ok;
    }

    private static string Flag(string field) => field switch
    {
        "size" => "--size",
        "tileSize" => "--tile-size",
        _ => field,
    };
}
