using System.Globalization;
using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// An item icon on a 256-unit canvas: the silhouette follows the kind (and the base named in the item's name,
/// e.g. a bow or a helm), the material colour follows a material word in the name, and the frame follows the
/// rarity — a border that thickens, a glow from rare up, sparkles from epic up and rays from legendary up.
/// </summary>
internal static class ItemPainter
{
    private static readonly SKColor Outline = new(0x10, 0x10, 0x16);
    private static readonly SKColor Backdrop = new(0x16, 0x17, 0x1f);

    /// <summary>The rarity's frame colour: the border of an item icon is exactly this colour.</summary>
    public static SKColor RarityColor(Rarity rarity) => rarity switch
    {
        Rarity.Common => new SKColor(0x9d, 0xa3, 0xab),
        Rarity.Uncommon => new SKColor(0x3f, 0xc9, 0x4f),
        Rarity.Rare => new SKColor(0x3d, 0x8b, 0xff),
        Rarity.Epic => new SKColor(0xb0, 0x5c, 0xff),
        Rarity.Legendary => new SKColor(0xff, 0x9f, 0x1c),
        Rarity.Mythic => new SKColor(0xff, 0x3f, 0x7f),
        _ => new SKColor(0x9d, 0xa3, 0xab),
    };

    /// <summary>Border thickness in 256-unit canvas units; it grows with rarity.</summary>
    public static float BorderWidth(Rarity rarity) => 5 + 2.5f * (int)rarity;

    public const float FrameInset = 8;

    private static readonly (string Word, SKColor Color)[] Materials =
    [
        ("dragonbone", new(0xe8, 0xdc, 0xc0)), ("ironwood", new(0x6d, 0x4c, 0x35)), ("starmetal", new(0x9f, 0xb8, 0xff)),
        ("obsidian", new(0x3a, 0x33, 0x4a)), ("mithril", new(0xd8, 0xf0, 0xff)), ("bronze", new(0xc4, 0x86, 0x4a)),
        ("copper", new(0xd0, 0x7a, 0x4a)), ("silver", new(0xdc, 0xe2, 0xea)), ("steel", new(0xb8, 0xc4, 0xd0)),
        ("iron", new(0x98, 0x9e, 0xa6)), ("crystal", new(0xb8, 0xf0, 0xff)), ("glass", new(0xc8, 0xea, 0xf0)),
        ("ebony", new(0x3c, 0x2e, 0x2a)), ("jade", new(0x5c, 0xc0, 0x8c)), ("bone", new(0xe6, 0xdd, 0xc6)),
        ("oak", new(0x9a, 0x6a, 0x3a)), ("gold", new(0xf3, 0xc6, 0x4f)),
    ];

