using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// The dialog tree as boxes and arrows: lines are laid out left to right by their distance from the start line,
/// each choice gets its own row and an arrow to the line it leads to (dashed when it loops back), or an END tag.
/// </summary>
internal static class DialogPainter
{
    private const float BoxWidth = 210;
    private const float ColumnGap = 78;
    private const float RowGap = 20;
    private const float Margin = 20;
    private const float TitleHeight = 46;
    private const float HeaderHeight = 24;
    private const float TextLine = 16;
    private const float ChoiceRow = 20;
    private static readonly SKColor Background = new(0x1d, 0x1f, 0x2a);
    private static readonly SKColor BoxFill = new(0xf4, 0xf1, 0xe8);
    private static readonly SKColor BoxText = new(0x26, 0x24, 0x2e);

    public static SKColor ToneColor(DialogTone tone) => tone switch
    {
        DialogTone.Friendly => new SKColor(0x3f, 0x9a, 0x4a),
        DialogTone.Hostile => new SKColor(0xc0, 0x36, 0x30),
        DialogTone.Mysterious => new SKColor(0x7a, 0x4c, 0xc0),
        DialogTone.Humorous => new SKColor(0xe0, 0x8a, 0x1c),
        _ => new SKColor(0x3c, 0x64, 0x9a),
    };

    private sealed record Node(DialogLine Line, int Column, IReadOnlyList<string> Text)
    {
        public SKRect Box { get; set; }
        public float Height => HeaderHeight + 8 + Text.Count * TextLine + 6 + Line.Choices.Count * ChoiceRow + 8;
    }

    public static SKBitmap Paint(Dialog dialog, int size)
    {
        using var textFont = Text.Font(bold: false, 13.5f);
        using var headFont = Text.Font(bold: true, 13.5f);
        using var choiceFont = Text.Font(bold: false, 12.5f);
        using var titleFont = Text.Font(bold: true, 22);

        var lines = (dialog.Lines ?? []).Where(l => l is not null)
            .Select(l => l with { Choices = (l.Choices ?? []).Where(c => c is not null).ToArray() }).ToArray();
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            byId.TryAdd(lines[i].Id ?? string.Empty, i);
        }
        var columnOf = Columns(lines, byId, dialog.Start);
        var nodes = lines.Select((l, i) => new Node(l, columnOf[i], Text.Wrap(l.Text ?? string.Empty, textFont, BoxWidth - 16, 3))).ToArray();
        var columns = nodes.GroupBy(n => n.Column).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var columnHeights = columns.Select(c => c.Sum(n => n.Height) + RowGap * (c.Length - 1)).ToArray();
        var contentHeight = columnHeights.DefaultIfEmpty(0).Max();
        var width = Margin * 2 + Math.Max(1, columns.Length) * BoxWidth + Math.Max(0, columns.Length - 1) * ColumnGap + 40;
        var height = TitleHeight + contentHeight + Margin * 1.5f;
        width = MathF.Max(width, 300);
        for (var c = 0; c < columns.Length; c++)
        {
            var y = TitleHeight + (contentHeight - columnHeights[c]) / 2;
            var x = Margin + c * (BoxWidth + ColumnGap);
            foreach (var node in columns[c])
            {
                node.Box = new SKRect(x, y, x + BoxWidth, y + node.Height);
                y += node.Height + RowGap;
            }
        }

