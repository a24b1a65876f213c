using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>Paint and colour helpers shared by the painters.</summary>
internal static class Ink
{
    public static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };

    public static SKPaint Stroke(SKColor color, float width) => new()
    {
        Color = color,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = width,
        StrokeCap = SKStrokeCap.Round,
        StrokeJoin = SKStrokeJoin.Round,
    };

    public static SKPaint Gradient(SKPoint from, SKPoint to, params SKColor[] colors) => new()
    {
        IsAntialias = true,
        Shader = SKShader.CreateLinearGradient(from, to, colors, SKShaderTileMode.Clamp),
    };

    public static SKPaint Radial(SKPoint centre, float radius, params SKColor[] colors) => new()
    {
        IsAntialias = true,
        Shader = SKShader.CreateRadialGradient(centre, radius, colors, SKShaderTileMode.Clamp),
    };

    public static SKPaint Glow(SKColor color, float sigma) => new()
    {
        Color = color,
        IsAntialias = true,
        MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, sigma),
    };

    public static SKColor Mix(SKColor a, SKColor b, float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return new SKColor(
            (byte)MathF.Round(a.Red + (b.Red - a.Red) * t),
            (byte)MathF.Round(a.Green + (b.Green - a.Green) * t),
            (byte)MathF.Round(a.Blue + (b.Blue - a.Blue) * t),
            (byte)MathF.Round(a.Alpha + (b.Alpha - a.Alpha) * t));
    }

    public static SKColor Lighter(SKColor c, float t) => Mix(c, SKColors.White, t).WithAlpha(c.Alpha);

    public static SKColor Darker(SKColor c, float t) => Mix(c, SKColors.Black, t).WithAlpha(c.Alpha);

    public static float Luminance(SKColor c) => (0.2126f * c.Red + 0.7152f * c.Green + 0.0722f * c.Blue) / 255f;

    /// <summary>Black or white, whichever reads better on <paramref name="background"/>.</summary>
    public static SKColor TextOn(SKColor background) =>
        Luminance(background) > 0.6f ? new SKColor(0x1c, 0x1a, 0x22) : SKColors.White;

    /// <summary>Builds a path with the non-obsolete SkiaSharp 4 builder and draws it.</summary>
    public static void Path(SKCanvas canvas, SKPaint paint, Action<SKPathBuilder> build)
    {
        using var path = BuildPath(build);
        canvas.DrawPath(path, paint);
    }

    public static SKPath BuildPath(Action<SKPathBuilder> build)
    {
        using var builder = new SKPathBuilder();
        build(builder);
        return builder.Detach();
    }

    public static void Polygon(SKCanvas canvas, SKPaint paint, params SKPoint[] points) =>
        Path(canvas, paint, b => b.AddPoly(points, true));

    /// <summary>A four-pointed sparkle star.</summary>
    public static void Sparkle(SKCanvas canvas, SKPaint paint, float cx, float cy, float r)
    {
        var w = r * 0.28f;
        Path(canvas, paint, b =>
        {
            b.MoveTo(cx, cy - r);
            b.QuadTo(cx + w * 0.3f, cy - w * 0.3f, cx + r, cy);
            b.QuadTo(cx + w * 0.3f, cy + w * 0.3f, cx, cy + r);
            b.QuadTo(cx - w * 0.3f, cy + w * 0.3f, cx - r, cy);
            b.QuadTo(cx - w * 0.3f, cy - w * 0.3f, cx, cy - r);
            b.Close();
        });
    }

    public static void Star(SKCanvas canvas, SKPaint paint, float cx, float cy, float outer, float inner, int points = 5)
    {
        var pts = new SKPoint[points * 2];
        for (var i = 0; i < pts.Length; i++)
        {
            var r = i % 2 == 0 ? outer : inner;
            var a = -MathF.PI / 2 + i * MathF.PI / points;
            pts[i] = new SKPoint(cx + r * MathF.Cos(a), cy + r * MathF.Sin(a));
        }
        Polygon(canvas, paint, pts);
    }
}
