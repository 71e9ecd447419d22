using Layan.Browser.Support;
using Microsoft.Playwright;

namespace Layan.Browser;

// Covers PLAN-1..3 and WS-3 as an Administrator uses them in Chromium: subscribe to Department in
// the Shop, create departments (three with the Main Department), unsubscribe, let the period end
// (the server's clock is moved a month ahead), see two departments Revoked, subscribe again and
// see them back; then rename one.
public sealed class ShopFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "adi@example.com";
    private const string Password = "violet tandem harbor 42";

    private static async Task CreateDepartmentAsync(IPage page, string name)
    {
        await page.GetByTestId("department-name").FillAsync(name);
        await page.GetByTestId("department-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("department").Filter(new LocatorFilterOptions { HasText = name })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Subscribe_to_departments_let_the_period_lapse_and_subscribe_again()
    {
        var page = await app.NewPageAsync("en-US");
        await Steps.RegisterAndVerifyAsync(page, "Adi Nugroho", Email, Password, "en", "Your Layan code");
        var id = await app.CreateActiveWorkspaceAsync(Email, "Adi's Shop");
        var department = page.Locator("[data-testid=feature-row][data-feature=department]");

        await page.GotoAsync($"/w/{id}/shop");
        await department.GetByTestId("feature-action").ClickAsync();
        await Assertions.Expect(department).ToHaveAttributeAsync("data-subscribed", "true");
        await page.GotoAsync($"/w/{id}/team");
        await CreateDepartmentAsync(page, "Sales");
        await CreateDepartmentAsync(page, "Support");
        await Assertions.Expect(page.GetByTestId("department")).ToHaveCountAsync(3);
        await page.GotoAsync($"/w/{id}/shop");
        await department.GetByTestId("feature-action").ClickAsync();
        await Assertions.Expect(department).ToContainTextAsync("Ends on");

        app.Clock.Advance(TimeSpan.FromDays(32));
        await Steps.LogInAsync(page, Email, Password); // a month later the old session is long gone
        await page.GotoAsync($"/w/{id}/team");
        var revoked = page.Locator("[data-testid=department] .badge");
        for (var tries = 0; tries < 30 && await revoked.CountAsync() == 0; tries++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken); // the timer runner polls every few seconds
            await page.ReloadAsync();
        }
        await Assertions.Expect(page.GetByTestId("department")).ToHaveCountAsync(3);
        await Assertions.Expect(revoked).ToHaveCountAsync(2);
        await page.GotoAsync($"/w/{id}/shop");
        await Assertions.Expect(department).ToHaveAttributeAsync("data-subscribed", "false");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "departments-revoked-en.png"), FullPage = true });

        await page.GotoAsync($"/w/{id}/shop");
        await department.GetByTestId("feature-action").ClickAsync();
        await Assertions.Expect(department).ToHaveAttributeAsync("data-subscribed", "true");
        await page.GotoAsync($"/w/{id}/team");
        await Assertions.Expect(page.Locator("[data-testid=department] .badge")).ToHaveCountAsync(0);

        // Renamed, as any department can be.
        var support = page.GetByTestId("department").Filter(new LocatorFilterOptions { HasText = "Support" });
        await support.GetByTestId("rename-department-details").Locator("summary").ClickAsync();
        await support.GetByTestId("rename-department-name").FillAsync("Customer care");
        await support.GetByTestId("rename-department-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("department").Filter(new LocatorFilterOptions { HasText = "Customer care" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("department")).ToHaveCountAsync(3);
    }
}
