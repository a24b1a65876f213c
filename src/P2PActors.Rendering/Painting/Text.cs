using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// Text drawn only with the embedded PT Sans Narrow faces (SIL OFL, from the @expo-google-fonts/pt-sans-narrow npm
/// package). The NoDependencies Skia build sees no system fonts (SKTypeface.Default is empty), and a system font
/// would make bytes differ between machines anyway.
/// </summary>
internal static class Text
{
    public static readonly SKTypeface Regular = Load("PTSansNarrow_400Regular.ttf");
    public static readonly SKTypeface Bold = Load("PTSansNarrow_700Bold.ttf");

    private static SKTypeface Load(string file)
    {
        var name = $"P2PActors.Rendering.Fonts.{file}";
        using var stream = typeof(Text).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded font {name} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"embedded font {name} did not load");
    }

    public static SKFont Font(bool bold, float size) => new(bold ? Bold : Regular, size)
    {
        Edging = SKFontEdging.Antialias,
        Hinting = SKFontHinting.None,
        Subpixel = true,
    };

    public static void Draw(SKCanvas canvas, string text, float x, float baseline, SKFont font, SKColor color,
        SKTextAlign align = SKTextAlign.Left)
    {
        using var paint = Ink.Fill(color);
        canvas.DrawText(text, x, baseline, align, font, paint);
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/>, ending in an ellipsis when cut.</summary>
    public static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width)
        {
            return text;
        }
        const string ellipsis = "…";
        var room = width - font.MeasureText(ellipsis);
        var end = text.Length;
        while (end > 0 && font.MeasureText(text.AsSpan(0, end)) > room)
        {
            end--;
        }
        return text[..end].TrimEnd() + ellipsis;
    }

    /// <summary>Greedy word wrap into at most <paramref name="maxLines"/> lines, the last one ellipsised if cut.</summary>
    public static IReadOnlyList<string> Wrap(string text, SKFont font, float width, int maxLines)
    {
        var lines = new List<string>();
        var words = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var current = string.Empty;
        for (var i = 0; i < words.Length; i++)
        {
            var candidate = current.Length == 0 ? words[i] : current + " " + words[i];
            if (font.MeasureText(candidate) <= width || current.Length == 0)
            {
                current = candidate;
                continue;
            }
            if (lines.Count == maxLines - 1)
            {
                lines.Add(Fit(string.Join(' ', words[i..].Prepend(current)) + " …", font, width));
                return lines;
            }
            lines.Add(Fit(current, font, width));
            current = words[i];
        }
        if (current.Length > 0)
        {
            lines.Add(Fit(current, font, width));
        }
        return lines;
    }
}
