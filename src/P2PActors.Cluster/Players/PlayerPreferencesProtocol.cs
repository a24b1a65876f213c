using P2PActors.Cluster.Serialization;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Cluster.Players;

/// <summary>
/// Rates content for a player. The node that found the content supplies its type and attribute keys
/// (<see cref="ContentAttributes.Of(GameContent)"/>), so the memory never has to fetch the content again.
/// Re-rating the same content replaces the earlier rating. Replies <see cref="ContentRatingStored"/> once the
/// rating is journaled, or <see cref="RatingRejected"/> with nothing changed.
/// </summary>
public sealed record RateContent(
    string PlayerId,
    string ContentId,
    ContentType Type,
    IReadOnlyList<string> Attributes,
    int Stars,
    DateTimeOffset At) : IPlayerMemoryCommand;

/// <param name="Replaced">True when the player had rated this content before (the count did not grow).</param>
/// <param name="Personalised">True when the player now has a profile, so generation for them is biased.</param>
public sealed record ContentRatingStored(string PlayerId, Rating Rating, bool Replaced, int RatingCount, bool Personalised)
    : IP2PMessage;

/// <param name="Field">The request field at fault ("stars", "contentId", ...).</param>
public sealed record RatingRejected(string PlayerId, string Field, string Reason) : IP2PMessage;

/// <summary>Replies <see cref="PlayerRatingList"/>: every current rating, oldest first.</summary>
public sealed record GetRatings(string PlayerId) : IPlayerMemoryCommand;

public sealed record PlayerRatingList(string PlayerId, IReadOnlyList<Rating> Ratings, bool Sharing) : IP2PMessage;

/// <summary>Replies <see cref="PlayerPreferences"/>.</summary>
public sealed record GetPreferences(string PlayerId) : IPlayerMemoryCommand;

/// <summary>One learned attribute as it travels: the weight in [−1, 1] and what the generator makes of it.</summary>
public sealed record AttributeWeight(string Key, double Weight, int Ratings, double GeneratorWeight);

/// <summary>
/// A player's learned profile. <see cref="HasProfile"/> is false (and <see cref="Attributes"/> empty) while the player
/// has fewer than <see cref="MinimumRatings"/> ratings; <see cref="RatingsNeeded"/> says how many are missing.
/// </summary>
/// <param name="Attributes">Most liked first (ties by key).</param>
public sealed record PlayerPreferences(
    string PlayerId,
    int RatingCount,
    int MinimumRatings,
    int RatingsNeeded,
    bool HasProfile,
    double LearningRate,
    double Sharpness,
    IReadOnlyList<AttributeWeight> Attributes) : IP2PMessage;

/// <summary>
/// Opts the player in (true) or out (false) of sharing their ratings with the cluster. Opting in publishes their
/// <see cref="SharedProfile"/> to every node and keeps it current with every later rating; opting out withdraws it.
/// Replies <see cref="SharingState"/> once the choice is journaled.
/// </summary>
public sealed record SetSharing(string PlayerId, bool Share, DateTimeOffset At) : IPlayerMemoryCommand;

public sealed record SharingState(string PlayerId, bool Sharing, int SharedRatings) : IP2PMessage;

/// <summary>A rating, journaled: re-rating the same content is a later <see cref="ContentRated"/> that replaces it.</summary>
public sealed record ContentRated(Rating Rating) : IPlayerMemoryEvent;

/// <summary>The player opted in to (true) or out of (false) sharing their ratings.</summary>
public sealed record SharingChanged(bool Share, DateTimeOffset At) : IPlayerMemoryEvent;

/// <summary>
/// Sent to every node's <c>PersonalisationListener</c> when a player gains or loses learned patterns, so no node answers
/// their seeded requests with content cached for someone else.
/// </summary>
public sealed record PlayerPersonalised(string PlayerId, bool Personalised) : IP2PMessage;
