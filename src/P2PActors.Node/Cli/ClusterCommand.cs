using System.CommandLine;
using System.Runtime.InteropServices;

namespace P2PActors.Node.Cli;

/// <summary>
/// <c>cluster --nodes N</c>: a whole cluster on this machine for trying things out. Starts N node processes from
/// this very build (<c>dotnet P2PActors.Node.dll node ...</c>), the first one the seed of the others, each with its
/// own remoting port, HTTP port and data folder; waits until all are Up; prints their HTTP addresses; and stops
/// them all (SIGTERM, so they leave the cluster gracefully) on Ctrl+C/SIGTERM/SIGHUP or when one of them dies.
/// </summary>
public static class ClusterCommand
{
    public const int MaxNodes = 16;

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = $"How many nodes to start, 1 to {MaxNodes}", Required = true };
        var baseHttpPort = new Option<int>("--base-http-port") { Description = "HTTP port of the first node; node i listens on base + i - 1", DefaultValueFactory = _ => 5080 };
        var basePort = new Option<int>("--base-port") { Description = "Akka remoting port of the first node (the seed); node i uses base + i - 1", DefaultValueFactory = _ => 4053 };
        var dataDir = new Option<string>("--data-dir") { Description = "Parent folder of the nodes' data folders (node-1, node-2...)", DefaultValueFactory = _ => "./data/cluster" };
        var startupTimeout = new Option<TimeSpan>("--startup-timeout") { Description = "How long to wait for every node to be Up, hh:mm:ss or seconds", DefaultValueFactory = _ => TimeSpan.FromMinutes(2) };
        var logLevel = new Option<string>("--log-level") { Description = "Lowest log level the nodes write (prefixed with their name, on stderr)", DefaultValueFactory = _ => "Warning" };
        logLevel.AcceptOnlyFromAmong("Verbose", "Debug", "Information", "Warning", "Error", "Fatal");
        var tlsCertificate = new Option<string>("--remote-tls-certificate") { Description = "TLS for remoting: PFX with certificate and key that every node presents; seeds become akka.ssl.tcp:// (the password: P2PActors__RemoteTlsPassword or --remote-tls-password)" };
        var tlsPassword = new Option<string>("--remote-tls-password") { Description = "Password of --remote-tls-certificate, handed to the nodes through their environment" };
        var tlsValidation = new Option<string>("--remote-tls-validation") { Description = "pinned, chain or none, passed to every node [default: pinned]" };
        var command = new Command("cluster", "Start N nodes on 127.0.0.1 that form one cluster; Ctrl+C stops them all.")
        {
            nodes, baseHttpPort, basePort, dataDir, startupTimeout, logLevel, tlsCertificate, tlsPassword, tlsValidation,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new ClusterPlan(
                parseResult.GetValue(nodes),
                parseResult.GetValue(baseHttpPort),
                parseResult.GetValue(basePort),
                parseResult.GetValue(dataDir)!,
                parseResult.GetValue(startupTimeout),
                parseResult.GetValue(logLevel)!)
            {
                RemoteTlsCertificate = parseResult.GetValue(tlsCertificate),
                RemoteTlsPassword = parseResult.GetValue(tlsPassword),
                RemoteTlsValidation = parseResult.GetValue(tlsValidation),
            },
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public sealed record ClusterPlan(int Nodes, int BaseHttpPort, int BasePort, string DataDirectory, TimeSpan StartupTimeout, string LogLevel)
    {
        public IReadOnlyList<string> Validate()
        {
            var problems = new List<string>();
            if (Nodes is < 1 or > MaxNodes)
                problems.Add($"--nodes: {Nodes} must be between 1 and {MaxNodes}");
            var count = Math.Clamp(Nodes, 1, MaxNodes);
            if (BaseHttpPort < 1 || BaseHttpPort + count - 1 > 65535)
                problems.Add($"--base-http-port: {BaseHttpPort} must leave room for {count} ports between 1 and 65535");
            if (BasePort < 1 || BasePort + count - 1 > 65535)
                problems.Add($"--base-port: {BasePort} must leave room for {count} ports between 1 and 65535");
            if (BaseHttpPort < BasePort + count && BasePort < BaseHttpPort + count)
                problems.Add($"--base-http-port {BaseHttpPort} and --base-port {BasePort}: the HTTP and remoting port ranges overlap");
            if (string.IsNullOrWhiteSpace(DataDirectory) || DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                problems.Add($"--data-dir: '{DataDirectory}' is not a usable path");
            if (StartupTimeout < TimeSpan.FromSeconds(1) || StartupTimeout > TimeSpan.FromDays(1))
                problems.Add($"--startup-timeout: {StartupTimeout} must be between 00:00:01 and 1.00:00:00");
            return problems;
        }

        /// <summary>
        /// The ports of the plan another process listens on, named by the flag that moves them. Without this, node 1
        /// failed naming its own --port / --http-url, which this command does not take, and the other nodes started
        /// meanwhile with node 1's address as their seed: the node already listening there, often the user's own.
        /// </summary>
        public IReadOnlyList<string> PortsInUse()
        {
            var problems = new List<string>();
            for (var i = 0; i < Nodes; i++)
            {
                if (Hosting.ListenProbe.Probe("127.0.0.1", BaseHttpPort + i) == Hosting.ListenAddress.InUse)
                    problems.Add($"--base-http-port {BaseHttpPort}: port {BaseHttpPort + i} (node {i + 1}'s HTTP) is in use by another process; start the cluster on free ports with --base-http-port");
                if (Hosting.ListenProbe.Probe("127.0.0.1", BasePort + i) == Hosting.ListenAddress.InUse)
                    problems.Add($"--base-port {BasePort}: port {BasePort + i} (node {i + 1}'s remoting) is in use by another process; start the cluster on free ports with --base-port");
            }
            return problems;
        }

        public string HttpUrl(int index) => $"http://127.0.0.1:{BaseHttpPort + index}";

        /// <summary>Passed on to every node, which checks it (a bad one stops the first node with exit code 2).</summary>
        public string? RemoteTlsCertificate { get; init; }

        public string? RemoteTlsPassword { get; init; }

        public string? RemoteTlsValidation { get; init; }

        /// <summary>Further flags for node i (0-based), e.g. a Byzantine mode for some of them.</summary>
        public Func<int, IEnumerable<string>>? ExtraArguments { get; init; }

        /// <summary>Further environment of every node: settings that must not show in ps, such as a connection string.</summary>
        public IReadOnlyDictionary<string, string>? ExtraEnvironment { get; init; }

        /// <summary>
        /// The nodes speak TLS when given a certificate here or through the environment they inherit; their addresses,
        /// the seed's included, are then akka.ssl.tcp.
        /// </summary>
        public bool RemoteTls => !string.IsNullOrWhiteSpace(RemoteTlsCertificate)
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("P2PActors__RemoteTlsCertificate"));

        /// <summary>Every node of the command's cluster runs under this name (given as a flag, so the environment cannot change it).</summary>
        public const string SystemName = "p2pactors";

        public string Address(int index) => $"{(RemoteTls ? "akka.ssl.tcp" : "akka.tcp")}://{SystemName}@127.0.0.1:{BasePort + index}";

        public string SeedAddress => Address(0);
    }

    private static async Task<int> RunAsync(ClusterPlan plan, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var problems = plan.Validate();
        if (problems.Count == 0)
            problems = plan.PortsInUse();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }

        // NodeCli leaves Ctrl+C to the generic host, which this command does not run: handle the signals here.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        // A closed terminal or a dropped SSH session: the nodes run in sessions of their own and would outlive it,
        // holding their ports and data folders, so the next run would find them in use.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        var children = new List<NodeChild>();
        try
        {
            children = LocalCluster.StartAll(plan, error);

            var up = await LocalCluster.WaitUntilUpAsync(plan, children, error, stop.Token);
            if (!up)
            {
                if (stop.IsCancellationRequested) return ExitCodes.Ok;
                // A node that refused its settings (it named them, exit 2) makes the command's mistake a usage one too:
                // the settings are the command's, passed on to every node.
                return children.Any(c => c.Process.HasExited && c.Process.ExitCode == ExitCodes.Usage) ? ExitCodes.Usage : ExitCodes.Failure;
            }

            for (var i = 0; i < children.Count; i++)
                await output.WriteLineAsync($"node {i + 1}: {plan.HttpUrl(i)}  ({plan.Address(i)}, data {children[i].DataDirectory})");
            await output.WriteLineAsync($"All {plan.Nodes} nodes are Up. Press Ctrl+C to stop them.");
            await output.FlushAsync(CancellationToken.None);

            var died = Task.WhenAny(children.Select(c => c.Exited));
            var stopped = Task.Delay(Timeout.Infinite, stop.Token);
            // A child may still be signalled with the command (kill of a process group, a setsid-less system).
            if (await Task.WhenAny(died, stopped) == died && !stop.IsCancellationRequested)
            {
                var dead = children.First(c => c.Process.HasExited);
                await error.WriteLineAsync($"node {dead.Index + 1} exited unexpectedly with code {dead.Process.ExitCode}; stopping the others.");
                return ExitCodes.Failure;
            }
            await TryWriteLineAsync(error, "Stopping the nodes...");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            await TryWriteLineAsync(error, $"Could not start a node process: {e.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            await LocalCluster.StopAllAsync(children);
        }

        // After a hangup the terminal is gone and writes to it fail (EIO): the nodes must still be stopped.
        static async Task TryWriteLineAsync(TextWriter writer, string line)
        {
            try
            {
                await writer.WriteLineAsync(line);
            }
            catch (IOException)
            {
            }
        }

        void Stop(PosixSignalContext context)
        {
            // Keep the process alive until the children are stopped; the finally block above does that.
            context.Cancel = true;
            stop.Cancel();
        }
    }

}
