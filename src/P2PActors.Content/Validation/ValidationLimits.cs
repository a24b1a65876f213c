namespace P2PActors.Content.Validation;

/// <summary>
/// Size bounds that keep one piece of content cheap to store, send, validate and render. Generated
/// content stays well inside them; they exist for what a faulty or hostile peer might propose.
/// </summary>
public sealed record ValidationLimits
{
    public static readonly ValidationLimits Default = new();

    /// <summary>Bound on the canonical JSON (a full 256×256 map is about 70 KB).</summary>
    public int MaxContentBytes { get; init; } = 256 * 1024;

    public int MaxNameLength { get; init; } = 64;
    public int MaxTitleLength { get; init; } = 120;
    public int MaxDescriptionLength { get; init; } = 1_000;
    public int MaxBackstoryLength { get; init; } = 2_000;
    public int MaxDialogTextLength { get; init; } = 500;
    public int MaxChoiceTextLength { get; init; } = 200;
    public int MaxShortTextLength { get; init; } = 64;

    public int MaxPaletteColors { get; init; } = 8;
    public int MaxFeatures { get; init; } = 8;
    public int MaxObjectives { get; init; } = 10;
    public int MaxRewardItems { get; init; } = 10;
    public int MaxDialogLines { get; init; } = 64;
    public int MaxChoicesPerLine { get; init; } = 8;
    public int MaxSpawns { get; init; } = 1_024;
}
