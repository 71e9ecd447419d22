using System.Net.Http.Headers;
using System.Text;
using Layan.Browser.Support;
using Layan.Features.Channels;
using Microsoft.Playwright;

namespace Layan.Browser;

// Covers CH-1 as an Administrator and an agent use it in Chromium: connect a WhatsApp number on
// the channels page (a bad account id is named and nothing is saved), a signed webhook from the
// "provider" lands in the inbox, the reply is sent and its status shows (in Indonesian); "Login
// with Facebook" through the OAuth dialog (the stand-in's) to choosing a Page with comments and
// its Instagram account and Enable (in Spanish); past the 24-hour window the composer offers
// templates only.
public sealed class ChannelFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "wulan@example.com";
    private const string Password = "harbour violet engine 42";
    private const string PhoneNumberId = "109876543210";
    private const string AppSecret = "wa-browser-secret";

    [Fact]
    public async Task Connect_WhatsApp_answer_a_customer_connect_Facebook_Pages_and_fall_back_to_templates()
    {
        var page = await app.NewPageAsync("en-US");
        await Steps.RegisterAndVerifyAsync(page, "Wulan Sari", Email, Password, "en", "Your Layan code");
        var id = await app.CreateActiveWorkspaceAsync(Email, "Wulan Batik");
        await page.GotoAsync($"/w/{id}/channels");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Channels");

        // A bad account id is named; nothing is connected.
        await page.GetByTestId("connect-kind").SelectOptionAsync("whatsapp");
        await page.GetByTestId("connect-name").FillAsync("Batik WhatsApp");
        await page.GetByTestId("connect-account").FillAsync("not-a-number");
        await page.GetByTestId("connect-access-token").FillAsync("EAAG-browser");
        await page.GetByTestId("connect-app-secret").FillAsync(AppSecret);
        await page.GetByTestId("connect-submit").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=channels-error][data-error-code=channel_account_invalid]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("channel")).ToHaveCountAsync(0);

        await page.GetByTestId("connect-account").FillAsync(PhoneNumberId);
        await page.GetByTestId("connect-access-token").FillAsync("EAAG-browser");
        await page.GetByTestId("connect-app-secret").FillAsync(AppSecret);
        await page.GetByTestId("connect-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("channel-created")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("secret-verify_token")).Not.ToBeEmptyAsync();
        var webhook = await page.GetByTestId("created-webhook").InnerTextAsync();
        await Assertions.Expect(page.Locator("[data-testid=channel][data-kind=whatsapp]")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "channels-en.png"), FullPage = true });

        // The customer writes on WhatsApp; Meta signs and delivers the webhook.
        using (var meta = new HttpClient())
        {
            var body = Encoding.UTF8.GetBytes(Layan.Features.Channels.StandIn.ProviderStandIn.WhatsAppText(
                PhoneNumberId, "6281399990000", "Dewi", "wamid.browser1", "Apakah batik tulis ini ready?", app.Clock.GetUtcNow()));
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = content };
            request.Headers.TryAddWithoutValidation(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(AppSecret, body));
            (await meta.SendAsync(request, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        }

        // In Indonesian: the conversation is in the inbox, marked WhatsApp; the answer goes out and shows "Terkirim".
        await page.GotoAsync($"/w/{id}/inbox?view=all");
        await page.GetByTestId("language-select").SelectOptionAsync("id");
        var row = page.GetByTestId("conversation").First;
        for (var tries = 0; tries < 40 && await page.GetByTestId("conversation").CountAsync() == 0; tries++)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken); // the inbound runner picks the webhook up
            await page.ReloadAsync();
        }
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.GetByTestId("channel")).ToHaveTextAsync("WhatsApp");
        await Assertions.Expect(page.GetByTestId("message").First).ToContainTextAsync("batik tulis");
        await page.GetByTestId("reply-body").FillAsync("Ready kak, stok 3");
        await page.GetByTestId("reply-send").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=delivery][data-delivery=sent]")).ToHaveTextAsync("Terkirim", new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "inbox-whatsapp-id.png"), FullPage = true });
        var conversationUrl = page.Url;

        // In Spanish: Login with Facebook, through the dialog, choose the Page with comments and Instagram, Enable.
        app.StandIn.Pages.Add(new Layan.Features.Channels.StandIn.StandInPage("330011223344", "Wulan Batik Page", "EAAB-page-browser", "17841400009999"));
        await page.GotoAsync($"/w/{id}/channels");
        await page.GetByTestId("language-select").SelectOptionAsync("es");
        await page.GetByTestId("facebook-login").ClickAsync();
        var granted = page.Locator("[data-testid=facebook-page][data-page='330011223344']");
        await Assertions.Expect(granted).ToContainTextAsync("Wulan Batik Page");
        await granted.GetByTestId("page-comments").CheckAsync();
        await granted.GetByTestId("page-instagram").CheckAsync();
        await page.GetByTestId("facebook-confirm").CheckAsync();
        await page.GetByTestId("facebook-enable").ClickAsync();
        await Assertions.Expect(page.GetByTestId("channels-done")).ToHaveTextAsync("Los canales elegidos están conectados.");
        await Assertions.Expect(page.Locator("[data-testid=channel][data-kind=facebook]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=channel][data-kind=instagram]")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "channels-facebook-es.png"), FullPage = true });

        // A day and more later the customer has not written again: only templates.
        app.Clock.Advance(TimeSpan.FromHours(25));
        await Steps.LogInAsync(page, Email, Password);
        await page.GotoAsync(conversationUrl);
        await Assertions.Expect(page.GetByTestId("window-closed")).ToBeVisibleAsync();
        await page.GetByTestId("template-name").FillAsync("pesanan_siap");
        await page.GetByTestId("template-language").FillAsync("id");
        await page.GetByTestId("template-parameters").FillAsync("Dewi, INV-77");
        await page.GetByTestId("template-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("content-kind").Last).ToHaveTextAsync("Plantilla");
    }
}
