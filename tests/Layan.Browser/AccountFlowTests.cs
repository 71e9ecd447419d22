using System.Text.RegularExpressions;
using Layan.Browser.Support;
using Microsoft.Playwright;
using Shouldly;

namespace Layan.Browser;

// Covers ACC-2..5, ACC-9, LOG-1 as a person does them in Chromium: register with the live strength
// meter, read the email in the mailbox, verify by code or by the email's link, log out, log in;
// in Indonesian and Spanish, emails included.
public sealed partial class AccountFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Password = "violet tandem harbor 42";

    [Theory]
    [InlineData("id-ID", "id", "Kuat|Sangat kuat", "Kode Layan Anda: ", "Selamat datang, Dewi Lestari. Akun Anda sudah siap.", "Masuk")]
    [InlineData("es-ES", "es", "Fuerte|Muy fuerte", "Su código de Layan: ", "Bienvenido, Dewi Lestari. Su cuenta está lista.", "Iniciar sesión")]
    public async Task Register_verify_by_code_log_out_and_log_in_again(
        string locale, string language, string strong, string subjectStart, string welcome, string logIn)
    {
        var email = $"dewi.{language}@example.com";
        var page = await app.NewPageAsync(locale);
        await page.GotoAsync("/register");

        await page.GetByTestId("full-name").FillAsync("Dewi Lestari");
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").PressSequentiallyAsync("dewi");
        await Assertions.Expect(page.Locator("[data-meter-problems] li[data-error-code=password_too_short]")).ToBeVisibleAsync();
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("password").PressAsync("End");
        await page.GetByTestId("password").PressSequentiallyAsync("!");
        await Assertions.Expect(page.Locator("[data-meter-label]")).ToHaveTextAsync(new Regex($"^({strong})$"));
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("language").SelectOptionAsync(language);
        await page.GetByTestId("terms").CheckAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, $"register-{language}.png"), FullPage = true });
        await page.GetByTestId("register-submit").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/verify\\?email="));
        await Assertions.Expect(page.GetByTestId("sent-to")).ToContainTextAsync(email);
        var mailbox = await page.Context.NewPageAsync();
        await BrowserApp.OpenNewestMailAsync(mailbox, email, subjectStart);
        var subject = await mailbox.GetByTestId("mail-subject").InnerTextAsync();
        subject.ShouldStartWith(subjectStart);
        var code = subject[subjectStart.Length..];

        await page.GetByTestId("code").FillAsync(code);
        await page.GetByTestId("verify-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Steps.OpenWorkspacePage()); // ACC-9: on to opening a workspace
        await page.GotoAsync("/account");
        await Assertions.Expect(page.GetByTestId("welcome")).ToHaveTextAsync(welcome);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, $"account-{language}.png") });

        await page.GetByTestId("logout").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-link")).ToHaveTextAsync(logIn);
        await page.GotoAsync("/login");
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await Assertions.Expect(page.GetByTestId("welcome")).ToHaveTextAsync(welcome);
    }

    [Fact]
    public async Task Verify_with_the_link_in_the_email()
    {
        const string email = "link@example.com";
        var page = await app.NewPageAsync();
        await page.GotoAsync("/register");
        await page.GetByTestId("full-name").FillAsync("Lin Kerr");
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("terms").CheckAsync();
        await page.GetByTestId("register-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/verify\\?email="));

        await BrowserApp.OpenNewestMailAsync(page, email, "Your Layan code");
        var text = await page.GetByTestId("mail-text").InnerTextAsync();
        var link = VerifyLink().Match(text);
        link.Success.ShouldBeTrue(text);
        await page.GotoAsync(link.Value);

        await Assertions.Expect(page.GetByTestId("code")).ToHaveValueAsync(new Regex("^[A-Za-z2-9]{8}$"));
        await page.GetByTestId("verify-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Steps.OpenWorkspacePage());
        await page.GotoAsync("/account");
        await Assertions.Expect(page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Lin Kerr. Your account is ready.");
    }

    [GeneratedRegex(@"http://localhost:\d+/verify\?email=[^\s]+&code=[A-Za-z2-9]{8}")]
    private static partial Regex VerifyLink();
}
