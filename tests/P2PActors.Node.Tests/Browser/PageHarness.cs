using Microsoft.Playwright;
using P2PActors.Testing.Browser;

namespace P2PActors.Node.Tests.Browser;

/// <summary>
/// One browser test's world: its own network namespace, a cluster of node processes listening on the namespace's host
/// end, and Chromium inside the namespace driven by Playwright. Disposed in reverse order, whatever the test did.
/// </summary>
public sealed class PageHarness : IAsyncDisposable
{
    /// <summary>Set to 1 to write the screenshots under docs/images (for the README and docs/page.md); otherwise none is written.</summary>
    public const string ScreenshotVariable = "P2P_SCREENSHOTS";

    private PageHarness(BrowserNetwork network) => Network = network;

    public BrowserNetwork Network { get; }

    public PageCluster Cluster { get; private set; } = null!;

    /// <summary>Chromium and the pages opened so far (tests/Shared/Browser, shared with the benchmarks).</summary>
    public BrowserPages Pages { get; private set; } = null!;

    public static async Task<PageHarness> StartAsync(int nodes, IReadOnlyList<string>? nodeArgs = null)
    {
        var harness = new PageHarness(await BrowserNetwork.CreateAsync());
        try
        {
            harness.Cluster = await PageCluster.StartAsync(harness.Network, nodes, nodeArgs);
            harness.Pages = await BrowserPages.LaunchAsync(harness.Network);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
        return harness;
    }

    /// <summary>A fresh page (own storage) on node <paramref name="node"/>'s address, 1280×800 unless given, loaded and started.</summary>
    public Task<IPage> OpenAsync(int node, ViewportSize? viewport = null) => Pages.OpenAsync(Cluster.Urls[node], $"on node {node}", viewport);

    /// <summary>Writes docs/images/page-{name}.png when <see cref="ScreenshotVariable"/> is 1; a normal run writes nothing.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) != "1")
            return;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "P2PActors.sln")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException("P2PActors.sln not found above the test binaries; cannot write docs/images");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(root.FullName, "docs", "images", $"page-{name}.png") });
    }

    public async ValueTask DisposeAsync()
    {
        if (Pages is not null)
            await Pages.DisposeAsync();
        if (Cluster is not null)
            await Cluster.DisposeAsync();
        await Network.DisposeAsync();
    }
}
