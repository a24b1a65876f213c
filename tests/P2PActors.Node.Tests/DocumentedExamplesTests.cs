using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using P2PActors.Testing;
using Xunit.Abstractions;

namespace P2PActors.Node.Tests;

/// <summary>
/// Every shell example of the README, DEVELOPERS.md and the reference docs (cli, http-api, content, page) runs as
/// written next to a default node — a real node process started as <c>dotnet run --project src/P2PActors.Node</c>
/// starts it (no flags: HTTP 5080, remoting 4053, <c>./data</c> of the project folder). Each fenced <c>bash</c>/<c>sh</c> block runs
/// in bash from a scratch copy of the repository's layout and must exit 0. The rule is "every block runs"; a block
/// that cannot (it needs Docker, PostgreSQL or websocat, or is the default node itself) says so in its first line,
/// visibly to the reader: <c># not run by the example test: &lt;reason&gt;</c>.
/// <para>
/// <c>dotnet run --project src/P2PActors.Node [--]</c> becomes the built DLL, started in <c>src/P2PActors.Node</c>
/// as <c>dotnet run</c> does (relative paths such as <c>render --out</c> resolve there). A command that runs a node or
/// a cluster (the default command, <c>node</c>, <c>cluster</c>) is started in the background as if in another
/// terminal; the block goes on once it is up, and at the end of the block it gets SIGTERM and must exit 0. So a port
/// collision with the default node, a placeholder the shell cannot parse, a flag the CLI refuses or a request to a
/// port nothing listens on fails the test. Traffic goes only to 127.0.0.1.
/// </para>
/// </summary>
// Alone: the default node and the examples' nodes read the inherited environment, where the tests of this collection
// set P2PActors__* variables, and the examples hold fixed ports.
[Collection(nameof(ProcessEnvironment))]
public sealed partial class DocumentedExamplesTests(ITestOutputHelper output)
{
    /// <summary>The files whose shell examples a reader copies into a terminal next to a running node.</summary>
    internal static readonly string[] DocumentsWithExamples =
        ["README.md", "DEVELOPERS.md", "docs/cli.md", "docs/http-api.md", "docs/content.md", "docs/page.md"];

