using System.Globalization;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// Turns the free-text colours of a character's appearance ("#a83232", "pale blue", "golden") into colours.
/// Unknown words still give a stable colour, derived from the word's hash, so no palette entry is ignored.
/// </summary>
internal static class ColorNames
{
    private static readonly Dictionary<string, SKColor> Named = new(StringComparer.OrdinalIgnoreCase)
    {
        ["black"] = new(0x2a, 0x26, 0x2b), ["white"] = new(0xee, 0xec, 0xe6), ["grey"] = new(0x8b, 0x8d, 0x94),
        ["gray"] = new(0x8b, 0x8d, 0x94), ["silver"] = new(0xc3, 0xc9, 0xd2), ["red"] = new(0xc0, 0x39, 0x2b),
        ["crimson"] = new(0xa8, 0x1c, 0x3a), ["scarlet"] = new(0xe0, 0x3a, 0x2f), ["maroon"] = new(0x7a, 0x1f, 0x2b),
        ["orange"] = new(0xe6, 0x7e, 0x22), ["amber"] = new(0xff, 0xb3, 0x2f), ["copper"] = new(0xb8, 0x73, 0x33),
        ["bronze"] = new(0xa9, 0x71, 0x42), ["brown"] = new(0x7b, 0x52, 0x32), ["hazel"] = new(0x8e, 0x76, 0x3f),
        ["tan"] = new(0xc8, 0xa2, 0x6e), ["yellow"] = new(0xf1, 0xc4, 0x0f), ["gold"] = new(0xe8, 0xb9, 0x3a),
        ["golden"] = new(0xe8, 0xb9, 0x3a), ["blonde"] = new(0xe6, 0xc8, 0x7a), ["green"] = new(0x3e, 0x9b, 0x4f),
        ["emerald"] = new(0x1e, 0x9e, 0x6a), ["olive"] = new(0x80, 0x80, 0x3a), ["jade"] = new(0x3f, 0xa8, 0x7f),
        ["teal"] = new(0x1f, 0x8a, 0x8a), ["cyan"] = new(0x3c, 0xc8, 0xd8), ["blue"] = new(0x2f, 0x6f, 0xc8),
        ["pale blue"] = new(0x9c, 0xc7, 0xee), ["navy"] = new(0x24, 0x35, 0x6e), ["azure"] = new(0x4a, 0x9c, 0xf0),
        ["indigo"] = new(0x4b, 0x3b, 0xa8), ["violet"] = new(0x8e, 0x5c, 0xd6), ["purple"] = new(0x7d, 0x3c, 0x98),
        ["magenta"] = new(0xc2, 0x3b, 0xa4), ["pink"] = new(0xec, 0x8f, 0xb5), ["ivory"] = new(0xf2, 0xea, 0xd3),
        ["auburn"] = new(0x92, 0x3a, 0x22), ["ginger"] = new(0xc4, 0x62, 0x2d), ["ash"] = new(0xb2, 0xb0, 0xa8),
    };

    public static SKColor Parse(string? text)
    {
        var value = (text ?? string.Empty).Trim();
        if (Named.TryGetValue(value, out var named))
        {
            return named;
        }
        var hex = value.StartsWith('#') ? value[1..] : value;
        if (hex.Length is 3 or 6 && hex.All(Uri.IsHexDigit))
        {
            if (hex.Length == 3)
            {
                hex = string.Concat(hex.Select(c => new string(c, 2)));
            }
            var rgb = int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return new SKColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        }
        foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            if (Named.TryGetValue(word, out var partial))
            {
                return partial;
            }
        }
        var hash = StableHash.Of(value.ToLowerInvariant());
        return SKColor.FromHsl(hash % 360, 45 + hash / 360 % 30, 40 + hash / 10800 % 20);
    }

    /// <summary>The first colour word found in a phrase such as "a braided red beard", or null.</summary>
    public static SKColor? FindIn(string phrase)
    {
        foreach (var key in Named.Keys.Where(k => k.Contains(' ')))
        {
            if (phrase.Contains(key, StringComparison.OrdinalIgnoreCase))
            {
                return Named[key];
            }
        }
        foreach (var word in phrase.Split([' ', ',', '-'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Named.TryGetValue(word, out var color))
            {
                return color;
            }
        }
        return null;
    }
}
