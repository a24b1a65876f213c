using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace P2PActors.Node.Tests;

/// <summary>
/// The requests of issue 14 §1 that got a 500 on a real node: text a JSON reader cannot turn into a string (a lone
/// UTF-16 surrogate escape, bytes that are not UTF-8), a body shorter than its Content-Length, broken chunked
/// framing, and bodies over an endpoint's limit. Each must be a 4xx naming what is wrong, and the node keeps serving.
/// </summary>
public sealed class HostileInputTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string SomeContent = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>Stands for one byte 0xFF in a body: never valid in UTF-8.</summary>
    private const string BadByte = "<FF>";

    public static TheoryData<string, string, string, string> UnreadableText() => new()
    {
        { "POST", "/api/content/character", """{ "playerId": "\ud800" }""", "playerId" },
        { "POST", "/api/content/character", """{ "playerId": "p", "params": { "class": "\udfff" } }""", "params.class" },
        { "POST", "/api/content/character", """{ "playerId": "p", "params": { "\ud800": "mage" } }""", "params" },
        { "POST", "/api/content/character", """{ "playerId": "p", "\ude00\ud83d": 1 }""", "body" },
        { "POST", "/api/content/item", $$"""{ "playerId": "p{{BadByte}}" }""", "playerId" },
        { "PUT", "/api/players/alice/position", """{ "zone": "\udfff", "x": 1, "y": 1 }""", "zone" },
        { "PUT", "/api/players/alice/position", """{ "zone": "forest", "x": 1, "y": 1, "\ud800": 2 }""", "body" },
        { "PUT", "/api/players/alice/position", $$"""{ "zone": "f{{BadByte}}", "x": 1, "y": 1 }""", "zone" },
        { "POST", "/api/catalog", """{ "contentId": "\ud800" }""", "contentId" },
        { "POST", "/api/catalog", $$"""{ "contentId": "{{SomeContent}}", "author": "\udbff" }""", "author" },
        { "POST", $"/api/content/{SomeContent}/ratings", """{ "playerId": "\ud800", "stars": 3 }""", "playerId" },
        { "POST", $"/api/content/{SomeContent}/ratings", """{ "playerId": "alice", "stars": 3, "\udc00": 1 }""", "body" },
        { "PUT", "/api/players/alice/sharing", """{ "share": true, "\ud800": true }""", "body" },
        { "PUT", "/api/players/alice/sharing", """{ "share": "\ud800" }""", "share" },
    };

    [Theory]
    [MemberData(nameof(UnreadableText))]
    public async Task Text_no_reader_can_decode_is_a_400_naming_the_field(string method, string path, string body, string field)
    {
        var bytes = Encoding.UTF8.GetBytes(body.Replace(BadByte, "\u0001", StringComparison.Ordinal));
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == 0x01)
                bytes[i] = 0xFF;
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };

        using var response = await node.Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        await AssertServingAsync();
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_is_a_408_when_the_client_stalls()
    {
        // The client keeps the connection open and sends nothing more: Kestrel's minimum body data rate times it out.
        // (A client that half-closes instead gets no answer at all: Kestrel takes the FIN as the client leaving.)
        var answer = await RawHttp.SendAsync(node.Http.BaseAddress!, "PUT", "/api/players/alice/position",
            ["Content-Type: application/json", "Content-Length: 100"], "{"u8.ToArray(), halfClose: false, Patience);

        AssertProblem(answer, 408);
        await AssertServingAsync();
    }

    [Theory]
    [InlineData("PUT", "/api/players/alice/position", "zz")]
    [InlineData("POST", "/api/content/character", "zz")]
    [InlineData("POST", "/api/catalog", "zz")]
    // Kestrel reports this one as a plain IOException (an OverflowException inside), not a BadHttpRequestException.
    [InlineData("PUT", "/api/players/alice/position", "ffffffffffffffffffff")]
    [InlineData("POST", "/api/content/character", "ffffffffffffffffffff")]
    public async Task A_malformed_chunked_body_is_a_400(string method, string path, string chunkSize)
    {
        var answer = await RawHttp.SendAsync(node.Http.BaseAddress!, method, path,
            ["Content-Type: application/json", "Transfer-Encoding: chunked"], Encoding.ASCII.GetBytes($"{chunkSize}\r\n{{}}\r\n0\r\n\r\n"),
            halfClose: false, Patience);

        AssertProblem(answer, 400);
        await AssertServingAsync();
    }

    public static TheoryData<string, string, string, bool> Oversized()
    {
        var pad = new string('x', 5000);
        var data = new TheoryData<string, string, string, bool>();
        foreach (var chunked in new[] { false, true })
        {
            data.Add("PUT", "/api/players/alice/position", $$"""{ "zone": "forest", "x": 1, "y": 1, "pad": "{{pad}}" }""", chunked);
            data.Add("POST", "/api/catalog", $$"""{ "contentId": "{{SomeContent}}", "pad": "{{pad}}" }""", chunked);
            data.Add("POST", $"/api/content/{SomeContent}/ratings", $$"""{ "playerId": "alice", "stars": 4, "pad": "{{pad}}" }""", chunked);
            data.Add("PUT", "/api/players/alice/sharing", $$"""{ "share": true, "pad": "{{pad}}" }""", chunked);
            data.Add("POST", "/api/content/character", $$"""{ "playerId": "alice", "pad": "{{new string('x', 70_000)}}" }""", chunked);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task An_oversized_body_is_a_413_on_every_endpoint_that_takes_one(string method, string path, string body, bool chunked)
    {
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!chunked)
            content.Headers.ContentLength = Encoding.UTF8.GetByteCount(body);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await node.Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
        await AssertServingAsync();
    }

    public static TheoryData<string, string> UnreadableFrames() => new()
    {
        { """{ "type": "\ud800", "id": "t1" }""", "type" },
        { """{ "type": "ping", "id": "\udfff" }""", "id" },
        { """{ "type": "ping", "id": "n1", "\ud800": 1 }""", "frame" },
        { """{ "type": "hello", "id": "h1", "playerId": "\udfff" }""", "playerId" },
    };

    [Theory]
    [MemberData(nameof(UnreadableFrames))]
    public async Task Text_no_reader_can_decode_in_a_frame_is_invalid_field_and_the_connection_stays_open(string frame, string field)
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);

        await ws.SendTextAsync(frame);

        var error = WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "invalid-field");
        Assert.True(error.GetProperty("errors").TryGetProperty(field, out _), error.ToString());
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));
    }

    [Fact]
    public async Task Text_no_reader_can_decode_in_a_session_request_is_invalid_field()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await ws.HelloAsync("surrogate-player");
        (string Frame, string Field)[] cases =
        [
            ("""{ "type": "move", "id": "m1", "zone": "\udfff", "x": 1, "y": 1 }""", "zone"),
            ("""{ "type": "rate", "id": "r1", "contentId": "\ud800", "stars": 3 }""", "contentId"),
            ("""{ "type": "generate", "id": "g1", "contentType": "item", "params": { "kind": "\ud800" } }""", "params.kind"),
            ("""{ "type": "subscribe", "id": "s1", "topics": [ "catalog", "\ud800" ] }""", "topics[1]"),
            ("""{ "type": "signal", "id": "x1", "to": "abc", "data": { "sdp": "\udfff" } }""", "data.sdp"),
        ];
        foreach (var (frame, field) in cases)
        {
            await ws.SendTextAsync(frame);
            var error = WsFrameAssert.Error((await ws.ReceiveAsync())!.Value, "invalid-field");
            Assert.True(error.GetProperty("errors").TryGetProperty(field, out _), $"{frame}: {error}");
        }
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));
    }

    [Theory]
    [InlineData("""{ "zone": "forest", "x": NaN, "y": 1 }""", true)]
    [InlineData("""{ "zone": "forest", "x": 1, "y": -Infinity }""", true)]
    [InlineData("""{ "zone": "forest", "x": 1, "x": 2, "y": 1 }""", false)]
    [InlineData("""{ "zone": "forest", """, false)]
    public async Task Invalid_json_mentions_nan_only_when_the_body_holds_it(string body, bool mentionsNan)
    {
        using var response = await node.Http.PutAsync("/api/players/alice/position", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "body");
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("body")[0].GetString()!;
        Assert.True(message.Contains("NaN", StringComparison.Ordinal) == mentionsNan, message);
    }

    /// <summary>
    /// An id, zone, item or author with a newline at its end (content ids: <c>StateValidationTests</c>). The checks'
    /// patterns ended in <c>$</c>, which
    /// also matches before a final newline, so these were taken, stored and replicated (a player "alice\n" beside
    /// "alice", a catalog entry signed with the author "auth\n").
    /// </summary>
    public static TheoryData<string, string, string?, string> EndingInANewline() => new()
    {
        { "PUT", "/api/players/alice%0A/position", """{ "zone": "forest", "x": 1, "y": 2 }""", "id" },
        { "PUT", "/api/players/alice/position", """{ "zone": "forest\n", "x": 1, "y": 2 }""", "zone" },
        { "POST", "/api/players/alice/inventory/sword%0A", null, "itemId" },
        { "POST", "/api/catalog", $$"""{ "contentId": "{{SomeContent}}", "author": "auth\n" }""", "author" },
    };

    [Theory]
    [MemberData(nameof(EndingInANewline))]
    public async Task A_name_ending_in_a_newline_is_a_400_naming_the_field(string method, string path, string? body, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await node.Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        await AssertServingAsync();
    }

    [Fact]
    public async Task A_room_or_zone_ending_in_a_newline_is_an_invalid_field_in_a_session()
    {
        await using var ws = await WsClient.ConnectAsync(node.Http.BaseAddress!);
        await ws.HelloAsync("newline-player");
        WsFrameAssert.Error(await ws.RequestAsync("join-room", new { room = "tavern\n" }), "invalid-field");
        WsFrameAssert.Error(await ws.RequestAsync("subscribe", new { topics = new[] { "positions" }, zone = "z\n" }), "invalid-field");
        Assert.Equal("pong", WsFrameAssert.Type(await ws.RequestAsync("ping")));
    }

    /// <summary>
    /// A WebSocket handshake from a page whose Host header <see cref="Uri"/> cannot parse. Kestrel lets such names
    /// through, and the origin check built a <see cref="Uri"/> of it: the handshake got a 500 and the node an ERR line.
    /// </summary>
    [Theory]
    [InlineData("a!b")]
    [InlineData("a..b")]
    [InlineData(".")]
    public async Task A_websocket_handshake_with_a_host_no_uri_can_hold_is_a_403(string host)
    {
        var answer = await RawHttp.SendAsync(node.Http.BaseAddress!, "GET", "/ws",
            ["Origin: http://example.com", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="], [], halfClose: false, Patience, host);

        Assert.True(answer.Status == 403, answer.ToString());
        await AssertServingAsync();
    }

    /// <summary>A problem (RFC 9457) with <paramref name="status"/> whose <c>errors</c> name <paramref name="field"/>.</summary>
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"expected an error about '{field}': {text}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    private static void AssertProblem(RawHttp.Answer answer, int status)
    {
        Assert.True(answer.Status == status, answer.ToString());
        Assert.Contains("content-type: application/problem+json", answer.Head, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()), answer.ToString());
    }

    private async Task AssertServingAsync()
    {
        using var health = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