    public static SKBitmap Paint(Item item, int size)
    {
        var bitmap = Png.NewBitmap(size, size);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        canvas.Scale(size / 256f);
        var name = item.Name ?? string.Empty;
        var hash = StableHash.Combine(StableHash.Of(name), item.Seed);
        var rarity = item.Rarity;
        var rarityColor = RarityColor(rarity);
        var tier = (int)rarity;
        var showText = size >= 128;

        var frame = new SKRect(FrameInset, FrameInset, 256 - FrameInset, 256 - FrameInset);
        using (var bg = Ink.Radial(new SKPoint(128, 112), 170, Ink.Mix(Backdrop, rarityColor, 0.22f + 0.05f * tier), Backdrop))
        {
            canvas.DrawRoundRect(new SKRoundRect(frame, 28), bg);
        }

        var centre = new SKPoint(128, showText ? 112 : 128);
        canvas.Save();
        canvas.ClipRoundRect(new SKRoundRect(frame, 28), antialias: true);
        if (tier >= (int)Rarity.Legendary)
        {
            DrawRays(canvas, centre, rarityColor, tier == (int)Rarity.Mythic ? 16 : 12, StableHash.Unit(hash, 1) * 30);
        }
        if (tier >= (int)Rarity.Rare)
        {
            using var glow = Ink.Glow(rarityColor.WithAlpha((byte)(70 + 35 * (tier - 2))), 16 + 4 * (tier - 2));
            canvas.DrawCircle(centre, 58 + 6 * (tier - 2), glow);
        }
        canvas.Restore();

        canvas.Save();
        canvas.Translate(centre.X, centre.Y);
        canvas.Scale(showText ? 0.86f : 1f);
        var material = MaterialOf(name) ?? MetalFor(rarity);
        var gem = Ink.Lighter(rarityColor, 0.15f);
        DrawSilhouette(canvas, item, name, hash, material, gem);
        canvas.Restore();

        if (tier >= (int)Rarity.Epic)
        {
            DrawSparkles(canvas, hash, rarityColor, tier == (int)Rarity.Epic ? 3 : tier == (int)Rarity.Legendary ? 5 : 8);
        }
        if (showText)
        {
            DrawLabels(canvas, item, rarityColor);
        }

        var border = BorderWidth(rarity);
        using (var stroke = new SKPaint { Color = rarityColor, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = border })
        {
            var half = border / 2;
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(frame.Left + half, frame.Top + half, frame.Right - half, frame.Bottom - half), 28 - half), stroke);
        }
        if (tier >= (int)Rarity.Legendary)
        {
            var inset = FrameInset + border + 3;
            using var inner = new SKPaint { Color = Ink.Lighter(rarityColor, 0.55f), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 2 };
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(inset, inset, 256 - inset, 256 - inset), 18), inner);
        }
        return bitmap;
    }

    /// <summary>
    /// The lower-case words of a name, without possessives: "Aldric's Runed Longbow" must read as a bow, and a
    /// person's name ("Bowen's Dagger") must not decide the silhouette.
    /// </summary>
    private static string[] Words(string name) =>
        name.ToLowerInvariant().Split([' ', ',', '-', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => !w.EndsWith("'s", StringComparison.Ordinal) && !w.EndsWith("\u2019s", StringComparison.Ordinal))
            .ToArray();

    private static SKColor? MaterialOf(string name)
    {
        var words = Words(name);
        foreach (var (word, color) in Materials)
        {
            if (words.Contains(word))
            {
                return color;
            }
        }
        return null;
    }

    private static SKColor MetalFor(Rarity rarity) => rarity switch
    {
        Rarity.Common => new SKColor(0x9a, 0xa1, 0xa9),
        Rarity.Uncommon => new SKColor(0xb8, 0xc4, 0xc9),
        Rarity.Rare => new SKColor(0xc9, 0xdc, 0xf2),
        Rarity.Epic => new SKColor(0xd6, 0xc4, 0xf5),
        Rarity.Legendary => new SKColor(0xf3, 0xc6, 0x4f),
        _ => new SKColor(0xff, 0xc0, 0xd2),
    };

    private static void DrawRays(SKCanvas canvas, SKPoint centre, SKColor color, int count, float offsetDegrees)
    {
        using var paint = Ink.Radial(centre, 150, color.WithAlpha(110), color.WithAlpha(0));
        for (var i = 0; i < count; i++)
        {
            var a0 = (offsetDegrees + i * 360f / count) * MathF.PI / 180;
            var a1 = a0 + MathF.PI / count * 0.55f;
            Ink.Polygon(canvas, paint, centre,
                new SKPoint(centre.X + 190 * MathF.Cos(a0), centre.Y + 190 * MathF.Sin(a0)),
                new SKPoint(centre.X + 190 * MathF.Cos(a1), centre.Y + 190 * MathF.Sin(a1)));
        }
    }

    private static void DrawSparkles(SKCanvas canvas, ulong hash, SKColor color, int count)
    {
        using var glow = Ink.Glow(color.WithAlpha(200), 3);
        using var core = Ink.Fill(Ink.Lighter(color, 0.8f));
        for (var i = 0; i < count; i++)
        {
            // Sparkles stay well inside the frame so they never cover the rarity border.
            var angle = (i + StableHash.Unit(hash, 10 + i) * 0.6f) * MathF.PI * 2 / count;
            var radius = 70 + StableHash.Unit(hash, 30 + i) * 22;
            var x = 128 + radius * MathF.Cos(angle);
            var y = 124 + radius * MathF.Sin(angle) * 0.9f;
            var r = 7 + StableHash.Unit(hash, 50 + i) * 6;
            Ink.Sparkle(canvas, glow, x, y, r + 2);
            Ink.Sparkle(canvas, core, x, y, r);
        }
    }

    private static void DrawLabels(SKCanvas canvas, Item item, SKColor rarityColor)
    {
        using var font = Text.Font(bold: true, 19);
        using (var plate = Ink.Fill(new SKColor(0, 0, 0, 150)))
        {
            canvas.DrawRect(new SKRect(FrameInset, 200, 256 - FrameInset, 238), plate);
        }
        Text.Draw(canvas, Text.Fit(item.Name ?? string.Empty, font, 200), 128, 226, font, Ink.Lighter(rarityColor, 0.55f), SKTextAlign.Center);
        var level = "Lv " + item.LevelRequirement.ToString(CultureInfo.InvariantCulture);
        using var small = Text.Font(bold: true, 15);
        var w = small.MeasureText(level) + 12;
        using (var tag = Ink.Fill(new SKColor(0, 0, 0, 170)))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(232 - w, 30, 232, 52), 7), tag);
        }
        Text.Draw(canvas, level, 232 - w / 2, 46, small, SKColors.White, SKTextAlign.Center);
    }

    private static void DrawSilhouette(SKCanvas canvas, Item item, string name, ulong hash, SKColor material, SKColor gem)
    {
        var tokens = Words(name);
        bool Named(params string[] words) => tokens.Any(t => words.Any(w => t.EndsWith(w, StringComparison.Ordinal)));
        switch (item.Kind)
        {
            case ItemKind.Weapon:
                if (Named("bow", "sling")) { Bow(canvas, material, gem, Named("crossbow")); }
                else if (Named("axe", "glaive", "halberd")) { Axe(canvas, material, gem); }
                else if (Named("hammer", "mace", "flail")) { Hammer(canvas, material, gem, Named("mace", "flail")); }
                else if (Named("staff", "wand", "scepter", "sceptre")) { Staff(canvas, gem, Named("wand")); }
                else if (Named("spear", "trident", "lance", "pike")) { Spear(canvas, material, Named("trident")); }
                else if (Named("dagger", "knife", "dirk")) { Sword(canvas, material, gem, 0.62f, curved: false); }
                else { Sword(canvas, material, gem, Named("rapier") ? 1.08f : 1f, curved: Named("scimitar", "katana", "sabre")); }
                break;
            case ItemKind.Armor:
                if (Named("helm", "mask", "hood", "cap")) { Helmet(canvas, material, gem); }
                else if (Named("shield", "buckler")) { Shield(canvas, material, gem, Named("buckler")); }
                else if (Named("boots", "greaves", "shoes")) { Boot(canvas, material); }
                else if (Named("gauntlet", "glove")) { Gauntlet(canvas, material); }
                else if (Named("robe", "cloak")) { Robe(canvas, gem, hash); }
                else { Chest(canvas, Named("leather", "jerkin") ? new SKColor(0x8a, 0x5a, 0x34) : material, gem); }
                break;
            case ItemKind.Accessory:
                if (Named("ring", "bracelet", "band") && !Named("earring")) { Ring(canvas, material, gem, Named("bracelet")); }
                else if (Named("circlet", "crown", "tiara")) { Circlet(canvas, material, gem); }
                else if (Named("belt")) { Belt(canvas, gem); }
                else { Amulet(canvas, material, gem, hash); }
                break;
            default:
                if (Named("scroll")) { Scroll(canvas, gem); }
                else if (Named("bomb")) { Bomb(canvas); }
                else if (Named("ration", "bread", "meat")) { Ration(canvas); }
                else { Potion(canvas, LiquidColor(item.Stats), StableHash.Pick(hash, 2, 3)); }
                break;
        }
    }

    private static SKColor LiquidColor(Stats? stats)
    {
        if (stats is null)
        {
            return new SKColor(0xe0, 0x3a, 0x4a);
        }
        (int Value, SKColor Color)[] ranked =
        [
            (stats.Hp, new SKColor(0xe0, 0x3a, 0x4a)), (stats.Mp, new SKColor(0x3a, 0x7a, 0xf0)),
            (stats.Atk, new SKColor(0xf0, 0x82, 0x2a)), (stats.Def, new SKColor(0x8a, 0x9a, 0x7a)),
            (stats.Spd, new SKColor(0x9a, 0xe0, 0x3a)), (stats.Int, new SKColor(0xa0, 0x4a, 0xe8)),
            (stats.Lck, new SKColor(0xf0, 0xd0, 0x3a)),
        ];
        return ranked.OrderByDescending(r => r.Value).First().Color;
    }

    private static void Shape(SKCanvas canvas, SKColor color, Action<SKPathBuilder> build, float outline = 5)
    {
        using var path = Ink.BuildPath(build);
        var b = path.Bounds;
        using (var stroke = Ink.Stroke(Outline, outline))
        {
            canvas.DrawPath(path, stroke);
        }
        using var fill = Ink.Gradient(new SKPoint(b.Left, b.Top), new SKPoint(b.Right, b.Bottom),
            Ink.Lighter(color, 0.35f), color, Ink.Darker(color, 0.3f));
        canvas.DrawPath(path, fill);
    }

    private static readonly SKColor Wood = new(0x8a, 0x5a, 0x32);
    private static readonly SKColor Leather = new(0x6a, 0x42, 0x26);
    private static readonly SKColor Gold = new(0xf0, 0xc0, 0x48);

    private static void Sword(SKCanvas canvas, SKColor blade, SKColor gem, float length, bool curved)
    {
        canvas.Save();
        canvas.RotateDegrees(45);
        var tip = -92 * length;
        Shape(canvas, blade, p =>
        {
            p.MoveTo(-9, 20);
            p.LineTo(-9, tip + 18);
            if (curved)
            {
                p.QuadTo(-6, tip - 2, 8, tip);
                p.QuadTo(14, tip + 40, 9, 20);
            }
            else
            {
                p.LineTo(0, tip);
                p.LineTo(9, tip + 18);
                p.LineTo(9, 20);
            }
            p.Close();
        });
        using (var fuller = Ink.Stroke(Ink.Darker(blade, 0.25f), 2.5f))
        {
            canvas.DrawLine(0, 14, 0, tip + 30, fuller);
        }
        Shape(canvas, Gold, p => p.AddRoundRect(new SKRect(-32, 18, 32, 30), 5, 5));
        Shape(canvas, Leather, p => p.AddRect(new SKRect(-6, 30, 6, 66)));
        Shape(canvas, gem, p => p.AddCircle(0, 74, 10));
        canvas.Restore();
    }

    private static void Axe(SKCanvas canvas, SKColor head, SKColor gem)
    {
        canvas.Save();
        canvas.RotateDegrees(30);
        Shape(canvas, Wood, p => p.AddRoundRect(new SKRect(-7, -80, 7, 90), 6, 6));
        Shape(canvas, head, p =>
        {
            p.MoveTo(4, -70);
            p.QuadTo(60, -95, 70, -45);
            p.QuadTo(60, 5, 4, -20);
            p.Close();
        });
        Shape(canvas, head, p =>
        {
            p.MoveTo(-4, -62);
            p.QuadTo(-30, -60, -36, -45);
            p.QuadTo(-30, -30, -4, -28);
            p.Close();
        });
        Shape(canvas, gem, p => p.AddCircle(0, -45, 8));
        canvas.Restore();
    }

    private static void Hammer(SKCanvas canvas, SKColor head, SKColor gem, bool mace)
    {
        canvas.Save();
        canvas.RotateDegrees(30);
        Shape(canvas, Wood, p => p.AddRoundRect(new SKRect(-7, -50, 7, 92), 6, 6));
        if (mace)
        {
            using var spikes = Ink.Fill(Ink.Darker(head, 0.2f));
            Ink.Star(canvas, spikes, 0, -62, 50, 30, 8);
            Shape(canvas, head, p => p.AddCircle(0, -62, 32));
        }
        else
        {
            Shape(canvas, head, p => p.AddRoundRect(new SKRect(-50, -92, 50, -40), 8, 8));
            Shape(canvas, Gold, p => p.AddRect(new SKRect(-10, -92, 10, -40)));
        }
        Shape(canvas, gem, p => p.AddCircle(0, mace ? -62 : -66, 9));
        canvas.Restore();
    }

    private static void Bow(SKCanvas canvas, SKColor tips, SKColor gem, bool crossbow)
    {
        canvas.Save();
        canvas.RotateDegrees(crossbow ? 0 : 35);
        if (crossbow)
        {
            Shape(canvas, Wood, p => p.AddRoundRect(new SKRect(-10, -70, 10, 85), 5, 5));
            using (var limb = Ink.Stroke(Outline, 16))
            using (var limbFill = Ink.Stroke(tips, 9))
            {
                var arc = new SKRect(-85, -60, 85, 40);
                canvas.DrawArc(arc, 200, 140, false, limb);
                canvas.DrawArc(arc, 200, 140, false, limbFill);
            }
            using var str = Ink.Stroke(new SKColor(0xee, 0xea, 0xdc), 3);
            canvas.DrawLine(-80, -25, 0, 10, str);
            canvas.DrawLine(80, -25, 0, 10, str);
            Shape(canvas, gem, p => p.AddCircle(0, 50, 9));
        }
        else
        {
            var arc = new SKRect(-60, -100, 40, 100);
            using (var limb = Ink.Stroke(Outline, 18))
            using (var limbFill = Ink.Stroke(Wood, 11))
            {
                canvas.DrawArc(arc, -75, 150, false, limb);
                canvas.DrawArc(arc, -75, 150, false, limbFill);
            }
            var top = new SKPoint(-10 + 50 * MathF.Cos(-75 * MathF.PI / 180), 100 * MathF.Sin(-75 * MathF.PI / 180));
            using (var str = Ink.Stroke(new SKColor(0xee, 0xea, 0xdc), 3))
            {
                canvas.DrawLine(top.X, top.Y, top.X, -top.Y, str);
            }
            Shape(canvas, tips, p => p.AddRoundRect(new SKRect(28, -16, 48, 16), 5, 5));
            Shape(canvas, gem, p => p.AddCircle(38, 0, 6));
        }
        canvas.Restore();
    }

    private static void Staff(SKCanvas canvas, SKColor gem, bool wand)
    {
        canvas.Save();
        canvas.RotateDegrees(35);
        var length = wand ? 60 : 95;
        Shape(canvas, Wood, p => p.AddRoundRect(new SKRect(-7, -length + 20, 7, length), 6, 6));
        using (var glow = Ink.Glow(gem.WithAlpha(200), 10))
        {
            canvas.DrawCircle(0, -length + 6, 26, glow);
        }
        Shape(canvas, Gold, p =>
        {
            p.MoveTo(-16, -length + 30);
            p.LineTo(-20, -length);
            p.LineTo(0, -length + 16);
            p.LineTo(20, -length);
            p.LineTo(16, -length + 30);
            p.Close();
        });
        Shape(canvas, gem, p => p.AddCircle(0, -length + 2, 15));
        canvas.Restore();
    }

    private static void Spear(SKCanvas canvas, SKColor head, bool trident)
    {
        canvas.Save();
        canvas.RotateDegrees(40);
        Shape(canvas, Wood, p => p.AddRoundRect(new SKRect(-6, -60, 6, 100), 5, 5));
        if (trident)
        {
            Shape(canvas, head, p =>
            {
                p.MoveTo(-30, -60);
                p.LineTo(-30, -95);
                p.LineTo(-24, -80);
                p.LineTo(-6, -80);
                p.LineTo(0, -110);
                p.LineTo(6, -80);
                p.LineTo(24, -80);
                p.LineTo(30, -95);
                p.LineTo(30, -60);
                p.Close();
            });
        }
        else
        {
            Shape(canvas, head, p =>
            {
                p.MoveTo(0, -112);
                p.QuadTo(22, -80, 0, -52);
                p.QuadTo(-22, -80, 0, -112);
                p.Close();
            });
        }
        Shape(canvas, Leather, p => p.AddRect(new SKRect(-8, -58, 8, -44)));
        canvas.Restore();
    }

    private static void Helmet(SKCanvas canvas, SKColor metal, SKColor gem)
    {
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-62, 60);
            p.LineTo(-62, -5);
            p.CubicTo(-62, -85, 62, -85, 62, -5);
            p.LineTo(62, 60);
            p.LineTo(22, 60);
            p.LineTo(22, 10);
            p.LineTo(-22, 10);
            p.LineTo(-22, 60);
            p.Close();
        });
        using (var slit = Ink.Fill(Outline))
        {
            canvas.DrawRoundRect(new SKRoundRect(new SKRect(-46, -12, 46, 2), 4), slit);
        }
        Shape(canvas, Gold, p => p.AddRect(new SKRect(-5, -70, 5, 10)), 3);
        Shape(canvas, gem, p => p.AddCircle(0, -40, 9));
    }

    private static void Shield(SKCanvas canvas, SKColor metal, SKColor gem, bool buckler)
    {
        if (buckler)
        {
            Shape(canvas, Wood, p => p.AddCircle(0, 0, 72));
            using (var rim = Ink.Stroke(metal, 10))
            {
                canvas.DrawCircle(0, 0, 66, rim);
            }
            Shape(canvas, metal, p => p.AddCircle(0, 0, 24));
            Shape(canvas, gem, p => p.AddCircle(0, 0, 10));
            return;
        }
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-66, -82);
            p.QuadTo(0, -95, 66, -82);
            p.LineTo(66, 10);
            p.QuadTo(56, 62, 0, 90);
            p.QuadTo(-56, 62, -66, 10);
            p.Close();
        });
        using var cross = Ink.Fill(Ink.Darker(gem, 0.15f));
        canvas.DrawRect(-10, -74, 20, 150, cross);
        canvas.DrawRect(-56, -32, 112, 20, cross);
        Shape(canvas, gem, p => p.AddCircle(0, -22, 12));
    }

    private static void Boot(SKCanvas canvas, SKColor metal)
    {
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-40, -85);
            p.LineTo(20, -85);
            p.LineTo(20, 30);
            p.QuadTo(70, 35, 72, 70);
            p.LineTo(72, 82);
            p.LineTo(-40, 82);
            p.Close();
        });
        Shape(canvas, Leather, p => p.AddRect(new SKRect(-44, -92, 24, -70)), 4);
        Shape(canvas, Leather, p => p.AddRect(new SKRect(-40, 70, 72, 84)), 4);
    }

    private static void Gauntlet(SKCanvas canvas, SKColor metal)
    {
        Shape(canvas, Leather, p => p.AddRoundRect(new SKRect(-40, 30, 40, 90), 10, 10));
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-44, 40);
            p.LineTo(-44, -40);
            p.QuadTo(-44, -52, -33, -52);
            p.LineTo(44, -52);
            p.LineTo(44, 40);
            p.Close();
        });
        for (var i = 0; i < 4; i++)
        {
            var x = -40 + i * 21;
            Shape(canvas, metal, p => p.AddRoundRect(new SKRect(x, -92 + (i is 1 or 2 ? -6 : 4), x + 18, -46), 8, 8), 4);
        }
        Shape(canvas, metal, p => p.AddRoundRect(new SKRect(-72, -36, -38, 0), 10, 10), 4);
    }

    private static void Robe(SKCanvas canvas, SKColor gem, ulong hash)
    {
        var cloth = SKColor.FromHsl(StableHash.Pick(hash, 7, 360), 45, 38);
        Shape(canvas, cloth, p =>
        {
            p.MoveTo(-30, -85);
            p.LineTo(30, -85);
            p.LineTo(62, -55);
            p.LineTo(48, -40);
            p.LineTo(36, -50);
            p.LineTo(62, 88);
            p.LineTo(-62, 88);
            p.LineTo(-36, -50);
            p.LineTo(-48, -40);
            p.LineTo(-62, -55);
            p.Close();
        });
        using var trim = Ink.Stroke(gem, 7);
        canvas.DrawLine(0, -80, 0, 84, trim);
        canvas.DrawLine(-40, -10, 40, -10, trim);
    }

    private static void Chest(SKCanvas canvas, SKColor metal, SKColor gem)
    {
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-32, -82);
            p.QuadTo(0, -62, 32, -82);
            p.LineTo(72, -62);
            p.LineTo(60, -10);
            p.LineTo(46, -16);
            p.LineTo(50, 78);
            p.QuadTo(0, 92, -50, 78);
            p.LineTo(-46, -16);
            p.LineTo(-60, -10);
            p.LineTo(-72, -62);
            p.Close();
        });
        using (var line = Ink.Stroke(Ink.Darker(metal, 0.4f), 3))
        {
            canvas.DrawLine(0, -62, 0, 82, line);
            canvas.DrawLine(-44, 20, 44, 20, line);
        }
        Shape(canvas, gem, p => p.AddCircle(0, -30, 11));
    }

    private static void Ring(SKCanvas canvas, SKColor metal, SKColor gem, bool bracelet)
    {
        using (var outline = Ink.Stroke(Outline, bracelet ? 28 : 24))
        {
            canvas.DrawOval(new SKRect(-60, -30, 60, 78), outline);
        }
        using (var band = Ink.Stroke(metal, bracelet ? 18 : 14))
        {
            band.Shader = SKShader.CreateLinearGradient(new SKPoint(-60, -30), new SKPoint(60, 78),
                [Ink.Lighter(metal, 0.45f), metal, Ink.Darker(metal, 0.35f)], SKShaderTileMode.Clamp);
            canvas.DrawOval(new SKRect(-60, -30, 60, 78), band);
        }
        Shape(canvas, Gold, p => p.AddRoundRect(new SKRect(-22, -58, 22, -24), 6, 6));
        Shape(canvas, gem, p =>
        {
            p.MoveTo(0, -88);
            p.LineTo(26, -62);
            p.LineTo(0, -36);
            p.LineTo(-26, -62);
            p.Close();
        });
    }

    private static void Circlet(SKCanvas canvas, SKColor metal, SKColor gem)
    {
        Shape(canvas, metal, p =>
        {
            p.MoveTo(-80, 40);
            p.LineTo(-80, -10);
            p.LineTo(-52, 10);
            p.LineTo(-26, -40);
            p.LineTo(0, 0);
            p.LineTo(26, -40);
            p.LineTo(52, 10);
            p.LineTo(80, -10);
            p.LineTo(80, 40);
            p.QuadTo(0, 62, -80, 40);
            p.Close();
        });
        Shape(canvas, gem, p => p.AddCircle(0, 28, 12));
        Shape(canvas, gem, p => p.AddCircle(-26, -40, 7), 4);
        Shape(canvas, gem, p => p.AddCircle(26, -40, 7), 4);
    }

    private static void Belt(SKCanvas canvas, SKColor gem)
    {
        Shape(canvas, Leather, p => p.AddRoundRect(new SKRect(-92, -18, 92, 18), 6, 6));
        Shape(canvas, Gold, p => p.AddRoundRect(new SKRect(-28, -32, 28, 32), 8, 8));
        Shape(canvas, gem, p => p.AddCircle(0, 0, 12));
    }

    private static void Amulet(SKCanvas canvas, SKColor metal, SKColor gem, ulong hash)
    {
        using (var chain = Ink.Stroke(Gold, 4))
        {
            chain.PathEffect = SKPathEffect.CreateDash([6, 5], 0);
            canvas.DrawArc(new SKRect(-62, -95, 62, 30), 180, 180, false, chain);
            canvas.DrawLine(-62, -32, -20, 10, chain);
            canvas.DrawLine(62, -32, 20, 10, chain);
        }
        var sides = 3 + StableHash.Pick(hash, 8, 4);
        Shape(canvas, metal, p => p.AddCircle(0, 40, 44));
        using var facet = Ink.Fill(gem);
        var pts = new SKPoint[sides];
        for (var i = 0; i < sides; i++)
        {
            var a = -MathF.PI / 2 + i * MathF.PI * 2 / sides;
            pts[i] = new SKPoint(26 * MathF.Cos(a), 40 + 26 * MathF.Sin(a));
        }
        Shape(canvas, gem, p => p.AddPoly(pts, true), 4);
        using var shine = Ink.Fill(SKColors.White.WithAlpha(200));
        canvas.DrawCircle(-8, 30, 5, shine);
    }

    private static void Potion(SKCanvas canvas, SKColor liquid, int shape)
    {
        var glass = new SKColor(0xd8, 0xee, 0xf4, 120);
        using var bottle = Ink.BuildPath(p =>
        {
            switch (shape)
            {
                case 0:
                    p.AddCircle(0, 30, 60);
                    p.AddRect(new SKRect(-16, -62, 16, -22));
                    break;
                case 1:
                    p.MoveTo(-16, -62);
                    p.LineTo(16, -62);
                    p.LineTo(16, -30);
                    p.LineTo(58, 80);
                    p.LineTo(-58, 80);
                    p.LineTo(-16, -30);
                    p.Close();
                    break;
                default:
                    p.AddRoundRect(new SKRect(-36, -30, 36, 88), 16, 16);
                    p.AddRect(new SKRect(-14, -62, 14, -24));
                    break;
            }
        });
        using var bottleUnion = bottle.Simplify() ?? new SKPath(bottle);
        using (var outline = Ink.Stroke(Outline, 6))
        {
            canvas.DrawPath(bottleUnion, outline);
        }
        using (var glassPaint = Ink.Fill(glass))
        {
            canvas.DrawPath(bottleUnion, glassPaint);
        }
        canvas.Save();
        canvas.ClipPath(bottleUnion, antialias: true);
        using (var liquidPaint = Ink.Gradient(new SKPoint(-60, 0), new SKPoint(60, 90), Ink.Lighter(liquid, 0.3f), liquid, Ink.Darker(liquid, 0.35f)))
        {
            canvas.DrawRect(-70, 5, 140, 100, liquidPaint);
        }
        using (var bubble = Ink.Fill(Ink.Lighter(liquid, 0.6f).WithAlpha(200)))
        {
            canvas.DrawCircle(-14, 40, 7, bubble);
            canvas.DrawCircle(12, 58, 5, bubble);
            canvas.DrawCircle(2, 24, 4, bubble);
        }
        canvas.Restore();
        using (var shine = Ink.Stroke(SKColors.White.WithAlpha(170), 6))
        {
            canvas.DrawLine(-28, -6, -34, 40, shine);
        }
        Shape(canvas, new SKColor(0xa0, 0x72, 0x44), p => p.AddRoundRect(new SKRect(-20, -84, 20, -58), 5, 5), 4);
    }

    private static void Scroll(SKCanvas canvas, SKColor seal)
    {
        var paper = new SKColor(0xee, 0xdf, 0xb8);
        Shape(canvas, paper, p => p.AddRect(new SKRect(-58, -70, 58, 70)));
        Shape(canvas, Ink.Darker(paper, 0.1f), p => p.AddRoundRect(new SKRect(-72, -88, 72, -62), 13, 13));
        Shape(canvas, Ink.Darker(paper, 0.1f), p => p.AddRoundRect(new SKRect(-72, 62, 72, 88), 13, 13));
        using (var ink = Ink.Stroke(new SKColor(0x6a, 0x50, 0x38), 4))
        {
            for (var y = -40; y <= 20; y += 15)
            {
                canvas.DrawLine(-38, y, y % 2 == 0 ? 38 : 24, y, ink);
            }
        }
        Shape(canvas, seal, p => p.AddCircle(24, 44, 14), 4);
    }

    private static void Bomb(SKCanvas canvas)
    {
        Shape(canvas, new SKColor(0x3a, 0x3d, 0x48), p => p.AddCircle(-6, 20, 62));
        Shape(canvas, new SKColor(0x6a, 0x6d, 0x78), p => p.AddRect(new SKRect(10, -56, 40, -30)), 4);
        using (var fuse = Ink.Stroke(new SKColor(0xc8, 0xa8, 0x70), 5))
        {
            Ink.Path(canvas, fuse, p =>
            {
                p.MoveTo(25, -56);
                p.QuadTo(40, -90, 62, -78);
            });
        }
        using var spark = Ink.Fill(new SKColor(0xff, 0xd0, 0x40));
        Ink.Sparkle(canvas, spark, 64, -80, 16);
        using var shine = Ink.Fill(SKColors.White.WithAlpha(120));
        canvas.DrawCircle(-30, -8, 12, shine);
    }

    private static void Ration(SKCanvas canvas)
    {
        Shape(canvas, new SKColor(0xd8, 0x9a, 0x52), p => p.AddOval(new SKRect(-84, -40, 84, 60)));
        using var cut = Ink.Stroke(new SKColor(0x9a, 0x62, 0x2a), 5);
        for (var i = -1; i <= 1; i++)
        {
            canvas.DrawLine(i * 36 - 14, -14, i * 36 + 14, 26, cut);
        }
    }
}
