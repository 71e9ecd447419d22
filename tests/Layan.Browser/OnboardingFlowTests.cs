using System.Text;
using System.Text.RegularExpressions;
using Layan.Browser.Support;
using Microsoft.Playwright;
using Shouldly;

namespace Layan.Browser;

// Covers ONB-1..7 as people do them in Chromium: an applicant (in Spanish) opens a business
// workspace and uploads its documents by the page's upload (with progress), a reviewer (in
// English) works the queue, looks at the PDF and the image inline, asks for a new proof of
// address; the applicant uploads only that again; the reviewer approves; the applicant activates
// the workspace from the email and runs the setup wizard with a test card.
public sealed partial class OnboardingFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Applicant = "marta@example.es";
    private const string Reviewer = "rita@layan.example";
    private const string Password = "violet tandem harbor 42";

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    // A 1x1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static async Task UploadAsync(IPage page, string kind, string name, string mimeType, byte[] content)
    {
        var form = page.GetByTestId($"upload-{kind}");
        await form.GetByTestId("file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = mimeType, Buffer = content });
        await form.GetByTestId("upload-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"document-{kind}").GetByTestId("uploaded")).ToBeVisibleAsync();
    }

    private static async Task SendForReviewAsync(IPage page)
    {
        await page.GetByTestId("submit-application").ClickAsync();
        await Assertions.Expect(page.GetByTestId("application-status")).ToHaveAttributeAsync("data-status", "submitted");
    }

    // The review page is still laying out its documents (PDF frames, images) just after it loads:
    // a click can land while a frame grows, and miss. Only the intended radio ends up checked.
    private static async Task ChooseAsync(ILocator radio)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await radio.CheckAsync();
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                if (await radio.IsCheckedAsync())
                {
                    return;
                }
                await radio.Page.WaitForLoadStateAsync(LoadState.Load);
            }
        }
    }

    // A click on the decision that misses (the page still settling) is made again, only while the
    // page shows no outcome of the first one (no redirect to ?done=, no error).
    private static async Task DecideAsync(IPage reviewer, string status)
    {
        await reviewer.GetByTestId("decide").ClickAsync();
        try
        {
            await Assertions.Expect(reviewer.GetByTestId("review-status")).ToHaveAttributeAsync("data-status", status, new() { Timeout = 8000 });
        }
        catch (PlaywrightException) when (!reviewer.Url.Contains("done=decided", StringComparison.Ordinal))
        {
            await Assertions.Expect(reviewer.GetByTestId("review-error")).ToHaveCountAsync(0);
            await reviewer.GetByTestId("decide").ClickAsync();
            await Assertions.Expect(reviewer.GetByTestId("review-status")).ToHaveAttributeAsync("data-status", status, new() { Timeout = 15000 });
        }
    }

    private static async Task ClaimAsync(IPage reviewer, string workspaceName)
    {
        await reviewer.GotoAsync("/operator");
        await reviewer.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = workspaceName }).ClickAsync();
        await reviewer.GetByTestId("claim").ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("claim-held")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_applicant_and_a_reviewer_take_a_workspace_from_opening_to_set_up()
    {
        var applicant = await app.NewPageAsync("es-ES");
        await Steps.RegisterAndVerifyAsync(applicant, "Marta Gil", Applicant, Password, "es", "Su código de Layan");
        var reviewer = await app.NewPageAsync("en-US");
        await Steps.RegisterAndVerifyAsync(reviewer, "Rita Reviewer", Reviewer, Password, "en", "Your Layan code");
        await app.GrantOperatorRoleAsync(Reviewer, Layan.Features.Operator.OperatorRoles.Reviewer);

        // The applicant opens a business workspace; the page asks for three documents.
        await Assertions.Expect(applicant.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Abrir un espacio de trabajo" })).ToBeVisibleAsync();
        await applicant.GetByTestId("type-business").CheckAsync();
        await applicant.GetByTestId("workspace-name").FillAsync("Ferretería Gil");
        await applicant.GetByTestId("country").SelectOptionAsync("ES");
        await applicant.GetByTestId("time-zone").SelectOptionAsync("Europe/Madrid");
        await applicant.GetByTestId("workspace-language").SelectOptionAsync("es");
        await applicant.GetByTestId("open-submit").ClickAsync();
        await Assertions.Expect(applicant).ToHaveURLAsync(ApplicationPage());
        await Assertions.Expect(applicant.GetByTestId("application-status")).ToHaveTextAsync("Borrador");

        var refused = applicant.GetByTestId("upload-government_id");
        await refused.GetByTestId("file").SetInputFilesAsync(new FilePayload { Name = "dni.pdf", MimeType = "application/pdf", Buffer = Encoding.ASCII.GetBytes("MZ this is a program") });
        await refused.GetByTestId("upload-submit").ClickAsync();
        await Assertions.Expect(refused.Locator("[data-upload-error]")).ToHaveAttributeAsync("data-error-code", "file_type_not_allowed");
        await Assertions.Expect(refused.Locator("[data-upload-error]")).ToContainTextAsync("Ese archivo no es PDF, JPEG ni PNG");

        await UploadAsync(applicant, "government_id", "dni.pdf", "application/pdf", Pdf);
        await UploadAsync(applicant, "proof_of_address", "recibo.png", "image/png", Png);
        await UploadAsync(applicant, "business_registration", "registro.pdf", "application/pdf", Pdf);
        await applicant.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "application-es.png"), FullPage = true });
        await SendForReviewAsync(applicant);

        // The reviewer asks for a better proof of address.
        await ClaimAsync(reviewer, "Ferretería Gil");
        await Assertions.Expect(reviewer.GetByTestId("document-pdf")).ToHaveCountAsync(2);
        await Assertions.Expect(reviewer.GetByTestId("document-image")).ToBeVisibleAsync();
        // The image is served to the reviewer (once it has loaded, it is 1 pixel wide).
        await Assertions.Expect(reviewer.GetByTestId("document-image")).ToHaveJSPropertyAsync("naturalWidth", 1);
        var proof = reviewer.GetByTestId("review-proof_of_address");
        await proof.GetByTestId("verdict").SelectOptionAsync("more_needed");
        await proof.GetByTestId("verdict-reason").FillAsync("The receipt is not readable");
        await ChooseAsync(reviewer.GetByTestId("outcome-request_changes"));
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "review-en.png"), FullPage = true });
        await DecideAsync(reviewer, "changes_requested");
        await Assertions.Expect(reviewer.GetByTestId("review-notice")).ToHaveTextAsync("The decision is recorded and the applicant emailed.");

        // Only the proof of address can be uploaded again.
        await applicant.ReloadAsync();
        await Assertions.Expect(applicant.GetByTestId("application-status")).ToHaveTextAsync("Cambios solicitados");
        await Assertions.Expect(applicant.GetByTestId("document-proof_of_address").GetByTestId("document-reason")).ToHaveTextAsync("Motivo: The receipt is not readable");
        await Assertions.Expect(applicant.GetByTestId("upload-government_id")).ToHaveCountAsync(0);
        await UploadAsync(applicant, "proof_of_address", "recibo-nuevo.pdf", "application/pdf", Pdf);
        await SendForReviewAsync(applicant);

        await ClaimAsync(reviewer, "Ferretería Gil");
        await ChooseAsync(reviewer.GetByTestId("outcome-approve"));
        await DecideAsync(reviewer, "approved");

        // The activation email, then the setup wizard.
        var mailbox = await applicant.Context.NewPageAsync();
        await BrowserApp.OpenNewestMailAsync(mailbox, Applicant, "Ferretería Gil está aprobado");
        var link = ActivationLink().Match(await mailbox.GetByTestId("mail-text").InnerTextAsync());
        link.Success.ShouldBeTrue();
        await mailbox.CloseAsync();
        await applicant.GotoAsync(link.Value);
        await applicant.GetByTestId("activate-submit").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("activated")).ToHaveTextAsync("Ferretería Gil está activo.");
        await applicant.GetByTestId("start-setup").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("setup-progress")).ToHaveAttributeAsync("data-step", "preferences");
        await applicant.GetByTestId("setup-save").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("setup-progress")).ToHaveAttributeAsync("data-step", "payment");
        await applicant.GetByTestId("card-number").FillAsync("4000 0000 0000 0002");
        await applicant.GetByTestId("card-cvc").FillAsync("123");
        await applicant.GetByTestId("setup-save").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("setup-error")).ToHaveAttributeAsync("data-error-code", "card_declined");
        await applicant.GetByTestId("card-number").FillAsync("4242 4242 4242 4242");
        await applicant.GetByTestId("card-cvc").FillAsync("123");
        await applicant.GetByTestId("setup-save").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("setup-progress")).ToHaveAttributeAsync("data-step", "notifications");
        await applicant.GetByTestId("setup-skip").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("setup-done")).ToBeVisibleAsync();
        await applicant.GetByTestId("go-workspace").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("workspace-title")).ToHaveTextAsync("Ferretería Gil");
        await applicant.GetByTestId("switcher-toggle").ClickAsync();
        await Assertions.Expect(applicant.GetByTestId("switcher-item")).ToContainTextAsync("Ferretería Gil");
        await applicant.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "workspace-es.png") });
    }

    [GeneratedRegex(@"/workspaces/[0-9a-f-]{36}/application")]
    private static partial Regex ApplicationPage();

    [GeneratedRegex(@"http://localhost:\d+/workspaces/activate\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();
}
