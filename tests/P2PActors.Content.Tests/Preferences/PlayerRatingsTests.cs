using P2PActors.Content.Model;
using P2PActors.Content.Preferences;

namespace P2PActors.Content.Tests.Preferences;

public class PlayerRatingsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static Rating R(string id, int stars, int minute = 0, params string[] attributes) =>
        new(id, ContentType.Character, attributes, stars, T0.AddMinutes(minute));

    [Fact]
    public void Re_rating_replaces_the_earlier_rating_and_keeps_the_count()
    {
        var ratings = PlayerRatings.Empty.Apply(R("a", 2, 0)).Apply(R("b", 4, 1)).Apply(R("a", 5, 2));

        Assert.Equal(2, ratings.Count);
        Assert.Equal(5, ratings.Get("a")!.Stars);
        // The re-rating is the newest opinion, so it moves to the end.
        Assert.Equal(["b", "a"], ratings.InOrder.Select(r => r.ContentId));
    }

    [Fact]
    public void Applying_returns_a_new_state_and_leaves_the_old_one_alone()
    {
        var before = PlayerRatings.Empty.Apply(R("a", 2));
        var after = before.Apply(R("a", 4));

        Assert.Equal(2, before.Get("a")!.Stars);
        Assert.Equal(4, after.Get("a")!.Stars);
    }

    [Fact]
    public void Four_and_five_star_ratings_are_the_patterns()
    {
        var ratings = PlayerRatings.From([R("a", 1), R("b", 3), R("c", 4), R("d", 5), R("e", 2)]);

        Assert.Equal(["c", "d"], ratings.Patterns.Select(r => r.ContentId));
        Assert.Equal(["a", "c", "d"], ratings.Apply(R("a", 4)).Patterns.Select(r => r.ContentId).Order());
        Assert.Equal(["d"], ratings.Apply(R("c", 3)).Patterns.Select(r => r.ContentId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    public void Stars_outside_one_to_five_are_refused(int stars)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => R("a", stars));
    }

    [Fact]
    public void A_rating_needs_a_content_id()
    {
        Assert.Throws<ArgumentException>(() => R(" ", 3));
        Assert.Throws<ArgumentException>(() => Rating.Of(ContentAttributesTests.Character(CharacterClass.Mage) with { Id = null }, 3, T0));
    }

    [Fact]
    public void Rating_content_captures_its_id_type_and_attributes()
    {
        var item = ContentAttributesTests.Item(ItemKind.Armor, Rarity.Rare);
        var rating = Rating.Of(item, 4, T0);

        Assert.Equal(item.Id, rating.ContentId);
        Assert.Equal(ContentType.Item, rating.Type);
        Assert.Equal(["kind:armor", "rarity:rare"], rating.Attributes);
        Assert.True(rating.IsPattern);
    }

    [Fact]
    public void The_shared_form_has_the_current_stars_of_each_content()
    {
        var shared = PlayerRatings.From([R("a", 1), R("b", 3), R("a", 5)]).ToShared("p1");

        Assert.Equal("p1", shared.PlayerId);
        Assert.Equal([new SharedRating("b", ContentType.Character, 3), new SharedRating("a", ContentType.Character, 5)], shared.Ratings);
        Assert.Equal(4.0, shared.Mean);
    }
}
