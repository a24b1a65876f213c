using System.Globalization;
using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// A parchment quest card laid out on a 320-unit-wide page whose height follows the content, then scaled so its
/// longest side is the requested size.
/// </summary>
internal static class QuestPainter
{
    private const float PageWidth = 320;
    private const float Margin = 22;
    private const float ContentWidth = PageWidth - 2 * Margin;
    private static readonly SKColor Ink0 = new(0x3a, 0x28, 0x18);
    private static readonly SKColor Faded = new(0x6e, 0x58, 0x3e);
    private static readonly SKColor Paper = new(0xf1, 0xe4, 0xc3);

    public static SKColor DifficultyColor(Difficulty difficulty) => difficulty switch
    {
        Difficulty.Easy => new SKColor(0x3f, 0x8f, 0x3a),
        Difficulty.Medium => new SKColor(0xc0, 0x84, 0x18),
        Difficulty.Hard => new SKColor(0xb8, 0x30, 0x2a),
        _ => new SKColor(0x7a, 0x2c, 0xb0),
    };

    public static SKBitmap Paint(Quest quest, int size)
    {
        using var titleFont = Text.Font(bold: true, 25);
        using var bodyFont = Text.Font(bold: false, 15);
        using var headFont = Text.Font(bold: true, 15);
        using var lineFont = Text.Font(bold: false, 15);
        var title = Text.Wrap(quest.Title ?? string.Empty, titleFont, ContentWidth, 2);
        var description = Text.Wrap(quest.Description ?? string.Empty, bodyFont, ContentWidth, 4);
        var objectives = (quest.Objectives ?? []).Where(o => o is not null).Take(6).ToArray();
        var rewards = quest.Rewards ?? new Rewards(0, 0, []);
        var items = (rewards.Items ?? []).Where(i => i is not null).Take(4).ToArray();

        var height = 34 + title.Count * 29 + 34 + description.Count * 19 + 16
                     + 26 + objectives.Length * 24 + 14
                     + 26 + 24 + items.Length * 26 + 26;
        var scale = size / MathF.Max(PageWidth, height);
        var bitmap = Png.NewBitmap(Math.Max(1, (int)MathF.Round(PageWidth * scale)), Math.Max(1, (int)MathF.Round(height * scale)));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        canvas.Scale(scale);

        var page = new SKRect(2, 2, PageWidth - 2, height - 2);
        using (var paper = Ink.Radial(new SKPoint(PageWidth / 2, height * 0.4f), MathF.Max(PageWidth, height) * 0.75f,
                   Paper, Ink.Darker(Paper, 0.16f)))
        {
            canvas.DrawRoundRect(new SKRoundRect(page, 14), paper);
        }
        var accent = DifficultyColor(quest.Difficulty);
        using (var band = Ink.Fill(accent))
        {
            canvas.Save();
            canvas.ClipRoundRect(new SKRoundRect(page, 14), antialias: true);
            canvas.DrawRect(0, 0, PageWidth, 10, band);
            canvas.Restore();
        }
        using (var border = Ink.Stroke(new SKColor(0x7a, 0x56, 0x32), 3))
        {
            canvas.DrawRoundRect(new SKRoundRect(page, 14), border);
            border.StrokeWidth = 1.2f;
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(9, 15, PageWidth - 9, height - 9), 9), border);
        }

        var y = 34f;
        foreach (var line in title)
        {
            y += 22;
            Text.Draw(canvas, line, PageWidth / 2, y, titleFont, Ink0, SKTextAlign.Center);
            y += 7;
        }
        y += 6;
        DrawDifficulty(canvas, quest.Difficulty, accent, y);
        y += 28;
        foreach (var line in description)
        {
            y += 15;
            Text.Draw(canvas, line, Margin, y, bodyFont, Faded);
            y += 4;
        }
        y += 16;
        y = DrawHeading(canvas, "Objectives", headFont, y);
        foreach (var objective in objectives)
        {
            DrawObjectiveIcon(canvas, objective.Type, Margin + 9, y + 10);
            var label = $"{Verb(objective.Type)} {objective.Target}" + (objective.Count > 1 ? $" ×{objective.Count.ToString(CultureInfo.InvariantCulture)}" : string.Empty);
            Text.Draw(canvas, Text.Fit(label, lineFont, ContentWidth - 26), Margin + 24, y + 15, lineFont, Ink0);
            y += 24;
        }
        y += 14;
        y = DrawHeading(canvas, "Rewards", headFont, y);
        using (var coin = Ink.Radial(new SKPoint(Margin + 6, y + 6), 10, new SKColor(0xff, 0xe6, 0x8a), new SKColor(0xc8, 0x8e, 0x1e)))
        {
            canvas.DrawCircle(Margin + 9, y + 10, 8, coin);
        }
        var gold = rewards.Gold.ToString("N0", CultureInfo.InvariantCulture) + " gold";
        Text.Draw(canvas, gold, Margin + 24, y + 15, headFont, Ink0);
        var xpX = Margin + 40 + headFont.MeasureText(gold);
        using (var star = Ink.Fill(new SKColor(0x3f, 0x7f, 0xd8)))
        {
            Ink.Star(canvas, star, xpX, y + 10, 9, 4);
        }
        Text.Draw(canvas, rewards.Xp.ToString("N0", CultureInfo.InvariantCulture) + " XP", xpX + 14, y + 15, headFont, Ink0);
        y += 24;
        foreach (var item in items)
        {
            var color = ItemPainter.RarityColor(item.Rarity);
            var chip = new SKRect(Margin, y + 2, PageWidth - Margin, y + 22);
            using (var fill = Ink.Fill(Ink.Mix(Paper, color, 0.25f)))
            {
                canvas.DrawRoundRect(new SKRoundRect(chip, 6), fill);
            }
            using (var edge = Ink.Stroke(Ink.Darker(color, 0.15f), 2))
            {
                canvas.DrawRoundRect(new SKRoundRect(chip, 6), edge);
            }
            var tag = $"{item.Rarity} {item.Kind}".ToLowerInvariant();
            using var small = Text.Font(bold: false, 12);
            var tagWidth = small.MeasureText(tag);
            Text.Draw(canvas, Text.Fit(item.Name ?? string.Empty, headFont, ContentWidth - tagWidth - 24), Margin + 8, y + 17, headFont, Ink0);
            Text.Draw(canvas, tag, PageWidth - Margin - 8, y + 16, small, Ink.Darker(color, 0.45f), SKTextAlign.Right);
            y += 26;
        }
        return bitmap;
    }

    private static float DrawHeading(SKCanvas canvas, string text, SKFont font, float y)
    {
        Text.Draw(canvas, text.ToUpperInvariant(), Margin, y + 14, font, new SKColor(0x8a, 0x5a, 0x2a));
        using var rule = Ink.Stroke(new SKColor(0x8a, 0x5a, 0x2a, 110), 1.2f);
        canvas.DrawLine(Margin + font.MeasureText(text.ToUpperInvariant()) + 8, y + 9, PageWidth - Margin, y + 9, rule);
        return y + 24;
    }

    private static void DrawDifficulty(SKCanvas canvas, Difficulty difficulty, SKColor accent, float y)
    {
        using var font = Text.Font(bold: true, 13);
        var label = difficulty.ToString().ToUpperInvariant();
        var pips = (int)difficulty + 1;
        var width = font.MeasureText(label) + 20 + pips * 14;
        var left = PageWidth / 2 - width / 2;
        using (var pill = Ink.Fill(accent))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(left, y, left + width, y + 22), 11), pill);
        }
        Text.Draw(canvas, label, left + 10, y + 16, font, SKColors.White);
        using var star = Ink.Fill(new SKColor(0xff, 0xe6, 0x8a));
        for (var i = 0; i < pips; i++)
        {
            Ink.Star(canvas, star, left + 10 + font.MeasureText(label) + 10 + i * 14, y + 11, 6, 2.6f);
        }
    }

    private static string Verb(ObjectiveType type) => type switch
    {
        ObjectiveType.Kill => "Defeat",
        ObjectiveType.Fetch => "Collect",
        ObjectiveType.Escort => "Escort",
        ObjectiveType.Explore => "Explore",
        _ => "Deliver",
    };

    private static void DrawObjectiveIcon(SKCanvas canvas, ObjectiveType type, float cx, float cy)
    {
        var color = type switch
        {
            ObjectiveType.Kill => new SKColor(0xb8, 0x30, 0x2a),
            ObjectiveType.Fetch => new SKColor(0x8a, 0x5a, 0x2a),
            ObjectiveType.Escort => new SKColor(0x2b, 0x5d, 0xa8),
            ObjectiveType.Explore => new SKColor(0x3f, 0x8f, 0x3a),
            _ => new SKColor(0x7a, 0x4a, 0xa0),
        };
        using var bg = Ink.Fill(color);
        canvas.DrawCircle(cx, cy, 9, bg);
        using var mark = Ink.Stroke(SKColors.White, 2);
        using var solid = Ink.Fill(SKColors.White);
        switch (type)
        {
            case ObjectiveType.Kill:
                canvas.DrawLine(cx - 4, cy - 4, cx + 4, cy + 4, mark);
                canvas.DrawLine(cx + 4, cy - 4, cx - 4, cy + 4, mark);
                break;
            case ObjectiveType.Fetch:
                canvas.DrawCircle(cx, cy + 1, 4, solid);
                canvas.DrawRect(cx - 2, cy - 5, 4, 3, solid);
                break;
            case ObjectiveType.Escort:
                Ink.Path(canvas, solid, p =>
                {
                    p.MoveTo(cx - 4.5f, cy - 4);
                    p.LineTo(cx + 4.5f, cy - 4);
                    p.LineTo(cx + 4.5f, cy);
                    p.QuadTo(cx + 3, cy + 4, cx, cy + 5.5f);
                    p.QuadTo(cx - 3, cy + 4, cx - 4.5f, cy);
                    p.Close();
                });
                break;
            case ObjectiveType.Explore:
                Ink.Polygon(canvas, solid, new SKPoint(cx, cy - 5.5f), new SKPoint(cx + 2.2f, cy), new SKPoint(cx, cy + 5.5f), new SKPoint(cx - 2.2f, cy));
                break;
            default:
                canvas.DrawRect(cx - 4.5f, cy - 3, 9, 6.5f, mark);
                canvas.DrawLine(cx - 4.5f, cy - 3, cx, cy + 0.5f, mark);
                canvas.DrawLine(cx + 4.5f, cy - 3, cx, cy + 0.5f, mark);
                break;
        }
    }
}
