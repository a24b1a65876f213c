using System.Globalization;

namespace P2PActors.Node.Hosting;

/// <summary>
/// One node per data folder. Two live nodes on one folder would share one validator key (two votes from one
/// identity) and write the same SQLite files. The lock is an exclusive OS file lock on <see cref="FileName"/> (on Linux
/// and macOS .NET takes <c>flock</c> for <see cref="FileShare.None"/>, on Windows a share-mode lock): the operating
/// system drops it when the holding process ends however it ends, so kill -9 and container restarts need no clean-up.
/// Who holds it is written next to it in <see cref="OwnerFileName"/> (the lock file itself cannot be read by others).
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "node.lock";
    public const string OwnerFileName = "node.owner";

    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream @lock) => _lock = @lock;

    /// <summary>
    /// Takes the folder's lock, creating the folder if needed; null when another live process holds it, with
    /// <paramref name="holder"/> saying which node that is (as it described itself), or why the lock is unusable.
    /// </summary>
    public static DataDirectoryLock? TryAcquire(string directory, string owner, out string holder)
    {
        var full = Path.GetFullPath(directory);
        Directory.CreateDirectory(full);
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(full, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            holder = ReadOwner(full);
            return null;
        }
        var description = $"{owner}, pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z";
        File.WriteAllText(Path.Combine(full, OwnerFileName), description + Environment.NewLine);
        holder = description;
        return new DataDirectoryLock(stream);
    }

    /// <summary>
    /// Only the lock being held is "in use": any other I/O error (a read-only or failing volume, a broken link) is
    /// thrown, to be reported as such, not as a node that the owner file, left behind by an earlier run, would name.
    /// .NET gives the errno of a failed <c>flock</c> as the HResult on Linux and the BSDs (EWOULDBLOCK), and the Win32
    /// sharing or lock violation on Windows.
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33
        : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? e.HResult == 35
        : e.HResult == 11;

    private static string ReadOwner(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, OwnerFileName)).Trim() is { Length: > 0 } text ? text : "another process (it did not say which)";
        }
        catch (IOException)
        {
            return "another process (it did not say which)";
        }
        catch (UnauthorizedAccessException)
        {
            return "another process (its description is not readable)";
        }
    }

    public void Dispose() => _lock.Dispose();
}
