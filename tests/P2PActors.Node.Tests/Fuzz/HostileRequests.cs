using System.Globalization;
using System.Text;

namespace P2PActors.Node.Tests.Fuzz;

/// <summary>One hostile HTTP request sent through HttpClient; <see cref="Mutation"/> names what was done to it.</summary>
public sealed record HttpCase(string Method, string Path, byte[]? Body, bool Chunked, string Mutation)
{
    public override string ToString() => $"{Method} {Path} [{Mutation}] {Describe(Body)}";

    internal static string Describe(byte[]? body) =>
        body is null ? "(no body)" : body.Length > 200 ? $"({body.Length} bytes)" : Encoding.Latin1.GetString(body);
}

/// <summary>One request written byte by byte on its own TCP connection (framing attacks no HttpClient sends).</summary>
public sealed record RawCase(string Method, string Path, string[] Head, byte[] Body, bool HalfClose, string Mutation)
{
    public override string ToString() => $"{Method} {Path} [{Mutation}] {string.Join(" | ", Head)} {HttpCase.Describe(Body)}";
}

/// <summary>One WebSocket message: text (possibly not UTF-8) or binary, and what was done to it.</summary>
public sealed record WsCase(byte[] Frame, bool Binary, string Mutation)
{
    public override string ToString() => $"[{Mutation}] {HttpCase.Describe(Frame)}";
}

/// <summary>
/// A deterministic generator (fixed seed) of hostile requests over every HTTP endpoint and every WebSocket request
/// type of docs/protocol.md. Every request that carries a body or frame fields is broken by construction (a lone
/// surrogate, bytes that are not UTF-8, deep nesting, a wrong type, a missing field, a huge number, an unknown or
/// repeated field, a cut-off or oversized body...), and every path that names the protected player writes nothing
/// valid; so no request may change what was written before the fuzz, and none may get a 5xx.
/// </summary>
public sealed class HostileRequests(int seed, string protectedPlayer, string protectedContent, string unsharedContent)
{
    private readonly Random _random = new(seed);

    /// <summary>Stands for one byte that is never valid UTF-8; <see cref="Bytes"/> swaps it in.</summary>
    private const char BadByte = '\u0001';

    private static readonly string[] LoneSurrogates = [@"\ud800", @"\udbff", @"\udc00", @"\udfff", @"\ude00\ud83d", @"\ud83d"];

