using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace P2PActors.Content.Model;

/// <summary>
/// Writes the canonical JSON of content straight to a <see cref="Utf8JsonWriter"/>, byte for byte what
/// <see cref="JsonSerializer"/> writes with <see cref="ContentJson.Options"/> (tests prove it on thousands of
/// contents of every type): every validator re-serialises every proposal to check its id, and the
/// serializer's polymorphic, metadata-driven path costs several times more than writing the known shape.
/// Anything unusual — a missing object or list, an enum value with no name, a type it does not know —
/// makes it give up, and the caller falls back to the serializer, so odd content serialises (or fails)
/// exactly as before.
/// </summary>
internal static class CanonicalJsonWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = ContentJson.Options.Encoder, Indented = false };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// The canonical UTF-8 JSON of <paramref name="content"/> in <paramref name="json"/>: a view of a per-thread
    /// buffer, valid until this thread's next call. False when the content needs the serializer.
    /// </summary>
    public static bool TryWrite(GameContent content, out ReadOnlySpan<byte> json)
    {
        // One huge proposal should not pin a megabyte per thread for good.
        if (t_buffer is null || t_buffer.Capacity > 1 << 20)
        {
            t_buffer = new ArrayBufferWriter<byte>(4096);
            t_writer = null;
        }
        var buffer = t_buffer;
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        var written = Write(writer, content);
        writer.Flush();
        json = written ? buffer.WrittenSpan : default;
        return written;
    }

    private static bool Write(Utf8JsonWriter w, GameContent content)
    {
        var type = content switch
        {
            Character => Names.Character,
            Item => Names.Item,
            Quest => Names.Quest,
            GameMap => Names.Map,
            Dialog => Names.Dialog,
            _ => default,
        };
        if (type.EncodedUtf8Bytes.IsEmpty || content.GetType().BaseType != typeof(GameContent))
            return false;

        w.WriteStartObject();
        w.WriteString(Names.Type, type);
        if (content.Id is { } id)
            w.WriteString(Names.Id, id);
        w.WriteNumber(Names.Seed, content.Seed);
        var ok = content switch
        {
            Character c => WriteCharacter(w, c),
            Item i => WriteItem(w, i),
            Quest q => WriteQuest(w, q),
            GameMap m => WriteMap(w, m),
            Dialog d => WriteDialog(w, d),
            _ => false,
        };
        if (!ok)
            return false;
        w.WriteEndObject();
        return true;
    }

    private static bool WriteCharacter(Utf8JsonWriter w, Character c)
    {
        if (c.Stats is null || c.Appearance is not { Palette: { } palette, Features: { } features } appearance)
            return false;
        w.WriteString(Names.Name, c.Name);
        if (!WriteEnum(w, Names.Class, c.Class, Names.CharacterClasses))
            return false;
        w.WriteNumber(Names.Level, c.Level);
        WriteStats(w, c.Stats);
        w.WriteStartObject(Names.Appearance);
        if (!WriteStrings(w, Names.Palette, palette) || !WriteEnum(w, Names.BodyType, appearance.BodyType, Names.BodyTypes) ||
            !WriteStrings(w, Names.Features, features))
            return false;
        w.WriteEndObject();
        w.WriteString(Names.Backstory, c.Backstory);
        return true;
    }

    private static bool WriteItem(Utf8JsonWriter w, Item i)
    {
        if (i.Stats is null)
            return false;
        w.WriteString(Names.Name, i.Name);
        if (!WriteEnum(w, Names.Kind, i.Kind, Names.ItemKinds) || !WriteEnum(w, Names.Rarity, i.Rarity, Names.Rarities))
            return false;
        w.WriteNumber(Names.LevelRequirement, i.LevelRequirement);
        WriteStats(w, i.Stats);
        w.WriteString(Names.Description, i.Description);
        return true;
    }

    private static bool WriteQuest(Utf8JsonWriter w, Quest q)
    {
        if (q.Objectives is null || q.Rewards is not { Items: { } items } rewards)
            return false;
        w.WriteString(Names.Title, q.Title);
        w.WriteString(Names.Description, q.Description);
        w.WriteStartArray(Names.Objectives);
        foreach (var objective in q.Objectives)
        {
            if (objective is null)
                return false;
            w.WriteStartObject();
            if (!WriteEnum(w, Names.Type, objective.Type, Names.ObjectiveTypes))
                return false;
            w.WriteString(Names.Target, objective.Target);
            w.WriteNumber(Names.Count, objective.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (!WriteEnum(w, Names.Difficulty, q.Difficulty, Names.Difficulties))
            return false;
        w.WriteStartObject(Names.Rewards);
        w.WriteNumber(Names.Gold, rewards.Gold);
        w.WriteNumber(Names.Xp, rewards.Xp);
        w.WriteStartArray(Names.Items);
        foreach (var item in items)
        {
            if (item is null)
                return false;
            w.WriteStartObject();
            w.WriteString(Names.Name, item.Name);
            if (!WriteEnum(w, Names.Kind, item.Kind, Names.ItemKinds) || !WriteEnum(w, Names.Rarity, item.Rarity, Names.Rarities))
                return false;
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return true;
    }

    private static bool WriteMap(Utf8JsonWriter w, GameMap m)
    {
        if (m.Rows is null || m.Spawns is null)
            return false;
        w.WriteString(Names.Name, m.Name);
        if (!WriteEnum(w, Names.Generator, m.Generator, Names.MapGenerators))
            return false;
        w.WriteNumber(Names.Width, m.Width);
        w.WriteNumber(Names.Height, m.Height);
        if (!WriteStrings(w, Names.Rows, m.Rows))
            return false;
        w.WriteStartArray(Names.Spawns);
        foreach (var spawn in m.Spawns)
        {
            if (spawn is null)
                return false;
            w.WriteStartObject();
            if (!WriteEnum(w, Names.Kind, spawn.Kind, Names.SpawnKinds))
                return false;
            w.WriteNumber(Names.X, spawn.X);
            w.WriteNumber(Names.Y, spawn.Y);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return true;
    }

    private static bool WriteDialog(Utf8JsonWriter w, Dialog d)
    {
        if (d.Lines is null)
            return false;
        w.WriteString(Names.NpcName, d.NpcName);
        if (!WriteEnum(w, Names.Tone, d.Tone, Names.DialogTones))
            return false;
        w.WriteString(Names.Start, d.Start);
        w.WriteStartArray(Names.Lines);
        foreach (var line in d.Lines)
        {
            if (line?.Choices is null)
                return false;
            w.WriteStartObject();
            w.WriteString(Names.Id, line.Id);
            w.WriteString(Names.Speaker, line.Speaker);
            w.WriteString(Names.Text, line.Text);
            w.WriteStartArray(Names.Choices);
            foreach (var choice in line.Choices)
            {
                if (choice is null)
                    return false;
                w.WriteStartObject();
                w.WriteString(Names.Text, choice.Text);
                w.WriteString(Names.Next, choice.Next);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return true;
    }

    private static void WriteStats(Utf8JsonWriter w, Stats s)
    {
        w.WriteStartObject(Names.Stats);
        w.WriteNumber(Names.Hp, s.Hp);
        w.WriteNumber(Names.Atk, s.Atk);
        w.WriteNumber(Names.Def, s.Def);
        w.WriteNumber(Names.Spd, s.Spd);
        w.WriteNumber(Names.Mp, s.Mp);
        w.WriteNumber(Names.Int, s.Int);
        w.WriteNumber(Names.Lck, s.Lck);
        w.WriteNumber(Names.Total, s.Total);
        w.WriteEndObject();
    }

    private static bool WriteStrings(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            if (value is null)
                return false;
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
        return true;
    }

    private static bool WriteEnum<T>(Utf8JsonWriter w, JsonEncodedText name, T value, JsonEncodedText[] names) where T : struct, Enum
    {
        var index = Unsafe.As<T, int>(ref value);
        if ((uint)index >= (uint)names.Length)
            return false;
        w.WriteString(name, names[index]);
        return true;
    }

    internal static class Names
    {
        public static readonly JsonEncodedText Type = E("type"), Id = E("id"), Seed = E("seed"), Name = E("name");
        public static readonly JsonEncodedText Character = E("character"), Item = E("item"), Quest = E("quest"), Map = E("map"), Dialog = E("dialog");
        public static readonly JsonEncodedText Class = E("class"), Level = E("level"), Stats = E("stats"), Appearance = E("appearance"),
            Palette = E("palette"), BodyType = E("bodyType"), Features = E("features"), Backstory = E("backstory");
        public static readonly JsonEncodedText Kind = E("kind"), Rarity = E("rarity"), LevelRequirement = E("levelRequirement"), Description = E("description");
        public static readonly JsonEncodedText Title = E("title"), Objectives = E("objectives"), Target = E("target"), Count = E("count"),
            Difficulty = E("difficulty"), Rewards = E("rewards"), Gold = E("gold"), Xp = E("xp"), Items = E("items");
        public static readonly JsonEncodedText Generator = E("generator"), Width = E("width"), Height = E("height"), Rows = E("rows"),
            Spawns = E("spawns"), X = E("x"), Y = E("y");
        public static readonly JsonEncodedText NpcName = E("npcName"), Tone = E("tone"), Start = E("start"), Lines = E("lines"),
            Speaker = E("speaker"), Text = E("text"), Choices = E("choices"), Next = E("next");
        public static readonly JsonEncodedText Hp = E("hp"), Atk = E("atk"), Def = E("def"), Spd = E("spd"), Mp = E("mp"), Int = E("int"),
            Lck = E("lck"), Total = E("total");

        public static readonly JsonEncodedText[] CharacterClasses = Of<CharacterClass>(), BodyTypes = Of<BodyType>(), ItemKinds = Of<ItemKind>(),
            Rarities = Of<Rarity>(), ObjectiveTypes = Of<ObjectiveType>(), Difficulties = Of<Difficulty>(), MapGenerators = Of<MapGenerator>(),
            SpawnKinds = Of<SpawnKind>(), DialogTones = Of<DialogTone>();

        private static JsonEncodedText E(string text) => JsonEncodedText.Encode(text, ContentJson.Options.Encoder);

        /// <summary>Member names by value, as the camelCase string-enum converter writes them; the enums run 0, 1, 2, ….</summary>
        private static JsonEncodedText[] Of<T>() where T : struct, Enum
        {
            if (Enum.GetUnderlyingType(typeof(T)) != typeof(int))
                throw new InvalidOperationException($"{typeof(T).Name} is not an int enum; the canonical writer reads it as one.");
            var values = Enum.GetValues<T>();
            var names = new JsonEncodedText[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                if (Convert.ToInt32(values[i], System.Globalization.CultureInfo.InvariantCulture) != i)
                    throw new InvalidOperationException($"{typeof(T).Name} is not numbered 0..{values.Length - 1}; the canonical writer needs that.");
                names[i] = E(JsonNamingPolicy.CamelCase.ConvertName(values[i].ToString()));
            }
            return names;
        }
    }
}
