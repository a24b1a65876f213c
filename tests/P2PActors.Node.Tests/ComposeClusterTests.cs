using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using P2PActors.Testing;
using Xunit.Abstractions;

namespace P2PActors.Node.Tests;

/// <summary>
/// The compose cluster of issue 11 on a real Docker engine: the repository's own deploy/Dockerfile and
/// docker-compose.yml, with only the base images swapped for the stand-ins deploy/standins.sh builds (no registry is
/// reachable here) and the node published outside Docker (no NuGet inside containers). A project name of its own,
/// host ports of its own on 127.0.0.1 and <c>down -v</c> at the end keep it apart from a user's cluster.
/// Traffic goes only to 127.0.0.1 published ports and to the containers this run creates.
/// </summary>
public sealed class ComposeClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ClusterFormation = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Convergence = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [DockerFact]
    public async Task Compose_cluster_forms_shares_state_heals_after_a_kill_and_keeps_its_data_across_down_and_up()
    {
        // With CI=true the attribute runs this even without Docker: say so plainly rather than fail somewhere below.
        Assert.True(Components.MissingDocker is null, $"The compose test needs Docker: {Components.MissingDocker}");
        var root = RepositoryRoot();
        if (File.Exists(Path.Combine(root, "artifacts", "compose-test", "timings.txt")))
            File.Delete(Path.Combine(root, "artifacts", "compose-test", "timings.txt"));
        var project = "p2ptest" + Guid.NewGuid().ToString("N")[..8];
        var firstPort = NodeProcess.FreePortRange(3);
        var ports = new[] { firstPort, firstPort + 1, firstPort + 2 };
        var published = Path.Combine("artifacts", "compose-test", "publish");

        var images = await Phase("stand-in base images (deploy/standins.sh)", () => StandInImagesAsync(root));
        await Phase("dotnet publish outside Docker", async () =>
        {
            var publish = await RunAsync(root, "dotnet", ["publish", "src/P2PActors.Node", "-c", "Release", "--os", "linux", "--no-self-contained",
                "-p:UseAppHost=false", "-o", published, "--nologo", "-v", "q"], TimeSpan.FromMinutes(6));
            Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + publish.Output);
        });

        var compose = new Compose(root, project, new Dictionary<string, string>
        {
            ["SDK_IMAGE"] = images["SDK_IMAGE"],
            ["RUNTIME_IMAGE"] = images["RUNTIME_IMAGE"],
            ["POSTGRES_IMAGE"] = images["POSTGRES_IMAGE"],
            ["PUBLISHED"] = published.Replace('\\', '/'),
            ["P2P_IMAGE"] = "p2pactors-node:compose-test",
            ["POSTGRES_PASSWORD"] = Guid.NewGuid().ToString("N"),
            ["P2P_NODE1_HTTP_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["P2P_NODE2_HTTP_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["P2P_NODE3_HTTP_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The classic builder through docker-compose's own client: it uses the local stand-ins as they are.
            ["COMPOSE_DOCKER_CLI_BUILD"] = "0",
            ["DOCKER_BUILDKIT"] = "0",
        });
        var nodes = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(15) }).ToArray();
        try
        {
            await Phase("image build (deploy/Dockerfile, stand-in bases)", () => compose.RunAsync(TimeSpan.FromMinutes(5), "build", "node1"));
            var size = await RunAsync(root, "docker", ["image", "inspect", "--format", "{{.Size}}", "p2pactors-node:compose-test"], TimeSpan.FromSeconds(30));
            Log($"image p2pactors-node:compose-test: {long.Parse(size.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1_000_000} MB");

            await Phase("docker-compose up -d", () => compose.RunAsync(TimeSpan.FromMinutes(5), "up", "-d"));
            await Phase("3 nodes healthy, each seeing 3 members Up", () => ClusterUpAsync(compose, nodes));
            await Phase("previews rendered inside the container: the committed maps, and cards with text as the host renders them", () => PreviewsMatchCommittedImagesAsync(root, nodes[1]));

            // Content generated on node 1, accepted by the vote, read on node 3 (fetched from its holder by id).
            var sharedId = await Phase("generate on node 1, share through the vote", () => GenerateAndShareAsync(nodes[0], seed: 11));
            await Phase("read the shared content on node 3", () => Eventually(Convergence, "node 3 serves the shared content", async () =>
                await ContentIdAsync(nodes[2], sharedId) == sharedId));
            using (var rating = await PostAsync(nodes[0], $"/api/content/{sharedId}/ratings", new { playerId = "alice", stars = 5 }))
                Assert.True(rating.StatusCode == HttpStatusCode.Created, await Describe(rating));

            // A move on node 2 is seen on node 1.
            await Phase("move on node 2, read the position on node 1", async () =>
            {
                await MoveAsync(nodes[1], "forest", 12.5, -3);
                await Eventually(Convergence, "node 1 sees alice in the forest at (12.5, -3)", async () =>
                    await PositionAsync(nodes[0], "alice") is { Zone: "forest", X: 12.5, Y: -3 });
            });

            // Node 3's container is killed: the two others carry on (the vote decides with them alone once node 3 is
            // gone), then node 3 comes back, rejoins and catches up with what it missed.
            var node3 = await compose.ContainerAsync("node3");
            var missedId = await Phase("kill node 3; the two others still decide", async () =>
            {
                await RunChecked(root, ["kill", node3]);
                await Eventually(Convergence, "node 1 no longer counts node 3 as an Up, reachable member", async () =>
                    await UpMembersAsync(nodes[0]) is { } members && !members.Any(m => m.StartsWith("akka.tcp://p2pactors@node3:", StringComparison.Ordinal)));
                return await GenerateAndShareAsync(nodes[0], seed: 12);
            });
            await Phase("restart node 3; 3 members Up again", async () =>
            {
                await RunChecked(root, ["start", node3]);
                await ClusterUpAsync(compose, nodes);
            });
            await Phase("node 3 converges: the entry shared while it was down, a new move", async () =>
            {
                await Eventually(Convergence, "node 3 lists the item shared while it was down", async () =>
                    (await CatalogIdsAsync(nodes[2])).Contains(missedId));
                Assert.Equal(missedId, await ContentIdAsync(nodes[2], missedId));
                await MoveAsync(nodes[0], "desert", 1, 2);
                await Eventually(Convergence, "node 3 sees alice in the desert", async () =>
                    await PositionAsync(nodes[2], "alice") is { Zone: "desert", X: 1, Y: 2 });
            });

            // What alice's memory holds before down: every generation is journaled (PostgreSQL) and must be back after up.
            var generatedBefore = await Phase("read alice's memory before down", async () =>
            {
                var memory = await MemoryAsync(nodes[0], "alice");
                Assert.True(memory is { GeneratedCount: >= 4, RatingCount: 1 }, $"alice's memory before down: {memory}");
                return memory!.GeneratedCount;
            });

            // down keeping the volumes, then up: journal (PostgreSQL), replicated state and content bodies (node volumes) are back.
            await Phase("docker-compose down (volumes kept), up -d", async () =>
            {
                await compose.RunAsync(TimeSpan.FromMinutes(3), "down");
                await compose.RunAsync(TimeSpan.FromMinutes(5), "up", "-d");
            });
            await Phase("3 nodes healthy again", () => ClusterUpAsync(compose, nodes));
            await Phase("player history, ratings and the shared catalog are back", async () =>
            {
                await Eventually(Convergence, "alice's rating, journaled in PostgreSQL, is back", async () =>
                {
                    using var response = await nodes[1].GetAsync("/api/players/alice/ratings");
                    if (response.StatusCode != HttpStatusCode.OK)
                        return false;
                    using var ratings = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    var list = ratings.RootElement.GetProperty("ratings").EnumerateArray().ToList();
                    return list.Count == 1 && list[0].GetProperty("contentId").GetString() == sharedId && list[0].GetProperty("stars").GetInt32() == 5;
                });
                await Eventually(Convergence, "node 2 lists both shared items", async () =>
                    (await CatalogIdsAsync(nodes[1])) is var ids && ids.Contains(sharedId) && ids.Contains(missedId));
                await Eventually(Convergence, "node 3 serves both shared items", async () =>
                    await ContentIdAsync(nodes[2], sharedId) == sharedId && await ContentIdAsync(nodes[2], missedId) == missedId);
                await Eventually(Convergence, $"alice's generation history ({generatedBefore} contents) and rating are back on node 3", async () =>
                    await MemoryAsync(nodes[2], "alice") is { GeneratedCount: var generated, RatingCount: 1 } && generated == generatedBefore);
                using var state = JsonDocument.Parse(await nodes[0].GetStringAsync("/api/state"));
                Assert.Equal(1, state.RootElement.GetProperty("knownPlayers").GetInt32());
            });
            Log($"scenario done at {_clock.Elapsed.TotalSeconds:F0} s");
        }
        catch
        {
            var logs = await compose.TryRunAsync(TimeSpan.FromSeconds(30), "logs", "--no-color", "--tail=40");
            Log("docker-compose logs (last 40 lines per service):\n" + logs);
            throw;
        }
        finally
        {
            foreach (var node in nodes)
                node.Dispose();
            var down = await compose.TryRunAsync(TimeSpan.FromMinutes(3), "down", "-v", "--remove-orphans");
            Log($"down -v at {_clock.Elapsed.TotalSeconds:F0} s" + (down.Contains("ERROR", StringComparison.Ordinal) ? ":\n" + down : ""));
        }
    }

    // ---- scenario steps ------------------------------------------------------------------------------------------

    /// <summary>
    /// docs/content.md promises the same preview bytes on every machine, and the maps under docs/images were looked at
    /// by a person: the node in the image (SkiaSharp's no-dependencies native assets, not the test host's) must
    /// generate the same maps from the same request and seed and render them to the very same bytes.
    /// </summary>
    private static async Task PreviewsMatchCommittedImagesAsync(string root, HttpClient node)
    {
        (string File, string Generator, int Width, int Height, string Query)[] examples =
        [
            ("map-overworld.png", "overworld", 64, 40, "tileSize=6"),
            ("map-dungeon.png", "dungeon", 48, 30, "tileSize=8&grid=true"),
        ];
        foreach (var (file, generator, width, height, query) in examples)
        {
            using var generated = await PostAsync(node, "/api/content/map",
                new { playerId = "alice", seed = 2024, @params = new { generator, width, height } });
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await Describe(generated));
            using var content = JsonDocument.Parse(await generated.Content.ReadAsStringAsync());
            var id = content.RootElement.GetProperty("id").GetString();
            using var preview = await node.GetAsync($"/api/content/{id}/preview.png?{query}");
            Assert.True(preview.StatusCode == HttpStatusCode.OK, await Describe(preview));
            Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
            var committed = await File.ReadAllBytesAsync(Path.Combine(root, "docs", "images", file));
            var rendered = await preview.Content.ReadAsByteArrayAsync();
            Assert.True(committed.AsSpan().SequenceEqual(rendered),
                $"{file}: the container rendered other bytes than the committed image");
        }

        // Cards with text (names, stats, titles) depend most on the fonts and the native library: the container's
        // bytes must equal what this test host renders from the same content.
        (string Type, object Params, int Size)[] cards =
        [
            ("character", new { @class = "mage", level = 12 }, 192),
            ("item", new { rarity = "legendary" }, 128),
            ("quest", new { difficulty = "hard" }, 360),
        ];
        foreach (var (type, parameters, size) in cards)
        {
            using var generated = await PostAsync(node, $"/api/content/{type}", new { playerId = "alice", seed = 2024, @params = parameters });
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await Describe(generated));
            var json = await generated.Content.ReadAsStringAsync();
            var content = P2PActors.Content.Model.ContentJson.Deserialize(json);
            using var preview = await node.GetAsync($"/api/content/{content.Id}/preview.png?size={size}");
            Assert.True(preview.StatusCode == HttpStatusCode.OK, await Describe(preview));
            var onHost = P2PActors.Rendering.PreviewRenderer.RenderPng(content, new P2PActors.Rendering.PreviewOptions(size));
            var inContainer = await preview.Content.ReadAsByteArrayAsync();
            Assert.True(onHost.AsSpan().SequenceEqual(inContainer),
                $"{type} card: the container rendered {inContainer.Length} bytes that differ from the host's {onHost.Length}");
        }
    }

    private sealed record Memory(int GeneratedCount, int RatingCount);

    /// <summary>The player's remembered generations and ratings (<c>GET /api/players/{id}</c>); null when not known or not answering.</summary>
    private static async Task<Memory?> MemoryAsync(HttpClient node, string player)
    {
        using var response = await node.GetAsync($"/api/players/{player}");
        if (response.StatusCode != HttpStatusCode.OK)
            return null;
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("memory") is { ValueKind: JsonValueKind.Object } memory
            ? new Memory(memory.GetProperty("generatedCount").GetInt32(), memory.GetProperty("ratingCount").GetInt32())
            : null;
    }

    /// <summary>Every node healthy by Docker's health check and by /health, each seeing exactly the three nodes Up and reachable.</summary>
    private async Task ClusterUpAsync(Compose compose, HttpClient[] nodes)
    {
        var expected = new[] { "node1", "node2", "node3" }.Select(n => $"akka.tcp://p2pactors@{n}:4053").ToArray();
        await Eventually(ClusterFormation, "every node healthy and seeing node1, node2, node3 Up", async () =>
        {
            foreach (var service in new[] { "node1", "node2", "node3" })
            {
                var container = await compose.ContainerAsync(service);
                var health = await RunAsync(compose.Root, "docker", ["inspect", "--format", "{{.State.Health.Status}}", container], TimeSpan.FromSeconds(30));
                if (health.Output.Trim() != "healthy")
                    return false;
            }
            foreach (var node in nodes)
            {
                if (await UpMembersAsync(node) is not { } members || !members.Order(StringComparer.Ordinal).SequenceEqual(expected))
                    return false;
            }
            return true;
        });
    }

    /// <summary>Generates an item for alice with <paramref name="seed"/> and shares it; the vote may say "undecided" while membership settles.</summary>
    private async Task<string> GenerateAndShareAsync(HttpClient node, long seed)
    {
        string? id = null;
        // 503 while alice's player memory lived on a node that is gone: her shard moves once that node is downed.
        await Eventually(Convergence, $"node generates item {seed} for alice", async () =>
        {
            using var generated = await PostAsync(node, "/api/content/item", new { playerId = "alice", seed });
            if (generated.StatusCode == HttpStatusCode.ServiceUnavailable)
                return false;
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await Describe(generated));
            using var content = JsonDocument.Parse(await generated.Content.ReadAsStringAsync());
            id = content.RootElement.GetProperty("id").GetString()!;
            return true;
        });
        await Eventually(Convergence, $"the vote accepts item {id![..8]}", async () =>
        {
            using var shared = await PostAsync(node, "/api/catalog", new { contentId = id, author = "alice" });
            // 503 "undecided": no decision within the timeout (a validator just left or joined); anything else is final.
            if (shared.StatusCode == HttpStatusCode.ServiceUnavailable)
                return false;
            // 409: an earlier attempt answered 503 but landed after all; shared by alice, as asked.
            if (shared.StatusCode == HttpStatusCode.Conflict)
            {
                using var problem = JsonDocument.Parse(await shared.Content.ReadAsStringAsync());
                Assert.Equal("alice", problem.RootElement.GetProperty("author").GetString());
                return true;
            }
            Assert.True(shared.StatusCode == HttpStatusCode.Created, await Describe(shared));
            return true;
        });
        return id;
    }

    private static async Task MoveAsync(HttpClient node, string zone, double x, double y)
    {
        using var moved = await node.PutAsync("/api/players/alice/position", JsonBody(new { zone, x, y }));
        Assert.True(moved.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await Describe(moved));
    }

    private sealed record Position(string Zone, double X, double Y);

    private static async Task<Position?> PositionAsync(HttpClient node, string player)
    {
        using var state = JsonDocument.Parse(await node.GetStringAsync("/api/state"));
        foreach (var view in state.RootElement.GetProperty("online").EnumerateArray())
        {
            if (view.GetProperty("playerId").GetString() == player && view.GetProperty("position") is { ValueKind: JsonValueKind.Object } p)
                return new Position(p.GetProperty("zone").GetString()!, p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble());
        }
        return null;
    }

    /// <summary>The addresses this node sees as Up and reachable; null when it does not answer.</summary>
    private static async Task<List<string>?> UpMembersAsync(HttpClient node)
    {
        try
        {
            using var cluster = JsonDocument.Parse(await node.GetStringAsync("/api/cluster"));
            return cluster.RootElement.GetProperty("members").EnumerateArray()
                .Where(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean())
                .Select(m => m.GetProperty("address").GetString()!)
                .ToList();
        }
        catch (HttpRequestException)
        {
            return null; // the container is (re)starting
        }
    }

    private static async Task<string?> ContentIdAsync(HttpClient node, string id)
    {
        using var response = await node.GetAsync($"/api/content/{id}");
        if (response.StatusCode != HttpStatusCode.OK)
            return null;
        using var content = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return content.RootElement.GetProperty("id").GetString();
    }

    private static async Task<HashSet<string>> CatalogIdsAsync(HttpClient node)
    {
        using var page = JsonDocument.Parse(await node.GetStringAsync("/api/catalog?type=item&skip=0&take=1000"));
        return page.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToHashSet();
    }

    // ---- plumbing ------------------------------------------------------------------------------------------------

    /// <summary>
    /// To the test's output and to artifacts/compose-test/timings.txt, which .ci/run prints after the tests: xunit shows
    /// a passing test's output to nobody, and the phase timings are what a reader of the CI log wants to see.
    /// </summary>
    private void Log(string line)
    {
        var stamped = $"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}";
        output.WriteLine(stamped);
        var timings = Path.Combine(RepositoryRoot(), "artifacts", "compose-test", "timings.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(timings)!);
        File.AppendAllText(timings, stamped + Environment.NewLine);
    }

    private async Task Phase(string name, Func<Task> body) => await Phase(name, async () => { await body(); return true; });

    private async Task<T> Phase<T>(string name, Func<Task<T>> body)
    {
        var started = _clock.Elapsed;
        var result = await body();
        Log($"{name}: {(_clock.Elapsed - started).TotalSeconds:F1} s");
        return result;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes — containers are other
    /// processes, so there is nothing to subscribe to. A request that fails while a container (re)starts counts as "not yet".
    /// </summary>
    private static async Task Eventually(TimeSpan timeout, string what, Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
            {
                last = e;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        Assert.Fail($"Not within {timeout}: {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    private async Task<Dictionary<string, string>> StandInImagesAsync(string root)
    {
        var standIns = await RunAsync(root, "bash", ["deploy/standins.sh"], TimeSpan.FromMinutes(8));
        Assert.True(standIns.ExitCode == 0, "deploy/standins.sh failed:\n" + standIns.Output);
        var images = standIns.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);
        foreach (var key in new[] { "SDK_IMAGE", "RUNTIME_IMAGE", "POSTGRES_IMAGE" })
            Assert.True(images.ContainsKey(key), $"deploy/standins.sh printed no {key}:\n{standIns.Output}");
        Log("stand-ins: " + string.Join(", ", images.Values.Distinct()));
        return images;
    }

    private static async Task RunChecked(string root, string[] dockerArguments)
    {
        var result = await RunAsync(root, "docker", dockerArguments, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', dockerArguments)} failed:\n{result.Output}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "docker-compose.yml")) && File.Exists(Path.Combine(directory.FullName, "deploy", "Dockerfile")))
                return directory.FullName;
        }
        throw new InvalidOperationException("docker-compose.yml not found above " + AppContext.BaseDirectory);
    }

    private static StringContent JsonBody(object body) => new(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> PostAsync(HttpClient node, string path, object body) => node.PostAsync(path, JsonBody(body));

    private static async Task<string> Describe(HttpResponseMessage response) =>
        $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";

    internal sealed record ProcessResult(int ExitCode, string Stdout, string Output);

    /// <summary>Runs a command to completion (killing it at <paramref name="timeout"/>); Output is stdout and stderr together.</summary>
    internal static async Task<ProcessResult> RunAsync(string directory, string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var all = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (all)
            {
                stdout.AppendLine(e.Data);
                all.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (all)
                all.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (all)
                return new ProcessResult(-1, stdout.ToString(), $"{file} {string.Join(' ', arguments)}: no exit within {timeout}\n{all}");
        }
        lock (all)
            return new ProcessResult(process.ExitCode, stdout.ToString(), all.ToString());
    }

    /// <summary>docker-compose on the repository's compose file under this run's project name and environment.</summary>
    private sealed class Compose(string root, string project, IReadOnlyDictionary<string, string> environment)
    {
        public string Root => root;

        private string[] Arguments(string[] command) =>
            ["-f", Path.Combine(root, "docker-compose.yml"), "--project-directory", root, "-p", project, .. command];

        public async Task RunAsync(TimeSpan timeout, params string[] command)
        {
            var result = await ComposeClusterTests.RunAsync(root, "docker-compose", Arguments(command), timeout, environment);
            Assert.True(result.ExitCode == 0, $"docker-compose {string.Join(' ', command)} failed:\n{result.Output}");
        }

        /// <summary>Runs without failing the test (clean-up, diagnostics); returns the output.</summary>
        public async Task<string> TryRunAsync(TimeSpan timeout, params string[] command) =>
            (await ComposeClusterTests.RunAsync(root, "docker-compose", Arguments(command), timeout, environment)).Output;

        public async Task<string> ContainerAsync(string service)
        {
            var result = await ComposeClusterTests.RunAsync(root, "docker-compose", Arguments(["ps", "-q", service]), TimeSpan.FromSeconds(30), environment);
            var id = result.Stdout.Trim();
            Assert.True(result.ExitCode == 0 && id.Length > 0, $"no container for {service}:\n{result.Output}");
            return id;
        }
    }
}
