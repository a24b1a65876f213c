using P2PActors.Cluster.Signaling;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// The shapes every id, zone, item, author, content id, room and peer id is checked against. Their patterns ended in
/// <c>$</c>, which also matches before a final newline: "alice\n" passed as a player id and was stored, and a content
/// id of 64 hex characters and a newline passed as one.
/// </summary>
public sealed class StateValidationTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static TheoryData<string, Func<string, string?>> Checks() => new()
    {
        { "player id", StateValidation.PlayerId },
        { "zone", StateValidation.Zone },
        { "item id", StateValidation.ItemId },
        { "author", StateValidation.Author },
        { "room", RoomNames.CheckRoom },
        { "peer id", RoomNames.CheckPeerId },
    };

    [Theory]
    [MemberData(nameof(Checks))]
    public void A_name_is_taken_as_it_is_and_refused_with_a_newline_at_its_end(string what, Func<string, string?> check)
    {
        Assert.Null(check("alice"));
        Assert.True(check("alice\n") is not null, $"{what} 'alice\\n' was taken");
        Assert.True(check("alice\r\n") is not null, $"{what} 'alice\\r\\n' was taken");
    }

    [Fact]
    public void An_inventory_an_earlier_release_stored_with_a_newline_name_is_still_read()
    {
        // Refused on reading, it failed its whole bucket, and a durable bucket that fails to load stops the node.
        static InventorySet Holding(string item) => new(new Dictionary<string, long> { ["n1"] = 1 },
            new Dictionary<string, IReadOnlyDictionary<string, long>> { [item] = new Dictionary<string, long> { ["n1"] = 1 } });

        var bucket = new InventoryBucket(new Dictionary<string, InventorySet> { ["alice\n"] = Holding("sword\n") });

        Assert.True(bucket.TryGetValue("alice\n", out _));
        Assert.Throws<ArgumentException>(() => Holding("sword\n\n"));
        Assert.Throws<ArgumentException>(() => new InventoryBucket(new Dictionary<string, InventorySet> { ["al ice"] = Holding("sword") }));
    }

    [Fact]
    public void A_content_id_is_64_hex_characters_and_nothing_after_them()
    {
        Assert.Null(StateValidation.CatalogId(Hex));
        Assert.NotNull(StateValidation.CatalogId(Hex + "\n"));
        Assert.NotNull(StateValidation.CatalogId(Hex[..63]));
    }
}
