using Microsoft.Playwright;

namespace P2PActors.Node.Tests.Browser;

/// <summary>
/// One browser test's world: its own network namespace, a cluster of node processes listening on the namespace's host
/// end, and Chromium inside the namespace driven by Playwright. Disposed in reverse order, whatever the test did.
/// </summary>
public sealed class PageHarness : IAsyncDisposable
{
    /// <summary>Set to 1 to write the screenshots under docs/images (for the README and docs/page.md); otherwise none is written.</summary>
    public const string ScreenshotVariable = "P2P_SCREENSHOTS";

    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _console = [];
    private IPlaywright? _playwright;

    private PageHarness(BrowserNetwork network) => Network = network;

    public BrowserNetwork Network { get; }

    public PageCluster Cluster { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static async Task<PageHarness> StartAsync(int nodes)
    {
        var harness = new PageHarness(await BrowserNetwork.CreateAsync());
        try
        {
            harness.Cluster = await PageCluster.StartAsync(harness.Network, nodes);
            harness._playwright = await Playwright.CreateAsync();
            harness.Browser = await harness._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = harness.Network.ChromiumWrapper,
                Headless = true,
            });
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
        return harness;
    }

    /// <summary>A fresh page (own storage) on node <paramref name="node"/>'s address, 1280×800, loaded and started.</summary>
    public async Task<IPage> OpenAsync(int node)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var label = $"page {_contexts.Count} on node {node}";
        page.Console += (_, message) => { lock (_console) _console.Add($"{label} [{message.Type}] {message.Text}"); };
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(Cluster.Urls[node].ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']");
        return page;
    }

    /// <summary>What the pages logged to their consoles so far, for failure messages.</summary>
    public string ConsoleLog()
    {
        lock (_console)
            return string.Join('\n', _console);
    }

    /// <summary>Joins as <paramref name="player"/> with the header form.</summary>
    public static async Task JoinAsync(IPage page, string player)
    {
        await page.FillAsync("#player-name", player);
        await page.ClickAsync("#join-button");
        await page.WaitForSelectorAsync("#player-badge:not([hidden])");
    }

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
        foreach (var context in _contexts)
            await context.CloseAsync();
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Cluster is not null)
            await Cluster.DisposeAsync();
        await Network.DisposeAsync();
    }
}
