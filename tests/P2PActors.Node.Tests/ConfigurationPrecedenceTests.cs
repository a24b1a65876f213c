using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>
/// Environment variables are process-wide, so these tests run alone. Building a host starts nothing
/// (no actor system, no socket), so they only look at what the node would run with.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ConfigurationPrecedenceTests
{
    private static NodeOptions Resolve(Dictionary<string, string?> flags)
    {
        using var app = NodeHost.Build(flags);
        return app.Services.GetRequiredService<NodeOptions>();
    }

    [Fact]
    public void Appsettings_provides_the_embedded_defaults()
    {
        var options = Resolve([]);

        Assert.Equal("http://127.0.0.1:5080", options.HttpUrl);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(4053, options.Port);
        Assert.Equal("./data", options.DataDirectory);
        Assert.Equal(1000, options.CacheCapacity);
        Assert.Equal(Cluster.Hosting.PersistenceProvider.Sqlite, options.PersistenceProvider);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DatabaseStartupTimeout);
    }

    [Fact]
    public void The_persistence_settings_come_from_the_environment_and_a_flag_overrides_them()
    {
        const string connection = "Host=db;Username=p2p;Password=pw;Database=p2pactors";
        Environment.SetEnvironmentVariable("P2PActors__Persistence", "postgresql");
        Environment.SetEnvironmentVariable("P2PActors__PostgresConnectionString", connection);
        Environment.SetEnvironmentVariable("P2PActors__DatabaseStartupTimeout", "00:01:30");
        try
        {
            var fromEnvironment = Resolve([]);
            var fromFlag = Resolve(new() { ["P2PActors:Persistence"] = "sqlite" });

            Assert.Equal(Cluster.Hosting.PersistenceProvider.PostgreSql, fromEnvironment.PersistenceProvider);
            Assert.Equal(connection, fromEnvironment.PostgresConnectionString);
            Assert.Equal(TimeSpan.FromSeconds(90), fromEnvironment.DatabaseStartupTimeout);
            var settings = ActorSystemSetup.ToSettings(fromEnvironment);
            Assert.Equal(Cluster.Hosting.PersistenceProvider.PostgreSql, settings.Persistence);
            Assert.Equal(connection, settings.PostgresConnectionString);
            Assert.Equal(Cluster.Hosting.PersistenceProvider.Sqlite, fromFlag.PersistenceProvider);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__Persistence", null);
            Environment.SetEnvironmentVariable("P2PActors__PostgresConnectionString", null);
            Environment.SetEnvironmentVariable("P2PActors__DatabaseStartupTimeout", null);
        }
    }

    [Fact]
    public void Environment_beats_appsettings_and_a_flag_beats_the_environment()
    {
        Environment.SetEnvironmentVariable("P2PActors__CacheCapacity", "250");
        Environment.SetEnvironmentVariable("P2PActors__Port", "4999");
        try
        {
            var fromEnvironment = Resolve([]);
            var fromFlag = Resolve(new() { ["P2PActors:CacheCapacity"] = "17" });

            Assert.Equal(250, fromEnvironment.CacheCapacity);
            Assert.Equal(4999, fromEnvironment.Port);
            Assert.Equal(17, fromFlag.CacheCapacity);
            Assert.Equal(4999, fromFlag.Port);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__CacheCapacity", null);
            Environment.SetEnvironmentVariable("P2PActors__Port", null);
        }
    }

    [Fact]
    public void The_inventory_cap_defaults_to_200_comes_from_the_environment_and_a_flag_overrides_it()
    {
        Assert.Equal(200, Resolve([]).MaxInventoryItems);
        Environment.SetEnvironmentVariable("P2PActors__MaxInventoryItems", "40");
        try
        {
            var fromEnvironment = Resolve([]);
            Assert.Equal(40, fromEnvironment.MaxInventoryItems);
            Assert.Equal(40, ActorSystemSetup.ToSettings(fromEnvironment).MaxInventoryItems);
            Assert.Equal(7, Resolve(new() { ["P2PActors:MaxInventoryItems"] = "7" }).MaxInventoryItems);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__MaxInventoryItems", null);
        }
    }

    [Fact]
    public void The_position_persist_interval_defaults_to_5_s_and_a_flag_reaches_the_node_settings()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Resolve([]).PositionPersistInterval);
        var configured = Resolve(new() { ["P2PActors:PositionPersistInterval"] = "00:00:02" });
        Assert.Equal(TimeSpan.FromSeconds(2), ActorSystemSetup.ToSettings(configured).PositionPersistInterval);
    }

    [Fact]
    public void A_bad_environment_value_is_a_configuration_error_naming_the_key()
    {
        Environment.SetEnvironmentVariable("P2PActors__Port", "many");
        try
        {
            var error = Assert.Throws<NodeConfigurationException>(() => Resolve([]));
            Assert.Contains("Port", string.Join("\n", error.Problems), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__Port", null);
        }
    }

    [Fact]
    public void A_misspelt_key_is_refused_rather_than_ignored()
    {
        Environment.SetEnvironmentVariable("P2PActors__CacheCapcity", "5");
        try
        {
            var error = Assert.Throws<NodeConfigurationException>(() => Resolve([]));
            Assert.Contains("CacheCapcity", string.Join("\n", error.Problems), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("P2PActors__CacheCapcity", null);
        }
    }

    [Theory]
    // In appsettings.json: the binder took its value and skipped the child key, and the node formed a cluster of its own.
    [InlineData("P2PActors__SeedNodes__0", "akka.tcp://p2pactors@127.0.0.1:4999", "P2PActors:SeedNodes")]
    // Not in appsettings.json: refused, by a message that named no setting.
    [InlineData("P2PActors__ValidatorsFile__0", "/etc/validators.txt", "P2PActors:ValidatorsFile")]
    public void A_setting_given_in_the_array_form_is_refused_naming_it(string variable, string value, string named)
    {
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var error = Assert.Throws<NodeConfigurationException>(() => Resolve([]));
            var problem = Assert.Single(error.Problems);
            Assert.Contains(named, problem, StringComparison.Ordinal);
            Assert.Contains("comma-separated", problem, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
