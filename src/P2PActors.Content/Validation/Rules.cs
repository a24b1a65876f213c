namespace P2PActors.Content.Validation;

/// <summary>
/// The stable names of every validation rule. Votes carry these names, so they never change meaning;
/// new rules get new names.
/// </summary>
public static class Rules
{
    public const string ContentMissing = "content.missing";
    public const string IdMissing = "content.id-missing";
    public const string IdMismatch = "content.id-mismatch";
    public const string SeedRange = "content.seed-range";
    public const string TooLarge = "content.too-large";
    public const string FieldMissing = "content.field-missing";
    public const string EnumRange = "content.enum-range";
    public const string TooManyEntries = "content.too-many-entries";

    public const string TextEmpty = "text.empty";
    public const string TextTooLong = "text.too-long";
    public const string TextInvalidCharacters = "text.invalid-characters";
    public const string Profanity = "profanity";

    public const string PaletteColor = "character.palette-color";

    public const string LevelRange = "balance.level-range";
    public const string CharacterStatBudget = "balance.character.stat-budget";
    public const string CharacterStatBounds = "balance.character.stat-bounds";
    public const string ItemStatCap = "balance.item.stat-cap";
    public const string ItemStatTotal = "balance.item.stat-total";
    public const string ItemStatKind = "balance.item.stat-kind";
    public const string QuestObjectiveCount = "balance.quest.objective-count";
    public const string QuestObjectiveAmount = "balance.quest.objective-amount";
    public const string QuestRewardGold = "balance.quest.reward-gold";
    public const string QuestRewardXp = "balance.quest.reward-xp";
    public const string QuestRewardItemCount = "balance.quest.reward-item-count";
    public const string QuestRewardItemRarity = "balance.quest.reward-item-rarity";

    public const string MapSize = "map.size";
    public const string MapRowsMismatch = "map.rows-mismatch";
    public const string MapUnknownTile = "map.unknown-tile";
    public const string MapSpawnOutOfBounds = "map.spawn-out-of-bounds";
    public const string MapSpawnNotWalkable = "map.spawn-not-walkable";
    public const string MapSpawnOverlap = "map.spawn-overlap";
    public const string MapPlayerSpawnCount = "map.player-spawn-count";
    public const string MapSpawnUnreachable = "map.spawn-unreachable";

    public const string DialogNoLines = "dialog.no-lines";
    public const string DialogStartMissing = "dialog.start-missing";
    public const string DialogDuplicateId = "dialog.duplicate-id";
    public const string DialogDanglingChoice = "dialog.dangling-choice";
    public const string DialogLineWithoutChoices = "dialog.line-without-choices";
    public const string DialogUnreachableLine = "dialog.unreachable-line";
    public const string DialogNoEnding = "dialog.no-ending";
    public const string DialogTrap = "dialog.trap";

    /// <summary>All rule names, for documentation and for checking that a vote names only real rules.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(Rules).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
