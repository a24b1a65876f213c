using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace P2PActors.Testing.Browser;

/// <summary>
/// Debian's Chromium inside a <see cref="BrowserNetwork"/>, driven by Playwright through the network's wrapper script
/// (nothing is downloaded): pages in fresh contexts, what they log, and what the page's WebRTC module
/// (<c>window.p2p.rtc</c>, wwwroot/js/rtc.js) says about a link. Shared by the browser tests and the benchmarks'
/// <c>rtc-roundtrip</c> harness, so both open pages and check the ICE path the same way.
/// </summary>
public sealed class BrowserPages : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _console = [];
    private readonly IPlaywright _playwright;

    private BrowserPages(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<BrowserPages> LaunchAsync(BrowserNetwork network)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = network.ChromiumWrapper,
                Headless = true,
            });
            return new BrowserPages(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fresh page (own storage) on <paramref name="url"/>, 1280×800 unless <paramref name="viewport"/> says otherwise,
    /// loaded and started; <paramref name="where"/> labels its console lines.
    /// </summary>
    public async Task<IPage> OpenAsync(Uri url, string where, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 } });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var label = $"page {_contexts.Count} {where}";
        page.Console += (_, message) => { lock (_console) _console.Add($"{label} [{message.Type}] {message.Text}"); };
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(url.ToString());
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

    /// <summary>
    /// Waits until each of two pages in one room lists the other's player on the open data channel (the peer list's
    /// <c>data-path</c>); on a timeout the exception carries both pages' links and console output.
    /// </summary>
    public async Task WaitForChannelAsync(IPage first, string firstPlayer, IPage second, string secondPlayer)
    {
        const string channelUp = "name => document.querySelector(`#peer-list li[data-player='${name}'][data-path='channel']`) !== null";
        try
        {
            await first.WaitForFunctionAsync(channelUp, secondPlayer, new() { Timeout = 60_000 });
            await second.WaitForFunctionAsync(channelUp, firstPlayer, new() { Timeout = 60_000 });
        }
        catch (TimeoutException e)
        {
            var links = await Task.WhenAll(first.EvaluateAsync<JsonElement>("() => window.p2p.rtc.peers"), second.EvaluateAsync<JsonElement>("() => window.p2p.rtc.peers"));
            throw new TimeoutException($"no data channel: {firstPlayer} {links[0]}, {secondPlayer} {links[1]}\n{ConsoleLog()}", e);
        }
    }

    /// <summary>The peer id the node gave <paramref name="page"/> (<c>welcome.peerId</c>).</summary>
    public static Task<string> PeerIdAsync(IPage page) => page.EvaluateAsync<string>("() => window.p2p.session.welcome.peerId");

    /// <summary>The ICE candidate pair <paramref name="page"/>'s link to <paramref name="other"/> selected (getStats).</summary>
    public static async Task<IcePair> SelectedPairAsync(IPage page, IPage other)
    {
        var pair = await page.EvaluateAsync<JsonElement>("id => window.p2p.rtc.selectedPair(id)", await PeerIdAsync(other));
        if (pair.ValueKind != JsonValueKind.Object)
            return new IcePair("", "", "", "", "no selected pair");
        string Read(string name) => pair.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return new IcePair(Read("local"), Read("localType"), Read("remote"), Read("remoteType"), Read("state"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var context in _contexts)
                await context.CloseAsync();
            await Browser.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // The driver or Chromium is gone already (Ctrl+C reaches the whole process group); what owns this object
            // still has its namespace and nodes to remove, so this must not throw over them.
        }
        finally
        {
            _playwright.Dispose();
        }
    }
}

/// <summary>A selected ICE candidate pair as the page reports it: addresses and candidate types of both ends.</summary>
public sealed record IcePair(string Local, string LocalType, string Remote, string RemoteType, string State)
{
    /// <summary>
    /// Null when the pair runs between the namespace's own addresses (the traffic never left it), else what is wrong.
    /// The local end must be a host candidate on <paramref name="inside"/>. The remote end is the other page's local
    /// end, checked in its own turn; its address shows here too, except when its connectivity check arrived before its
    /// signaled candidate: then it is peer-reflexive, and Chromium hides the address of such candidates from getStats.
    /// </summary>
    public string? OutsideOf(IPAddress inside)
    {
        var address = inside.ToString();
        if (Local != address || LocalType != "host")
            return $"local end is {LocalType} {Local}, not host {address}: {this}";
        if (Remote != address && !(Remote == "" && RemoteType == "prflx"))
            return $"remote end is {RemoteType} {Remote}, not {address}: {this}";
        return null;
    }

    public override string ToString() => $"{LocalType} {Local} <-> {RemoteType} {(Remote == "" ? "(hidden)" : Remote)} ({State})";
}
