using FunctionApp.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FunctionApp.Tests.Browser;

/// <summary>The interactive docs in headless Chromium (Debian's, at /usr/bin/chromium), against the real worker.</summary>
[Trait("Category", "Browser")]
public sealed class ApiDocsBrowserTests(AppFixture app) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task<IPage> OpenDocsAsync()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1500 } });
        await page.GotoAsync(new Uri(app.Host.BaseAddress, "api/docs").AbsoluteUri);
        return page;
    }

    private static async Task<ILocator> ExecuteAsync(IPage page, string operationId)
    {
        var operation = page.Locator($"#operations-default-{operationId}");
        if (await operation.Locator(".try-out__btn").CountAsync() == 0)
        {
            await operation.Locator(".opblock-summary").ClickAsync();
        }

        var tryOut = operation.Locator(".try-out__btn");
        if ((await tryOut.TextContentAsync())?.Trim() == "Try it out")
        {
            await tryOut.ClickAsync();
        }

        await operation.Locator("button.execute").ClickAsync();
        return operation.Locator(".live-responses-table .response");
    }

    [Fact]
    public async Task Docs_list_every_operation()
    {
        var page = await OpenDocsAsync();

        await Expect(page.Locator("#operations-default-public")).ToBeVisibleAsync();
        await Expect(page.Locator("#operations-default-private")).ToBeVisibleAsync();
        await Expect(page.Locator("#operations-default-private-scoped")).ToBeVisibleAsync();
        await Expect(page.Locator(".opblock-summary-path")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task Private_without_a_token_shows_the_403()
    {
        var page = await OpenDocsAsync();

        var response = await ExecuteAsync(page, "private");

        await Expect(response.Locator(".response-col_status")).ToHaveTextAsync("403");
        await Expect(response.Locator(".response-col_description")).ToContainTextAsync("Not authenticated");
    }

    [Fact]
    public async Task Private_after_authorizing_with_a_token_shows_the_claims()
    {
        var page = await OpenDocsAsync();
        var payload = app.Issuer.NewPayload();
        payload["sub"] = "docs-browser-test@clients";
        var token = app.Issuer.Sign(app.Issuer.NewHeader(), payload);

        await page.Locator(".auth-wrapper button.authorize").ClickAsync();
        // The bearer scheme's form; the DPoP scheme's form is next to it, for proofs Swagger UI cannot make.
        var bearer = page.Locator(".modal-ux .auth-container").Filter(new() { HasText = "bearer (http, Bearer)" });
        await bearer.Locator("input").FillAsync(token);
        await bearer.Locator("button.authorize").ClickAsync();
        await bearer.Locator("button.btn-done").ClickAsync();
        var response = await ExecuteAsync(page, "private");

        await Expect(response.Locator(".response-col_status")).ToHaveTextAsync("200");
        await Expect(response.Locator(".response-col_description")).ToContainTextAsync("docs-browser-test@clients");
        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots.FullName, "api-docs.png"), FullPage = true });
    }
}
