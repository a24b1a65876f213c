using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace P2PActors.Content.Model;

/// <summary>
/// Reads content from JSON that is exactly its canonical form — byte for byte what <see cref="CanonicalJsonWriter"/>
/// writes — and refuses everything else, so that the bytes themselves, with the id member cut out, are the canonical
/// body the content id hashes: a validator then needs neither the serializer's metadata-driven reader nor a second
/// serialization to check the id. Proposals are produced by <see cref="ContentJson.Serialize"/>, so they almost
/// always pass; anything else — whitespace, another member order, an escape sequence, a string the writer would
/// escape, "-0", a null object, a stats total that is not the sum — makes it give up, and the caller takes the
/// serializer's path, which parses (or rejects) it exactly as before.
/// </summary>
internal ref struct CanonicalJsonReader
{
    private static readonly JavaScriptEncoder Encoder = ContentJson.Options.Encoder as JavaScriptEncoder
        ?? throw new InvalidOperationException("canonical JSON needs a JavaScriptEncoder");

    /// <summary>ASCII bytes the encoder writes as they are, asked of the encoder itself rather than assumed.</summary>
    private static readonly SearchValues<byte> VerbatimAscii = CreateVerbatimAscii();

    private readonly ReadOnlySpan<byte> _json;
    private int _at;

    private CanonicalJsonReader(ReadOnlySpan<byte> json) => _json = json;

    /// <summary>
    /// The content in <paramref name="json"/> when it is canonical. <paramref name="idStart"/>..<paramref name="idEnd"/>
    /// is the <c>,"id":"…"</c> member (empty when there is none): the rest is the canonical body without the id.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out GameContent? content, out int idStart, out int idEnd)
    {
        var reader = new CanonicalJsonReader(json);
        content = reader.Content(out idStart, out idEnd);
        return content is not null && reader._at == json.Length;
    }

    private GameContent? Content(out int idStart, out int idEnd)
    {
        idStart = idEnd = 0;
        if (!Literal("{\"type\":"u8))
            return null;
        var type = _at;
        if (!SkipTypeName())
            return null;
        var typeName = _json[type.._at];
        string? id = null;
        if (Literal(",\"id\":"u8))
        {
            idStart = _at - ",\"id\":"u8.Length;
            if (!String(out id) || id is null)
                return null;
            idEnd = _at;
        }
        if (!Literal(",\"seed\":"u8) || !Long(out var seed))
            return null;
        GameContent? content = typeName switch
        {
            _ when typeName.SequenceEqual("\"character\""u8) => Character(),
            _ when typeName.SequenceEqual("\"item\""u8) => Item(),
            _ when typeName.SequenceEqual("\"quest\""u8) => Quest(),
            _ when typeName.SequenceEqual("\"map\""u8) => Map(),
            _ when typeName.SequenceEqual("\"dialog\""u8) => Dialog(),
            _ => null,
        };
        if (content is null || !Literal("}"u8))
            return null;
        return content with { Id = id, Seed = seed };
    }

    private bool SkipTypeName()
    {
        if (_at >= _json.Length || _json[_at] != '"')
            return false;
        var end = _json[(_at + 1)..].IndexOf((byte)'"');
        if (end < 0)
            return false;
        _at += end + 2;
        return true;
    }

    private Character? Character()
    {
        if (!Literal(",\"name\":"u8) || !String(out var name) ||
            !Literal(",\"class\":"u8) || !Enum(CanonicalJsonWriter.Names.CharacterClasses, out var characterClass) ||
            !Literal(",\"level\":"u8) || !Int(out var level) ||
            !Literal(","u8) || StatsObject() is not { } stats ||
            !Literal(",\"appearance\":{\"palette\":"u8) || Strings() is not { } palette ||
            !Literal(",\"bodyType\":"u8) || !Enum(CanonicalJsonWriter.Names.BodyTypes, out var bodyType) ||
            !Literal(",\"features\":"u8) || Strings() is not { } features ||
            !Literal("},\"backstory\":"u8) || !String(out var backstory))
            return null;
        return new Character(name!, (CharacterClass)characterClass, level, stats,
            new Appearance(palette, (BodyType)bodyType, features), backstory!);
    }

    private Item? Item()
    {
        if (!Literal(",\"name\":"u8) || !String(out var name) ||
            !Literal(",\"kind\":"u8) || !Enum(CanonicalJsonWriter.Names.ItemKinds, out var kind) ||
            !Literal(",\"rarity\":"u8) || !Enum(CanonicalJsonWriter.Names.Rarities, out var rarity) ||
            !Literal(",\"levelRequirement\":"u8) || !Int(out var level) ||
            !Literal(","u8) || StatsObject() is not { } stats ||
            !Literal(",\"description\":"u8) || !String(out var description))
            return null;
        return new Item(name!, (ItemKind)kind, (Rarity)rarity, level, stats, description!);
    }

    private Quest? Quest()
    {
        if (!Literal(",\"title\":"u8) || !String(out var title) ||
            !Literal(",\"description\":"u8) || !String(out var description) ||
            !Literal(",\"objectives\":["u8))
            return null;
        var objectives = new List<Objective>();
        if (!Literal("]"u8))
        {
            do
            {
                if (!Literal("{\"type\":"u8) || !Enum(CanonicalJsonWriter.Names.ObjectiveTypes, out var objectiveType) ||
                    !Literal(",\"target\":"u8) || !String(out var target) ||
                    !Literal(",\"count\":"u8) || !Int(out var count) || !Literal("}"u8))
                    return null;
                objectives.Add(new Objective((ObjectiveType)objectiveType, target!, count));
            }
            while (Literal(","u8));
            if (!Literal("]"u8))
                return null;
        }
        if (!Literal(",\"difficulty\":"u8) || !Enum(CanonicalJsonWriter.Names.Difficulties, out var difficulty) ||
            !Literal(",\"rewards\":{\"gold\":"u8) || !Int(out var gold) ||
            !Literal(",\"xp\":"u8) || !Int(out var xp) ||
            !Literal(",\"items\":["u8))
            return null;
        var items = new List<RewardItem>();
        if (!Literal("]"u8))
        {
            do
            {
                if (!Literal("{\"name\":"u8) || !String(out var name) ||
                    !Literal(",\"kind\":"u8) || !Enum(CanonicalJsonWriter.Names.ItemKinds, out var kind) ||
                    !Literal(",\"rarity\":"u8) || !Enum(CanonicalJsonWriter.Names.Rarities, out var rarity) || !Literal("}"u8))
                    return null;
                items.Add(new RewardItem(name!, (ItemKind)kind, (Rarity)rarity));
            }
            while (Literal(","u8));
            if (!Literal("]"u8))
                return null;
        }
        if (!Literal("}"u8))
            return null;
        return new Quest(title!, description!, objectives, (Difficulty)difficulty, new Rewards(gold, xp, items));
    }

    private GameMap? Map()
    {
        if (!Literal(",\"name\":"u8) || !String(out var name) ||
            !Literal(",\"generator\":"u8) || !Enum(CanonicalJsonWriter.Names.MapGenerators, out var generator) ||
            !Literal(",\"width\":"u8) || !Int(out var width) ||
            !Literal(",\"height\":"u8) || !Int(out var height) ||
            !Literal(",\"rows\":"u8) || Strings() is not { } rows ||
            !Literal(",\"spawns\":["u8))
            return null;
        var spawns = new List<Spawn>();
        if (!Literal("]"u8))
        {
            do
            {
                if (!Literal("{\"kind\":"u8) || !Enum(CanonicalJsonWriter.Names.SpawnKinds, out var kind) ||
                    !Literal(",\"x\":"u8) || !Int(out var x) ||
                    !Literal(",\"y\":"u8) || !Int(out var y) || !Literal("}"u8))
                    return null;
                spawns.Add(new Spawn((SpawnKind)kind, x, y));
            }
            while (Literal(","u8));
            if (!Literal("]"u8))
                return null;
        }
        return new GameMap(name!, (MapGenerator)generator, width, height, rows, spawns);
    }

    private Dialog? Dialog()
    {
        if (!Literal(",\"npcName\":"u8) || !String(out var npcName) ||
            !Literal(",\"tone\":"u8) || !Enum(CanonicalJsonWriter.Names.DialogTones, out var tone) ||
            !Literal(",\"start\":"u8) || !String(out var start) ||
            !Literal(",\"lines\":["u8))
            return null;
        var lines = new List<DialogLine>();
        if (!Literal("]"u8))
        {
            do
            {
                if (!Literal("{\"id\":"u8) || !String(out var id) ||
                    !Literal(",\"speaker\":"u8) || !String(out var speaker) ||
                    !Literal(",\"text\":"u8) || !String(out var text) ||
                    !Literal(",\"choices\":["u8))
                    return null;
                var choices = new List<DialogChoice>();
                if (!Literal("]"u8))
                {
                    do
                    {
                        if (!Literal("{\"text\":"u8) || !String(out var choice) ||
                            !Literal(",\"next\":"u8) || !String(out var next) || !Literal("}"u8))
                            return null;
                        choices.Add(new DialogChoice(choice!, next));
                    }
                    while (Literal(","u8));
                    if (!Literal("]"u8))
                        return null;
                }
                if (!Literal("}"u8))
                    return null;
                lines.Add(new DialogLine(id!, speaker!, text!, choices));
            }
            while (Literal(","u8));
            if (!Literal("]"u8))
                return null;
        }
        return new Dialog(npcName!, (DialogTone)tone, start!, lines);
    }

    /// <summary><c>"stats":{…}</c> with the seven values and their total, which must be what the writer computes.</summary>
    private Stats? StatsObject()
    {
        if (!Literal("\"stats\":{\"hp\":"u8) || !Int(out var hp) ||
            !Literal(",\"atk\":"u8) || !Int(out var atk) ||
            !Literal(",\"def\":"u8) || !Int(out var def) ||
            !Literal(",\"spd\":"u8) || !Int(out var spd) ||
            !Literal(",\"mp\":"u8) || !Int(out var mp) ||
            !Literal(",\"int\":"u8) || !Int(out var intelligence) ||
            !Literal(",\"lck\":"u8) || !Int(out var lck) ||
            !Literal(",\"total\":"u8) || !Int(out var total) || !Literal("}"u8))
            return null;
        var stats = new Stats(hp, atk, def, spd, mp, intelligence, lck);
        return stats.Total == total ? stats : null;
    }

    /// <summary>An array of strings; a null element is not read (the writer leaves such content to the serializer).</summary>
    private List<string>? Strings()
    {
        if (!Literal("["u8))
            return null;
        var values = new List<string>();
        if (Literal("]"u8))
            return values;
        do
        {
            if (!String(out var value) || value is null)
                return null;
            values.Add(value);
        }
        while (Literal(","u8));
        return Literal("]"u8) ? values : null;
    }

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        if (!_json[_at..].StartsWith(literal))
            return false;
        _at += literal.Length;
        return true;
    }

    /// <summary>
    /// A string the writer would write exactly so — no escape sequence, nothing the encoder escapes — or null.
    /// </summary>
    private bool String(out string? value)
    {
        value = null;
        if (Literal("null"u8))
            return true;
        if (!Literal("\""u8))
            return false;
        var length = _json[_at..].IndexOfAny((byte)'"', (byte)'\\');
        if (length < 0 || _json[_at + length] != '"')
            return false;
        var raw = _json.Slice(_at, length);
        var first = raw.IndexOfAnyExcept(VerbatimAscii);
        var ascii = first < 0;
        if (!ascii && raw[first] < 0x80)
            return false;
        // Beyond ASCII the encoder decides (it also refuses ill-formed UTF-8), exactly as the writer asks it.
        if (!ascii && Encoder.FindFirstCharacterToEncodeUtf8(raw) >= 0)
            return false;
        value = ascii ? Encoding.ASCII.GetString(raw) : Encoding.UTF8.GetString(raw);
        _at += length + 1;
        return true;
    }

    private bool Enum(JsonEncodedText[] names, out int index)
    {
        for (index = 0; index < names.Length; index++)
        {
            var name = names[index].EncodedUtf8Bytes;
            var rest = _json[_at..];
            if (rest.Length > name.Length + 1 && rest[0] == '"' && rest[1..].StartsWith(name) && rest[name.Length + 1] == '"')
            {
                _at += name.Length + 2;
                return true;
            }
        }
        return false;
    }

    private bool Int(out int value)
    {
        value = 0;
        if (!Long(out var wide) || wide is < int.MinValue or > int.MaxValue)
            return false;
        value = (int)wide;
        return true;
    }

    /// <summary>An integer as the writer formats it: optional minus, no leading zero, no "-0", no fraction or exponent.</summary>
    private bool Long(out long value)
    {
        value = 0;
        var at = _at;
        var negative = at < _json.Length && _json[at] == '-';
        if (negative)
            at++;
        var first = at;
        ulong magnitude = 0;
        while (at < _json.Length && _json[at] is >= (byte)'0' and <= (byte)'9')
        {
            if (at - first >= 19)
                return false;
            magnitude = magnitude * 10 + (ulong)(_json[at] - '0');
            at++;
        }
        var digits = at - first;
        if (digits == 0 || (digits > 1 && _json[first] == '0') || (negative && magnitude == 0))
            return false;
        if (at < _json.Length && _json[at] is (byte)'.' or (byte)'e' or (byte)'E')
            return false;
        if (magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
            return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        _at = at;
        return true;
    }

    private static SearchValues<byte> CreateVerbatimAscii()
    {
        var verbatim = new List<byte>();
        Span<byte> one = stackalloc byte[1];
        for (var b = 0; b < 128; b++)
        {
            one[0] = (byte)b;
            if (b is not ('"' or '\\') && Encoder.FindFirstCharacterToEncodeUtf8(one) < 0)
                verbatim.Add((byte)b);
        }
        return SearchValues.Create(verbatim.ToArray());
    }
}
