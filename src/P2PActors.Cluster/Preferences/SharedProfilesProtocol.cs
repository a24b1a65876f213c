using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Preferences;

/// <summary>
/// From a sharing player's memory to the <see cref="SharedProfilesActor"/> of its node: replicate this profile to
/// every node (replacing the player's earlier one). Fire-and-forget.
/// </summary>
public sealed record PublishSharedProfile(SharedProfileEntry Entry) : IP2PMessage;

/// <summary>The player opted out: remove their profile from the replicated set. Fire-and-forget.</summary>
public sealed record WithdrawSharedProfile(string PlayerId) : IP2PMessage;

/// <summary>
/// Recommendations for the player whose ratings are <see cref="Target"/>, from the shared profiles this node holds.
/// Replies <see cref="RecommendationList"/>, or <see cref="Akka.Actor.Status.Failure"/> for a target or arguments that
/// are not valid.
/// </summary>
/// <param name="Neighbours">k: the most similar players the prediction uses.</param>
public sealed record Recommend(SharedProfileEntry Target, ContentType? Type, int Take, int Neighbours = Recommender.DefaultNeighbours)
    : IP2PMessage;

/// <param name="SharedProfiles">How many shared profiles the answer was computed from (the index's players).</param>
/// <param name="SimilarPlayers">How many of them counted as neighbours (positive similarity, at most k).</param>
/// <param name="IndexCurrent">
/// False while the index is being rebuilt after changes: the answer comes from the previous index, a few hundred
/// milliseconds behind what this node has accepted.
/// </param>
public sealed record RecommendationList(
    string PlayerId, IReadOnlyList<Recommendation> Items, int SharedProfiles, int SimilarPlayers, bool IndexCurrent) : IP2PMessage;

/// <summary>Replies <see cref="SharedProfilesInfo"/>: what this node holds right now.</summary>
public sealed record GetSharedProfiles(string? PlayerId = null) : IP2PMessage;

/// <param name="Profiles">Accepted shared profiles.</param>
/// <param name="Rejected">Replicated entries this node refused as invalid.</param>
/// <param name="IndexCurrent">Whether the recommendation index already reflects every accepted profile.</param>
/// <param name="Profile">The accepted profile of the player asked about, if any.</param>
public sealed record SharedProfilesInfo(int Profiles, int Ratings, int Rejected, bool IndexCurrent, SharedProfileEntry? Profile) : IP2PMessage;
