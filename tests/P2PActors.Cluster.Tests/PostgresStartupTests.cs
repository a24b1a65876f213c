using System.Net;
using System.Net.Sockets;
using Npgsql;
using P2PActors.Cluster.Hosting;
using P2PActors.Testing;

namespace P2PActors.Cluster.Tests;

/// <summary>The start-up check of the PostgreSQL journal: what it waits for, what it gives up on at once.</summary>
public sealed class PostgresStartupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_closed_port_is_retried_with_growing_backoff_until_the_timeout()
    {
        var retries = new List<DatabaseRetry>();
        var check = await PostgresStartup.WaitUntilReadyAsync(
            $"Host=127.0.0.1;Port={ClosedPort()};Username=u;Password=p;Database=d", TimeSpan.FromSeconds(2), retries.Add)
            .WaitAsync(Patience);

        Assert.Equal(DatabaseCheckOutcome.Unreachable, check.Outcome);
        Assert.True(retries.Count >= 2, $"{retries.Count} retries");
        Assert.Equal(retries.Count + 1, check.Attempts);
        Assert.Equal(Enumerable.Range(1, retries.Count), retries.Select(r => r.Attempt));
        // Each wait at least as long as the one before (until the deadline cuts the last), never over 4 s.
        Assert.All(retries.Zip(retries.Skip(1), (before, after) => (before, after)),
            pair => Assert.True(pair.after.RetryIn >= pair.before.RetryIn || pair.after.RetryIn == pair.after.Remaining, $"{pair}"));
        Assert.All(retries, r => Assert.InRange(r.RetryIn, TimeSpan.Zero, TimeSpan.FromSeconds(4)));
        Assert.Contains("refused", check.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_ends_as_unreachable_instead_of_hanging()
    {
        // The kernel completes the handshake; nothing ever reads or answers the start-up message.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var check = await PostgresStartup.WaitUntilReadyAsync(
                $"Host=127.0.0.1;Port={port};Username=u;Password=p;Database=d", TimeSpan.FromSeconds(2), _ => { })
                .WaitAsync(Patience);

            Assert.Equal(DatabaseCheckOutcome.Unreachable, check.Outcome);
        }
        finally
        {
            silent.Stop();
        }
    }

    [PostgresFact]
    public async Task The_test_server_is_ready_at_the_first_attempt()
    {
        var retries = new List<DatabaseRetry>();
        var check = await PostgresStartup.WaitUntilReadyAsync(Components.PostgresConnectionString!, TimeSpan.FromSeconds(10), retries.Add);

        Assert.Equal(DatabaseCheckOutcome.Ready, check.Outcome);
        Assert.Equal(1, check.Attempts);
        Assert.Empty(retries);
    }

    [PostgresFact]
    public async Task A_wrong_password_is_refused_at_the_first_attempt_even_with_time_left()
    {
        var wrong = new NpgsqlConnectionStringBuilder(Components.PostgresConnectionString) { Password = "not-" + Guid.NewGuid().ToString("N") };
        var retries = new List<DatabaseRetry>();
        var check = await PostgresStartup.WaitUntilReadyAsync(wrong.ConnectionString, TimeSpan.FromMinutes(5), retries.Add).WaitAsync(Patience);

        Assert.Equal(DatabaseCheckOutcome.Refused, check.Outcome);
        Assert.Equal(1, check.Attempts);
        Assert.Empty(retries);
        Assert.Contains("28P01", check.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Password!, check.Detail, StringComparison.Ordinal);
    }
}

/// <summary>What the node says about a connection string it cannot use.</summary>
public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("Host=db;Pasword=x;Database=d", "pasword")]
    [InlineData("", "is required")]
    [InlineData("Username=u;Password=p", "has no Host")]
    public void A_bad_connection_string_is_explained(string connectionString, string expected) =>
        Assert.Contains(expected, PersistenceProviders.PostgresConnectionStringProblem(connectionString), StringComparison.Ordinal);

    [Fact]
    public void A_password_split_by_an_unquoted_semicolon_is_not_repeated()
    {
        var problem = PersistenceProviders.PostgresConnectionStringProblem("Host=db;Username=u;Password=hunter;tailofsecret=zz");

        Assert.NotNull(problem);
        Assert.DoesNotContain("tailofsecret", problem, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter", problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_usable_connection_string_has_no_problem() =>
        Assert.Null(PersistenceProviders.PostgresConnectionStringProblem("Host=db;Username=u;Password='a;b';Database=d"));
}
