using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using P2PActors.Content.Model;
using SkiaSharp;

namespace P2PActors.Node.Tests;

public sealed class PreviewApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private async Task<GameContent> GenerateAsync(string type, long seed, string parameters = "{}")
    {
        using var created = await node.PostJsonAsync($"/api/content/{type}", $$"""{ "playerId": "painter", "seed": {{seed}}, "params": {{parameters}} }""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return ContentJson.Deserialize(await created.Content.ReadAsStringAsync());
    }

    private static SKBitmap Decode(byte[] png)
    {
        Assert.True(png.AsSpan().StartsWith(PngSignature), "the body must start with the PNG signature");
        return SKBitmap.Decode(png) ?? throw new Xunit.Sdk.XunitException("the PNG does not decode");
    }

    [Fact]
    public async Task Preview_of_held_content_is_a_decodable_png_cached_forever()
    {
        var character = await GenerateAsync("character", 4242);

        using var response = await node.Http.GetAsync($"/api/content/{character.Id}/preview.png?size=128");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var cacheControl = response.Headers.CacheControl!;
        Assert.True(cacheControl.Public);
        Assert.Equal(TimeSpan.FromDays(365), cacheControl.MaxAge);
        Assert.Contains(cacheControl.Extensions, e => e.Name == "immutable");
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        using var bitmap = Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(128, bitmap.Width);
        Assert.Equal(128, bitmap.Height);
    }

    [Fact]
    public async Task Same_url_gives_the_same_bytes_and_a_matching_If_None_Match_gets_a_304()
    {
        var item = await GenerateAsync("item", 777);
        var url = $"/api/content/{item.Id}/preview.png?size=64";
        using var first = await node.Http.GetAsync(url);
        using var second = await node.Http.GetAsync(url);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await node.Http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-this-one\""));
        using var full = await node.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);

        using var otherSize = await node.Http.GetAsync($"/api/content/{item.Id}/preview.png?size=96");
        Assert.NotEqual(first.Headers.ETag, otherSize.Headers.ETag);
    }

    [Fact]
    public async Task Map_preview_honours_tile_size_and_grid()
    {
        var map = Assert.IsType<GameMap>(await GenerateAsync("map", 31, """{ "width": 24, "height": 16 }"""));

        using var plain = await node.Http.GetAsync($"/api/content/{map.Id}/preview.png?tileSize=8");
        using var grid = await node.Http.GetAsync($"/api/content/{map.Id}/preview.png?tileSize=8&grid=true");

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, grid.StatusCode);
        var plainPng = await plain.Content.ReadAsByteArrayAsync();
        var gridPng = await grid.Content.ReadAsByteArrayAsync();
        using var bitmap = Decode(gridPng);
        Assert.Equal(map.Width * 8, bitmap.Width);
        Assert.Equal(map.Height * 8, bitmap.Height);
        Assert.NotEqual(plainPng, gridPng);
    }

    [Theory]
    [InlineData("character", "size=abc", "size")]
    [InlineData("character", "size=100000", "size")]
    [InlineData("character", "size=99999999999999", "size")]
    [InlineData("character", "size=-5", "size")]
    [InlineData("character", "size=8", "size")]
    [InlineData("character", "size=64&size=128", "size")]
    [InlineData("item", "tileSize=8", "tileSize")]
    [InlineData("map", "tileSize=0", "tileSize")]
    [InlineData("map", "tileSize=65", "tileSize")]
    [InlineData("map", "grid=maybe", "grid")]
    // A misspelt option drew the default picture as if it had been read.
    [InlineData("character", "sise=512", "sise")]
    public async Task Malformed_query_is_a_400_problem_naming_the_field_and_the_node_keeps_serving(string type, string query, string field)
    {
        var content = await GenerateAsync(type, 5150);

        using var response = await node.Http.GetAsync($"/api/content/{content.Id}/preview.png?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors must name '{field}'");
        Assert.False(response.Headers.CacheControl?.Public ?? false, "errors are not cached as if immutable");

        using var fine = await node.Http.GetAsync($"/api/content/{content.Id}/preview.png?size=32");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task Unknown_id_is_a_404_problem()
    {
        using var response = await node.Http.GetAsync($"/api/content/{new string('a', 64)}/preview.png");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Malformed_id_is_a_400_naming_the_id()
    {
        using var response = await node.Http.GetAsync("/api/content/not-an-id/preview.png");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("id", out _));
    }
}
