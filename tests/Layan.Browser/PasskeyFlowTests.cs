using System.Text.RegularExpressions;
using Layan.Browser.Support;
using Layan.Features.Accounts;
using Microsoft.Playwright;
using Shouldly;

namespace Layan.Browser;

// Covers LOG-2's passkeys as a person uses them in Chromium, with Chromium's own virtual
// authenticator (a platform authenticator that verifies its user): add a passkey in the security
// settings, sign in with it and no password, then, with two-step sign-in on, answer the second
// step with it; and a passkey removed no longer signs in.
public sealed partial class PasskeyFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "kunci@example.com";
    private const string Password = "violet tandem harbor 42";

    private static async Task AddVirtualAuthenticatorAsync(IPage page)
    {
        var devtools = await page.Context.NewCDPSessionAsync(page);
        await devtools.SendAsync("WebAuthn.enable");
        await devtools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
    }

    [Fact]
    public async Task Add_a_passkey_sign_in_with_it_alone_then_as_the_second_step_then_remove_it()
    {
        var page = await app.NewPageAsync("id-ID");
        await AddVirtualAuthenticatorAsync(page);
        await Steps.RegisterAndVerifyAsync(page, "Kartika Sari", Email, Password, "id", "Kode Layan Anda");

        await page.GotoAsync("/account/two-factor");
        await page.GetByTestId("passkey-name-input").FillAsync("Laptop kantor");
        await page.GetByTestId("passkey-password").FillAsync("not my password");
        await page.GetByTestId("passkey-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("passkey-status")).ToHaveAttributeAsync("data-error-code", "credentials_invalid");
        await page.GetByTestId("passkey-password").FillAsync(Password);
        await page.GetByTestId("passkey-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("passkey-name")).ToHaveTextAsync("Laptop kantor");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "passkeys-id.png"), FullPage = true });

        await page.GetByTestId("logout").ClickAsync();
        await page.GotoAsync("/login");
        await page.GetByTestId("passkey-signin").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Steps.AccountPage());
        await Assertions.Expect(page.GetByTestId("welcome")).ToContainTextAsync("Kartika Sari");

        // Two-step sign-in on: after the password, the passkey answers the second step.
        await page.GotoAsync("/account/two-factor");
        var key = Totp.FromBase32(await page.GetByTestId("shared-key").InnerTextAsync());
        await page.GetByTestId("enable-code").FillAsync(Totp.Code(key, Totp.StepAt(app.Clock.GetUtcNow())));
        await page.GetByTestId("enable-password").FillAsync(Password);
        await page.GetByTestId("enable-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-code")).ToHaveCountAsync(10);
        await page.GetByTestId("logout").ClickAsync();
        await Steps.LogInAsync(page, Email, Password);
        await Assertions.Expect(page).ToHaveURLAsync(TwoFactorPage());
        await Assertions.Expect(page.GetByTestId("passkey-signin")).ToHaveTextAsync("Gunakan passkey");
        await page.GetByTestId("passkey-signin").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Steps.AccountPage());

        await page.GotoAsync("/account/two-factor");
        await page.GetByTestId("passkey-remove-form").Locator("xpath=..").Locator("summary").ClickAsync();
        await page.GetByTestId("passkey-remove-password").FillAsync(Password);
        await page.GetByTestId("passkey-remove").ClickAsync();
        await Assertions.Expect(page.GetByTestId("passkey-removed")).ToBeVisibleAsync();
        await page.GetByTestId("logout").ClickAsync();
        await page.GotoAsync("/login");
        await page.GetByTestId("passkey-signin").ClickAsync();
        var refused = page.GetByTestId("passkey-signin-status");
        await Assertions.Expect(refused).ToBeVisibleAsync();
        (await refused.GetAttributeAsync("data-error-code")).ShouldBe("passkey_invalid");
        page.Url.ShouldEndWith("/login");
    }

    [GeneratedRegex("/login/two-factor")]
    private static partial Regex TwoFactorPage();
}
