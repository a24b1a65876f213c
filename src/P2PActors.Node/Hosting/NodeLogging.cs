using Akka.Hosting;
using Akka.Logger.Serilog;
using Serilog;
using Serilog.Events;

namespace P2PActors.Node.Hosting;

/// <summary>
/// The node's one log format, for its own lines, ASP.NET Core's and Akka's alike. Akka's events go through
/// Akka.Logger.Serilog: its logger actor writes to Serilog's static <see cref="Log.Logger"/>, and its message formatter
/// reads Akka's positional <c>{0}</c> templates the way Serilog does, so arguments land where the template puts them.
/// </summary>
public static class NodeLogging
{
    public const string OutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The node's Serilog logger, from the <c>Serilog</c> configuration section, written to stdout (or stderr).</summary>
    public static Serilog.ILogger Create(IConfiguration configuration, bool toStandardError = false) =>
        new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.With<AkkaSourceEnricher>()
            // A peer that closes its connection (it stopped, or crashed) is not an error of this node: the cluster logs
            // the member leaving or becoming unreachable. Remoting's supervisor would add an ERROR and a stack trace for
            // every such connection, on every node, at every normal stop. (The exception type is internal to Akka.Remote,
            // hence its name.)
            .Filter.ByExcluding(e => e.Exception?.GetType().FullName == "Akka.Remote.EndpointDisassociatedException")
            .WriteTo.Console(
                outputTemplate: OutputTemplate,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                standardErrorFromLevel: toStandardError ? LogEventLevel.Verbose : null)
            .CreateLogger();

    /// <summary>
    /// Akka's loggers: only Serilog's, at the level Serilog lets through (Akka then does not even build the events
    /// Serilog would drop). Akka's own console logger is kept for nothing but the moments no logger runs yet or any more.
    /// </summary>
    public static void ConfigureAkka(LoggerConfigBuilder loggers, Serilog.ILogger logger)
    {
        loggers.LogLevel = AkkaLevel(logger);
        loggers.ClearLoggers();
        loggers.AddLogger<SerilogLogger>();
    }

    private static Akka.Event.LogLevel AkkaLevel(Serilog.ILogger logger) =>
        logger.IsEnabled(LogEventLevel.Debug) ? Akka.Event.LogLevel.DebugLevel
        : logger.IsEnabled(LogEventLevel.Information) ? Akka.Event.LogLevel.InfoLevel
        : logger.IsEnabled(LogEventLevel.Warning) ? Akka.Event.LogLevel.WarningLevel
        : Akka.Event.LogLevel.ErrorLevel;

    /// <summary>
    /// Akka logs from a string source (the cluster, remoting) carry a placeholder class; their <c>LogSource</c> (e.g.
    /// <c>Akka.Cluster.Cluster</c> or an actor path) says who wrote the line, so it becomes the source shown.
    /// </summary>
    private sealed class AkkaSourceEnricher : Serilog.Core.ILogEventEnricher
    {
        private const string Placeholder = "Akka.Event.DummyClassForStringSources";

        public void Enrich(LogEvent logEvent, Serilog.Core.ILogEventPropertyFactory propertyFactory)
        {
            if (logEvent.Properties.TryGetValue(Serilog.Core.Constants.SourceContextPropertyName, out var source)
                && source is ScalarValue { Value: Placeholder }
                && logEvent.Properties.TryGetValue("LogSource", out var logSource)
                && logSource is ScalarValue { Value: string name })
                logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(Serilog.Core.Constants.SourceContextPropertyName, name));
        }
    }
}
