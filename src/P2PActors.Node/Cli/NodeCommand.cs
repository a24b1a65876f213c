using System.CommandLine;
using System.Globalization;
using P2PActors.Node.Configuration;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>node</c>: runs one node until Ctrl+C. Every flag overrides the same key of the <c>P2PActors</c>
/// configuration section, so a flag beats an environment variable, which beats appsettings.json.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var command = new Command("node", "Run a node: the actor system, its cluster membership and the HTTP API (the default command).");
        var flags = new List<(Option Option, string Key)>
        {
            (new Option<string>("--http-url") { Description = "HTTP API address [default: http://127.0.0.1:5080]" }, "P2PActors:HttpUrl"),
            (new Option<string>("--host") { Description = "Akka remoting host name or IP [default: 127.0.0.1]" }, "P2PActors:Host"),
            (new Option<int>("--port") { Description = "Akka remoting port, 0 for any free port [default: 4053]" }, "P2PActors:Port"),
            (new Option<string>("--system-name") { Description = "Actor system name; peers must share it [default: p2pactors]" }, "P2PActors:SystemName"),
            (new Option<string[]>("--seed-node") { Description = "Akka address of a seed node, repeatable, e.g. akka.tcp://p2pactors@127.0.0.1:4053 [default: none, form a cluster of one]", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false }, "P2PActors:SeedNodes"),
            (new Option<string>("--roles") { Description = "Comma-separated cluster roles of this node [default: none]" }, "P2PActors:Roles"),
            (new Option<string>("--data-dir") { Description = "Directory of the SQLite database [default: ./data]" }, "P2PActors:DataDirectory"),
            (new Option<int>("--cache-capacity") { Description = "Generated contents kept in the LRU cache [default: 1000]" }, "P2PActors:CacheCapacity"),
            (new Option<TimeSpan>("--passivation-idle") { Description = "Idle time before a player's memory is passivated, hh:mm:ss [default: 00:02:00]" }, "P2PActors:PassivationIdleTimeout"),
            (new Option<long>("--max-body-bytes") { Description = "Largest HTTP request body accepted [default: 65536]" }, "P2PActors:MaxRequestBodyBytes"),
            (new Option<TimeSpan>("--request-timeout") { Description = "How long an HTTP request waits for the actors, hh:mm:ss [default: 00:00:10]" }, "P2PActors:RequestTimeout"),
            (new Option<string>("--byzantine") { Description = "Chaos testing: make this node's validator Byzantine [default: honest]" }
                .AcceptOnlyFromAmong([.. Cluster.Consensus.ByzantineModes.Names]), "P2PActors:Byzantine"),
            (new Option<int>("--decision-timeout") { Description = "Milliseconds a proposal waits for a decision before it ends undecided [default: 500]" }, "P2PActors:DecisionTimeoutMs"),
            (new Option<int>("--proposal-rate") { Description = "Proposals per second the validator serves from one proposer [default: 5000]" }, "P2PActors:ProposalRate"),
            (new Option<int>("--proposal-burst") { Description = "Proposals one proposer may send at once before the rate applies [default: 10000]" }, "P2PActors:ProposalBurst"),
            (new Option<double>("--ws-rate") { Description = "WebSocket messages per second per connection [default: 50]" }, "P2PActors:WsMessagesPerSecond"),
            (new Option<int>("--ws-burst") { Description = "WebSocket messages one connection may send at once [default: 100]" }, "P2PActors:WsMessageBurst"),
            (new Option<int>("--ws-max-message-bytes") { Description = "Largest WebSocket message handled [default: 65536]" }, "P2PActors:WsMaxMessageBytes"),
            (new Option<int>("--ws-queue") { Description = "Outgoing frames queued per WebSocket before a page that does not read is dropped [default: 256]" }, "P2PActors:WsOutgoingQueue"),
            (new Option<string>("--ws-allowed-origins") { Description = "Comma-separated origins allowed to open /ws besides the page's own, or * [default: none]" }, "P2PActors:WsAllowedOrigins"),
            (new Option<int>("--room-capacity") { Description = "Most peers in one WebRTC signaling room, cluster-wide [default: 16]" }, "P2PActors:RoomCapacity"),
            (new Option<TimeSpan>("--ws-resume-grace") { Description = "How long a dropped WebSocket session keeps its player for a resume, hh:mm:ss [default: 00:00:30]" }, "P2PActors:WsResumeGrace"),
            (new Option<string>("--log-level") { Description = "Lowest log level written [default: Information]" }
                .AcceptOnlyFromAmong("Verbose", "Debug", "Information", "Warning", "Error", "Fatal"), "Serilog:MinimumLevel:Default"),
        };
        foreach (var (option, _) in flags)
            command.Options.Add(option);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            foreach (var (option, key) in flags)
            {
                if (parseResult.GetResult(option) is { Implicit: false } result)
                {
                    var value = result.GetValueOrDefault<object>();
                    overrides[key] = value is string[] many
                        ? string.Join(',', many)
                        : Convert.ToString(value, CultureInfo.InvariantCulture);
                }
            }
            return await RunAsync(overrides, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> overrides, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = NodeHost.Build(overrides);
        }
        catch (NodeConfigurationException e)
        {
            foreach (var problem in e.Problems)
                await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }
        await using (app)
        {
            try
            {
                await app.RunAsync();
                return ExitCodes.Ok;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Startup failures (a port in use, an unwritable data directory) are the user's to fix: say what, not where.
                var cause = e is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerExceptions[0] : e;
                await error.WriteLineAsync($"The node stopped: {cause.Message}");
                return ExitCodes.Failure;
            }
        }
    }
}
