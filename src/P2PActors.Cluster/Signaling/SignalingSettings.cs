using System.Text.RegularExpressions;

namespace P2PActors.Cluster.Signaling;

/// <summary>Limits of the WebRTC signaling rooms. Every one of them also bounds what a peer node may announce.</summary>
public sealed record SignalingSettings
{
    /// <summary>Most peers in one room; a join beyond it is refused with <c>room-full</c>.</summary>
    public int MaxRoomSize { get; init; } = 16;

    /// <summary>Largest <c>data</c> of one signal (UTF-16 characters of its JSON text); SDP offers are a few kB.</summary>
    public int MaxSignalChars { get; init; } = 16 * 1024;

    /// <summary>Rooms one peer may be in at once.</summary>
    public int MaxRoomsPerPeer { get; init; } = 8;

    /// <summary>Most room memberships accepted from one node's announcements (bounds what a Byzantine node can make us hold).</summary>
    public int MaxEntriesPerNode { get; init; } = 20_000;

    /// <summary>
    /// Every node re-sends its full membership this often. Announcements travel in order over one remoting link, so
    /// this only repairs what a dropped association lost.
    /// </summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every problem with these settings, phrased for the operator; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxRoomSize is < 2 or > 1024)
            problems.Add("MaxRoomSize must be between 2 and 1024");
        if (MaxSignalChars is < 256 or > 1024 * 1024)
            problems.Add("MaxSignalChars must be between 256 and 1048576");
        if (MaxRoomsPerPeer is < 1 or > 256)
            problems.Add("MaxRoomsPerPeer must be between 1 and 256");
        if (MaxEntriesPerNode < 1)
            problems.Add("MaxEntriesPerNode must be at least 1");
        if (SyncInterval < TimeSpan.FromMilliseconds(100))
            problems.Add("SyncInterval must be at least 100 ms");
        return problems;
    }
}

/// <summary>Shapes of room names and peer ids; everything a page or a peer node sends is checked against them.</summary>
public static partial class RoomNames
{
    public const int MaxRoomLength = 64;
    public const int MaxPeerIdLength = 64;

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]+\z")]
    private static partial Regex Safe();

    /// <summary>Null when <paramref name="room"/> is a usable room name, else why not (fit for an error frame).</summary>
    public static string? CheckRoom(string? room) => Check(room, "room", MaxRoomLength);

    public static string? CheckPeerId(string? peerId) => Check(peerId, "peer id", MaxPeerIdLength);

    /// <summary>A fresh, unguessable peer id (128 random bits): a page cannot predict another page's id.</summary>
    public static string NewPeerId() => "p" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private static string? Check(string? value, string what, int max)
    {
        if (string.IsNullOrEmpty(value)) return $"{what} is required";
        if (value.Length > max) return $"{what} is longer than {max} characters";
        return Safe().IsMatch(value) ? null : $"{what} may only contain letters, digits, '_', '-', '.' and ':'";
    }
}
