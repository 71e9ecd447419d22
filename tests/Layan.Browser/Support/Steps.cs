using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Layan.Browser.Support;

/// <summary>What a person does on the pages, step by step, shared by the flows.</summary>
internal static partial class Steps
{
    /// <summary>Registers through the form, reads the code from the developer mailbox and verifies; ends on the "open a workspace" page (ACC-9).</summary>
    public static async Task RegisterAndVerifyAsync(IPage page, string fullName, string email, string password, string language, string codeSubjectStart)
    {
        await page.GotoAsync("/register");
        await page.GetByTestId("full-name").FillAsync(fullName);
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(password);
        await page.GetByTestId("language").SelectOptionAsync(language);
        await page.GetByTestId("terms").CheckAsync();
        await page.GetByTestId("register-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyPage());
        var mailbox = await page.Context.NewPageAsync();
        await BrowserApp.OpenNewestMailAsync(mailbox, email, codeSubjectStart);
        var subject = await mailbox.GetByTestId("mail-subject").InnerTextAsync();
        await mailbox.CloseAsync();
        await page.GetByTestId("code").FillAsync(subject[(subject.LastIndexOf(' ') + 1)..]);
        await page.GetByTestId("verify-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(OpenWorkspacePage());
    }

    public static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
    }

    [GeneratedRegex("/verify\\?email=")]
    public static partial Regex VerifyPage();

    [GeneratedRegex("/workspaces/new$")]
    public static partial Regex OpenWorkspacePage();

    [GeneratedRegex("/account$")]
    public static partial Regex AccountPage();
}
