using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// A procedural sprite on a 256-unit canvas, scaled to the requested size. Everything visible comes from the
/// character itself: body proportions from the body type, colours from the appearance palette and features,
/// equipment from the class, and small variations (skin, hair, weapon style) from a hash of its seed and name.
/// </summary>
internal static class CharacterPainter
{
    private const float Unit = 256f;
    private static readonly SKColor Outline = new(0x14, 0x12, 0x1a);
    private static readonly SKColor[] SkinTones =
    [
        new(0xf6, 0xd3, 0xb3), new(0xe8, 0xb8, 0x8f), new(0xc9, 0x8e, 0x62),
        new(0xa2, 0x6a, 0x43), new(0x7a, 0x4b, 0x2e), new(0x5a, 0x37, 0x22),
    ];
    private static readonly SKColor[] HairTones =
    [
        new(0x2b, 0x1e, 0x16), new(0x5a, 0x3a, 0x22), new(0x8c, 0x5a, 0x2b), new(0xc9, 0x9a, 0x4e),
        new(0xa3, 0x3b, 0x1f), new(0xd8, 0xd2, 0xc4), new(0x1b, 0x1b, 0x22),
    ];

    public static SKColor ClassColor(CharacterClass cls) => cls switch
    {
        CharacterClass.Warrior => new SKColor(0x8e, 0x2c, 0x2c),
        CharacterClass.Mage => new SKColor(0x3d, 0x31, 0x94),
        CharacterClass.Rogue => new SKColor(0x23, 0x4f, 0x4c),
        CharacterClass.Cleric => new SKColor(0x9a, 0x7b, 0x2c),
        CharacterClass.Ranger => new SKColor(0x35, 0x63, 0x2b),
        CharacterClass.Paladin => new SKColor(0x2b, 0x4d, 0x94),
        _ => new SKColor(0x55, 0x55, 0x60),
    };

    public static SKBitmap Paint(Character character, int size)
    {
        var look = Look.Of(character);
        var bitmap = Png.NewBitmap(size, size);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        canvas.Scale(size / Unit);
        DrawBackground(canvas, look);
        var body = Body.For(look);
        DrawFigure(canvas, look, body);
        DrawLevelBadge(canvas, look, character.Level);
        if (size >= 96)
        {
            DrawNamePlate(canvas, look, character.Name ?? string.Empty, character.Class);
        }
        return bitmap;
    }

