namespace P2PActors.Rendering.Tests;

public class PreviewCacheTests
{
    [Fact]
    public void Returns_the_renderers_bytes_and_serves_repeats_from_the_cache()
    {
        var cache = new PreviewCache(4);
        var item = Samples.Item();
        var options = new PreviewOptions(64);

        var first = cache.GetOrRender(item, options);
        var second = cache.GetOrRender(item, options);

        Assert.Equal(PreviewRenderer.RenderPng(item, options), first);
        Assert.Same(first, second);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
    }

    [Fact]
    public void Options_are_part_of_the_key()
    {
        var cache = new PreviewCache(4);
        var map = Samples.PatternMap(8, 8);
        var plain = cache.GetOrRender(map, new PreviewOptions(64));
        var grid = cache.GetOrRender(map, new PreviewOptions(64, Grid: true));

        Assert.NotEqual(plain, grid);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains(map.Id!, new PreviewOptions(64, Grid: true)));
    }

    [Fact]
    public void Evicts_the_least_recently_used_entry()
    {
        var cache = new PreviewCache(2);
        var a = Samples.Item(name: "Plain Iron Dagger");
        var b = Samples.Item(name: "Plain Iron Helm");
        var c = Samples.Item(name: "Plain Iron Ring");
        var options = new PreviewOptions(32);

        cache.GetOrRender(a, options);
        cache.GetOrRender(b, options);
        cache.GetOrRender(a, options);
        cache.GetOrRender(c, options);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains(a.Id!, options));
        Assert.False(cache.Contains(b.Id!, options));
        Assert.True(cache.Contains(c.Id!, options));
    }

    [Fact]
    public void Invalid_requests_throw_and_are_not_cached()
    {
        var cache = new PreviewCache(2);
        var ex = Assert.Throws<PreviewRequestException>(() => cache.GetOrRender(Samples.Character(), new PreviewOptions(5000)));
        Assert.Equal("size", ex.Field);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Content_without_an_id_is_keyed_by_its_computed_id()
    {
        var cache = new PreviewCache(2);
        var item = Samples.Item();
        cache.GetOrRender(item with { Id = null }, new PreviewOptions(32));
        Assert.True(cache.Contains(item.Id!, new PreviewOptions(32)));
    }

    [Fact]
    public void Concurrent_requests_for_one_preview_render_it_once()
    {
        var cache = new PreviewCache(8);
        var character = Samples.Character();
        var options = new PreviewOptions(128);
        var results = new byte[16][];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = cache.GetOrRender(character, options));

        Assert.Equal(1, cache.Misses);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public void Capacity_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PreviewCache(0));

    [Fact]
    public void The_byte_budget_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PreviewCache(4, maxBytes: 0));

    [Fact]
    public void Holds_no_more_bytes_than_its_budget_evicting_the_least_recently_used_first()
    {
        var map = Samples.PatternMap(32, 32);
        var sizes = new[] { 64, 96, 128, 160 };
        var lengths = sizes.ToDictionary(size => size, size => (long)PreviewRenderer.RenderPng(map, new PreviewOptions(size)).Length);
        // Room for the two largest, not for three of them.
        var budget = lengths[160] + lengths[128];
        var cache = new PreviewCache(100, budget);

        foreach (var size in sizes)
            cache.GetOrRender(map, new PreviewOptions(size));

        Assert.True(cache.Bytes <= budget, $"{cache.Bytes} bytes held, budget {budget}");
        Assert.Equal(sizes.Where(size => cache.Contains(map.Id!, new PreviewOptions(size))).Sum(size => lengths[size]), cache.Bytes);
        Assert.True(cache.Contains(map.Id!, new PreviewOptions(160)));
        Assert.True(cache.Contains(map.Id!, new PreviewOptions(128)));
        Assert.False(cache.Contains(map.Id!, new PreviewOptions(64)));
    }

    [Fact]
    public void A_png_larger_than_the_whole_budget_is_returned_but_not_kept()
    {
        var item = Samples.Item();
        var small = new PreviewCache(8, maxBytes: 64);
        var png = small.GetOrRender(item, new PreviewOptions(128));

        Assert.Equal(PreviewRenderer.RenderPng(item, new PreviewOptions(128)), png);
        Assert.Equal(0, small.Count);
        Assert.Equal(0, small.Bytes);
    }
}
