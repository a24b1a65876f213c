using System.Net.Http.Headers;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Hosting;

namespace P2PActors.Node.Tests;

/// <summary>
/// One real node per test class: Kestrel on 127.0.0.1 port 0, Akka remoting on port 0, SQLite in a fresh
/// temporary directory — the same <see cref="NodeHost.Build"/> that <c>dotnet run</c> uses.
/// </summary>
public class NodeFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "p2pactors-node-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Configuration keys a derived fixture sets on top of the defaults (a Byzantine mode, a timeout).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>();

    /// <summary>Whether the node proves its own key, so start-up waits for its set of one (a mute node never does).</summary>
    protected virtual bool FormsValidatorSet => true;

    public WebApplication App => _app ?? throw new InvalidOperationException("The node is not started.");

    public async Task InitializeAsync()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["P2PActors:HttpUrl"] = "http://127.0.0.1:0",
            ["P2PActors:Port"] = "0",
            ["P2PActors:DataDirectory"] = _dataDirectory,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // Two shared cores: the first request waits for the sharding coordinator, which can take seconds.
            ["P2PActors:RequestTimeout"] = "00:01:00",
        };
        // An override replaces a default (e.g. a shorter request timeout).
        foreach (var (key, value) in Overrides)
            configuration[key] = value;
        _app = NodeHost.Build(configuration);
        await _app.StartAsync();
        var system = _app.Services.GetRequiredService<ActorSystem>();
        var memberUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => memberUp.TrySetResult());
        await memberUp.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // A one-node cluster is a validator set of one once the node has proved its own key.
        if (FormsValidatorSet)
            await P2PActors.Cluster.Consensus.ConsensusRuntime.For(system).Snapshot.WaitForSetAsync(TimeSpan.FromSeconds(30));
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
        // The first generation waits for player memory's shard region to register; pay that once, here.
        using var warmUp = await PostJsonAsync("/api/content/item", """{ "playerId": "warm-up" }""");
        warmUp.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file briefly after shutdown; a stray temp directory is harmless.
        }
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
}