    private const int DefaultHttpPort = 5080;
    private static readonly TimeSpan NodeStart = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BlockTimeout = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (ERR|FTL)\]", RegexOptions.Multiline)]
    private static partial Regex ErrorLogLine();

    [ExamplesFact]
    public async Task Every_shell_example_in_the_docs_runs_as_written_next_to_a_default_node()
    {
        var root = RepositoryRoot();
        var blocks = DocumentsWithExamples.SelectMany(file => ShellBlock.Read(root, file)).ToList();
        var runnable = blocks.Where(b => b.NotRunReason is null).ToList();
        // Fewer would mean the fences or the marker are no longer read as the docs write them.
        Assert.True(runnable.Count >= 10, $"only {runnable.Count} runnable shell examples in {string.Join(", ", DocumentsWithExamples)}");
        foreach (var skipped in blocks.Where(b => b.NotRunReason is not null))
            output.WriteLine($"not run: {skipped.Where} ({skipped.NotRunReason})");

        // Checked again here: with CI=true the attribute runs the test whatever is missing, and it must fail saying what.
        Assert.True(Components.MissingExampleTools is null, $"{Components.MissingExampleTools}; install or stop it and run the test again.");

        // A scratch "checkout": the shell runs at its root, the node in src/P2PActors.Node as `dotnet run` runs it.
        var checkout = Directory.CreateTempSubdirectory("p2pactors-doc-examples-").FullName;
        var runDirectory = Directory.CreateDirectory(Path.Combine(checkout, "src", "P2PActors.Node")).FullName;
        var scripts = Directory.CreateTempSubdirectory("p2pactors-doc-scripts-").FullName;
        var clock = Stopwatch.StartNew();
        try
        {
            await using var node = NodeProcess.Start("doc-default", _ => [], workingDirectory: runDirectory);
            // Up in the cluster and serving HTTP: Kestrel starts listening after the member is Up, and under load the
            // first example's curl could otherwise reach the port before it listens (exit 7 in a CI run).
            var up = node.LineAsync(line => line.Contains("to [Up]", StringComparison.Ordinal));
            var listening = node.LineAsync(line => line.Contains("Now listening on", StringComparison.Ordinal));
            await Task.WhenAny(Task.WhenAll(up, listening), node.WaitForExitAsync()).WaitAsync(NodeStart);
            Assert.True(up.IsCompleted && listening.IsCompleted, $"the default node did not come up:\n{node.Output}");
            output.WriteLine($"default node Up after {clock.Elapsed.TotalSeconds:F1} s");

            var failures = new List<string>();
            foreach (var (block, index) in runnable.Select((b, i) => (b, i)))
            {
                var started = clock.Elapsed;
                var script = Path.Combine(scripts, $"example-{index}.sh");
                await File.WriteAllTextAsync(script, ShellBlock.Prelude + ShellBlock.Rewrite(block.Text));
                var result = await RunBashAsync(script, checkout, scripts);
                output.WriteLine($"{block.Where}: exit {result.ExitCode} in {(clock.Elapsed - started).TotalSeconds:F1} s");
                if (result.ExitCode != 0)
                    failures.Add($"{block.Where} exited {result.ExitCode}:\n{block.Text}\n--- output ---\n{result.Output}");
            }
            Assert.True(failures.Count == 0, string.Join("\n\n", failures) + $"\n\n--- default node ---\n{node.Output}");

            // The default node kept serving through all of it and logged no error of its own.
            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{DefaultHttpPort}") })
            using (var health = await http.GetAsync("/health"))
                Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health after the examples: {(int)health.StatusCode}\n{node.Output}");
            var exitCode = await node.StopAsync(NodeStart);
            Assert.True(exitCode == 0, $"the default node exited {exitCode}\n{node.Output}");
            Assert.False(ErrorLogLine().IsMatch(node.Output), $"the default node logged an error:\n{node.Output}");
            output.WriteLine($"all {runnable.Count} examples in {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            TryDelete(checkout);
            TryDelete(scripts);
        }
    }

    [Theory]
    // Written by hand from the rule: a node or cluster is served in the background, anything else runs to its end.
    [InlineData("dotnet run --project src/P2PActors.Node", "p2p_serve")]
    [InlineData("dotnet run --project src/P2PActors.Node -- node --port 4054", "p2p_serve node --port 4054")]
    [InlineData("dotnet run --project src/P2PActors.Node -- --http-url http://127.0.0.1:5081 --port 4054", "p2p_serve --http-url http://127.0.0.1:5081 --port 4054")]
    [InlineData("dotnet run --project src/P2PActors.Node -- cluster --nodes 3", "p2p_serve cluster --nodes 3")]
    [InlineData("dotnet run --project src/P2PActors.Node -- generate item --seed 1", "p2p_node generate item --seed 1")]
    [InlineData("dotnet run --project src/P2PActors.Node -- --help", "p2p_node --help")]
    [InlineData("X=1 \\\n  dotnet run --project src/P2PActors.Node", "X=1 \\\n  p2p_serve")]
    [InlineData("dotnet run --project src/P2PActors.Node -- node --port 4056 \\\n  --seed-node akka.tcp://p2pactors@127.0.0.1:4053", "p2p_serve node --port 4056 \\\n  --seed-node akka.tcp://p2pactors@127.0.0.1:4053")]
    [InlineData("curl -s localhost:5080/health", "curl -s localhost:5080/health")]
    public void The_node_cli_is_rewritten_to_the_built_node_served_or_run_to_its_end(string example, string rewritten) =>
        Assert.Equal(rewritten, ShellBlock.Rewrite(example));

    [Fact]
    public void A_block_that_is_not_run_says_why_in_its_first_line()
    {
        var blocks = ShellBlock.Parse("doc.md", """
            text
            ```bash
            # not run by the example test: needs websocat
            websocat ws://127.0.0.1:5080/ws
            ```

            ```sh
            curl -s localhost:5080/health
            ```

            ```text
            not a shell block
            ```
            """);
        Assert.Equal(2, blocks.Count);
        Assert.Equal("needs websocat", blocks[0].NotRunReason);
        Assert.Equal("doc.md:2", blocks[0].Where);
        Assert.Null(blocks[1].NotRunReason);
        Assert.Equal("curl -s localhost:5080/health\n", blocks[1].Text);
        Assert.Throws<InvalidOperationException>(() => ShellBlock.Parse("doc.md", "```bash\n# not run by the example test:\nx\n```\n"));
    }

    private static async Task<ComposeClusterTests.ProcessResult> RunBashAsync(string script, string directory, string logs)
    {
        var environment = new Dictionary<string, string>
        {
            ["P2P_NODE_DLL"] = Path.Combine(AppContext.BaseDirectory, "P2PActors.Node.dll"),
            ["P2P_RUN_DIR"] = Path.Combine(directory, "src", "P2PActors.Node"),
            ["P2P_LOGS"] = logs,
        };
        return await ComposeClusterTests.RunAsync(directory, "bash", [script], BlockTimeout, environment);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A stray temp directory is harmless.
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "README.md")) && File.Exists(Path.Combine(directory.FullName, "P2PActors.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("README.md and P2PActors.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fenced <c>bash</c> or <c>sh</c> block of a markdown file, and how the example test runs it.</summary>
internal sealed partial record ShellBlock(string Where, string Text, string? NotRunReason)
{
    private const string NotRunMarker = "# not run by the example test:";

    [GeneratedRegex(@"^```(bash|sh)\s*$")]
    private static partial Regex ShellFence();

    [GeneratedRegex(@"dotnet run --project src/P2PActors\.Node(?: --(?=\s|$))?")]
    private static partial Regex NodeCli();

    /// <summary>Subcommands that run to their end; anything else the node CLI is given runs a node (or a cluster) until stopped.</summary>
    private static readonly HashSet<string> Finite = ["generate", "render", "keys", "health", "chaos", "--help", "-h", "-?", "--version"];

    public static IReadOnlyList<ShellBlock> Read(string root, string file) =>
        Parse(file, File.ReadAllText(Path.Combine(root, file)));

    public static IReadOnlyList<ShellBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<ShellBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!ShellFence().IsMatch(lines[i]))
                continue;
            var start = i;
            var body = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                body.Append(lines[i]).Append('\n');
            var text = body.ToString();
            string? reason = null;
            if (text.StartsWith(NotRunMarker, StringComparison.Ordinal))
            {
                reason = text[NotRunMarker.Length..text.IndexOf('\n', StringComparison.Ordinal)].Trim();
                if (reason.Length == 0)
                    throw new InvalidOperationException($"{file}:{start + 1}: '{NotRunMarker}' needs a reason");
            }
            blocks.Add(new ShellBlock($"{file}:{start + 1}", text, reason));
        }
        return blocks;
    }

    /// <summary>
    /// <c>dotnet run --project src/P2PActors.Node [--] args</c> becomes <c>p2p_serve args</c> for a node or a cluster
    /// and <c>p2p_node args</c> for a command that ends by itself (functions of <see cref="Prelude"/>).
    /// </summary>
    public static string Rewrite(string text) =>
        NodeCli().Replace(text, match =>
        {
            // The command's own arguments: the rest of the logical line (backslash-newline continues it).
            var rest = text[(match.Index + match.Length)..];
            var end = 0;
            while (end < rest.Length && !(rest[end] == '\n' && (end == 0 || rest[end - 1] != '\\')))
                end++;
            var first = rest[..end].Replace("\\\n", " ").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return first is not null && Finite.Contains(first) ? "p2p_node" : "p2p_serve";
        });

    /// <summary>
    /// Bash run before every block. <c>p2p_node</c> runs the built node in <c>$P2P_RUN_DIR</c>, as <c>dotnet run</c>
    /// does in the project folder. <c>p2p_serve</c> starts it in the background, as if in another terminal, and
    /// returns once it is up ("Application started" of a node, "All N nodes are Up" of <c>cluster</c>); a command
    /// that ends before that must end with 0 (e.g. <c>node --help</c>). On exit every served process gets SIGTERM and
    /// must exit 0. Waits read the process's output as it comes (no polling) and are bounded.
    /// </summary>
    public const string Prelude = """
        set -euo pipefail
        p2p_ready_seconds=60
        p2p_served=()
        p2p_node() { (cd "$P2P_RUN_DIR" && exec dotnet "$P2P_NODE_DLL" "$@"); }
        p2p_serve() {
          local log fifo pid fd line left deadline=$((SECONDS + p2p_ready_seconds))
          log=$(mktemp -p "$P2P_LOGS" serve.XXXXXX.log)
          fifo=$(mktemp -u -p "$P2P_LOGS" serve.XXXXXX.fifo)
          mkfifo "$fifo"
          (cd "$P2P_RUN_DIR" && exec dotnet "$P2P_NODE_DLL" "$@") >"$fifo" 2>&1 &
          pid=$!
          exec {fd}<"$fifo"
          while true; do
            left=$((deadline - SECONDS))
            local got=0
            ((left > 0)) && { IFS= read -r -t "$left" -u "$fd" line || got=$?; } || got=142
            if ((got != 0)); then
              # read: above 128 on its timeout, 1 at the end of the output (the process closed it, i.e. exited).
              if ((got > 128)); then
                kill -KILL "$pid"
                echo "example test: '$*' was not up within ${p2p_ready_seconds} s:" >&2
                cat "$log" >&2
                return 1
              fi
              local code=0
              wait "$pid" || code=$?
              exec {fd}<&-
              if ((code == 0)); then
                echo "example test: '$*' ended (exit code 0) without waiting to be stopped" >&2
                return 0
              fi
              echo "example test: '$*' exited with code $code before it was up:" >&2
              cat "$log" >&2
              return 1
            fi
            printf '%s\n' "$line" >>"$log"
            # `cluster` passes on its nodes' lines as "[node-N] ..."; it is up only once it says all are.
            case $line in
              "[node-"*) ;;
              *"Application started"* | "All "*" nodes are Up"*) break ;;
            esac
          done
          cat <&"$fd" >>"$log" &
          exec {fd}<&-
          p2p_served+=("$pid|$log|$*")
          echo "example test: '$*' is up: $line" >&2
        }
        p2p_stop_all() {
          local status=$? entry pid log what code failed=0
          for entry in "${p2p_served[@]}"; do kill -TERM "${entry%%|*}" 2>/dev/null || true; done
          for entry in "${p2p_served[@]}"; do
            pid=${entry%%|*}; log=${entry#*|}; what=${log#*|}; log=${log%%|*}
            code=0
            wait "$pid" || code=$?
            if ((code != 0)); then
              echo "example test: '$what' exited with code $code after SIGTERM:" >&2
              cat "$log" >&2
              failed=1
            fi
          done
          wait
          ((status != 0)) && exit "$status"
          ((failed == 0)) || exit 1
          exit 0
        }
        trap p2p_stop_all EXIT
        # ---- the example ----

        """;
}
