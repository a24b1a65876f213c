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
