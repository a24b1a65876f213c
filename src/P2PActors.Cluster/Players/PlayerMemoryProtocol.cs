using P2PActors.Cluster.Serialization;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Players;

/// <summary>Every message for a player's memory names the player: it is the sharding entity id.</summary>
public interface IPlayerMemoryCommand : IP2PMessage
{
    string PlayerId { get; }
}

/// <summary>What the ephemeral generator asks before generating. Replies <see cref="PlayerPatterns"/>.</summary>
public sealed record GetLearnedPatterns(string PlayerId) : IPlayerMemoryCommand;

public sealed record PlayerPatterns(string PlayerId, LearnedPatterns Patterns) : IP2PMessage;

/// <summary>
/// Records that content was generated for the player. Fire-and-forget; recording the same content id twice
/// is a no-op, so a retried or cached request does not grow the history.
/// </summary>
public sealed record RecordGenerated(string PlayerId, string ContentId, ContentType Type, long Seed, DateTimeOffset At)
    : IPlayerMemoryCommand;

/// <summary>
/// Reads the player's memory. The reply reflects every <see cref="RecordGenerated"/> the memory received before
/// this query (it waits for their journal writes). Replies <see cref="PlayerSnapshot"/>.
/// </summary>
public sealed record GetPlayerSnapshot(string PlayerId) : IPlayerMemoryCommand;

public sealed record HistoryEntry(string ContentId, ContentType Type, long Seed, DateTimeOffset At);

/// <param name="History">Oldest first, at most the configured history limit.</param>
public sealed record PlayerSnapshot(string PlayerId, IReadOnlyList<HistoryEntry> History, LearnedPatterns Patterns)
    : IP2PMessage;

/// <summary>Events journaled by a player's memory.</summary>
public interface IPlayerMemoryEvent : IP2PMessage;

/// <summary>One recording. No longer written (see <see cref="ContentRecordedBatch"/>); kept so older journals recover.</summary>
public sealed record ContentRecorded(HistoryEntry Entry) : IPlayerMemoryEvent;

/// <summary>
/// Several recordings coalesced into one journal write, oldest first: back-to-back generations for a player cost
/// one event instead of one each.
/// </summary>
public sealed record ContentRecordedBatch(IReadOnlyList<HistoryEntry> Entries) : IPlayerMemoryEvent;

/// <summary>
/// What sharding sends a player's memory to passivate or hand it off: it persists the recordings it still buffers,
/// then stops.
/// </summary>
public sealed record StopPlayerMemory : IP2PMessage
{
    public static readonly StopPlayerMemory Instance = new();
}
