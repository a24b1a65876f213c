using System.Net;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Node.Api;
using P2PActors.Rendering;

namespace P2PActors.Node.Tests;

/// <summary>A node with the smallest preview cache and one slot for large renders.</summary>
public sealed class SmallPreviewFixture : NodeFixture
{
    public const long CacheBytes = 1024 * 1024;

    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:PreviewCacheBytes"] = CacheBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["P2PActors:PreviewRenders"] = "1",
    };
}

/// <summary>The preview cache's byte bound and the queue in front of large renders, on a real node.</summary>
public sealed class PreviewBoundsTests(SmallPreviewFixture node) : IClassFixture<SmallPreviewFixture>
{
    [Fact]
    public async Task Large_renders_queue_behind_the_one_slot_and_all_of_them_are_served()
    {
        var id = await MapAsync(seed: 31);
        var gate = node.App.Services.GetRequiredService<PreviewRenderGate>();

        // The test holds the only slot, so all five requests must queue; how fast the machine renders does not matter.
        var waitedBefore = gate.Waited;
        var held = await gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(held);

        // Five different sizes over 1024 px: none is cached, so each one renders.
        var requests = Enumerable.Range(0, 5)
            .Select(i => node.Http.GetAsync($"/api/content/{id}/preview.png?size={1100 + 100 * i}"))
            .ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (gate.Waited - waitedBefore < 5 && DateTime.UtcNow < deadline && !requests.Any(r => r.IsCompleted))
            await Task.Delay(10);
        Assert.Equal(5, gate.Waited - waitedBefore);
        Assert.DoesNotContain(requests, r => r.IsCompleted);

        held.Dispose();
        foreach (var answer in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }

        // One slot: never two renders (or the test's hold and a render) at the same time.
        Assert.Equal(1, gate.Peak);
    }

    [Fact]
    public async Task The_cache_keeps_no_more_png_bytes_than_its_budget()
    {
        var id = await MapAsync(seed: 32);
        var cache = node.App.Services.GetRequiredService<PreviewCache>();
        Assert.Equal(SmallPreviewFixture.CacheBytes, cache.MaxBytes);

        long served = 0;
        var requested = 0;
        for (var size = 600; served <= 2 * SmallPreviewFixture.CacheBytes && size <= 1024; size += 8, requested++)
        {
            using var answer = await node.Http.GetAsync($"/api/content/{id}/preview.png?size={size}&grid=true");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            served += (await answer.Content.ReadAsByteArrayAsync()).Length;
        }

        Assert.True(served > SmallPreviewFixture.CacheBytes, $"only {served} bytes served; the bound was never tested");
        Assert.True(cache.Bytes <= SmallPreviewFixture.CacheBytes, $"{cache.Bytes} bytes cached");
        Assert.True(cache.Count < requested, $"{cache.Count} of {requested} previews still cached");
    }

    private async Task<string> MapAsync(int seed)
    {
        using var map = await node.PostJsonAsync("/api/content/map",
            $$"""{ "playerId": "painter", "seed": {{seed}}, "params": { "width": 96, "height": 96, "generator": "overworld" } }""");
        map.EnsureSuccessStatusCode();
        var content = P2PActors.Content.Model.ContentJson.Deserialize(await map.Content.ReadAsStringAsync());
        return content.Id!;
    }
}

/// <summary>
/// A node with one slot for large renders and a short request timeout, so that a request that waits for the slot in
/// vain is answered within seconds. Not shorter: content generation and look-ups wait the same timeout, and on two
/// busy cores the first of them can take a few seconds.
/// </summary>
public sealed class BusyPreviewFixture : NodeFixture
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:PreviewRenders"] = "1",
        ["P2PActors:RequestTimeout"] = RequestTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A large preview that gets no slot within the request timeout: 503 with Retry-After, not a pile-up.</summary>
public sealed class PreviewBusyTests(BusyPreviewFixture node) : IClassFixture<BusyPreviewFixture>
{
    [Fact]
    public async Task A_large_preview_that_gets_no_slot_within_the_request_timeout_is_answered_503_with_retry_after()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "painter", "seed": 1433 }""");
        generated.EnsureSuccessStatusCode();
        var id = P2PActors.Content.Model.ContentJson.Deserialize(await generated.Content.ReadAsStringAsync()).Id!;
        var gate = node.App.Services.GetRequiredService<PreviewRenderGate>();
        Assert.Equal(1, gate.Slots);

        // The test holds the only slot for the whole wait, so no render can take it, however fast the machine is.
        var held = await gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(held);
        var waitedBefore = gate.Waited;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage busy;
        try
        {
            busy = await node.Http.GetAsync($"/api/content/{id}/preview.png?size=2048");
        }
        finally
        {
            held.Dispose();
        }
        using (busy)
        {
            var waited = clock.Elapsed;
            var body = await busy.Content.ReadAsStringAsync();
            Assert.True(busy.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)busy.StatusCode}: {body}");
            Assert.Equal(1, gate.Waited - waitedBefore);
            // It gave up no earlier than the request timeout (a lower bound only: a busy machine may take longer).
            Assert.True(waited >= BusyPreviewFixture.RequestTimeout - TimeSpan.FromMilliseconds(250), $"answered after {waited}");
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.True(busy.Headers.RetryAfter!.Delta > TimeSpan.Zero, $"Retry-After: {busy.Headers.RetryAfter}");
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            var detail = problem.RootElement.GetProperty("detail").GetString()!;
            // It names the setting to raise and the timeout it waited.
            Assert.Contains("--preview-renders", detail, StringComparison.Ordinal);
            Assert.Contains("00:00:05", detail, StringComparison.Ordinal);
        }

        // The 503 took no slot with it: with the slot free, the same preview renders.
        using var served = await node.Http.GetAsync($"/api/content/{id}/preview.png?size=2048");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, gate.Peak);
    }
}

/// <summary>The gate itself, with nothing rendering: the order of slots is decided by the test.</summary>
public sealed class PreviewRenderGateTests
{
    [Fact]
    public async Task A_second_large_render_waits_until_the_first_releases_its_slot()
    {
        var gate = new PreviewRenderGate(1);
        var first = await gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(first);

        var second = gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, gate.Waited);

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(granted);
        Assert.Equal(1, gate.Peak);
    }

    [Fact]
    public async Task No_slot_within_the_patience_is_null_and_takes_no_slot()
    {
        var gate = new PreviewRenderGate(1);
        using var held = await gate.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Null(await gate.EnterAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));

        held!.Dispose();
        using var next = await gate.EnterAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.NotNull(next);
    }
}