    private static void DrawBackground(SKCanvas canvas, Look look)
    {
        var card = new SKRoundRect(new SKRect(6, 6, 250, 250), 26);
        using (var paint = Ink.Gradient(new SKPoint(0, 6), new SKPoint(0, 250),
                   Ink.Lighter(look.ClassColor, 0.12f), Ink.Darker(look.ClassColor, 0.62f)))
        {
            canvas.DrawRoundRect(card, paint);
        }
        // A soft spotlight behind the figure, so the figure reads on every class colour.
        var spot = Ink.Lighter(look.ClassColor, 0.45f);
        using (var light = Ink.Radial(new SKPoint(128, 110), 110, spot.WithAlpha(120), spot.WithAlpha(0)))
        {
            canvas.DrawCircle(128, 110, 110, light);
        }
        using (var rim = Ink.Stroke(Ink.Darker(look.ClassColor, 0.75f), 4))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(8, 8, 248, 248), 24), rim);
        }
        using var shadow = Ink.Fill(new SKColor(0, 0, 0, 90));
        canvas.DrawOval(new SKRect(128 - 58, Body.FeetY - 8, 128 + 58, Body.FeetY + 8), shadow);
    }

    private static void DrawFigure(SKCanvas canvas, Look look, Body b)
    {
        if (look.Cloak || look.Class is CharacterClass.Paladin or CharacterClass.Ranger)
        {
            var cloak = look.Cloak ? look.Secondary : Ink.Darker(look.Secondary, 0.25f);
            Shape(canvas, Ink.Darker(cloak, 0.2f), p =>
            {
                p.MoveTo(b.Cx - b.ShoulderHalf + 2, b.ShoulderY + 4);
                p.LineTo(b.Cx + b.ShoulderHalf - 2, b.ShoulderY + 4);
                p.LineTo(b.Cx + b.ShoulderHalf + 14, Body.FeetY - 10);
                if (look.Cloak)
                {
                    for (var i = 0; i < 4; i++)
                    {
                        var x = b.Cx + b.ShoulderHalf + 14 - (i + 0.5f) * (b.ShoulderHalf + 14) / 2f;
                        p.LineTo(x, Body.FeetY - 2 - (i % 2) * 10);
                    }
                }
                p.LineTo(b.Cx - b.ShoulderHalf - 14, Body.FeetY - 10);
                p.Close();
            });
        }
        if (look.Class == CharacterClass.Ranger)
        {
            DrawQuiver(canvas, look, b);
        }
        if (look.Class == CharacterClass.Mage)
        {
            DrawStaff(canvas, look, b);
        }
        DrawLegs(canvas, look, b);
        DrawTorso(canvas, look, b);
        DrawArms(canvas, look, b);
        DrawHead(canvas, look, b);
        DrawHandItems(canvas, look, b);
    }

    private static void DrawLegs(SKCanvas canvas, Look look, Body b)
    {
        if (look.Class == CharacterClass.Mage)
        {
            Shape(canvas, look.Primary, p =>
            {
                p.MoveTo(b.Cx - b.WaistHalf, b.LegTop - 4);
                p.LineTo(b.Cx + b.WaistHalf, b.LegTop - 4);
                p.LineTo(b.Cx + b.WaistHalf + 16, Body.FeetY - 2);
                p.QuadTo(b.Cx, Body.FeetY + 6, b.Cx - b.WaistHalf - 16, Body.FeetY - 2);
                p.Close();
            });
            using var trim = Ink.Stroke(look.Accent, 4);
            canvas.DrawLine(b.Cx, b.LegTop, b.Cx, Body.FeetY + 1, trim);
            return;
        }
        var legW = b.LegWidth;
        var pants = look.Class is CharacterClass.Warrior or CharacterClass.Paladin ? look.Metal : look.Secondary;
        foreach (var side in new[] { -1, 1 })
        {
            var x = b.Cx + side * (legW / 2 + 2) - legW / 2;
            Shape(canvas, pants, p => p.AddRoundRect(new SKRect(x, b.LegTop - 6, x + legW, Body.FeetY - 4), 5, 5));
            Shape(canvas, look.Boot, p => p.AddRoundRect(
                new SKRect(x - 2 + (side < 0 ? -3 : 0), Body.FeetY - 20, x + legW + 2 + (side > 0 ? 3 : 0), Body.FeetY + 1), 5, 5));
        }
    }

    private static void DrawTorso(SKCanvas canvas, Look look, Body b)
    {
        var armoured = look.Class is CharacterClass.Warrior or CharacterClass.Paladin;
        var fill = armoured ? look.Metal : look.Primary;
        using var torso = Ink.BuildPath(p =>
        {
            p.MoveTo(b.Cx - b.ShoulderHalf, b.ShoulderY + 6);
            p.QuadTo(b.Cx - b.ShoulderHalf, b.ShoulderY - 2, b.Cx - b.ShoulderHalf + 10, b.ShoulderY - 2);
            p.LineTo(b.Cx + b.ShoulderHalf - 10, b.ShoulderY - 2);
            p.QuadTo(b.Cx + b.ShoulderHalf, b.ShoulderY - 2, b.Cx + b.ShoulderHalf, b.ShoulderY + 6);
            p.LineTo(b.Cx + b.WaistHalf, b.LegTop + 2);
            p.LineTo(b.Cx - b.WaistHalf, b.LegTop + 2);
            p.Close();
        });
        using (var paint = Ink.Gradient(new SKPoint(b.Cx - b.ShoulderHalf, 0), new SKPoint(b.Cx + b.ShoulderHalf, 0),
                   Ink.Lighter(fill, 0.18f), fill, Ink.Darker(fill, 0.25f)))
        {
            canvas.DrawPath(torso, paint);
        }
        using (var outline = Ink.Stroke(Outline, 3))
        {
            canvas.DrawPath(torso, outline);
        }
        canvas.Save();
        canvas.ClipPath(torso, antialias: true);
        var midY = (b.ShoulderY + b.LegTop) / 2;
        switch (look.Class)
        {
            case CharacterClass.Warrior:
                using (var tabard = Ink.Fill(look.Primary))
                {
                    canvas.DrawRect(b.Cx - 11, b.ShoulderY + 8, 22, b.LegTop - b.ShoulderY, tabard);
                }
                using (var plate = Ink.Stroke(Ink.Darker(look.Metal, 0.35f), 2))
                {
                    canvas.DrawLine(b.Cx - b.ShoulderHalf, b.ShoulderY + 10, b.Cx + b.ShoulderHalf, b.ShoulderY + 10, plate);
                }
                break;
            case CharacterClass.Paladin:
                using (var tabard = Ink.Fill(look.Primary))
                {
                    canvas.DrawRect(b.Cx - 13, b.ShoulderY + 6, 26, b.LegTop - b.ShoulderY, tabard);
                }
                using (var cross = Ink.Fill(look.Gold))
                {
                    canvas.DrawRect(b.Cx - 3, midY - 12, 6, 24, cross);
                    canvas.DrawRect(b.Cx - 9, midY - 6, 18, 6, cross);
                }
                break;
            case CharacterClass.Cleric:
                using (var tabard = Ink.Fill(new SKColor(0xee, 0xe8, 0xd8)))
                {
                    canvas.DrawRect(b.Cx - 12, b.ShoulderY - 2, 24, b.LegTop - b.ShoulderY + 6, tabard);
                }
                using (var sun = Ink.Fill(look.Gold))
                {
                    Ink.Star(canvas, sun, b.Cx, midY, 10, 5, 8);
                }
                break;
            case CharacterClass.Rogue:
                using (var strap = Ink.Stroke(look.Leather, 5))
                {
                    canvas.DrawLine(b.Cx - b.ShoulderHalf + 4, b.ShoulderY, b.Cx + b.WaistHalf, b.LegTop, strap);
                }
                using (var buckle = Ink.Fill(look.Metal))
                {
                    canvas.DrawCircle(b.Cx - 2, midY, 3, buckle);
                }
                break;
            case CharacterClass.Ranger:
                using (var jerkin = Ink.Fill(Ink.Darker(look.Primary, 0.2f)))
                {
                    canvas.DrawRect(b.Cx - 2, b.ShoulderY, 4, b.LegTop - b.ShoulderY, jerkin);
                }
                using (var strap = Ink.Stroke(look.Leather, 4))
                {
                    canvas.DrawLine(b.Cx + b.ShoulderHalf - 4, b.ShoulderY, b.Cx - b.WaistHalf, b.LegTop, strap);
                }
                break;
            case CharacterClass.Mage:
                using (var trim = Ink.Stroke(look.Accent, 4))
                {
                    canvas.DrawLine(b.Cx, b.ShoulderY, b.Cx, b.LegTop, trim);
                }
                break;
        }
        if (look.Scarf)
        {
            using var scarf = Ink.Fill(look.Accent);
            canvas.DrawRect(b.Cx - b.ShoulderHalf, b.ShoulderY - 2, b.ShoulderHalf * 2, 8, scarf);
        }
        canvas.Restore();
        using (var belt = Ink.Fill(look.Leather))
        {
            canvas.DrawRect(b.Cx - b.WaistHalf - 1, b.LegTop - 8, b.WaistHalf * 2 + 2, 8, belt);
        }
        using (var buckle = Ink.Fill(look.Gold))
        {
            canvas.DrawRect(b.Cx - 4, b.LegTop - 9, 8, 10, buckle);
        }
        if (look.Class is CharacterClass.Warrior or CharacterClass.Paladin)
        {
            foreach (var side in new[] { -1, 1 })
            {
                var x = b.Cx + side * (b.ShoulderHalf - 4);
                Shape(canvas, look.Metal, p => p.AddOval(new SKRect(x - 14, b.ShoulderY - 8, x + 14, b.ShoulderY + 12)));
            }
        }
    }

    private static void DrawArms(SKCanvas canvas, Look look, Body b)
    {
        var sleeve = look.Class is CharacterClass.Warrior or CharacterClass.Paladin ? Ink.Darker(look.Metal, 0.1f) : look.Primary;
        foreach (var side in new[] { -1, 1 })
        {
            var shoulder = new SKPoint(b.Cx + side * (b.ShoulderHalf - 5), b.ShoulderY + 6);
            var hand = b.Hand(side);
            using var arm = Ink.Stroke(Outline, b.ArmWidth + 6);
            arm.StrokeCap = SKStrokeCap.Round;
            canvas.DrawLine(shoulder, hand, arm);
            arm.Color = sleeve;
            arm.StrokeWidth = b.ArmWidth;
            canvas.DrawLine(shoulder, hand, arm);
            if (look.Bracer && side > 0)
            {
                arm.Color = look.Leather;
                var cuff = new SKPoint(hand.X + (shoulder.X - hand.X) * 0.3f, hand.Y + (shoulder.Y - hand.Y) * 0.3f);
                canvas.DrawLine(cuff, new SKPoint((cuff.X + hand.X) / 2, (cuff.Y + hand.Y) / 2), arm);
            }
            Shape(canvas, look.Class is CharacterClass.Warrior or CharacterClass.Paladin ? look.Metal : look.Skin,
                p => p.AddCircle(hand.X, hand.Y, b.ArmWidth * 0.62f));
        }
    }

    private static void DrawHead(SKCanvas canvas, Look look, Body b)
    {
        var r = b.HeadR;
        var cx = b.Cx;
        var cy = b.HeadY;
        if (look.Class == CharacterClass.Cleric)
        {
            using var halo = Ink.Stroke(look.Gold.WithAlpha(230), 4);
            using var glow = Ink.Glow(look.Gold.WithAlpha(120), 6);
            glow.Style = SKPaintStyle.Stroke;
            glow.StrokeWidth = 8;
            var ring = new SKRect(cx - r * 0.95f, cy - r * 1.55f, cx + r * 0.95f, cy - r * 1.05f);
            canvas.DrawOval(ring, glow);
            canvas.DrawOval(ring, halo);
        }
        var longHair = look.LongHair && !look.Shaved;
        if (longHair && !look.CoveredHead)
        {
            Shape(canvas, look.Hair, p => p.AddRoundRect(new SKRect(cx - r - 3, cy - r * 0.6f, cx + r + 3, cy + r * 1.7f), r * 0.6f, r * 0.6f));
        }
        using (var neck = Ink.Fill(Ink.Darker(look.Skin, 0.12f)))
        {
            canvas.DrawRect(cx - r * 0.35f, cy + r * 0.6f, r * 0.7f, r * 0.7f, neck);
        }
        // Ears first so the head overlaps them.
        foreach (var side in new[] { -1, 1 })
        {
            Shape(canvas, look.Skin, p => p.AddCircle(cx + side * r * 0.96f, cy + 2, r * 0.24f));
        }
        if (look.Earring)
        {
            using var ring = Ink.Stroke(look.Gold, 2.5f);
            canvas.DrawCircle(cx - r * 0.98f, cy + r * 0.38f, 3.5f, ring);
        }
        Shape(canvas, look.Skin, p => p.AddOval(new SKRect(cx - r, cy - r, cx + r, cy + r * 1.05f)));

        var eyeY = cy + r * 0.08f;
        var eyeDx = r * 0.38f;
        var detailed = canvas.TotalMatrix.ScaleX >= 0.5f;
        DrawEye(canvas, cx - eyeDx, eyeY, r, look.EyeLeft, look.Glowing, detailed);
        if (look.Eyepatch)
        {
            using var band = Ink.Stroke(Outline, 2.5f);
            canvas.DrawLine(cx - r * 0.95f, cy - r * 0.55f, cx + r * 0.95f, cy + r * 0.15f, band);
            using var patch = Ink.Fill(Outline);
            canvas.DrawOval(new SKRect(cx + eyeDx - r * 0.24f, eyeY - r * 0.2f, cx + eyeDx + r * 0.24f, eyeY + r * 0.22f), patch);
        }
        else
        {
            DrawEye(canvas, cx + eyeDx, eyeY, r, look.EyeRight, look.Glowing, detailed);
        }
        // Brows and nose are under a pixel wide below half scale: left out of small sprites.
        if (detailed)
        {
            using (var brow = Ink.Stroke(Ink.Darker(look.Hair, 0.2f), 2.2f))
            {
                canvas.DrawLine(cx - eyeDx - r * 0.2f, eyeY - r * 0.3f, cx - eyeDx + r * 0.18f, eyeY - r * 0.26f, brow);
                canvas.DrawLine(cx + eyeDx - r * 0.18f, eyeY - r * 0.26f, cx + eyeDx + r * 0.2f, eyeY - r * 0.3f, brow);
            }
            using (var nose = Ink.Stroke(Ink.Darker(look.Skin, 0.25f), 2))
            {
                canvas.DrawLine(cx + (look.CrookedNose ? 2 : 0), eyeY + r * 0.15f, cx - 1, eyeY + r * 0.38f, nose);
            }
        }
        using (var mouth = Ink.Stroke(Ink.Darker(look.Skin, 0.45f), 2.2f))
        {
            canvas.DrawLine(cx - r * 0.22f, cy + r * 0.6f, cx + r * 0.22f, cy + r * 0.6f, mouth);
        }
        if (look.Freckles)
        {
            using var freckle = Ink.Fill(Ink.Darker(look.Skin, 0.3f));
            foreach (var (dx, dy) in new[] { (-0.5f, 0.35f), (-0.35f, 0.42f), (-0.6f, 0.47f), (0.5f, 0.35f), (0.35f, 0.42f), (0.6f, 0.47f) })
            {
                canvas.DrawCircle(cx + dx * r, cy + dy * r, 1.4f, freckle);
            }
        }
        if (look.Tattoo)
        {
            using var paint = Ink.Stroke(look.Accent, 2.5f);
            canvas.DrawLine(cx - r * 0.7f, cy + r * 0.25f, cx - r * 0.45f, cy + r * 0.55f, paint);
            canvas.DrawLine(cx - r * 0.55f, cy + r * 0.2f, cx - r * 0.3f, cy + r * 0.5f, paint);
        }
        if (look.Scar)
        {
            using var scar = Ink.Stroke(new SKColor(0xb0, 0x3a, 0x3a), 2.2f);
            canvas.DrawLine(cx - r * 0.62f, eyeY - r * 0.42f, cx - r * 0.2f, eyeY + r * 0.42f, scar);
        }
        if (look.Beard && look.Class != CharacterClass.Rogue)
        {
            Shape(canvas, look.BeardColor, p =>
            {
                p.MoveTo(cx - r * 0.85f, cy + r * 0.25f);
                p.QuadTo(cx - r * 0.7f, cy + r * 1.5f, cx, cy + r * 1.55f);
                p.QuadTo(cx + r * 0.7f, cy + r * 1.5f, cx + r * 0.85f, cy + r * 0.25f);
                p.QuadTo(cx + r * 0.4f, cy + r * 0.55f, cx, cy + r * 0.52f);
                p.QuadTo(cx - r * 0.4f, cy + r * 0.55f, cx - r * 0.85f, cy + r * 0.25f);
                p.Close();
            });
        }
        if (!look.Shaved && !look.CoveredHead)
        {
            Shape(canvas, look.Hair, p =>
            {
                p.MoveTo(cx - r * 1.02f, cy + r * 0.05f);
                p.CubicTo(cx - r * 1.1f, cy - r * 1.35f, cx + r * 1.1f, cy - r * 1.35f, cx + r * 1.02f, cy + r * 0.05f);
                p.QuadTo(cx + r * 0.5f, cy - r * (0.45f + look.Fringe), cx - r * 0.1f, cy - r * 0.5f);
                p.QuadTo(cx - r * 0.6f, cy - r * 0.4f, cx - r * 1.02f, cy + r * 0.05f);
                p.Close();
            });
        }
        DrawHeadgear(canvas, look, b);
        if (look.Circlet && look.Class is not (CharacterClass.Warrior or CharacterClass.Paladin or CharacterClass.Mage))
        {
            using var band = Ink.Stroke(look.Gold, 3);
            canvas.DrawArc(new SKRect(cx - r, cy - r * 0.85f, cx + r, cy - r * 0.25f), 180, 180, false, band);
            using var gem = Ink.Fill(look.Accent);
            canvas.DrawCircle(cx, cy - r * 0.85f, 3.5f, gem);
        }
    }

    private static void DrawEye(SKCanvas canvas, float x, float y, float r, SKColor iris, bool glowing, bool detailed)
    {
        if (glowing)
        {
            using var glow = Ink.Glow(iris.WithAlpha(200), 3);
            canvas.DrawCircle(x, y, r * 0.2f, glow);
        }
        if (!detailed)
        {
            using var dot = Ink.Fill(Ink.Darker(iris, 0.5f));
            canvas.DrawCircle(x, y, r * 0.13f, dot);
            return;
        }
        using var white = Ink.Fill(SKColors.White);
        canvas.DrawOval(new SKRect(x - r * 0.19f, y - r * 0.14f, x + r * 0.19f, y + r * 0.16f), white);
        using var irisPaint = Ink.Fill(iris);
        canvas.DrawCircle(x, y + r * 0.01f, r * 0.12f, irisPaint);
        using var pupil = Ink.Fill(Outline);
        canvas.DrawCircle(x, y + r * 0.01f, r * 0.055f, pupil);
    }

    private static void DrawHeadgear(SKCanvas canvas, Look look, Body b)
    {
        var r = b.HeadR;
        var cx = b.Cx;
        var cy = b.HeadY;
        switch (look.Headgear)
        {
            case Headgear.Helmet:
                Shape(canvas, look.Metal, p =>
                {
                    p.MoveTo(cx - r * 1.1f, cy + r * 0.1f);
                    p.CubicTo(cx - r * 1.15f, cy - r * 1.45f, cx + r * 1.15f, cy - r * 1.45f, cx + r * 1.1f, cy + r * 0.1f);
                    p.LineTo(cx + r * 0.75f, cy + r * 0.1f);
                    p.LineTo(cx + r * 0.75f, cy - r * 0.25f);
                    p.LineTo(cx - r * 0.75f, cy - r * 0.25f);
                    p.LineTo(cx - r * 0.75f, cy + r * 0.1f);
                    p.Close();
                });
                using (var guard = Ink.Fill(Ink.Darker(look.Metal, 0.3f)))
                {
                    canvas.DrawRect(cx - 2.5f, cy - r * 0.3f, 5, r * 0.55f, guard);
                }
                if (look.Class == CharacterClass.Warrior)
                {
                    Shape(canvas, look.Accent, p =>
                    {
                        p.MoveTo(cx - 4, cy - r * 1.0f);
                        p.QuadTo(cx - 2, cy - r * 1.9f, cx + r * 1.1f, cy - r * 1.55f);
                        p.QuadTo(cx + r * 0.4f, cy - r * 1.3f, cx + 4, cy - r * 1.0f);
                        p.Close();
                    });
                }
                else
                {
                    foreach (var side in new[] { -1, 1 })
                    {
                        Shape(canvas, look.Gold, p =>
                        {
                            p.MoveTo(cx + side * r * 0.9f, cy - r * 0.4f);
                            p.LineTo(cx + side * r * 1.65f, cy - r * 1.25f);
                            p.LineTo(cx + side * r * 1.0f, cy - r * 0.95f);
                            p.Close();
                        });
                    }
                }
                break;
            case Headgear.WizardHat:
                Shape(canvas, look.Primary, p => p.AddOval(new SKRect(cx - r * 1.6f, cy - r * 0.85f, cx + r * 1.6f, cy - r * 0.35f)));
                Shape(canvas, look.Primary, p =>
                {
                    p.MoveTo(cx - r * 0.95f, cy - r * 0.6f);
                    p.QuadTo(cx - r * 0.2f, cy - r * 1.9f, cx + r * 0.9f, cy - r * 2.75f);
                    p.QuadTo(cx + r * 0.4f, cy - r * 1.7f, cx + r * 0.95f, cy - r * 0.6f);
                    p.Close();
                });
                using (var band = Ink.Stroke(look.Accent, 5))
                {
                    band.StrokeCap = SKStrokeCap.Butt;
                    canvas.DrawLine(cx - r * 0.9f, cy - r * 0.78f, cx + r * 0.9f, cy - r * 0.78f, band);
                }
                using (var star = Ink.Fill(look.Gold))
                {
                    Ink.Star(canvas, star, cx + r * 0.05f, cy - r * 1.45f, 6, 2.6f);
                }
                break;
            case Headgear.Hood:
                Shape(canvas, look.HoodColor, p =>
                {
                    p.MoveTo(cx - r * 1.2f, cy + r * 0.9f);
                    p.CubicTo(cx - r * 1.35f, cy - r * 1.2f, cx - r * 0.3f, cy - r * 1.6f, cx + r * 0.3f, cy - r * 1.5f);
                    p.CubicTo(cx + r * 1.3f, cy - r * 1.3f, cx + r * 1.3f, cy - r * 0.2f, cx + r * 1.2f, cy + r * 0.9f);
                    p.LineTo(cx + r * 0.85f, cy + r * 0.9f);
                    p.CubicTo(cx + r * 0.95f, cy - r * 0.2f, cx + r * 0.6f, cy - r * 0.75f, cx, cy - r * 0.78f);
                    p.CubicTo(cx - r * 0.6f, cy - r * 0.75f, cx - r * 0.95f, cy - r * 0.2f, cx - r * 0.85f, cy + r * 0.9f);
                    p.Close();
                });
                if (look.Class == CharacterClass.Rogue)
                {
                    Shape(canvas, Ink.Darker(look.HoodColor, 0.35f), p =>
                    {
                        p.MoveTo(cx - r * 0.9f, cy + r * 0.32f);
                        p.QuadTo(cx, cy + r * 0.22f, cx + r * 0.9f, cy + r * 0.32f);
                        p.QuadTo(cx + r * 0.8f, cy + r * 1.1f, cx, cy + r * 1.1f);
                        p.QuadTo(cx - r * 0.8f, cy + r * 1.1f, cx - r * 0.9f, cy + r * 0.32f);
                        p.Close();
                    });
                }
                break;
            case Headgear.FeatherCap:
                Shape(canvas, look.Secondary, p =>
                {
                    p.MoveTo(cx - r * 1.15f, cy - r * 0.35f);
                    p.QuadTo(cx - r * 0.6f, cy - r * 1.45f, cx + r * 0.4f, cy - r * 1.2f);
                    p.LineTo(cx + r * 1.5f, cy - r * 0.55f);
                    p.LineTo(cx + r * 1.05f, cy - r * 0.35f);
                    p.Close();
                });
                Shape(canvas, look.Accent, p =>
                {
                    p.MoveTo(cx - r * 0.6f, cy - r * 0.95f);
                    p.QuadTo(cx - r * 1.5f, cy - r * 2.0f, cx - r * 1.9f, cy - r * 1.9f);
                    p.QuadTo(cx - r * 1.2f, cy - r * 1.3f, cx - r * 0.6f, cy - r * 0.95f);
                    p.Close();
                });
                break;
        }
    }

    private static void DrawHandItems(SKCanvas canvas, Look look, Body b)
    {
        var left = b.Hand(-1);
        var right = b.Hand(1);
        switch (look.Class)
        {
            case CharacterClass.Warrior:
                if (look.Variant % 2 == 0)
                {
                    DrawSword(canvas, look, left, 78);
                }
                else
                {
                    DrawAxe(canvas, look, left);
                }
                DrawRoundShield(canvas, look, right, 27 * MathF.Min(1.15f, b.WidthFactor));
                break;
            case CharacterClass.Paladin:
                DrawHammer(canvas, look, left);
                DrawKiteShield(canvas, look, right, b);
                break;
            case CharacterClass.Rogue:
                DrawDagger(canvas, look, left, -1);
                DrawDagger(canvas, look, right, 1);
                break;
            case CharacterClass.Cleric:
                DrawMace(canvas, look, left);
                using (var glow = Ink.Glow(look.Gold.WithAlpha(170), 7))
                {
                    canvas.DrawCircle(right.X + 2, right.Y - 12, 11, glow);
                }
                using (var book = Ink.Fill(Ink.Darker(look.Accent, 0.2f)))
                {
                    Shape(canvas, Ink.Darker(look.Secondary, 0.1f), p => p.AddRoundRect(new SKRect(right.X - 9, right.Y - 14, right.X + 11, right.Y + 10), 2, 2));
                }
                break;
            case CharacterClass.Ranger:
                DrawBow(canvas, look, right);
                break;
            case CharacterClass.Mage:
                using (var spark = Ink.Glow(look.Accent.WithAlpha(220), 6))
                {
                    canvas.DrawCircle(left.X - 2, left.Y - 14, 10, spark);
                }
                using (var core = Ink.Fill(Ink.Lighter(look.Accent, 0.6f)))
                {
                    canvas.DrawCircle(left.X - 2, left.Y - 14, 4, core);
                }
                break;
        }
    }

    private static void DrawSword(SKCanvas canvas, Look look, SKPoint hand, float length)
    {
        Shape(canvas, look.Blade, p =>
        {
            p.MoveTo(hand.X - 5, hand.Y - 8);
            p.LineTo(hand.X - 5, hand.Y - length);
            p.LineTo(hand.X, hand.Y - length - 10);
            p.LineTo(hand.X + 5, hand.Y - length);
            p.LineTo(hand.X + 5, hand.Y - 8);
            p.Close();
        });
        Shape(canvas, look.Gold, p => p.AddRoundRect(new SKRect(hand.X - 15, hand.Y - 12, hand.X + 15, hand.Y - 5), 3, 3));
        Shape(canvas, look.Leather, p => p.AddRect(new SKRect(hand.X - 3, hand.Y - 5, hand.X + 3, hand.Y + 12)));
        Shape(canvas, look.Accent, p => p.AddCircle(hand.X, hand.Y + 14, 4.5f));
    }

    private static void DrawAxe(SKCanvas canvas, Look look, SKPoint hand)
    {
        Shape(canvas, look.Wood, p => p.AddRoundRect(new SKRect(hand.X - 3.5f, hand.Y - 80, hand.X + 3.5f, hand.Y + 16), 3, 3));
        Shape(canvas, look.Metal, p =>
        {
            p.MoveTo(hand.X - 2, hand.Y - 72);
            p.LineTo(hand.X - 14, hand.Y - 70);
            p.QuadTo(hand.X - 24, hand.Y - 84, hand.X - 34, hand.Y - 84);
            p.QuadTo(hand.X - 26, hand.Y - 62, hand.X - 34, hand.Y - 40);
            p.QuadTo(hand.X - 24, hand.Y - 40, hand.X - 14, hand.Y - 54);
            p.LineTo(hand.X - 2, hand.Y - 52);
            p.Close();
        });
        using var edge = Ink.Stroke(look.Blade, 3);
        Ink.Path(canvas, edge, p =>
        {
            p.MoveTo(hand.X - 31, hand.Y - 80);
            p.QuadTo(hand.X - 24, hand.Y - 62, hand.X - 31, hand.Y - 44);
        });
    }

    private static void DrawHammer(SKCanvas canvas, Look look, SKPoint hand)
    {
        Shape(canvas, look.Wood, p => p.AddRoundRect(new SKRect(hand.X - 3.5f, hand.Y - 70, hand.X + 3.5f, hand.Y + 16), 3, 3));
        Shape(canvas, look.Metal, p => p.AddRoundRect(new SKRect(hand.X - 18, hand.Y - 86, hand.X + 18, hand.Y - 62), 4, 4));
        Shape(canvas, look.Gold, p => p.AddRect(new SKRect(hand.X - 4, hand.Y - 86, hand.X + 4, hand.Y - 62)));
    }

    private static void DrawMace(SKCanvas canvas, Look look, SKPoint hand)
    {
        Shape(canvas, look.Wood, p => p.AddRoundRect(new SKRect(hand.X - 3, hand.Y - 55, hand.X + 3, hand.Y + 14), 3, 3));
        using var spikes = Ink.Fill(Ink.Darker(look.Metal, 0.2f));
        Ink.Star(canvas, spikes, hand.X, hand.Y - 62, 17, 10, 8);
        Shape(canvas, look.Metal, p => p.AddCircle(hand.X, hand.Y - 62, 11));
    }

    private static void DrawDagger(SKCanvas canvas, Look look, SKPoint hand, int side)
    {
        var tipX = hand.X + side * 18;
        Shape(canvas, look.Blade, p =>
        {
            p.MoveTo(hand.X - 3.5f, hand.Y - 6);
            p.LineTo(tipX, hand.Y - 40);
            p.LineTo(hand.X + 3.5f, hand.Y - 4);
            p.Close();
        });
        Shape(canvas, look.Gold, p => p.AddRoundRect(new SKRect(hand.X - 9, hand.Y - 8, hand.X + 9, hand.Y - 3), 2, 2));
    }

    private static void DrawRoundShield(SKCanvas canvas, Look look, SKPoint hand, float radius)
    {
        Shape(canvas, look.Primary, p => p.AddCircle(hand.X + 4, hand.Y - 10, radius));
        using (var rim = Ink.Stroke(look.Metal, 4))
        {
            canvas.DrawCircle(hand.X + 4, hand.Y - 10, radius - 4, rim);
        }
        using (var stripe = Ink.Stroke(look.Accent, 5))
        {
            stripe.StrokeCap = SKStrokeCap.Butt;
            canvas.DrawLine(hand.X + 4 - radius * 0.68f, hand.Y - 10 - radius * 0.68f, hand.X + 4 + radius * 0.68f, hand.Y - 10 + radius * 0.68f, stripe);
        }
        Shape(canvas, look.Metal, p => p.AddCircle(hand.X + 4, hand.Y - 10, radius * 0.28f));
    }

    private static void DrawKiteShield(SKCanvas canvas, Look look, SKPoint hand, Body b)
    {
        var w = 25 * MathF.Min(1.2f, b.WidthFactor);
        var top = hand.Y - 44;
        using var shield = Ink.BuildPath(p =>
        {
            p.MoveTo(hand.X + 4 - w, top);
            p.QuadTo(hand.X + 4, top - 8, hand.X + 4 + w, top);
            p.LineTo(hand.X + 4 + w, top + 30);
            p.QuadTo(hand.X + 4 + w * 0.8f, top + 58, hand.X + 4, top + 72);
            p.QuadTo(hand.X + 4 - w * 0.8f, top + 58, hand.X + 4 - w, top + 30);
            p.Close();
        });
        using (var fill = Ink.Gradient(new SKPoint(hand.X - w, top), new SKPoint(hand.X + w, top + 70), Ink.Lighter(look.Metal, 0.3f), look.Metal))
        {
            canvas.DrawPath(shield, fill);
        }
        using (var outline = Ink.Stroke(Outline, 3))
        {
            canvas.DrawPath(shield, outline);
        }
        using var cross = Ink.Fill(look.Primary);
        canvas.DrawRect(hand.X + 4 - 4.5f, top + 6, 9, 52, cross);
        canvas.DrawRect(hand.X + 4 - w + 7, top + 18, (w - 7) * 2, 9, cross);
    }

    private static void DrawBow(SKCanvas canvas, Look look, SKPoint hand)
    {
        var rect = new SKRect(hand.X - 18, hand.Y - 62, hand.X + 18, hand.Y + 42);
        using (var outline = Ink.Stroke(Outline, 8))
        {
            canvas.DrawArc(rect, -80, 160, false, outline);
        }
        using (var wood = Ink.Stroke(look.Wood, 5))
        {
            canvas.DrawArc(rect, -80, 160, false, wood);
        }
        using var str = Ink.Stroke(new SKColor(0xe8, 0xe4, 0xd8), 1.5f);
        var top = new SKPoint(hand.X + 18 * MathF.Cos(-80 * MathF.PI / 180), hand.Y - 10 + 52 * MathF.Sin(-80 * MathF.PI / 180));
        var bottom = new SKPoint(top.X, hand.Y - 10 + 52 * MathF.Sin(80 * MathF.PI / 180));
        canvas.DrawLine(top, bottom, str);
    }

    private static void DrawQuiver(SKCanvas canvas, Look look, Body b)
    {
        var x = b.Cx - b.ShoulderHalf + 6;
        canvas.Save();
        canvas.RotateDegrees(-18, x, b.ShoulderY);
        using (var fletch = Ink.Fill(look.Accent))
        {
            for (var i = 0; i < 3; i++)
            {
                var fx = x - 8 + i * 8;
                Ink.Polygon(canvas, fletch, new SKPoint(fx - 3, b.ShoulderY - 14), new SKPoint(fx, b.ShoulderY - 28), new SKPoint(fx + 3, b.ShoulderY - 14));
            }
        }
        Shape(canvas, look.Leather, p => p.AddRoundRect(new SKRect(x - 13, b.ShoulderY - 14, x + 13, b.ShoulderY + 44), 5, 5));
        canvas.Restore();
    }

    private static void DrawStaff(SKCanvas canvas, Look look, Body b)
    {
        var hand = b.Hand(1);
        var x = hand.X + 2;
        Shape(canvas, look.Wood, p => p.AddRoundRect(new SKRect(x - 3.5f, b.HeadY - b.HeadR * 1.6f, x + 3.5f, Body.FeetY - 2), 3, 3));
        var orb = new SKPoint(x, b.HeadY - b.HeadR * 1.6f - 9);
        using (var glow = Ink.Glow(look.Accent.WithAlpha(200), 9))
        {
            canvas.DrawCircle(orb, 16, glow);
        }
        Shape(canvas, Ink.Lighter(look.Accent, 0.25f), p => p.AddCircle(orb.X, orb.Y, 9));
        using var shine = Ink.Fill(SKColors.White.WithAlpha(210));
        canvas.DrawCircle(orb.X - 3, orb.Y - 3, 2.5f, shine);
    }

    private static void DrawLevelBadge(SKCanvas canvas, Look look, int level)
    {
        var text = Math.Clamp(level, 0, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var paint = Ink.Radial(new SKPoint(32, 30), 26, new SKColor(0xff, 0xe2, 0x8a), new SKColor(0xc8, 0x8a, 0x1e)))
        {
            canvas.DrawCircle(38, 38, 24, paint);
        }
        using (var rim = Ink.Stroke(Outline, 3.5f))
        {
            canvas.DrawCircle(38, 38, 24, rim);
        }
        using var font = Text.Font(bold: true, text.Length <= 2 ? 26 : text.Length == 3 ? 20 : 15);
        Text.Draw(canvas, text, 38, 38 + font.Size * 0.36f, font, new SKColor(0x3a, 0x22, 0x08), SKTextAlign.Center);
    }

    private static void DrawNamePlate(SKCanvas canvas, Look look, string name, CharacterClass cls)
    {
        using (var plate = Ink.Fill(new SKColor(0x0d, 0x0c, 0x12, 175)))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(18, 214, 238, 244), 10), plate);
        }
        using var font = Text.Font(bold: true, 21);
        Text.Draw(canvas, Text.Fit(name, font, 206), 128, 236, font, SKColors.White, SKTextAlign.Center);
        using var small = Text.Font(bold: true, 15);
        var label = cls.ToString().ToUpperInvariant();
        var width = small.MeasureText(label) + 16;
        using (var tag = Ink.Fill(Ink.Darker(look.ClassColor, 0.45f).WithAlpha(220)))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(238 - width, 18, 238, 40), 8), tag);
        }
        Text.Draw(canvas, label, 238 - width / 2, 34, small, Ink.Lighter(look.ClassColor, 0.7f), SKTextAlign.Center);
    }

    /// <summary>
    /// Fills a path with a light-to-dark gradient and a dark outline: the sprite's cel-shaded look. Below half
    /// scale (sprites under 128 px) the gradient is invisible and the outline thinner than a pixel, so a flat fill
    /// and a one-pixel hairline give the same picture at a fraction of the cost.
    /// </summary>
    private static void Shape(SKCanvas canvas, SKColor color, Action<SKPathBuilder> build)
    {
        using var path = Ink.BuildPath(build);
        if (canvas.TotalMatrix.ScaleX < 0.5f)
        {
            using var flat = Ink.Fill(color);
            canvas.DrawPath(path, flat);
            using var hairline = new SKPaint { Color = Outline.WithAlpha(170), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0 };
            canvas.DrawPath(path, hairline);
            return;
        }
        var bounds = path.Bounds;
        using (var fill = Ink.Gradient(new SKPoint(bounds.Left, bounds.Top), new SKPoint(bounds.Right, bounds.Bottom),
                   Ink.Lighter(color, 0.2f), color, Ink.Darker(color, 0.22f)))
        {
            canvas.DrawPath(path, fill);
        }
        using var outline = Ink.Stroke(Outline, 2.5f);
        canvas.DrawPath(path, outline);
    }

    internal enum Headgear { None, Helmet, WizardHat, Hood, FeatherCap }

    private sealed record Body(float WidthFactor, float HeightFactor)
    {
        public const float FeetY = 206f;
        public float Cx => 128f;
        public float Height => 142f * HeightFactor;
        public float LegTop => FeetY - Height * 0.36f;
        public float ShoulderY => LegTop - Height * 0.36f;
        public float HeadR => 21f * (0.92f + 0.08f * WidthFactor);
        public float HeadY => ShoulderY - HeadR * 0.95f;
        public float ShoulderHalf => 27f * WidthFactor;
        public float WaistHalf => 21f * WidthFactor;
        public float LegWidth => 16f * WidthFactor;
        public float ArmWidth => 12f * MathF.Sqrt(WidthFactor);

        public SKPoint Hand(int side) => new(Cx + side * (ShoulderHalf + 12 * WidthFactor), LegTop + 2);

        public static Body For(Look look) => look.BodyType switch
        {
            BodyType.Slim => new Body(0.8f, 1.0f),
            BodyType.Stocky => new Body(1.22f, 0.88f),
            BodyType.Tall => new Body(0.92f, 1.14f),
            BodyType.Hulking => new Body(1.42f, 1.06f),
            _ => new Body(1.0f, 1.0f),
        };
    }

    private sealed record Look
    {
        public required CharacterClass Class { get; init; }
        public required BodyType BodyType { get; init; }
        public required SKColor ClassColor { get; init; }
        public required SKColor Primary { get; init; }
        public required SKColor Secondary { get; init; }
        public required SKColor Accent { get; init; }
        public required SKColor Hair { get; init; }
        public required SKColor BeardColor { get; init; }
        public required SKColor Skin { get; init; }
        public required SKColor EyeLeft { get; init; }
        public required SKColor EyeRight { get; init; }
        public required Headgear Headgear { get; init; }
        public required int Variant { get; init; }
        public required float Fringe { get; init; }
        public SKColor Metal { get; init; } = new(0xb4, 0xbc, 0xc6);
        public SKColor Blade { get; init; } = new(0xdd, 0xe4, 0xec);
        public SKColor Gold { get; init; } = new(0xf0, 0xc0, 0x48);
        public SKColor Leather { get; init; } = new(0x6a, 0x44, 0x28);
        public SKColor Wood { get; init; } = new(0x8a, 0x5a, 0x32);
        public SKColor Boot { get; init; } = new(0x4a, 0x30, 0x20);
        public SKColor HoodColor => Ink.Darker(Secondary, Class == CharacterClass.Rogue ? 0.35f : 0.1f);
        public bool Scar { get; init; }
        public bool Beard { get; init; }
        public bool Eyepatch { get; init; }
        public bool Freckles { get; init; }
        public bool Shaved { get; init; }
        public bool LongHair { get; init; }
        public bool Earring { get; init; }
        public bool Circlet { get; init; }
        public bool Cloak { get; init; }
        public bool Scarf { get; init; }
        public bool Tattoo { get; init; }
        public bool Bracer { get; init; }
        public bool Glowing { get; init; }
        public bool CrookedNose { get; init; }
        public bool CoveredHead => Headgear is Headgear.Helmet or Headgear.Hood;

        public static Look Of(Character c)
        {
            var hash = StableHash.Combine(StableHash.Of(c.Name), c.Seed);
            var features = c.Appearance?.Features ?? [];
            bool Has(params string[] words) => features.Any(f => f is not null && words.Any(w => f.Contains(w, StringComparison.OrdinalIgnoreCase)));
            SKColor? ColourOf(string word) => features.Where(f => f is not null && f.Contains(word, StringComparison.OrdinalIgnoreCase))
                .Select(ColorNames.FindIn).FirstOrDefault(x => x is not null);

            // Palette convention of the character generator: [skin, hair, garb], optionally [.., trim, accent].
            var classColor = ClassColor(c.Class);
            var palette = (c.Appearance?.Palette ?? []).Where(p => p is not null).Select(ColorNames.Parse).ToArray();
            var skin = palette.Length > 0 ? palette[0] : SkinTones[StableHash.Pick(hash, 2, SkinTones.Length)];
            var primary = palette.Length > 2 ? palette[2] : Ink.Lighter(classColor, 0.2f);
            primary.ToHsl(out var hue, out _, out _);
            var secondary = palette.Length > 3 ? palette[3] : Ink.Darker(Ink.Mix(primary, classColor, 0.5f), 0.3f);
            var accent = palette.Length > 4 ? palette[4] : SKColor.FromHsl((hue + 150 + StableHash.Pick(hash, 6, 60)) % 360, 70, 58);
            var hair = ColourOf("hair") ?? (palette.Length > 1 ? palette[1] : HairTones[StableHash.Pick(hash, 1, HairTones.Length)]);
            var eyes = ColourOf(" eyes") ?? new SKColor(0x3b, 0x6e, 0x9e);
            var mismatched = Has("mismatched eyes");
            var hood = Has("hood");
            return new Look
            {
                Class = c.Class,
                BodyType = c.Appearance?.BodyType ?? BodyType.Average,
                ClassColor = classColor,
                Primary = primary,
                Secondary = secondary,
                Accent = accent,
                Hair = hair,
                BeardColor = ColourOf("beard") ?? hair,
                Skin = skin,
                EyeLeft = mismatched ? new SKColor(0x4c, 0x9a, 0x3a) : eyes,
                EyeRight = mismatched ? new SKColor(0x8a, 0x5a, 0x2a) : eyes,
                Headgear = c.Class switch
                {
                    CharacterClass.Warrior or CharacterClass.Paladin => Headgear.Helmet,
                    CharacterClass.Mage => Headgear.WizardHat,
                    CharacterClass.Rogue => Headgear.Hood,
                    _ when hood => Headgear.Hood,
                    CharacterClass.Ranger => Headgear.FeatherCap,
                    _ => Headgear.None,
                },
                Variant = StableHash.Pick(hash, 3, 4),
                Fringe = StableHash.Unit(hash, 4) * 0.5f,
                Scar = Has("scar"),
                Beard = Has("beard") || (StableHash.Pick(hash, 5, 4) == 0 && c.Class is CharacterClass.Warrior or CharacterClass.Cleric),
                Eyepatch = Has("eyepatch"),
                Freckles = Has("freckles"),
                Shaved = Has("shaved head", "bald"),
                LongHair = Has("long") && Has("hair") || Has("braid") && !Has("beard"),
                Earring = Has("earring"),
                Circlet = Has("circlet", "crown"),
                Cloak = Has("cloak", "mantle", "cape"),
                Scarf = Has("scarf", "sash"),
                Tattoo = Has("tattoo", "ritual paint", "war paint"),
                Bracer = Has("bracer"),
                Glowing = Has("glowing"),
                CrookedNose = Has("crooked nose"),
            };
        }
    }
}
