using Layan.Browser.Support;
using Microsoft.Playwright;

namespace Layan.Browser;

// Covers TKT-1 and TKT-6 as an Administrator uses them in Chromium: subscribe to Ticket, save the
// CARE policy the settings page offers and a business calendar, preview a deadline on it, then (in
// Indonesian) make a Sev1 ticket, let its 10-minute first response pass (the server's clock is
// moved ahead) and watch the ticket show as breached in the list; answer it publicly.
public sealed class TicketFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Email = "tari@example.com";
    private const string Password = "copper lantern meadow 17";

    [Fact]
    public async Task Set_up_a_policy_and_calendar_preview_a_deadline_and_watch_a_ticket_breach()
    {
        var page = await app.NewPageAsync("en-US");
        await Steps.RegisterAndVerifyAsync(page, "Tari Wulandari", Email, Password, "en", "Your Layan code");
        var id = await app.CreateActiveWorkspaceAsync(Email, "Tari's Desk");
        var ticket = page.Locator("[data-testid=feature-row][data-feature=ticket]");
        await page.GotoAsync($"/w/{id}/shop");
        await ticket.GetByTestId("feature-action").ClickAsync();
        await Assertions.Expect(ticket).ToHaveAttributeAsync("data-subscribed", "true");

        // The CARE template is filled in for the first policy; saving it makes it the default.
        await page.GotoAsync($"/w/{id}/tickets/settings");
        await Assertions.Expect(page.GetByTestId("policy-targets")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("first_response sev1 10 minutes"));
        await page.GetByTestId("policy-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("settings-saved")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("policy")).ToContainTextAsync("CARE");

        await page.GetByTestId("calendar-name").FillAsync("Jakarta office");
        await page.GetByTestId("calendar-zone").FillAsync("Asia/Jakarta");
        await page.GetByTestId("calendar-holidays").FillAsync("2025-06-09");
        await page.GetByTestId("calendar-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calendar")).ToContainTextAsync("Jakarta office");

        // A bad zone is named, and nothing is saved.
        await page.GetByTestId("calendar-name").FillAsync("Nowhere");
        await page.GetByTestId("calendar-zone").FillAsync("Mars/Olympus");
        await page.GetByTestId("calendar-save").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=settings-errors] [data-error-code=time_zone_invalid]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("calendar")).ToHaveCountAsync(1);

        // The Main Department counts on the Jakarta calendar whatever the policy says.
        await page.GetByTestId("department-calendar").First.SelectOptionAsync(new SelectOptionValue { Label = "Jakarta office" });
        await page.GetByTestId("department-calendars-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("settings-saved")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("department-calendar").First.Locator("option:checked")).ToHaveTextAsync("Jakarta office");

        // Saturday 10:00 in Jakarta + 2 business days, with Monday a holiday: Wednesday 10:00 (03:00 UTC).
        await page.GetByTestId("preview-calendar").SelectOptionAsync(new SelectOptionValue { Label = "Jakarta office" });
        await page.GetByTestId("preview-start").FillAsync("2025-06-07T03:00:00Z");
        await page.GetByTestId("preview-amount").FillAsync("2");
        await page.GetByTestId("preview-unit").SelectOptionAsync("businessDays");
        await page.GetByTestId("preview-compute").ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-due")).ToContainTextAsync("2025-06-11 03:00:00Z");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "ticket-settings-en.png"), FullPage = true });

        // In Indonesian: a Sev1 ticket, its first response due in 10 minutes.
        await page.GotoAsync($"/w/{id}/tickets");
        await page.GetByTestId("language-select").SelectOptionAsync("id");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Tiket");
        await page.GetByTestId("new-subject").FillAsync("Semua pesan WhatsApp tidak masuk");
        await page.GetByTestId("new-severity").SelectOptionAsync("1");
        await page.GetByTestId("new-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ticket-key")).ToHaveTextAsync("CS-000001");
        await Assertions.Expect(page.GetByTestId("ticket-status")).ToHaveTextAsync("Terbuka");
        await Assertions.Expect(page.Locator("[data-testid=ticket-clock][data-target=first_response]")).ToContainTextAsync("Respons pertama");

        app.Clock.Advance(TimeSpan.FromMinutes(11));
        await Steps.LogInAsync(page, Email, Password); // eleven minutes on, the session may have idled out
        await page.GotoAsync($"/w/{id}/tickets");
        var row = page.Locator("[data-testid=ticket-row][data-number='1']");
        for (var tries = 0; tries < 30 && await row.GetAttributeAsync("data-breached") != "true"; tries++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken); // the timer runner polls every few seconds
            await page.ReloadAsync();
        }
        await Assertions.Expect(row).ToHaveAttributeAsync("data-breached", "true");
        await Assertions.Expect(row.GetByTestId("ticket-breached")).ToHaveTextAsync("Terlampaui");
        await page.GetByTestId("filter-breached").CheckAsync();
        await page.GetByTestId("filter-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ticket-row")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "tickets-breached-id.png"), FullPage = true });

        // A public answer meets the first response (late: the breach stays on the timeline).
        await row.GetByTestId("ticket-link").ClickAsync();
        await page.GetByTestId("comment-body").FillAsync("Kami sedang memeriksanya.");
        await page.GetByTestId("comment-public").CheckAsync();
        await page.GetByTestId("comment-add").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ticket-saved")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=comment]")).ToContainTextAsync("Kami sedang memeriksanya.");
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=sla_breached]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=ticket-clock][data-target=first_response]")).ToContainTextAsync("terpenuhi");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "ticket-id.png"), FullPage = true });

        // The breached filter saved as a view; then the ticket resolved from the list, in bulk.
        await page.GotoAsync($"/w/{id}/tickets?breached=true");
        await page.GetByTestId("view-save").Locator("summary").ClickAsync();
        await page.GetByTestId("view-name").FillAsync("Terlampaui saya");
        await page.GetByTestId("view-share").CheckAsync(); // the Administrator shares it with the workspace
        await page.GetByTestId("view-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("view-link")).ToHaveTextAsync("Terlampaui saya");
        await Assertions.Expect(page.GetByTestId("view-shared")).ToHaveTextAsync("bersama");
        await page.GotoAsync($"/w/{id}/tickets");
        await page.GetByTestId("view-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("filter-breached")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("tickets-empty")).ToBeVisibleAsync(); // answered: no target is breached and unmet now
        await page.GotoAsync($"/w/{id}/tickets");
        await page.GetByTestId("ticket-pick").First.CheckAsync();
        await page.GetByTestId("bulk-status").SelectOptionAsync("resolved");
        await page.GetByTestId("bulk-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-done")).ToContainTextAsync("1 diubah");
        await page.GotoAsync($"/w/{id}/tickets/1");
        await Assertions.Expect(page.GetByTestId("ticket-status")).ToHaveTextAsync("Terselesaikan");

        // In Spanish: a rule for refunds, tried on the test panel before any customer writes.
        await page.GotoAsync($"/w/{id}/tickets/rules");
        await page.GetByTestId("language-select").SelectOptionAsync("es");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Reglas para mensajes entrantes");
        await page.GetByTestId("rule-name").FillAsync("Reembolsos");
        await page.GetByTestId("rule-keywords").FillAsync("reembolso, devolución");
        await page.GetByTestId("rule-priority").SelectOptionAsync("high");
        await page.GetByTestId("rule-create-ticket").CheckAsync();
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule")).ToContainTextAsync("Reembolsos");
        await page.GetByTestId("rule-name").FillAsync("Nada");
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=rules-errors] [data-error-code=rule_actions_required]")).ToContainTextAsync("al menos una acción");
        await page.GetByTestId("test-text").FillAsync("Quiero un reembolso");
        await page.GetByTestId("test-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-fired")).ToContainTextAsync("Reembolsos");
        await page.GetByTestId("test-text").FillAsync("Hola");
        await page.GetByTestId("test-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-none")).ToBeVisibleAsync();

        // A rule on every message, tried as a later message: the refunds rule (new conversations only) stays quiet.
        await page.GetByTestId("rule-on").SelectOptionAsync("every_message");
        await page.GetByTestId("rule-name").FillAsync("Abogados");
        await page.GetByTestId("rule-keywords").FillAsync("abogado");
        await page.GetByTestId("rule-priority").SelectOptionAsync("urgent");
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule").Nth(1)).ToContainTextAsync("cada mensaje del cliente");
        await page.GetByTestId("test-follow-up").CheckAsync();
        await page.GetByTestId("test-text").FillAsync("Quiero un reembolso o llamo a mi abogado");
        await page.GetByTestId("test-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-fired")).ToContainTextAsync("Abogados");
        await Assertions.Expect(page.GetByTestId("test-fired")).Not.ToContainTextAsync("Reembolsos");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserApp.Screenshots, "ticket-rules-es.png"), FullPage = true });
    }
}