    private static readonly byte[][] NotUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]];

    /// <summary>Path segments that are no valid player, item or content id under any rule of the node.</summary>
    private static readonly string[] HostileSegments =
    [
        "%ED%A0%80", "%FF", "%C0%AF", "a%20b", "%00", "%F0%9F%98%80", "%C3%BC%C3%B1", "%3Cscript%3E", "%22", "%27", "%25",
        "a%2Fb", new string('p', 65), new string('i', 300), "%E2%80%AE", "%EF%BF%BF", "x%0D%0Ay",
    ];

    /// <summary>Of those, the ones that are no valid item id either (an item id may be up to 128 characters).</summary>
    private static readonly string[] HostileItemSegments = [.. HostileSegments.Where(s => s.Length is < 65 or > 128)];

    private static readonly string[] HostileQueryValues =
    [
        "%ED%A0%80", "-1", "0", "1e3", "99999999999999999999", "abc", "", "%FF", "1.5", "2147483648", " 5", "%00", new string('9', 500),
    ];

    private static readonly string[] ContentTypes = ["character", "item", "quest", "map", "dialog"];

    /// <summary>A body as its fields (name, raw JSON value), so each mutation can work on one field.</summary>
    private sealed record Template(string Method, string Path, (string Name, string Json)[] Fields, string[] Required,
        Dictionary<string, string[]> WrongValues);

    private string FuzzPlayer() => $"fuzz-{_random.Next(20)}";

    private string AnyPlayer() => _random.Next(3) == 0 ? protectedPlayer : FuzzPlayer();

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string UnknownContent() => Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64())).PadLeft(64, 'a');

    private Template NextTemplate()
    {
        var player = AnyPlayer();
        switch (_random.Next(5))
        {
            case 0:
                return new Template("POST", $"/api/content/{Pick(ContentTypes)}",
                    [("playerId", $"\"{player}\""), ("seed", _random.Next(1000).ToString(CultureInfo.InvariantCulture)), ("params", """{ "level": 10 }""")],
                    ["playerId"],
                    new()
                    {
                        ["playerId"] = ["42", "true", "null", "[]", "{}", "\"\"", "\"no spaces\""],
                        ["seed"] = ["\"7\"", "true", "[]", "{}", "-1", "1.5", "9007199254740993", "1e30"],
                        ["params"] = ["[]", "\"level\"", "42", "true", """{ "level": [] }""", """{ "level": 1e400 }""", """{ "nope": 1 }"""],
                    });
            case 1:
                return new Template("PUT", $"/api/players/{player}/position",
                    [("zone", "\"z1\""), ("x", "1.5"), ("y", "-2")],
                    ["zone", "x", "y"],
                    new()
                    {
                        ["zone"] = ["5", "true", "null", "[]", "{}", "\"no spaces\"", "\"\""],
                        ["x"] = ["\"1\"", "true", "null", "[]", "{}", "1e400", "-1e400", "1e12", "123456789012345678901234567890"],
                        ["y"] = ["\"1\"", "false", "null", "[1]", "{}", "1e400", "1e10"],
                    });
            case 2:
                return new Template("POST", "/api/catalog",
                    [("contentId", $"\"{(_random.Next(2) == 0 ? unsharedContent : UnknownContent())}\""), ("author", $"\"{player}\"")],
                    ["contentId"],
                    new()
                    {
                        ["contentId"] = ["5", "true", "null", "[]", "{}", "\"not-an-id\"", $"\"{new string('A', 64)}\""],
                        ["author"] = ["5", "true", "[]", "{}", "\"no spaces\"", "\"\""],
                    });
            case 3:
                return new Template("POST", $"/api/content/{(_random.Next(2) == 0 ? protectedContent : UnknownContent())}/ratings",
                    [("playerId", $"\"{player}\""), ("stars", "4")],
                    ["playerId", "stars"],
                    new()
                    {
                        ["playerId"] = ["42", "true", "null", "[]", "{}", "\"\"", "\"no spaces\""],
                        ["stars"] = ["\"4\"", "true", "null", "[]", "{}", "4.5", "0", "6", "1e400", "99999999999999999999"],
                    });
            default:
                return new Template("PUT", $"/api/players/{player}/sharing",
                    [("share", _random.Next(2) == 0 ? "true" : "false")],
                    ["share"],
                    new() { ["share"] = ["\"true\"", "1", "null", "[]", "{}", "0"] });
        }
    }

    /// <summary>Broken bodies over the endpoints that take one.</summary>
    public HttpCase NextBodyCase()
    {
        var template = NextTemplate();
        var fields = template.Fields.ToList();
        string mutation;
        string? text = null;
        byte[]? raw = null;
        var chunked = _random.Next(4) == 0;
        var i = _random.Next(fields.Count);
        switch (_random.Next(14))
        {
            case 0:
                mutation = "surrogate in a value";
                fields[i] = (fields[i].Name, $"\"a{Pick(LoneSurrogates)}b\"");
                break;
            case 1:
                mutation = "surrogate in a name";
                fields.Insert(_random.Next(fields.Count + 1), ($"n{Pick(LoneSurrogates)}", "1"));
                break;
            case 2:
                mutation = "surrogate in a nested value";
                fields[i] = (fields[i].Name, $$"""{ "k": [ "{{Pick(LoneSurrogates)}}" ] }""");
                break;
            case 3:
                mutation = "bytes that are not UTF-8";
                fields[i] = (fields[i].Name, $"\"a{BadByte}b\"");
                break;
            case 4:
                mutation = "deep nesting";
                var depth = _random.Next(5, 300);
                fields[i] = (fields[i].Name, new string('[', depth) + new string(']', depth));
                break;
            case 5:
                mutation = "wrong type";
                var name = Pick(template.WrongValues.Keys.ToList());
                var at = fields.FindIndex(f => f.Name == name);
                fields[at] = (name, Pick(template.WrongValues[name]));
                break;
            case 6:
                mutation = "missing field";
                var missing = Pick(template.Required);
                fields.RemoveAll(f => f.Name == missing);
                break;
            case 7:
                mutation = "unknown field";
                fields.Insert(_random.Next(fields.Count + 1), ($"extra{_random.Next(100)}", Pick(["1", "\"x\"", "null", "{}", "[]"])));
                break;
            case 8:
                mutation = "repeated field";
                fields.Add(fields[i]);
                break;
            case 9:
                mutation = "cut off";
                var whole = Json(fields);
                text = whole[..(whole.Length - 1 - _random.Next(Math.Min(whole.Length - 1, 40)))];
                break;
            case 10:
                mutation = "not an object";
                text = Pick(["[1, 2]", "\"body\"", "null", "42", "true", "", " ", "NaN", "{ \"x\": NaN }", "{ \"x\": Infinity }", "{,}", "{\"a\" 1}", "\u0000"]);
                break;
            case 11:
                mutation = "random bytes";
                raw = new byte[_random.Next(1, 300)];
                _random.NextBytes(raw);
                break;
            case 12:
                mutation = "huge number";
                fields[i] = (fields[i].Name, Pick(["1e400", "-1e400", new string('9', 400), "123456789012345678901234567890.5e99999"]));
                break;
            default:
                mutation = "oversized";
                var size = template.Path.StartsWith("/api/content/", StringComparison.Ordinal) && !template.Path.EndsWith("/ratings", StringComparison.Ordinal)
                    ? _random.Next(66_000, 100_000)
                    : _random.Next(4_200, 60_000);
                fields.Add(("pad", $"\"{new string('x', size)}\""));
                break;
        }
        var body = raw ?? Bytes(text ?? Json(fields));
        return new HttpCase(template.Method, template.Path, body, chunked, mutation + (chunked ? ", chunked" : ""));
    }

    /// <summary>Hostile paths and queries over every endpoint, with or without a stray body.</summary>
    public HttpCase NextPathCase()
    {
        var segment = Pick(HostileSegments);
        var query = Pick(HostileQueryValues);
        var fuzz = FuzzPlayer();
        (string Method, string Path) request = _random.Next(24) switch
        {
            0 => ("POST", $"/api/content/{segment}"),
            1 => ("GET", $"/api/content/{segment}"),
            2 => ("GET", $"/api/content/{protectedContent}?{segment}={query}"),
            3 => ("GET", $"/api/types?x={query}"),
            4 => ("GET", $"/health?{query}"),
            5 => ("GET", "/api/cluster"),
            6 => ("PUT", $"/api/players/{segment}/position"),
            // The protected player only ever gets an item id that is not valid.
            7 => ("POST", $"/api/players/{(_random.Next(2) == 0 ? protectedPlayer : segment)}/inventory/{Pick(HostileItemSegments)}"),
            8 => ("DELETE", $"/api/players/{(_random.Next(2) == 0 ? protectedPlayer : segment)}/inventory/{Pick(HostileItemSegments)}"),
            9 => ("POST", $"/api/players/{fuzz}/inventory/{Pick(["gem", "a.b", "x:y", segment])}"),
            10 => ("GET", $"/api/catalog?type={Pick(["item", query])}&skip={query}&take={Pick(HostileQueryValues)}"),
            11 => ("GET", $"/api/catalog?take=1&take=2&type={segment}"),
            12 => ("GET", "/api/state"),
            13 => ("GET", $"/api/validators?{segment}"),
            14 => ("POST", $"/api/content/{segment}/ratings"),
            15 => ("GET", $"/api/players/{Pick([segment, protectedPlayer, fuzz])}/ratings"),
            16 => ("GET", $"/api/players/{Pick([segment, protectedPlayer, fuzz])}/preferences"),
            17 => ("PUT", $"/api/players/{segment}/sharing"),
            18 => ("GET", $"/api/players/{Pick([segment, fuzz])}/recommendations?type={query}&take={Pick(HostileQueryValues)}&{segment}=1"),
            19 => ("GET", $"/api/content/{Pick([segment, protectedContent, UnknownContent()])}/preview.png?size={query}&tileSize={Pick(HostileQueryValues)}"),
            20 => (Pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]), Pick(["/ws", "/", "/index.html", "/js/%ED%A0%80.js", $"/api/{segment}", "/health", $"/api/players/{fuzz}"])),
            21 => (Pick(["PATCH", "DELETE", "PUT"]), Pick(["/api/catalog", "/api/state", "/api/types", $"/api/content/{protectedContent}"])),
            // The state's pages: hostile skip and take, repeated or unknown parameters.
            22 => ("GET", $"/api/state?skip={query}&take={Pick(HostileQueryValues)}" +
                          Pick(["", $"&{segment}={query}", "&take=1&take=2", $"&skip={Pick(HostileQueryValues)}", "&Skip=1&TAKE=%ED%A0%80"])),
            // One player's position and inventory: hostile ids, the protected player, and queries the endpoint takes none of.
            _ => ("GET", $"/api/players/{Pick([segment, protectedPlayer, fuzz, "%2e%2e", "%2F", "%20", "%ED%A0%80", new string('p', 65), new string('i', 3000)])}" +
                         Pick(["", $"?{segment}={query}", $"?skip={query}&take={Pick(HostileQueryValues)}", "?id=a&id=b", $"?{new string('q', 5000)}=1"])),
        };
        // A stray body on a request that takes none, sometimes broken itself.
        var body = _random.Next(3) == 0 ? Bytes(Pick(["{}", $"{{\"a\":\"{Pick(LoneSurrogates)}\"}}", $"\"{BadByte}\"", new string('[', 100)])) : null;
        return new HttpCase(request.Method, request.Path, body, body is not null && _random.Next(2) == 0, "hostile path or query");
    }

    /// <summary>Framing attacks on the body endpoints, each on its own connection.</summary>
    public RawCase NextRawCase()
    {
        var (method, path) = Pick(new[]
        {
            ("PUT", $"/api/players/{AnyPlayer()}/position"), ("POST", "/api/content/item"), ("POST", "/api/catalog"),
            ("POST", $"/api/content/{protectedContent}/ratings"), ("PUT", $"/api/players/{AnyPlayer()}/sharing"),
        });
        const string json = "Content-Type: application/json";
        var surrogate = Bytes($"{{\"playerId\":\"{Pick(LoneSurrogates)}\",\"zone\":\"z\",\"x\":1,\"y\":1}}");
        switch (_random.Next(16))
        {
            case 0:
                return new(method, path, [json, $"Content-Length: {_random.Next(20, 5000)}"], Bytes("{\"zone\":"), true, "short body, client gives up");
            case 1:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("zz\r\n{}\r\n0\r\n\r\n"), false, "chunk size not hex");
            case 2:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("-5\r\n{}\r\n0\r\n\r\n"), false, "negative chunk size");
            case 3:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), false, "chunk size overflows");
            case 4:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("2\r\n{}XX0\r\n\r\n"), false, "chunk without its CRLF");
            case 5:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("10\r\n{\"a\":"), true, "chunked body cut off");
            case 6:
                return new(method, path, [json, "Content-Length: 2", "Transfer-Encoding: chunked"], Bytes("2\r\n{}\r\n0\r\n\r\n"), false, "length and chunked both");
            case 7:
                return new(method, path, [json, "Content-Length: 2", "Content-Length: 5"], Bytes("{}"), false, "two lengths");
            case 8:
                return new(method, path, [json, $"Content-Length: {Pick(["abc", "-1", "99999999999999999999", "1e3", " "])}"], Bytes("{}"), false, "length not a number");
            case 9:
                return new(method, path, [json, "Content-Length: 99999999999"], Bytes("{}"), true, "length over the limit");
            case 10:
                return new(method, path, [json, $"Content-Length: {surrogate.Length}"], surrogate, false, "surrogate, raw");
            case 11:
                var notUtf8 = Bytes($"{{\"playerId\":\"a{BadByte}\",\"zone\":\"b{BadByte}\"}}");
                return new(method, path, [json, $"Content-Length: {notUtf8.Length}"], notUtf8, false, "bytes that are not UTF-8, raw");
            case 12:
                var chunks = Encoding.Latin1.GetBytes($"{surrogate.Length:x}\r\n").Concat(surrogate).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
                return new(method, path, [json, "Transfer-Encoding: chunked"], chunks, false, "surrogate, chunked");
            case 13:
                return new(method, path, [json, "Transfer-Encoding: chunked"], Bytes("2;\u0000ext\r\n{}\r\n0\r\n\r\n"), false, "chunk extension with a NUL");
            case 14:
                var big = Encoding.Latin1.GetBytes($"{0x20000:x}\r\n").Concat(Enumerable.Repeat((byte)'x', 0x20000)).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
                return new(method, path, [json, "Transfer-Encoding: chunked"], big, false, "oversized, chunked");
            default:
                return new(method, Pick([path + "\u00ff", path + "%", path + "?a=%ZZ", "*", "//api//catalog"]), [json, "X-Odd: v\u00e9", "Content-Length: 2"], Bytes("{}"), false, "odd target or header");
        }
    }

    /// <summary>
    /// A WebSocket request of <paramref name="type"/>, broken (or, for requests that act only for the connection's own
    /// fuzz player, sometimes left valid). <paramref name="id"/> is the request id the answer must carry.
    /// </summary>
    public WsCase NextWsCase(string type, string id)
    {
        var fields = WsFields(type);
        fields.Insert(0, ("id", $"\"{id}\""));
        fields.Insert(0, ("type", $"\"{type}\""));
        string mutation;
        string? text = null;
        var i = _random.Next(fields.Count);
        switch (_random.Next(13))
        {
            case 0:
                mutation = "surrogate in a value";
                fields[i] = (fields[i].Name, $"\"{Pick(LoneSurrogates)}\"");
                break;
            case 1:
                mutation = "surrogate in a name";
                fields.Insert(_random.Next(fields.Count + 1), ($"{Pick(LoneSurrogates)}", "true"));
                break;
            case 2:
                mutation = "deep nesting";
                var depth = _random.Next(10, 200);
                fields[i] = (fields[i].Name, new string('[', depth) + new string(']', depth));
                break;
            case 3:
                mutation = "wrong type";
                fields[i] = (fields[i].Name, Pick(["42", "true", "null", "[]", "{}", "\"\"", "-1", "1.5"]));
                break;
            case 4:
                mutation = "missing field";
                fields.RemoveAt(_random.Next(2, Math.Max(3, fields.Count)) is var r && r < fields.Count ? r : 0);
                break;
            case 5:
                mutation = "unknown field";
                fields.Add(($"extra{_random.Next(100)}", "1"));
                break;
            case 6:
                mutation = "huge number";
                fields[i] = (fields[i].Name, Pick(["1e400", "-1e400", new string('9', 400)]));
                break;
            case 7:
                mutation = "cut off";
                var whole = Json(fields);
                text = whole[..(whole.Length - 1 - _random.Next(Math.Min(whole.Length - 1, 30)))];
                break;
            case 8:
                mutation = "not an object";
                text = Pick(["[1]", "\"ping\"", "null", "42", "", "{\"type\": NaN}"]);
                break;
            case 9:
                mutation = "someone else's player";
                fields.Add(("playerId", Pick(["\"someone-else\"", "42", $"\"{protectedPlayer}\""])));
                break;
            case 10:
                mutation = "repeated field";
                fields.Add(fields[i]);
                break;
            case 11:
                mutation = "unknown type";
                fields[0] = ("type", Pick(["\"fly\"", "\"HELLO\"", "\"\"", $"\"{new string('t', 300)}\""]));
                break;
            default:
                mutation = "as sent by a page";
                break;
        }
        return new WsCase(Bytes(text ?? Json(fields)), false, mutation);
    }

    /// <summary>What no page sends: binary frames, oversized frames, text that is not UTF-8 (the node may close on that).</summary>
    public WsCase NextWsFramingCase() => _random.Next(3) switch
    {
        0 => new WsCase([1, 2, 3, 0xFF], true, "binary"),
        1 => new WsCase(Bytes($"{{\"type\":\"ping\",\"id\":\"big\",\"pad\":\"{new string('x', _random.Next(66_000, 200_000))}\"}}"), false, "oversized"),
        _ => new WsCase(Bytes($"{{\"type\":\"ping\",\"id\":\"u\",\"x\":\"{BadByte}\"}}"), false, "text that is not UTF-8"),
    };

    /// <summary>The fields of a valid request of each type, acting only for the connection's own player.</summary>
    private List<(string Name, string Json)> WsFields(string type) => type switch
    {
        "hello" => [("playerId", $"\"ws-{_random.Next(1000)}\"")],
        "generate" => [("contentType", $"\"{Pick(ContentTypes)}\""), ("params", """{ "level": 3 }"""), ("seed", _random.Next(100).ToString(CultureInfo.InvariantCulture))],
        "rate" => [("contentId", $"\"{protectedContent}\""), ("stars", "3")],
        // Never content this node holds: a valid share would change the catalog.
        "share" => [("contentId", $"\"{UnknownContent()}\"")],
        "move" => [("zone", "\"z1\""), ("x", "1"), ("y", "2")],
        "inventory-add" or "inventory-remove" => [("itemId", "\"gem\"")],
        "catalog" => [("contentType", "\"item\""), ("skip", "0"), ("take", "5")],
        "recommendations" => [("contentType", "\"item\""), ("take", "5")],
        "set-sharing" => [("share", "false")],
        "subscribe" or "unsubscribe" => [("topics", "[\"catalog\"]")],
        "join-room" or "leave-room" => [("room", $"\"room-{_random.Next(5)}\"")],
        "signal" => [("to", "\"0123456789abcdef\""), ("data", """{ "sdp": "v=0" }""")],
        _ => [],
    };

    private static string Json(IEnumerable<(string Name, string Json)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Json}")) + "}";

    private byte[] Bytes(string text)
    {
        var bytes = new List<byte>(Encoding.UTF8.GetByteCount(text));
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b == BadByte)
                bytes.AddRange(Pick(NotUtf8));
            else
                bytes.Add(b);
        }
        return [.. bytes];
    }
}
