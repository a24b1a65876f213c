namespace P2PActors.Node.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The node or command started and then failed (port in use, disk full, downed by the cluster...).</summary>
    public const int Failure = 1;

    /// <summary>
    /// The command line or configuration was wrong, or the database it names refused the login or stayed unreachable
    /// for the start-up timeout; nothing was started.
    /// </summary>
    public const int Usage = 2;

    /// <summary>
    /// A chaos run finished and found a broken guarantee: invalid content accepted, or a bad catalog entry on an honest
    /// node; or a simulate run's nodes did not converge, lost an acknowledged write, or admitted invalid content.
    /// </summary>
    public const int GuaranteeBroken = 3;
}
