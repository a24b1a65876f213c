using System.CommandLine;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>health [--url URL] [--timeout hh:mm:ss]</c>: asks a running node's <c>GET /health</c> and exits 0 when it
/// answers 200 (an Up cluster member), 1 when it answers anything else or not at all. It exists for container
/// health checks: the .NET runtime images and a minimal Debian have no curl. Without <c>--url</c> it reads the
/// node's own HTTP address from the same sources as the node (appsettings.json, appsettings.{environment}.json, then
/// <c>P2PActors__HttpUrl</c>), so
/// the check follows the node wherever its address is configured; a wildcard host (0.0.0.0, [::]) is asked on loopback.
/// </summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base address of the node to ask [default: the node's HttpUrl setting]" };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for the answer, hh:mm:ss or seconds [default: 00:00:05]",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        };
        var command = new Command("health", "Ask a running node whether it is an Up cluster member: exit code 0 if so, 1 if not (for container health checks).")
        {
            url, timeout,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(url),
            parseResult.GetValue(timeout),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? url, TimeSpan timeout, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
        {
            await error.WriteLineAsync($"--timeout: {timeout} must be more than 00:00:00 and at most 00:05:00");
            return ExitCodes.Usage;
        }
        var (target, problem) = url is null ? FromConfiguration() : Parse(url, "--url");
        if (target is null)
        {
            await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }

        using var client = new HttpClient { Timeout = timeout };
        var health = new Uri(target, "/health");
        try
        {
            using var response = await client.GetAsync(health, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var summary = Summarise(body);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await output.WriteLineAsync($"healthy: {health} answered 200 ({summary})");
                return ExitCodes.Ok;
            }
            await error.WriteLineAsync($"unhealthy: {health} answered {(int)response.StatusCode} ({summary})");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is TaskCanceledException ? $"no answer within {timeout}" : e.Message;
            await error.WriteLineAsync($"unhealthy: {health} is unreachable ({reason})");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// The node's HttpUrl as the node itself would read it, minus the command line (a health check has none):
    /// appsettings.json, the environment's appsettings file, then the environment variables.
    /// </summary>
    private static (Uri? Target, string Problem) FromConfiguration()
    {
        var (configuration, problem) = ReadNodeSettings();
        if (configuration is null)
            return (null, problem);
        var httpUrl = configuration[$"{NodeOptions.Section}:HttpUrl"] ?? new NodeOptions().HttpUrl;
        return Parse(httpUrl, $"{NodeOptions.Section}:HttpUrl (P2PActors__HttpUrl)");
    }

    /// <summary>
    /// The node's settings as the node reads them, minus the command line (the commands that ask have none of the
    /// node's flags): appsettings.json, the environment's appsettings file, then the environment variables. Null and
    /// the problem when a settings file is not valid JSON.
    /// </summary>
    internal static (IConfiguration? Configuration, string Problem) ReadNodeSettings()
    {
        // The environment's name as the node's host reads it: ASPNETCORE_ENVIRONMENT over DOTNET_ENVIRONMENT.
        var environment = new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" }
            .Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(name => !string.IsNullOrEmpty(name)) ?? "Production";
        try
        {
            return (new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json"), optional: true)
                .AddEnvironmentVariables()
                .Build(), "");
        }
        catch (InvalidDataException e)
        {
            // A settings file edited into invalid JSON: the node names it and exits 2, and so do the commands that read it.
            return (null, $"{e.Message} {e.InnerException?.Message}".Trim());
        }
    }

    private static (Uri? Target, string Problem) Parse(string value, string setting)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            return (null, $"{setting}: '{value}' is not an http URL, e.g. http://127.0.0.1:5080");
        if (uri.Port == 0)
            return (null, $"{setting}: '{value}' has port 0 (any free port), so there is no address to ask; pass --url with the port the node logged");
        // A node listening on every interface is asked on loopback, which is always among them.
        var host = uri.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" => "[::1]",
            _ => uri.Host,
        };
        return (new UriBuilder(uri) { Host = host, Path = "/" }.Uri, "");
    }

    /// <summary>"status up, 3 members" from the /health body; the raw start of the body when it is not that JSON.</summary>
    private static string Summarise(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var status = root.GetProperty("status").GetString();
            var members = root.GetProperty("cluster").GetProperty("members");
            var up = members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up");
            return $"status {status}, {up} of {members.GetArrayLength()} members up";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body.Length > 200 ? body[..200] + "..." : body;
        }
    }
}
