using Npgsql;

namespace P2PActors.Cluster.Hosting;

public enum DatabaseCheckOutcome
{
    /// <summary>A connection opened: the journal can start.</summary>
    Ready,

    /// <summary>The server answered and refused (wrong password, unknown database or role): waiting cannot fix it.</summary>
    Refused,

    /// <summary>No server answered (connection refused, timeout, unknown host) for the whole start-up timeout.</summary>
    Unreachable,
}

/// <param name="Detail">What the server or the network said; never contains the password.</param>
public sealed record DatabaseCheck(DatabaseCheckOutcome Outcome, string Detail, int Attempts);

/// <summary>One failed attempt that will be retried.</summary>
public sealed record DatabaseRetry(int Attempt, string Detail, TimeSpan RetryIn, TimeSpan Remaining);

/// <summary>
/// Opens one connection to the PostgreSQL journal database before the actor system starts. Without it a bad password
/// shows up only as journal errors and passivated players, and a database that is still starting (compose brings
/// services up in parallel) fails the node at once; with it the first is a clear refusal and the second is waited for.
/// </summary>
public static class PostgresStartup
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan MaxAttemptTime = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Tries to open a connection until one opens, the server refuses the login, or <paramref name="timeout"/> has
    /// passed; retries only errors that time can heal (Npgsql's <see cref="NpgsqlException.IsTransient"/>), with
    /// exponential backoff. <paramref name="onRetry"/> hears of each failed attempt that will be retried.
    /// </summary>
    public static async Task<DatabaseCheck> WaitUntilReadyAsync(
        string connectionString, TimeSpan timeout, Action<DatabaseRetry> onRetry, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = deadline - DateTime.UtcNow;
            var attemptTime = remaining < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining > MaxAttemptTime ? MaxAttemptTime : remaining;
            string detail;
            try
            {
                await OpenOnceAsync(connectionString, attemptTime, cancellationToken);
                return new DatabaseCheck(DatabaseCheckOutcome.Ready, "connected", attempt);
            }
            catch (NpgsqlException e) when (!e.IsTransient)
            {
                return new DatabaseCheck(DatabaseCheckOutcome.Refused, Describe(e), attempt);
            }
            catch (NpgsqlException e)
            {
                detail = Describe(e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                detail = $"no answer within {attemptTime.TotalSeconds:0.#} s";
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException or IOException)
            {
                detail = e.Message;
            }

            remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                return new DatabaseCheck(DatabaseCheckOutcome.Unreachable, detail, attempt);
            var wait = delay < remaining ? delay : remaining;
            onRetry(new DatabaseRetry(attempt, detail, wait, remaining));
            await Task.Delay(wait, cancellationToken);
            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }

    private static async Task OpenOnceAsync(string connectionString, TimeSpan attemptTime, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Unpooled: the check must not leave an idle connection behind for the journal's own pool.
            Pooling = false,
            Timeout = (int)Math.Ceiling(attemptTime.TotalSeconds),
        };
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(attemptTime);
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(attemptCancellation.Token);
    }

    /// <summary>The server's own words and SQLSTATE, or the network error; Npgsql puts no password in either.</summary>
    private static string Describe(NpgsqlException e) => e switch
    {
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState})",
        { InnerException: { } inner } => $"{e.Message.TrimEnd('.')}: {inner.Message}",
        _ => e.Message,
    };
}
