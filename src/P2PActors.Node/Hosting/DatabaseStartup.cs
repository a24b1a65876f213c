using P2PActors.Cluster.Hosting;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Hosting;

/// <summary>
/// The node's check of its PostgreSQL journal before the actor system starts: a refused login or unknown database
/// ends the node at once, an unreachable server is retried for <see cref="NodeOptions.DatabaseStartupTimeout"/>.
/// SQLite needs no check: its file is created in the data directory.
/// </summary>
public static class DatabaseStartup
{
    /// <returns>null when the node can start; otherwise the message for the operator, naming the setting.</returns>
    public static async Task<string?> CheckAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<NodeOptions>();
        if (options.PersistenceProvider != PersistenceProvider.PostgreSql)
            return null;

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStartup).FullName!);
        var database = PersistenceProviders.DescribePostgres(options.PostgresConnectionString);
        var check = await PostgresStartup.WaitUntilReadyAsync(
            options.PostgresConnectionString,
            options.DatabaseStartupTimeout,
            retry => logger.LogWarning(
                "PostgreSQL {Database} not reachable (attempt {Attempt}: {Detail}); retrying in {RetryIn:0.##} s, giving up in {Remaining:0.#} s",
                database, retry.Attempt, retry.Detail, retry.RetryIn.TotalSeconds, retry.Remaining.TotalSeconds),
            cancellationToken);
        if (check.Outcome == DatabaseCheckOutcome.Ready)
            logger.LogInformation("Journal and snapshots in PostgreSQL {Database}", database);
        return check.Outcome switch
        {
            DatabaseCheckOutcome.Ready => null,
            DatabaseCheckOutcome.Refused =>
                $"{NodeOptions.PostgresSetting}: PostgreSQL {database} refused the connection: {check.Detail}",
            _ => $"{NodeOptions.PostgresSetting}: PostgreSQL {database} was not reachable within "
                 + $"--database-timeout / {NodeOptions.Section}:DatabaseStartupTimeout ({options.DatabaseStartupTimeout}, "
                 + $"{check.Attempts} attempts): {check.Detail}",
        };
    }
}
