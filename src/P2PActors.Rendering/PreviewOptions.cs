namespace P2PActors.Rendering;

/// <summary>
/// How to render a preview. <see cref="Size"/> is the longest side in pixels of a sprite, icon or card, and of a
/// map unless <see cref="TileSize"/> (pixels per tile, maps only) is given. <see cref="Grid"/> draws tile lines on
/// maps and is ignored by the other content types.
/// </summary>
public sealed record PreviewOptions(int Size = 256, bool Grid = false, int? TileSize = null)
{
    public static readonly PreviewOptions Default = new();
}

/// <summary>A preview request that cannot be rendered; <see cref="Field"/> names the offending option or "content".</summary>
public sealed class PreviewRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
