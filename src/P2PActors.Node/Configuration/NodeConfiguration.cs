using Microsoft.Extensions.Configuration;

namespace P2PActors.Node.Configuration;

public static class NodeConfiguration
{
    /// <summary>
    /// Binds and validates the <c>P2PActors</c> section. The host has already layered the sources
    /// (appsettings.json &lt; environment &lt; command-line flags), so this only has to read the result.
    /// </summary>
    public static NodeOptions Load(IConfiguration configuration)
    {
        var options = new NodeOptions();
        // Every setting is one value (lists are comma-separated). An environment variable in the array form the .NET
        // configuration also knows (P2PActors__SeedNodes__0) makes a child key, which the binder skipped without a word
        // when appsettings.json gives the setting a value, so the node started without the seeds it was given.
        var listed = configuration.GetSection(NodeOptions.Section).GetChildren()
            .Where(setting => setting.GetChildren().Any())
            .Select(setting => $"{NodeOptions.Section}:{setting.Key} (P2PActors__{setting.Key}): one value, not a list of "
                + $"child keys such as {setting.GetChildren().First().Path}; give a list as one comma-separated value, e.g. P2PActors__{setting.Key}=a,b")
            .ToList();
        if (listed.Count > 0)
            throw new NodeConfigurationException(listed);
        try
        {
            configuration.GetSection(NodeOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value it could not convert; that is what the user needs.
            throw new NodeConfigurationException([Describe(e)]);
        }
        var problems = options.Validate();
        if (problems.Count > 0)
            throw new NodeConfigurationException(problems);
        return options;
    }

    private static string Describe(InvalidOperationException e) =>
        e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
}
