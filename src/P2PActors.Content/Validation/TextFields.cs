using P2PActors.Content.Model;

namespace P2PActors.Content.Validation;

/// <summary>A text field of some content: its JSON path, value and bounds.</summary>
internal readonly record struct TextField(FieldPath Path, string Value, int MaxLength, bool Required, bool Multiline);

/// <summary>
/// A JSON path such as <c>lines[3].choices[1].text</c>, kept in pieces: validators walk every field of every
/// proposal, and the path is only ever spelled out for a field that breaks a rule.
/// </summary>
internal readonly record struct FieldPath(string Head, int Index = -1, string Middle = "", int SubIndex = -1, string Tail = "")
{
    public static implicit operator FieldPath(string path) => new(path);

    public override string ToString() =>
        Index < 0 ? Head : SubIndex < 0 ? $"{Head}{Index}{Middle}" : $"{Head}{Index}{Middle}{SubIndex}{Tail}";
}

/// <summary>
/// Every string a piece of content carries — names, descriptions, titles, objective targets, backstory,
/// appearance, reward names, map names, dialog ids, speakers, lines and choices — so that no field
/// escapes the length, character and profanity checks.
/// </summary>
internal static class TextFields
{
    public static IEnumerable<TextField> Of(GameContent content, ValidationLimits limits)
    {
        switch (content)
        {
            case Character c:
                yield return new("name", c.Name, limits.MaxNameLength, true, false);
                yield return new("backstory", c.Backstory, limits.MaxBackstoryLength, true, true);
                for (var i = 0; i < c.Appearance.Palette.Count; i++)
                    yield return new(new("appearance.palette[", i, "]"), c.Appearance.Palette[i], limits.MaxShortTextLength, true, false);
                for (var i = 0; i < c.Appearance.Features.Count; i++)
                    yield return new(new("appearance.features[", i, "]"), c.Appearance.Features[i], limits.MaxShortTextLength, true, false);
                break;
            case Item i:
                yield return new("name", i.Name, limits.MaxNameLength, true, false);
                yield return new("description", i.Description, limits.MaxDescriptionLength, true, true);
                break;
            case Quest q:
                yield return new("title", q.Title, limits.MaxTitleLength, true, false);
                yield return new("description", q.Description, limits.MaxDescriptionLength, true, true);
                for (var i = 0; i < q.Objectives.Count; i++)
                    yield return new(new("objectives[", i, "].target"), q.Objectives[i].Target, limits.MaxShortTextLength, true, false);
                for (var i = 0; i < q.Rewards.Items.Count; i++)
                    yield return new(new("rewards.items[", i, "].name"), q.Rewards.Items[i].Name, limits.MaxNameLength, true, false);
                break;
            case GameMap m:
                yield return new("name", m.Name, limits.MaxNameLength, true, false);
                break;
            case Dialog d:
                yield return new("npcName", d.NpcName, limits.MaxNameLength, true, false);
                yield return new("start", d.Start, limits.MaxShortTextLength, true, false);
                for (var l = 0; l < d.Lines.Count; l++)
                {
                    var line = d.Lines[l];
                    yield return new(new("lines[", l, "].id"), line.Id, limits.MaxShortTextLength, true, false);
                    yield return new(new("lines[", l, "].speaker"), line.Speaker, limits.MaxNameLength, true, false);
                    yield return new(new("lines[", l, "].text"), line.Text, limits.MaxDialogTextLength, true, true);
                    for (var c = 0; c < line.Choices.Count; c++)
                    {
                        yield return new(new("lines[", l, "].choices[", c, "].text"), line.Choices[c].Text, limits.MaxChoiceTextLength, true, false);
                        if (line.Choices[c].Next is { } next)
                            yield return new(new("lines[", l, "].choices[", c, "].next"), next, limits.MaxShortTextLength, true, false);
                    }
                }
                break;
        }
    }

    /// <summary>
    /// The first code point that has no place in player-visible text: control characters (newlines only in
    /// long text), unpaired surrogates, and the bidirectional overrides that make text display differently
    /// from what it says.
    /// </summary>
    public static int? FindInvalidCharacter(string text, bool multiline)
    {
        // Printable ASCII, the usual case, holds none of them.
        if (text.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0)
            return null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
                return c;
            if (char.IsControl(c) && !(multiline && c == '\n'))
                return c;
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F')
                return c;
        }
        return null;
    }
}
