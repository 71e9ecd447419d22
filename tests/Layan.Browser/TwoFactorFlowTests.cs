using System.Text.RegularExpressions;
using Layan.Browser.Support;
using Layan.Features.Accounts;
using Microsoft.Playwright;
using Shouldly;

namespace Layan.Browser;

// Covers LOG-2 and LOG-4 as a person does them in Chromium: turn on two-step sign-in with an
// authenticator app (the test computes the app's code from the key on the page), log out, log in
// with the app's code; forget the password, reset it from the email, log in with a recovery code.
public sealed partial class TwoFactorFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "totp@example.com";
    private const string Password = "violet tandem harbor 42";
    private const string NewPassword = "quiet lantern orchard 77";

    [Fact]
    public async Task Enable_the_authenticator_log_in_with_it_then_reset_the_password_and_use_a_recovery_code()
    {
        var page = await app.NewPageAsync("es-ES");
        await RegisterAndVerifyAsync(page);

        await page.GetByTestId("two-factor-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("qr-code")).ToBeVisibleAsync();
        var key = Totp.FromBase32(await page.GetByTestId("shared-key").InnerTextAsync());
        var step = Totp.StepAt(app.Clock.GetUtcNow());
        await page.GetByTestId("enable-code").FillAsync(Totp.Code(key, step));
        await page.GetByTestId("enable-password").FillAsync(Password);
        await page.GetByTestId("enable-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-code")).ToHaveCountAsync(10);
        var recoveryCode = await page.GetByTestId("recovery-code").First.InnerTextAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "two-factor-es.png"), FullPage = true });

        await page.GetByTestId("logout").ClickAsync();
        await LogInAsync(page, Password);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login/two-factor"));
        await page.GetByTestId("second-factor-code").FillAsync(Totp.Code(key, step + 1)); // the enabling code's step is spent
        await page.GetByTestId("second-factor-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await page.GetByTestId("logout").ClickAsync();

        await page.GotoAsync("/login");
        await page.GetByTestId("forgot-link").ClickAsync();
        await page.GetByTestId("email").FillAsync(Email);
        await page.GetByTestId("forgot-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("forgot-sent")).ToBeVisibleAsync();
        await BrowserApp.OpenNewestMailAsync(page, Email, "Restablezca su contraseña");
        (await page.GetByTestId("mail-subject").InnerTextAsync()).ShouldBe("Restablezca su contraseña de Layan");
        var link = ResetLink().Match(await page.GetByTestId("mail-text").InnerTextAsync());
        link.Success.ShouldBeTrue();
        await page.GotoAsync(link.Value);
        await page.GetByTestId("new-password").FillAsync(NewPassword);
        await page.GetByTestId("reset-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("reset-done")).ToBeVisibleAsync();

        await LogInAsync(page, NewPassword);
        await page.GetByTestId("second-factor-method").SelectOptionAsync("recovery");
        await page.GetByTestId("second-factor-code").FillAsync(recoveryCode);
        await page.GetByTestId("second-factor-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await Assertions.Expect(page.GetByTestId("welcome")).ToHaveTextAsync("Bienvenido, Toto Pérez. Su cuenta está lista.");
    }

    private static async Task RegisterAndVerifyAsync(IPage page)
    {
        await Steps.RegisterAndVerifyAsync(page, "Toto Pérez", Email, Password, "es", "Su código de Layan");
        await page.GotoAsync("/account");
    }

    private static Task LogInAsync(IPage page, string password) => Steps.LogInAsync(page, Email, password);

    [GeneratedRegex(@"http://localhost:\d+/reset-password\?email=[^\s&]+&token=[A-Za-z0-9_-]+")]
    private static partial Regex ResetLink();
}
