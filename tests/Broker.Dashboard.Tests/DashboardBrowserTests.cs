// The operator's page in a real browser (Debian's chromium, headless, driven by Playwright) while `broker demo
// --keep` streams: it loads and goes live, its numbers move, the night's most novel alert opens with its three
// cutouts and explanation, the filter playground shows matches and why (or an error with its position), and the
// page asks nothing of any host but the broker's own. Screenshots of each view go
// to BROKER_SCREENSHOTS (docs/ when refreshing the committed ones) or the test folder.
using System.Collections.Concurrent;
using System.Globalization;
using Broker.Cli.Tests;
using Microsoft.Playwright;

namespace Broker.Dashboard.Tests;

public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_page_goes_live_its_numbers_move_a_novel_alert_opens_and_the_playground_answers()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/setup.sh installs Debian's chromium");
        // Its own archive: the two demos of this assembly run at once, and share a working directory.
        var archive = Directory.CreateTempSubdirectory("broker-demo-browser-");
        using var demo = BrokerProcess.Start(["demo", "--generated", "600", "--rate", "25", "--seconds", "100", "--keep", "--archive", archive.FullName]);
        string? line;
        do
        {
            line = demo.ReadLine(Limit) ?? throw new InvalidOperationException($"the demo did not print its dashboard address: {demo.StandardError}");
        }
        while (!line.StartsWith("dashboard ", StringComparison.Ordinal));

        var dashboard = new Uri(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        var requested = new ConcurrentBag<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        await page.GotoAsync(dashboard.ToString());
        await page.WaitForFunctionAsync("() => document.getElementById('live').textContent === 'live'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });

        // The numbers move: the total read grows while the demo streams.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('alerts-in-total').textContent.replace(/,/g, '')) > 0", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var first = await Total(page);
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('alerts-in-total').textContent.replace(/,/g, '')) > {first}", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.True(await Total(page) > first);
        Assert.NotEqual(0, await page.Locator("#stages tbody tr").CountAsync());
        Assert.NotEqual(0, await page.Locator("#silos tbody tr").CountAsync());
        await Screenshot(page, "dashboard-now.png");

        // Tonight: once novelty has warmed up (256 alerts of a survey), a ZTF night shows its most novel alerts.
        var ztfNight = await page.WaitForFunctionAsync("() => [...document.getElementById('night-select').options].map(o => o.value).find(v => v.startsWith('ztf:2018-02-01'))", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await page.SelectOptionAsync("#night-select", (await ztfNight.JsonValueAsync<string>())!);
        await page.WaitForSelectorAsync("#top-novel tbody tr", new PageWaitForSelectorOptions { Timeout = 90_000 });
        await page.Locator("#tonight").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "dashboard-tonight.png");

        // The map of that night: sampled alerts as points, and the estimate of distinct anomalies beside it.
        await page.Locator("#map").ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#map-plot circle').length >= 64", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Matches(@"^\d+(\.\d)?$", await page.Locator("#anomaly-estimate").TextContentAsync());
        Assert.Matches(@"two forests' top \d+ of \d+ sampled alerts share g = \d+", await page.Locator("#anomaly-detail").TextContentAsync());
        await page.SelectOptionAsync("#map-colour", "band");
        await page.Locator("#map").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "dashboard-map.png") });
        await page.Locator("#tonight").ScrollIntoViewIfNeededAsync();

        // Its card: three cutouts rendered as images by the broker, and why it is novel.
        await page.Locator("#top-novel tbody tr").First.ClickAsync();
        await page.WaitForSelectorAsync("#card:not([hidden])");
        await page.WaitForFunctionAsync("() => ['science', 'template', 'difference'].every(k => { const i = document.getElementById('cut-' + k); return i.complete && i.naturalWidth > 0; })", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        var explanation = await page.Locator("#card-explanation").TextContentAsync();
        Assert.StartsWith("Why novel: ", explanation, StringComparison.Ordinal);
        Assert.Matches(@"[a-z_0-9]+ \d+ %", explanation);
        Assert.Contains("rb", await page.Locator("#card-scores").TextContentAsync(), StringComparison.Ordinal);
        await Screenshot(page, "dashboard-card.png");

        // The filter playground: matches with the values of the names the text uses, and an error with its position.
        await page.ClickAsync("#card-close");
        await page.Locator("#subscriptions").ScrollIntoViewIfNeededAsync();
        await page.FillAsync("#playground-text", "rb >= 0.5 and band = 'r'");
        await page.ClickAsync("#playground button[type=submit]");
        await page.WaitForSelectorAsync("#playground-results tbody tr");
        var summary = await page.Locator("#playground-summary").TextContentAsync();
        Assert.Matches(@"^\d+ of \d+ latest alerts match", summary);
        var headers = await page.Locator("#playground-results thead th").AllTextContentsAsync();
        Assert.Equal(["match", "alert", "object", "rb", "band"], headers);
        var firstRow = await page.Locator("#playground-results tbody tr").First.Locator("td").AllTextContentsAsync();
        if (firstRow[0] == "yes")
        {
            Assert.True(double.Parse(firstRow[3], CultureInfo.InvariantCulture) >= 0.5);
            Assert.Equal("r", firstRow[4]);
        }

        await Screenshot(page, "dashboard-playground.png");
        await page.FillAsync("#playground-text", "rb >= and band = 'r'");
        await page.ClickAsync("#playground button[type=submit]");
        await page.WaitForSelectorAsync("#playground-error:not([hidden])");
        Assert.Matches(@"^line 1, column \d+: ", await page.Locator("#playground-error").TextContentAsync());

        // "Last night": the same text tried on the archive the demo is writing, per hour, with the first passes.
        await page.FillAsync("#playground-text", "rb >= 0.5");
        await page.ClickAsync("#playground-night");
        await page.WaitForSelectorAsync("#playground-night-result:not([hidden])");
        var night = await page.Locator("#playground-night-summary").TextContentAsync();
        var counted = System.Text.RegularExpressions.Regex.Match(night!, @"^(ztf|rubin) \d{4}-\d{2}-\d{2}: (\d+) of (\d+) alerts pass");
        Assert.True(counted.Success, night);
        Assert.True(int.Parse(counted.Groups[3].Value, CultureInfo.InvariantCulture) > 0, night);
        Assert.NotEqual(0, await page.Locator("#playground-night-hours tbody tr").CountAsync());
        Assert.Equal(Math.Min(10, int.Parse(counted.Groups[2].Value, CultureInfo.InvariantCulture)), await page.Locator("#playground-night-first tbody tr").CountAsync());
        await page.Locator("#playground-night-result").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "dashboard-last-night.png");

        // Saved from the page to the catalog (a loopback silo needs no token), then in force on the silo.
        await page.FillAsync("#playground-text", "rb >= 0.9 and band = 'r'");
        await page.FillAsync("#save-name", "red_and_real");
        await page.ClickAsync("#save-filter button");
        await page.WaitForFunctionAsync("() => document.getElementById('save-result').textContent.startsWith('saved: catalog version')", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#filters-in-force tbody tr td:first-child')].some(td => td.textContent === 'red_and_real')", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        Assert.NotEqual(0, await page.Locator("#last-matches tbody tr").CountAsync());

        // Nothing but the broker was asked for anything.
        Assert.NotEmpty(requested);
        Assert.All(requested, url => Assert.True(url.StartsWith(dashboard.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal), $"the page requested {url}"));

        demo.SendSignal(15);
        Assert.True(demo.WaitForExit(TimeSpan.FromSeconds(60)) is 0 or 1, demo.StandardError);
    }

    private static async Task<double> Total(IPage page) =>
        double.Parse((await page.Locator("#alerts-in-total").TextContentAsync())!.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static string ScreenshotFolder => Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("BROKER_SCREENSHOTS") is { Length: > 0 } dir ? dir : AppContext.BaseDirectory).FullName;

    private static async Task Screenshot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name), FullPage = false });
}
