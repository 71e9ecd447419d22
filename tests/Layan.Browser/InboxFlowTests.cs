using Layan.Browser.Support;
using Microsoft.Playwright;

namespace Layan.Browser;

// Covers HLP-4's widget and INB-1/INB-2 live, in two Chromium contexts: a visitor on a shop's own
// site (another origin) chats in Indonesian through the one-tag widget; the agent's inbox (English)
// shows the conversation without a reload, the agent takes it and replies, writes a private note
// the visitor never sees, hears the chosen sound for the visitor's next message, transfers it to a
// colleague (INB-6) whose Spanish inbox shows it under Mine live, takes it back, and resolves.
public sealed class InboxFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "sari@example.com";
    private const string Password = "violet tandem harbor 42";
    private const string ColleagueEmail = "lucia@example.com";

    [Fact]
    public async Task A_visitor_chats_through_the_widget_and_the_agent_answers_live()
    {
        var agent = await app.NewPageAsync("en-US");
        await Steps.RegisterAndVerifyAsync(agent, "Sari Wijaya", Email, Password, "en", "Your Layan code");
        var id = await app.CreateActiveWorkspaceAsync(Email, "Toko Sari");
        await agent.GotoAsync($"/w/{id}/inbox?view=all");
        await agent.GetByTestId("presence").SelectOptionAsync("online");
        await agent.GetByTestId("presence-save").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("presence")).ToHaveValueAsync("online");
        await Assertions.Expect(agent.Locator("[data-inbox]")).ToHaveAttributeAsync("data-live", "open");

        var visitor = await app.NewPageAsync("id-ID");
        var shop = $"<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Toko Sari</title></head><body><h1>Toko Sari</h1>" +
                   $"<script src=\"{app.BaseAddress}widget.js\" data-workspace=\"{id}\" async></script></body></html>";
        // Another origin than Layan's, as a customer's site is.
        const string shopUrl = "http://toko-sari.test/";
        await visitor.RouteAsync(shopUrl + "**", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html; charset=utf-8", Body = shop }));
        await visitor.GotoAsync(shopUrl);
        await visitor.GetByTestId("launcher").ClickAsync();
        await visitor.GetByTestId("prechat-name").FillAsync("Citra");
        await visitor.GetByTestId("prechat-message").FillAsync("Apakah paket saya sudah dikirim?");
        await visitor.GetByTestId("prechat-start").ClickAsync();
        await Assertions.Expect(visitor.GetByTestId("message")).ToHaveCountAsync(1);

        // The inbox shows it without a reload.
        var conversation = agent.GetByTestId("conversation");
        await Assertions.Expect(conversation).ToHaveCountAsync(1);
        await Assertions.Expect(conversation).ToContainTextAsync("Citra");
        await conversation.GetByRole(AriaRole.Link).ClickAsync();
        await agent.GetByTestId("take").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("assignee")).ToHaveTextAsync("Sari Wijaya");
        await agent.GetByTestId("reply-body").FillAsync("Halo Citra, paketnya dikirim hari ini.");
        await agent.GetByTestId("reply-send").ClickAsync();
        await agent.GetByTestId("reply-body").FillAsync("Check the courier tomorrow");
        await agent.GetByTestId("reply-note").CheckAsync();
        await agent.GetByTestId("reply-send").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("message")).ToHaveCountAsync(3);

        var fromAgent = visitor.Locator("[data-testid=message][data-kind=agent]");
        await Assertions.Expect(fromAgent).ToHaveCountAsync(1);
        await Assertions.Expect(fromAgent).ToContainTextAsync("paketnya dikirim hari ini");
        await Assertions.Expect(visitor.GetByTestId("log")).Not.ToContainTextAsync("courier");
        await visitor.GetByTestId("composer").FillAsync("Terima kasih!");
        await visitor.GetByTestId("send").ClickAsync();

        await Assertions.Expect(agent.GetByTestId("thread")).ToContainTextAsync("Terima kasih!");
        await Assertions.Expect(agent.Locator("[data-inbox]")).ToHaveAttributeAsync("data-last-sound", "chime");
        await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "inbox-en.png"), FullPage = true });
        await visitor.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "widget-id.png"), FullPage = true });

        // INB-6: transferred to a colleague (in Spanish, online in her own inbox), who sees it arrive under Mine without a reload.
        var colleague = await app.NewPageAsync("es-ES");
        await Steps.RegisterAndVerifyAsync(colleague, "Lucía Pérez", ColleagueEmail, Password, "es", "Su código de Layan");
        await app.AddMemberAsync(id, ColleagueEmail, "agent");
        await colleague.GotoAsync($"/w/{id}/inbox?view=mine");
        await colleague.GetByTestId("presence").SelectOptionAsync("online");
        await colleague.GetByTestId("presence-save").ClickAsync();
        await Assertions.Expect(colleague.Locator("[data-inbox]")).ToHaveAttributeAsync("data-live", "open");
        await Assertions.Expect(colleague.GetByTestId("conversation")).ToHaveCountAsync(0);
        await agent.ReloadAsync(); // the team list of the transfer form now has her
        await agent.GetByTestId("assign-select").SelectOptionAsync(new SelectOptionValue { Label = "Lucía Pérez" });
        await agent.GetByTestId("assign-save").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("assignee")).ToHaveTextAsync("Lucía Pérez");
        await Assertions.Expect(colleague.GetByTestId("conversation")).ToHaveCountAsync(1);
        await Assertions.Expect(colleague.GetByTestId("conversation")).ToContainTextAsync("Citra");
        await agent.GetByTestId("take").ClickAsync(); // and back, to finish it here
        await Assertions.Expect(agent.GetByTestId("assignee")).ToHaveTextAsync("Sari Wijaya");

        await agent.GetByTestId("status-select").SelectOptionAsync("resolved");
        await agent.GetByTestId("status-save").ClickAsync();
        await Assertions.Expect(agent.GetByTestId("status")).ToHaveAttributeAsync("data-status", "resolved");
        await Assertions.Expect(visitor.GetByTestId("notice")).ToHaveTextAsync("Percakapan ini telah diselesaikan; tulis lagi untuk membukanya kembali");
    }
}
