using Layan.Browser.Support;
using Microsoft.Playwright;
using Shouldly;

namespace Layan.Browser;

// Covers ACC-1 (Register / Log in top-right on every public page), LOG-1's language picker
// (switches the UI at once, remembered) and X-1, in real Chromium.
public sealed class LanguageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_home_page_shows_Register_and_Log_in_in_each_language_and_the_choice_sticks()
    {
        var page = await app.NewPageAsync("en-US");
        await page.GotoAsync("/");
        await ShouldShow(page, "en", "Register", "Log in", "Customer service, in one inbox");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "home-en.png") });

        await page.GetByTestId("language-select").SelectOptionAsync("id");
        await ShouldShow(page, "id", "Daftar", "Masuk", "Layanan pelanggan, dalam satu kotak masuk");
        await Assertions.Expect(page).ToHaveURLAsync(app.BaseAddress.ToString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "home-id.png") });

        // Remembered: on reload, on another page, and in a new tab of the same browser.
        await page.ReloadAsync();
        await ShouldShow(page, "id", "Daftar", "Masuk", "Layanan pelanggan, dalam satu kotak masuk");
        await page.GotoAsync("/no-such-page");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Halaman tidak ditemukan");
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveTextAsync("Daftar");

        await page.GetByTestId("language-select").SelectOptionAsync("es");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Página no encontrada");
        // The picker returns to the page it was used on.
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(app.BaseAddress, "/no-such-page").ToString());
        var tab = await page.Context.NewPageAsync();
        await tab.GotoAsync("/");
        await ShouldShow(tab, "es", "Registrarse", "Iniciar sesión", "Atención al cliente, en una sola bandeja");
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "home-es.png") });
    }

    [Theory]
    [InlineData("id-ID", "id", "Daftar")]
    [InlineData("es-ES", "es", "Registrarse")]
    [InlineData("fr-FR", "en", "Register")]
    public async Task A_first_visit_follows_the_browser_s_language_when_Layan_speaks_it(string locale, string language, string register)
    {
        var page = await app.NewPageAsync(locale);
        await page.GotoAsync("/");

        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe(language);
        (await page.GetByTestId("register-link").InnerTextAsync()).ShouldBe(register);
        (await page.GetByTestId("language-select").InputValueAsync()).ShouldBe(language);
    }

    private static async Task ShouldShow(IPage page, string language, string register, string logIn, string title)
    {
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveTextAsync(register);
        await Assertions.Expect(page.GetByTestId("login-link")).ToHaveTextAsync(logIn);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await Assertions.Expect(page.GetByTestId("language-select")).ToHaveValueAsync(language);
        // Top-right: both links sit in the right half of the top bar.
        var viewport = page.ViewportSize!.Width;
        var box = await page.GetByTestId("login-link").BoundingBoxAsync();
        box.ShouldNotBeNull().X.ShouldBeGreaterThan(viewport / 2f);
        (await page.GetByTestId("register-link").BoundingBoxAsync()).ShouldNotBeNull().Y.ShouldBeLessThan(80f);
    }
}
