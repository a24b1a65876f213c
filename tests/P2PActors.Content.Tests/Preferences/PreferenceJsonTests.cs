using System.Text.Json;
using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Content.Tests.Preferences;

/// <summary>Ratings are persisted as events and shared profiles travel between nodes, both as JSON.</summary>
public class PreferenceJsonTests
{
    private static readonly JsonSerializerOptions Options = ContentJson.Options;

    [Fact]
    public void A_rating_round_trips()
    {
        var rating = new Rating("abc", ContentType.Quest, ["difficulty:hard", "objective:kill"], 4, new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(1)));

        var json = JsonSerializer.Serialize(rating, Options);
        var back = JsonSerializer.Deserialize<Rating>(json, Options)!;

        Assert.Equal("""{"contentId":"abc","type":"quest","attributes":["difficulty:hard","objective:kill"],"stars":4,"at":"2025-03-01T12:00:00+01:00"}""", json);
        Assert.Equal((rating.ContentId, rating.Type, rating.Stars, rating.At), (back.ContentId, back.Type, back.Stars, back.At));
        Assert.Equal(rating.Attributes, back.Attributes);
    }

    [Fact]
    public void A_shared_profile_round_trips_and_a_tampered_one_is_refused()
    {
        var profile = new SharedProfile("p1", [new SharedRating("a", ContentType.Item, 5), new SharedRating("b", ContentType.Map, 2)]);

        var json = JsonSerializer.Serialize(profile, Options);
        var back = JsonSerializer.Deserialize<SharedProfile>(json, Options)!;

        Assert.Equal("""{"playerId":"p1","ratings":[{"contentId":"a","type":"item","stars":5},{"contentId":"b","type":"map","stars":2}]}""", json);
        Assert.Equal(profile.Ratings, back.Ratings);
        Assert.Equal(3.5, back.Mean);
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSerializer.Deserialize<SharedProfile>(json.Replace("\"stars\":5", "\"stars\":9"), Options));
    }
}
