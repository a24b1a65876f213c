using System.Globalization;
using P2PActors.Content.Model;
using P2PActors.Rendering.Painting;
using SkiaSharp;

namespace P2PActors.Rendering;

/// <summary>
/// Renders any content to a PNG preview. Deterministic: the same content and options give the same bytes on every
/// machine (embedded font, no clock, no randomness, fixed PNG encoder settings).
/// </summary>
public static class PreviewRenderer
{
    public const int MaxSide = 4096;
    public const int MinSize = 16;
    public const int MaxTileSize = 64;
    public const int MaxMapSide = 256;

    /// <summary>Every problem with this request, as (field, message); empty when it can be rendered.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(GameContent content, PreviewOptions options)
    {
        var errors = new List<(string Field, string Message)>();
        if (options is null)
        {
            errors.Add(("options", "preview options are required"));
            return errors;
        }
        if (content is null)
        {
            errors.Add(("content", "content is required"));
            return errors;
        }
        if (options.Size < MinSize)
        {
            errors.Add(("size", $"size must be at least {MinSize} px, got {Num(options.Size)}"));
        }
        else if (options.Size > MaxSide)
        {
            errors.Add(("size", $"size must be at most {MaxSide} px, got {Num(options.Size)}"));
        }
        if (content is GameMap map)
        {
            ValidateMap(map, options, errors);
        }
        else if (options.TileSize is not null)
        {
            errors.Add(("tileSize", $"tileSize applies only to maps, not to {Content.Text.Articles.With(ContentTypes.WireName(content.Type))}"));
        }
        if (content is Dialog dialog && (dialog.Lines is null || dialog.Lines.Count == 0))
        {
            errors.Add(("content", "the dialog has no lines to draw"));
        }
        return errors;
    }

    private static void ValidateMap(GameMap map, PreviewOptions options, List<(string Field, string Message)> errors)
    {
        if (options.TileSize is { } tile)
        {
            if (tile is < 1 or > MaxTileSize)
            {
                errors.Add(("tileSize", $"tileSize must be between 1 and {MaxTileSize} px, got {Num(tile)}"));
            }
            else if ((long)Math.Max(map.Width, map.Height) * tile > MaxSide)
            {
                errors.Add(("tileSize",
                    $"{Content.Text.Articles.For(map.Width.ToString(CultureInfo.InvariantCulture))} {Num(map.Width)}×{Num(map.Height)} map at {Num(tile)} px per tile would be " +
                    $"{Num((long)map.Width * tile)}×{Num((long)map.Height * tile)} px; at most {MaxSide} px per side"));
            }
        }
        if (map.Width is < 1 or > MaxMapSide || map.Height is < 1 or > MaxMapSide)
        {
            errors.Add(("content", $"map size {Num(map.Width)}×{Num(map.Height)} is outside 1..{MaxMapSide} per side"));
            return;
        }
        if (map.Rows is null || map.Rows.Count != map.Height)
        {
            errors.Add(("content", $"the map has {Num(map.Rows?.Count ?? 0)} rows but a height of {Num(map.Height)}"));
            return;
        }
        for (var y = 0; y < map.Rows.Count; y++)
        {
            if (map.Rows[y] is null || map.Rows[y].Length != map.Width)
            {
                errors.Add(("content", $"map row {Num(y)} has {Num(map.Rows[y]?.Length ?? 0)} tiles but the width is {Num(map.Width)}"));
                return;
            }
        }
        foreach (var spawn in map.Spawns ?? [])
        {
            if (spawn is null || spawn.X < 0 || spawn.Y < 0 || spawn.X >= map.Width || spawn.Y >= map.Height)
            {
                errors.Add(("content", $"spawn at ({Num(spawn?.X ?? -1)}, {Num(spawn?.Y ?? -1)}) lies outside the map"));
                return;
            }
        }
    }

    /// <summary>
    /// The longest side in pixels of the image these options ask for: a map at a given tile size is that many pixels per
    /// tile, everything else is fitted to <see cref="PreviewOptions.Size"/>. What a render's memory and time grow with.
    /// </summary>
    public static long LongestSide(GameContent content, PreviewOptions options) =>
        content is GameMap map && options.TileSize is { } tile
            ? (long)Math.Max(map.Width, map.Height) * tile
            : options.Size;

    /// <summary>Renders the preview as PNG bytes, or throws <see cref="PreviewRequestException"/> naming the bad field.</summary>
    public static byte[] RenderPng(GameContent content, PreviewOptions options)
    {
        var errors = Validate(content, options);
        if (errors.Count > 0)
        {
            throw new PreviewRequestException(errors[0].Field, string.Join("; ", errors.Select(e => e.Message)));
        }
        using var bitmap = Render(content, options);
        return Png.Encode(bitmap);
    }

    /// <summary>The decoded image before PNG encoding; callers own the bitmap. Options must already be valid.</summary>
    internal static SKBitmap Render(GameContent content, PreviewOptions options) => content switch
    {
        Character character => CharacterPainter.Paint(character, options.Size),
        Item item => ItemPainter.Paint(item, options.Size),
        GameMap map => MapPainter.Paint(map, options),
        Quest quest => QuestPainter.Paint(quest, options.Size),
        Dialog dialog => DialogPainter.Paint(dialog, options.Size),
        _ => throw new PreviewRequestException("content", $"no preview for content of type {content.GetType().Name}"),
    };

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
