using System.CommandLine;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>keys [--data-dir DIR]</c>: makes a node's validator key before the node first starts (or reads the one it has)
/// and prints its public half, the validator id — what an operator puts on the validator list of a closed cluster.
/// The key is the same file the node uses (<c>{data}/validator.key</c>), so the node later votes under exactly that id.
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Data directory of the node whose key to make or read [default: the node's DataDirectory setting (P2PActors__DataDirectory), else ./data]",
        };
        var command = new Command("keys", "Make this node's validator key if it has none, and print its validator id (for --validators / --validators-file).")
        {
            dataDir,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var directory = parseResult.GetValue(dataDir);
            if (directory is null)
            {
                // The folder the node itself would use here (a node set up through its environment, or in its image),
                // not ./data, which may be another node's.
                var (configuration, problem) = HealthCommand.ReadNodeSettings();
                if (configuration is null)
                {
                    await error.WriteLineAsync(problem);
                    return ExitCodes.Usage;
                }
                directory = configuration[$"{Configuration.NodeOptions.Section}:DataDirectory"] ?? new Configuration.NodeOptions().DataDirectory;
            }
            try
            {
                using var identity = ValidatorIdentity.LoadOrCreate(directory);
                await output.WriteLineAsync(identity.ValidatorId);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
            {
                // The path as given: an empty one has no full path, and GetFullPath would throw again here.
                await error.WriteLineAsync($"--data-dir: '{directory}': {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