        var scale = size / MathF.Max(width, height);
        var bitmap = Png.NewBitmap(Math.Max(1, (int)MathF.Round(width * scale)), Math.Max(1, (int)MathF.Round(height * scale)));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        canvas.Scale(scale);
        using (var bg = Ink.Fill(Background))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(0, 0, width, height), 16), bg);
        }
        var tone = ToneColor(dialog.Tone);
        Text.Draw(canvas, Text.Fit(dialog.NpcName ?? string.Empty, titleFont, width - 150), Margin, 32, titleFont, SKColors.White);
        using (var small = Text.Font(bold: true, 12))
        {
            var label = dialog.Tone.ToString().ToUpperInvariant();
            var x = Margin + titleFont.MeasureText(Text.Fit(dialog.NpcName ?? string.Empty, titleFont, width - 150)) + 12;
            var w = small.MeasureText(label) + 16;
            using var pill = Ink.Fill(tone);
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(x, 16, x + w, 36), 10), pill);
            Text.Draw(canvas, label, x + w / 2, 30.5f, small, SKColors.White, SKTextAlign.Center);
        }

        foreach (var node in nodes)
        {
            for (var i = 0; i < node.Line.Choices.Count; i++)
            {
                var next = node.Line.Choices[i].Next;
                var from = new SKPoint(node.Box.Right, ChoiceY(node, i));
                if (next is null)
                {
                    DrawEnd(canvas, from);
                }
                else if (byId.TryGetValue(next, out var target))
                {
                    DrawArrow(canvas, from, node, nodes[target], tone);
                }
                else
                {
                    DrawMissing(canvas, from);
                }
            }
        }
        var startIndex = StartIndex(lines, byId, dialog.Start);
        for (var n = 0; n < nodes.Length; n++)
        {
            DrawBox(canvas, nodes[n], n == startIndex, tone, headFont, textFont, choiceFont);
        }
        return bitmap;
    }

    private static int StartIndex(DialogLine[] lines, Dictionary<string, int> byId, string? start) =>
        start is not null && byId.TryGetValue(start, out var index) ? index : lines.Length > 0 ? 0 : -1;

    /// <summary>Breadth-first depth from the start line; lines it never reaches go in one column after the rest.</summary>
    private static int[] Columns(DialogLine[] lines, Dictionary<string, int> byId, string? start)
    {
        var column = Enumerable.Repeat(-1, lines.Length).ToArray();
        var startIndex = StartIndex(lines, byId, start);
        if (startIndex < 0)
        {
            return column;
        }
        var queue = new Queue<int>();
        column[startIndex] = 0;
        queue.Enqueue(startIndex);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var choice in lines[current].Choices)
            {
                if (choice.Next is { } next && byId.TryGetValue(next, out var target) && column[target] < 0)
                {
                    column[target] = column[current] + 1;
                    queue.Enqueue(target);
                }
            }
        }
        var orphanColumn = column.Max() + 1;
        for (var i = 0; i < column.Length; i++)
        {
            if (column[i] < 0)
            {
                column[i] = orphanColumn;
            }
        }
        return column;
    }

    private static float ChoiceY(Node node, int index) =>
        node.Box.Top + HeaderHeight + 8 + node.Text.Count * TextLine + 6 + index * ChoiceRow + ChoiceRow / 2;

    private static void DrawBox(SKCanvas canvas, Node node, bool isStart, SKColor tone, SKFont headFont, SKFont textFont, SKFont choiceFont)
    {
        var box = node.Box;
        using (var shadow = Ink.Fill(new SKColor(0, 0, 0, 90)))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(box.Left + 3, box.Top + 4, box.Right + 3, box.Bottom + 4), 9), shadow);
        }
        using (var fill = Ink.Fill(BoxFill))
        {
            canvas.DrawRoundRect(new SKRoundRect(box, 9), fill);
        }
        canvas.Save();
        canvas.ClipRoundRect(new SKRoundRect(box, 9), antialias: true);
        using (var header = Ink.Fill(isStart ? Ink.Darker(tone, 0.15f) : new SKColor(0x44, 0x47, 0x58)))
        {
            canvas.DrawRect(box.Left, box.Top, box.Width, HeaderHeight, header);
        }
        canvas.Restore();
        var speaker = node.Line.Speaker ?? string.Empty;
        var tag = isStart ? "START" : node.Line.Id ?? string.Empty;
        using var tagFont = Text.Font(bold: false, 11);
        var tagWidth = tagFont.MeasureText(tag);
        Text.Draw(canvas, Text.Fit(speaker, headFont, box.Width - tagWidth - 26), box.Left + 8, box.Top + 17, headFont, SKColors.White);
        Text.Draw(canvas, Text.Fit(tag, tagFont, 80), box.Right - 8, box.Top + 16, tagFont, SKColors.White.WithAlpha(200), SKTextAlign.Right);

        var y = box.Top + HeaderHeight + 8;
        foreach (var line in node.Text)
        {
            Text.Draw(canvas, line, box.Left + 8, y + 12, textFont, BoxText);
            y += TextLine;
        }
        y += 6;
        using var rowFill = Ink.Fill(Ink.Mix(BoxFill, tone, 0.16f));
        for (var i = 0; i < node.Line.Choices.Count; i++)
        {
            var row = new SKRect(box.Left + 5, y + 1, box.Right - 5, y + ChoiceRow - 1);
            canvas.DrawRoundRect(new SKRoundRect(row, 5), rowFill);
            Text.Draw(canvas, Text.Fit("› " + (node.Line.Choices[i].Text ?? string.Empty), choiceFont, row.Width - 10),
                row.Left + 5, row.Top + 13.5f, choiceFont, Ink.Darker(tone, 0.45f));
            y += ChoiceRow;
        }
        using var edge = Ink.Stroke(isStart ? tone : new SKColor(0x9a, 0x9c, 0xa8), isStart ? 2.5f : 1.5f);
        canvas.DrawRoundRect(new SKRoundRect(box, 9), edge);
    }

    private static void DrawArrow(SKCanvas canvas, SKPoint from, Node source, Node target, SKColor tone)
    {
        var forward = target.Column > source.Column;
        var color = forward ? Ink.Lighter(tone, 0.35f) : new SKColor(0xc8, 0xc0, 0xa8);
        using var stroke = Ink.Stroke(color, 2);
        using var head = Ink.Fill(color);
        if (!forward)
        {
            stroke.PathEffect = SKPathEffect.CreateDash([6, 4], 0);
        }
        SKPoint to;
        SKPoint tip;
        if (forward)
        {
            // Into the target's header from the left.
            to = new SKPoint(target.Box.Left - 2, target.Box.Top + HeaderHeight / 2);
            var reach = MathF.Max(44, (to.X - from.X) / 2);
            Ink.Path(canvas, stroke, p =>
            {
                p.MoveTo(from);
                p.CubicTo(from.X + reach, from.Y, to.X - reach, to.Y, to.X - 7, to.Y);
            });
            tip = new SKPoint(-1, 0);
        }
        else if (target.Column == source.Column)
        {
            // Same column: loop out to the right and back into the target's header from the right.
            to = new SKPoint(target.Box.Right + 2, target.Box.Top + HeaderHeight / 2);
            var bulge = 30 + MathF.Min(30, MathF.Abs(to.Y - from.Y) / 6);
            Ink.Path(canvas, stroke, p =>
            {
                p.MoveTo(from);
                p.CubicTo(from.X + bulge, from.Y, to.X + bulge, to.Y, to.X + 7, to.Y);
            });
            tip = new SKPoint(1, 0);
        }
        else
        {
            // Back to an earlier column: over the top, into the target's header from above.
            to = new SKPoint(target.Box.MidX + 30, target.Box.Top - 2);
            Ink.Path(canvas, stroke, p =>
            {
                p.MoveTo(from);
                p.CubicTo(from.X + 36, from.Y, to.X, MathF.Min(from.Y, to.Y) - 50, to.X, to.Y - 7);
            });
            tip = new SKPoint(0, -1);
        }
        var side = new SKPoint(-tip.Y, tip.X);
        Ink.Polygon(canvas, head, to,
            new SKPoint(to.X + tip.X * 9 + side.X * 5, to.Y + tip.Y * 9 + side.Y * 5),
            new SKPoint(to.X + tip.X * 9 - side.X * 5, to.Y + tip.Y * 9 - side.Y * 5));
        canvas.DrawCircle(from, 3, head);
    }

    private static void DrawEnd(SKCanvas canvas, SKPoint from)
    {
        using var stroke = Ink.Stroke(new SKColor(0x9a, 0x9c, 0xa8), 2);
        canvas.DrawLine(from.X, from.Y, from.X + 12, from.Y, stroke);
        using var pill = Ink.Fill(new SKColor(0x55, 0x58, 0x68));
        canvas.DrawRoundRect(new SKRoundRect(new SKRect(from.X + 12, from.Y - 8, from.X + 44, from.Y + 8), 8), pill);
        using var font = Text.Font(bold: true, 10);
        Text.Draw(canvas, "END", from.X + 28, from.Y + 3.5f, font, SKColors.White, SKTextAlign.Center);
    }

    private static void DrawMissing(SKCanvas canvas, SKPoint from)
    {
        using var pill = Ink.Fill(new SKColor(0xc0, 0x36, 0x30));
        canvas.DrawCircle(from.X + 14, from.Y, 8, pill);
        using var font = Text.Font(bold: true, 12);
        Text.Draw(canvas, "?", from.X + 14, from.Y + 4, font, SKColors.White, SKTextAlign.Center);
    }
}
