namespace P2PActors.Node.Configuration;

/// <summary>The node's configuration cannot run a node; the CLI prints the problems and exits with code 2.</summary>
public sealed class NodeConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
