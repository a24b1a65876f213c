using System.Text.Json.Serialization;
using P2PActors.Content.Model;

namespace P2PActors.Content.Preferences;

/// <summary>
/// One player's verdict on one piece of content. The attributes are captured when the rating is made
/// (see <see cref="ContentAttributes.Of(GameContent)"/>) so the profile can be rebuilt from ratings alone,
/// without fetching the content again.
/// </summary>
public sealed record Rating
{
    public const int MinStars = 1;
    public const int MaxStars = 5;

    /// <summary>Ratings of at least this many stars make the content a pattern for the generator.</summary>
    public const int PatternStars = 4;

    public Rating(string ContentId, ContentType Type, IReadOnlyList<string> Attributes, int Stars, DateTimeOffset At)
    {
        if (string.IsNullOrWhiteSpace(ContentId))
        {
            throw new ArgumentException("a rating needs a content id", nameof(ContentId));
        }
        if (!IsValidStars(Stars))
        {
            throw new ArgumentOutOfRangeException(nameof(Stars), Stars, $"stars must be {MinStars}..{MaxStars}");
        }
        ArgumentNullException.ThrowIfNull(Attributes);
        this.ContentId = ContentId;
        this.Type = Type;
        this.Attributes = Attributes;
        this.Stars = Stars;
        this.At = At;
    }

    public string ContentId { get; }

    public ContentType Type { get; }

    public IReadOnlyList<string> Attributes { get; }

    public int Stars { get; }

    public DateTimeOffset At { get; }

    [JsonIgnore]
    public bool IsPattern => Stars >= PatternStars;

    public static bool IsValidStars(int stars) => stars is >= MinStars and <= MaxStars;

    /// <summary>Rates content that carries its id (content straight from a generator must go through ContentJson.WithId first).</summary>
    public static Rating Of(GameContent content, int stars, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(content);
        var id = content.Id ?? throw new ArgumentException("content has no id; use ContentJson.WithId", nameof(content));
        return new Rating(id, content.Type, ContentAttributes.Of(content), stars, at);
    }
}
