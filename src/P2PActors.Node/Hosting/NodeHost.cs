using P2PActors.Node.Api;
using P2PActors.Node.Api.Ws;
using P2PActors.Node.Configuration;
using P2PActors.Rendering;
using Serilog;

namespace P2PActors.Node.Hosting;

/// <summary>
/// Builds a node: configuration, Serilog, Kestrel, the actor system and the HTTP API. Tests call
/// <see cref="Build"/> directly so they run exactly what <c>dotnet run</c> runs.
/// </summary>
public static class NodeHost
{
    /// <param name="overrides">Configuration keys set on the command line; they win over every other source.</param>
    /// <exception cref="NodeConfigurationException">The layered configuration cannot run a node.</exception>
    private static Exception Unwrapped(Exception e) =>
        e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;

    public static WebApplication Build(IReadOnlyDictionary<string, string?> overrides)
    {
        WebApplicationBuilder builder;
        try
        {
            builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                // No raw args: flags reach the configuration only through the CLI's typed, validated overrides.
                Args = [],
                // appsettings.json ships next to the binary, wherever the node is started from.
                ContentRootPath = AppContext.BaseDirectory,
            });
        }
        catch (InvalidDataException e)
        {
            // An appsettings file edited into invalid JSON: the user's to fix, so its name and the parser's words, no trace.
            throw new NodeConfigurationException([$"{e.Message} {e.InnerException?.Message}".Trim()]);
        }
        builder.Configuration.AddInMemoryCollection(overrides);
        var options = NodeConfiguration.Load(builder.Configuration);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PreviewCache(PreviewEndpoints.CacheCapacity, options.PreviewCacheBytes));
        builder.Services.AddSingleton(new PreviewRenderGate(options.PreviewRenders));
        // Akka.Logger.Serilog writes through the static logger, so the node's logger is that one too.
        Serilog.ILogger logger;
        try
        {
            logger = NodeLogging.Create(builder.Configuration);
        }
        catch (InvalidOperationException e)
        {
            // A level Serilog does not know, set through Serilog__MinimumLevel__* or appsettings.json (--log-level is checked).
            throw new NodeConfigurationException([$"Serilog:MinimumLevel (Serilog__MinimumLevel__Default, --log-level): {e.Message}"]);
        }
        catch (Exception e) when (Unwrapped(e) is IOException or TypeLoadException or MissingMethodException or ArgumentException
                                        or FormatException or InvalidCastException or BadImageFormatException or InvalidOperationException)
        {
            // Any other part of the Serilog section (Serilog__Using__0, a sink's name or its arguments) naming what does
            // not exist or cannot be used: the assembly loader's or a sink's exception, with its trace, before. A sink's
            // own exception comes wrapped, since the settings reader calls sinks by reflection.
            throw new NodeConfigurationException([$"Serilog (the Serilog section of appsettings.json, Serilog__* variables): {Unwrapped(e).Message}"]);
        }
        Log.Logger = logger;
        builder.Services.AddSerilog(logger);
        // Not refused: the node cannot tell the flag from a variable the environment kept from a PostgreSQL setup, and a
        // switch to sqlite in such an environment must still start. But a user who forgot --persistence is told.
        if (options.PersistenceProvider == Cluster.Hosting.PersistenceProvider.Sqlite && !string.IsNullOrWhiteSpace(options.PostgresConnectionString))
            logger.Warning($"--postgres / {NodeOptions.Section}:PostgresConnectionString is set but ignored: persistence is sqlite. " +
                "Add --persistence postgresql (P2PActors__Persistence) to keep player memory in PostgreSQL");

        builder.WebHost.UseUrls(options.HttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClientErrorHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        builder.Services.AddP2PActorSystem(options, logger);
        builder.Services.AddWsHandlers(options);
        builder.Services.AddAllowedOriginsCors(options.WsAllowedOriginList);
        builder.Services.AddWriteRateLimit(options.HttpWriteRate, options.HttpWriteBurst);
        builder.Services.AddNodeMetrics(options);

        var app = builder.Build();
        app.UseNodeHttpMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHostNameGuard();
        app.UseAllowedOriginsCors();
        app.UseCrossSiteWriteGuard();
        app.UseWriteRateLimit(options.HttpWriteRate);
        // The page (wwwroot, copied next to the binary): index.html at "/", plain ES modules and CSS, nothing from
        // anywhere else. API routes are endpoints and are not shadowed: no file under wwwroot starts with /api.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapContentEndpoints();
        app.MapPreviewEndpoints();
        app.MapHealthEndpoints();
        app.MapStateEndpoints();
        app.MapValidatorEndpoints();
        app.MapPreferenceEndpoints();
        app.MapPlayerEndpoints();
        app.MapWsEndpoint();
        app.MapMetricsEndpoint();
        return app;
    }
}
