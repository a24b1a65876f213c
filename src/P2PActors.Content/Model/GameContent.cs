using System.Text.Json.Serialization;

namespace P2PActors.Content.Model;

/// <summary>
/// Base of the five content types. The JSON discriminator "type" comes first so the canonical JSON
/// (and therefore the content id every peer votes on) is stable.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Character), "character")]
[JsonDerivedType(typeof(Item), "item")]
[JsonDerivedType(typeof(Quest), "quest")]
[JsonDerivedType(typeof(GameMap), "map")]
[JsonDerivedType(typeof(Dialog), "dialog")]
public abstract record GameContent
{
    /// <summary>Hex SHA-256 of the canonical JSON without this field; empty until <see cref="ContentJson.WithId"/>.</summary>
    [JsonPropertyOrder(-2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Id { get; init; }

    /// <summary>The seed that reproduces this content; kept within 2^53 so browsers read it exactly.</summary>
    [JsonPropertyOrder(-1)]
    public long Seed { get; init; }

    [JsonIgnore]
    public abstract ContentType Type { get; }

    /// <summary>A human-readable headline: name, title or NPC name.</summary>
    [JsonIgnore]
    public abstract string DisplayName { get; }
}

public sealed record Stats(int Hp, int Atk, int Def, int Spd, int Mp, int Int, int Lck)
{
    public static readonly Stats Zero = new(0, 0, 0, 0, 0, 0, 0);

    public int Total => Hp + Atk + Def + Spd + Mp + Int + Lck;
}

public sealed record Appearance(IReadOnlyList<string> Palette, BodyType BodyType, IReadOnlyList<string> Features);

public sealed record Character(
    string Name,
    CharacterClass Class,
    int Level,
    Stats Stats,
    Appearance Appearance,
    string Backstory) : GameContent
{
    [JsonIgnore]
    public override ContentType Type => ContentType.Character;
    [JsonIgnore]
    public override string DisplayName => Name;
}

public sealed record Item(
    string Name,
    ItemKind Kind,
    Rarity Rarity,
    int LevelRequirement,
    Stats Stats,
    string Description) : GameContent
{
    [JsonIgnore]
    public override ContentType Type => ContentType.Item;
    [JsonIgnore]
    public override string DisplayName => Name;
}

public sealed record Objective(ObjectiveType Type, string Target, int Count);

public sealed record RewardItem(string Name, ItemKind Kind, Rarity Rarity);

public sealed record Rewards(int Gold, int Xp, IReadOnlyList<RewardItem> Items);

public sealed record Quest(
    string Title,
    string Description,
    IReadOnlyList<Objective> Objectives,
    Difficulty Difficulty,
    Rewards Rewards) : GameContent
{
    [JsonIgnore]
    public override ContentType Type => ContentType.Quest;
    [JsonIgnore]
    public override string DisplayName => Title;
}

public sealed record Spawn(SpawnKind Kind, int X, int Y);

/// <summary>
/// A tile map. <see cref="Rows"/> holds one string per row, one character per tile (see <see cref="Tiles"/>),
/// which keeps a 256×256 map compact in JSON and trivially indexable.
/// </summary>
public sealed record GameMap(
    string Name,
    MapGenerator Generator,
    int Width,
    int Height,
    IReadOnlyList<string> Rows,
    IReadOnlyList<Spawn> Spawns) : GameContent
{
    [JsonIgnore]
    public override ContentType Type => ContentType.Map;
    [JsonIgnore]
    public override string DisplayName => Name;

    public char TileAt(int x, int y) => Rows[y][x];
}

public sealed record DialogChoice(string Text, string? Next);

public sealed record DialogLine(string Id, string Speaker, string Text, IReadOnlyList<DialogChoice> Choices);

public sealed record Dialog(
    string NpcName,
    DialogTone Tone,
    string Start,
    IReadOnlyList<DialogLine> Lines) : GameContent
{
    [JsonIgnore]
    public override ContentType Type => ContentType.Dialog;
    [JsonIgnore]
    public override string DisplayName => NpcName;
}
