namespace P2PActors.Node.Tests;

/// <summary>
/// Settings that reach the node from its configuration files and environment rather than its flags: a mistake there is
/// named with exit code 2, like a bad flag, not thrown as an unhandled exception with a stack trace (exit 1).
/// Each test runs the built node as a process, since both sources are read only when a process starts.
/// </summary>
public sealed class ConfigurationSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IEnumerable<string> NodeArguments(string dataDirectory) =>
        ["node", "--data-dir", dataDirectory, "--http-url", "http://127.0.0.1:0", "--port", "0"];

    private static void AssertNamedWithoutTrace(int exitCode, string output, string named)
    {
        Assert.True(exitCode == 2, $"exit code {exitCode}\n{output}");
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_level_serilog_does_not_know_set_in_the_environment_is_named()
    {
        // --log-level is checked by the command line; the same setting through its environment variable was not.
        await using var node = NodeProcess.Start("serilog-env", NodeArguments,
            new Dictionary<string, string> { ["Serilog__MinimumLevel__Default"] = "Loud" });

        var exitCode = await node.ExitCodeAsync(Patience);

        AssertNamedWithoutTrace(exitCode, node.Output, "Serilog:MinimumLevel");
    }

    [Fact]
    public async Task A_serilog_sink_assembly_that_does_not_exist_set_in_the_environment_is_named()
    {
        // Prevents: Serilog's assembly loader threw FileNotFoundException out of the host's set-up, an unhandled exception
        // with its stack trace.
        await using var node = NodeProcess.Start("serilog-using", NodeArguments,
            new Dictionary<string, string> { ["Serilog__Using__0"] = "No.Such.Sink" });

        var exitCode = await node.ExitCodeAsync(Patience);

        AssertNamedWithoutTrace(exitCode, node.Output, "Serilog (the Serilog section of appsettings.json, Serilog__* variables)");
        Assert.Contains("No.Such.Sink", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_appsettings_file_that_is_not_json_is_named()
    {
        // The environment's appsettings file sits next to the binary, as appsettings.json does; only a process started
        // with this environment name reads it, so the other tests' nodes are not affected.
        var environment = $"BrokenJson{Guid.NewGuid():N}";
        var file = Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json");
        await File.WriteAllTextAsync(file, """{ "P2PActors": { "CacheCapacity": 10 "Port": 0 } }""");
        try
        {
            await using var node = NodeProcess.Start("appsettings-broken", NodeArguments,
                new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = environment });

            var exitCode = await node.ExitCodeAsync(Patience);

            AssertNamedWithoutTrace(exitCode, node.Output, $"appsettings.{environment}.json");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_postgres_connection_string_without_postgresql_persistence_is_named_as_ignored()
    {
        // Not refused (an environment may keep the variable from a PostgreSQL setup); but the node said nothing at all,
        // so a forgotten --persistence kept player memory in SQLite unnoticed.
        await using var node = NodeProcess.Start("postgres-ignored", dataDirectory =>
            [.. NodeArguments(dataDirectory), "--postgres", "Host=127.0.0.1;Username=p2p;Database=p2p"]);

        var warning = await node.LineAsync(line => line.Contains("PostgresConnectionString is set but ignored", StringComparison.Ordinal))
            .WaitAsync(Patience);

        Assert.Contains("--persistence postgresql", warning, StringComparison.Ordinal);
        // And it still starts, on SQLite.
        await node.LineAsync(line => line.Contains("Now listening on:", StringComparison.Ordinal)).WaitAsync(Patience);
        Assert.False(node.HasExited, node.Output);
    }
}

/// <summary>cli.md says every setting lives in appsettings.json's <c>P2PActors</c> section: the file a user edits lists them all.</summary>
public sealed class AppSettingsFileTests
{
    [Fact]
    public void The_shipped_appsettings_lists_every_setting_with_the_nodes_own_default()
    {
        // Prevents: four settings (PresenceTimeout, AllowedValidators, ValidatorsFile, AllowedHosts) missing from the
        // file, where a reader found ASP.NET's root "AllowedHosts": "*" instead and took it for the node's.
        var file = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var section = Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(new Microsoft.Extensions.Configuration.ConfigurationBuilder(), file).Build()
            .GetSection(Configuration.NodeOptions.Section);
        var settings = typeof(Configuration.NodeOptions).GetProperties()
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .ToList();
        Assert.True(settings.Count >= 40, $"only {settings.Count} settings found on NodeOptions");
        Assert.Equal(settings.Select(p => p.Name).Order(StringComparer.Ordinal), section.GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));

        var fromFile = new Configuration.NodeOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(section, fromFile);
        var defaults = new Configuration.NodeOptions();
        foreach (var setting in settings)
            Assert.True(Equals(setting.GetValue(defaults), setting.GetValue(fromFile)),
                $"{setting.Name}: the node's default is {setting.GetValue(defaults)}, appsettings.json says {setting.GetValue(fromFile)}");
    }
}
