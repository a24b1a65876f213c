using Akka.Actor;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Events;
using P2PActors.Cluster.State;
using P2PActors.Node.Api.Ws;
using P2PActors.Node.Configuration;
using Prometheus;

namespace P2PActors.Node.Hosting;

/// <summary>
/// The node's Prometheus metrics, served at <c>GET /metrics</c> (docs/operations.md, "Metrics"). Every node has a
/// registry of its own rather than prometheus-net's static default one: the tests run many nodes in one process, and a
/// shared registry would mix their WebSocket and consensus figures (and let one node's callbacks read another's state).
/// </summary>
public sealed class NodeMetrics : IWsTraffic
{
    public const string Path = "/metrics";

    /// <summary>The decisions counted, so every series exists (at 0) from the first scrape and a rate() has a start.</summary>
    public static readonly IReadOnlyList<string> Decisions =
        Enum.GetValues<ProposalDecision>().Select(Decision).ToList();

    private readonly Counter _outcomes;
    private readonly Counter _wsReceived;
    private readonly Counter _wsSent;
    private readonly Counter _akkaMessages;
    private ActorSystem? _system;

    public NodeMetrics(WsConnectionRegistry connections)
    {
        Registry = Metrics.NewCustomRegistry();
        // process_cpu_seconds_total, process_working_set_bytes, dotnet_collection_count_total, ...: what the default
        // registry would have had, registered on this one.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        Factory = factory;

        _outcomes = factory.CreateCounter("p2pactors_consensus_outcomes_total",
            "Proposals this node's consensus coordinator decided, by decision (accepted, rejected, undecided).",
            new CounterConfiguration { LabelNames = ["decision"] });
        foreach (var decision in Decisions)
            _outcomes.WithLabels(decision);

        var open = factory.CreateGauge("p2pactors_ws_connections", "WebSocket connections (/ws) open on this node.");
        _wsReceived = factory.CreateCounter("p2pactors_ws_messages_received_total",
            "WebSocket messages read from pages, refused ones (rate-limited, too large, not JSON) included.");
        _wsSent = factory.CreateCounter("p2pactors_ws_messages_sent_total",
            "WebSocket frames written to pages: answers, errors and pushes (coalesced positions count once per frame sent).");

        // Read from the counting mailboxes (AkkaMessageCount) once the actor system runs.
        _akkaMessages = factory.CreateCounter("p2pactors_akka_messages_total",
            "Messages enqueued to this node's actors: user messages to actors with Akka's unbounded mailbox or a stash's deque (nearly all of them).");

        var refuted = factory.CreateCounter("p2pactors_catalog_variants_refuted_total",
            "Catalog entries this node dropped from buckets its peers sent, because their certificate can never verify here (forged, rewritten, or none): a peer writing forgeries.");

        // The .NET thread pool, which runs Akka's default dispatcher, Kestrel and the handlers: read when scraped, so
        // they cost nothing between scrapes. prometheus-net's own thread-pool figures come from event counters, which
        // only its static default registry listens to.
        var threads = factory.CreateGauge("dotnet_threadpool_threads", "Thread-pool threads that currently exist.");
        var queued = factory.CreateGauge("dotnet_threadpool_queued_items", "Work items queued to the thread pool, not yet started.");
        var completed = factory.CreateCounter("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed since the process started.");
        var pause = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Time the process spent paused by the garbage collector.");

        Registry.AddBeforeCollectCallback(() =>
        {
            open.Set(connections.Count);
            threads.Set(ThreadPool.ThreadCount);
            queued.Set(ThreadPool.PendingWorkItemCount);
            completed.IncTo(ThreadPool.CompletedWorkItemCount);
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            if (Volatile.Read(ref _system) is { } system)
            {
                _akkaMessages.IncTo(AkkaMessageCount.Read(system));
                if (GameState.TryGet(system) is { } state)
                    refuted.IncTo(state.RefutedVariantsDropped);
            }
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates further metrics on <see cref="Registry"/> (the HTTP request metrics).</summary>
    public IMetricFactory Factory { get; }

    public void MessageReceived() => _wsReceived.Inc();

    public void MessageSent() => _wsSent.Inc();

    /// <summary>Starts reading the Akka message count of <paramref name="system"/> (once it runs; before, the counter stays 0).</summary>
    internal void Watch(ActorSystem system) => Volatile.Write(ref _system, system);

    internal void Decided(ProposalDecision decision) => _outcomes.WithLabels(Decision(decision)).Inc();

    /// <summary>The label value: the same lower-case word the consensus topic and the HTTP API use.</summary>
    private static string Decision(ProposalDecision decision) => decision.ToString().ToLowerInvariant();
}

/// <summary>
/// Feeds the metrics from the running actor system: consensus outcomes from the node's event stream (the same
/// <see cref="NodeEvents"/> the page's consensus topic watches) and the Akka message count.
/// </summary>
internal sealed class NodeMetricsFeed(ActorSystem system, NodeMetrics metrics) : IHostedService
{
    private IDisposable? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Watch(system);
        // Registered after the actor system, so it is running here; the subscription is in place before the HTTP API
        // accepts a proposal, and none goes uncounted.
        _subscription = await NodeEvents.For(system).SubscribeAsync(NodeEventTopics.Consensus, e =>
        {
            if (e is ConsensusDecided decided)
                metrics.Decided(decided.Outcome.Decision);
        }, ct: cancellationToken); // no replay: counted as they are decided, never again from the recent ones
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}

public static class NodeMetricsRegistration
{
    /// <summary>The metrics and what feeds them, unless <see cref="NodeOptions.Metrics"/> is off. Call after the actor system.</summary>
    public static IServiceCollection AddNodeMetrics(this IServiceCollection services, NodeOptions options)
    {
        if (!options.Metrics)
            return services;
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<IWsTraffic>(s => s.GetRequiredService<NodeMetrics>());
        services.AddHostedService<NodeMetricsFeed>();
        return services;
    }

    /// <summary>
    /// HTTP request metrics (http_requests_received_total, http_request_duration_seconds, http_requests_in_progress)
    /// around everything after it; first in the pipeline, so an error the exception handler turns into a 500 is counted
    /// as one. Routing runs before it (WebApplication adds UseRouting at the start), so requests are labelled by route
    /// template (<c>endpoint="/api/content/{id}"</c>), and every request no route matched — any unknown path — by
    /// <c>endpoint=""</c>: no series per path.
    /// </summary>
    public static WebApplication UseNodeHttpMetrics(this WebApplication app)
    {
        if (app.Services.GetService<NodeMetrics>() is not { } metrics)
            return app;
        // The method label is the request's method as sent, and Kestrel accepts any token as one: a client inventing
        // methods would add a series each. Only the standard methods are counted.
        app.UseWhen(http => IsStandardMethod(http.Request.Method),
            branch => branch.UseHttpMetrics(http => http.SetMetricFactory(metrics.Factory)));
        return app;
    }

    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        if (app.Services.GetService<NodeMetrics>() is { } metrics)
            app.MapMetrics(NodeMetrics.Path, metrics.Registry);
        return app;
    }

    /// <summary>The methods of RFC 9110 and PATCH (RFC 5789).</summary>
    internal static bool IsStandardMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method)
        || HttpMethods.IsDelete(method) || HttpMethods.IsPatch(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsConnect(method);
}
