using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace P2PActors.Node.Cli;

/// <summary>
/// The command line. Each command lives in its own file and only has to be added here; running with no
/// command runs a node, so the one-line set-up in the README stays <c>dotnet run --project src/P2PActors.Node</c>.
/// </summary>
public static class NodeCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("P2PActors: a peer that generates, validates and shares game content.");
        var node = NodeCommand.Create();
        // The root repeats the node command's options and action so that flags work without typing "node".
        foreach (var option in node.Options)
            root.Options.Add(option);
        root.Action = node.Action;
        root.Subcommands.Add(node);
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(RenderCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(ChaosCommand.Create());
        root.Subcommands.Add(Simulate.SimulateCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        DurationOptions.Apply(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (var parseError in parseResult.Errors)
                await error.WriteLineAsync(Describe(parseError));
            await error.WriteLineAsync("Run with --help to see the commands and options.");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // The generic host handles Ctrl+C and SIGTERM itself and shuts the actor system down in order.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>Some parse errors ("Argument 'x' not recognized") do not say which flag they are about; prefix it.</summary>
    private static string Describe(ParseError parseError)
    {
        var option = parseError.SymbolResult switch
        {
            OptionResult optionResult => optionResult.Option,
            ArgumentResult { Parent: OptionResult optionResult } => optionResult.Option,
            _ => null,
        };
        return option is null || parseError.Message.Contains(option.Name, StringComparison.Ordinal)
            ? parseError.Message
            : $"{option.Name}: {parseError.Message}";
    }
}
