using System.Globalization;

namespace P2PActors.Benchmarks;

/// <summary>What every command-line harness reads: its options, the load average and CPU per thread of this process.</summary>
internal static class HarnessProbe
{
    /// <summary>The 1-minute load average; the machine is shared, so every result line names it.</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public static string StringOption(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        int.Parse(StringOption(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>A comma-separated list of whole numbers, e.g. <c>--nodes 4,7</c>.</summary>
    public static int[] ListOption(string[] args, string name, int[] fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length
            ? args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
    }

    /// <summary>
    /// CPU ticks (user + system, in clock ticks) and voluntary context switches of every thread of a process (this one
    /// unless <paramref name="pid"/> names another, e.g. a node process a harness started), by thread id, read from
    /// /proc/PID/task.
    /// </summary>
    public static Dictionary<string, (string Name, long Ticks, long Switches)> ThreadCpu(string pid = "self")
    {
        var result = new Dictionary<string, (string, long, long)>();
        foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var switches = File.ReadLines(Path.Combine(dir, "status"))
                    .Where(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    .Sum(l => long.Parse(l.Split(':')[1].Trim(), CultureInfo.InvariantCulture));
                result[Path.GetFileName(dir)] = (name, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture), switches);
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }
        return result;
    }
}
