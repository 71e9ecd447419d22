using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Tickets;

// Covers TKT-1 (prefix, numbers unique under concurrency, fields, filters, timeline), TKT-2
// (Converse as Ticket, off when the feature lapses), TKT-4 (Ticket Access), TKT-5 (blacklist,
// resolved at once), TKT-6 (deadlines on the ticket: warning and breach once, pause while pending
// the customer, resume on the customer's reply, recount on a calendar edit), the Ticket feature's
// gate, bad input answered with ProblemDetails that change nothing, and no access across workspaces.
public sealed partial class TicketTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";
    private const string Eve = "eve@example.com";

    private static readonly long[] JustOne = [1];
    private static readonly long[] OneAndTwo = [1, 2];
    private static readonly long[] OneToThreeAnd99 = [1, 2, 3, 99];
    private static readonly string[] AgentOnly = ["agent"];
    private static readonly string[] NoSuchRole = ["janitor"];
    private static readonly string[] BadHoliday = ["2025-13-01"];
    private static readonly string[] WorkingDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, Ct);

    /// <summary>Ana's active workspace with the Ticket feature, on its own node; disposing stops the node.</summary>
    private sealed record TicketWorkspace(LayanApp App, HttpClient Ana, Guid Id) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Ana.Dispose();
            await App.DisposeAsync();
        }
    }

    private static async Task<TicketWorkspace> WorkspaceWithTicketsAsync(TestDatabase database)
    {
        var app = new LayanApp(database, LayanApp.ManualTimers);
        var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.SubscribeAsync(id, "ticket");
        return new TicketWorkspace(app, ana, id);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Tickets_carry_the_prefix_change_with_a_timeline_and_filter_on_the_server(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { prefix = "acme" }, Ct));

        var first = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Printer on fire", priority = "high", severity = 2 }));
        var second = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Invoice question" }));
        first.GetProperty("summary").GetProperty("key").GetString().ShouldBe("ACME-000001");
        second.GetProperty("summary").GetProperty("key").GetString().ShouldBe("ACME-000002");
        second.GetProperty("summary").GetProperty("priority").GetString().ShouldBe("medium");

        var changed = await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/1", new { status = "in_progress", priority = "urgent" }));
        var entry = changed.GetProperty("timeline").EnumerateArray().Last();
        entry.GetProperty("kind").GetString().ShouldBe("changed");
        entry.GetProperty("actorName").GetString().ShouldNotBeNullOrEmpty();
        entry.GetProperty("data").GetProperty("before").GetProperty("status").GetString().ShouldBe("open");
        entry.GetProperty("data").GetProperty("after").GetProperty("priority").GetString().ShouldBe("urgent");

        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?status=in_progress", Ct))).GetProperty("total").GetInt32().ShouldBe(1);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?priority=medium", Ct))).GetProperty("items")[0].GetProperty("number").GetInt64().ShouldBe(2);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?q=ACME-000002", Ct))).GetProperty("total").GetInt32().ShouldBe(1);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?q=fire", Ct))).GetProperty("items")[0].GetProperty("number").GetInt64().ShouldBe(1);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?assignee=me", Ct))).GetProperty("total").GetInt32().ShouldBe(0);

        // Bad input: every wrong field named, nothing written.
        var bad = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = " ", priority = "asap", severity = 9, assigneeId = Guid.NewGuid() });
        var problem = await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["subject", "priority", "severity", "assigneeId"], ignoreOrder: true);
        var badPatch = await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/2", new { status = "done", subject = "Still fine" });
        (await badPatch.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("ticket_status_invalid");
        var unchanged = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct));
        unchanged.GetProperty("summary").GetProperty("subject").GetString().ShouldBe("Invoice question");
        unchanged.GetProperty("timeline").GetArrayLength().ShouldBe(1);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(2);
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { prefix = "1-bad" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/99", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Tickets_made_at_once_never_share_a_number(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;

        var made = await Task.WhenAll(Enumerable.Range(1, 20).Select(async n =>
            await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = $"Ticket {n}" }))));

        made.Select(t => t.GetProperty("summary").GetProperty("number").GetInt64()).Order().ShouldBe(Enumerable.Range(1, 20).Select(n => (long)n));
    }

    [Fact]
    public async Task Saved_views_are_each_member_s_own_or_shared_by_a_manager_and_bulk_changes_check_first_then_apply_ticket_by_ticket()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        var benId = await ana.UserIdAsync(id, Ben);
        for (var n = 1; n <= 3; n++)
        {
            await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = $"Ticket {n}", priority = n == 3 ? "high" : "medium" }));
        }

        var view = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Urgent work", priority = "high", status = "active" }));
        view.GetProperty("filter").GetProperty("priority").GetString().ShouldBe("high");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Urgent work" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Bad", status = "someday" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SuccessAssertions.OkAsync(await ben.GetAsync($"/api/v1/workspaces/{id}/tickets/views", Ct))).GetArrayLength().ShouldBe(0, "views are their owner's");
        (await ben.DeleteAsync($"/api/v1/workspaces/{id}/tickets/views/{view.GetProperty("id").GetGuid()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/views", Ct))).GetArrayLength().ShouldBe(1);
        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Long", search = new string('x', 201) })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe("search_too_long");

        // Shared with the workspace by its Administrator: Ben reads it ("mine" in it is Ben), but may neither share one nor delete it.
        var shared = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Team queue", assignee = "me", shared = true }));
        var seen = (await SuccessAssertions.OkAsync(await ben.GetAsync($"/api/v1/workspaces/{id}/tickets/views", Ct))).EnumerateArray().Single();
        (seen.GetProperty("name").GetString(), seen.GetProperty("shared").GetBoolean(), seen.GetProperty("mine").GetBoolean()).ShouldBe(("Team queue", true, false));
        (await (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Mine for all", shared = true })).ShouldBeProblemAsync(HttpStatusCode.Forbidden))
            .GetProperty("code").GetString().ShouldBe("view_share_denied");
        (await ben.DeleteAsync($"/api/v1/workspaces/{id}/tickets/views/{shared.GetProperty("id").GetGuid()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Team queue", shared = true })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await SuccessAssertions.OkAsync(await ben.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Mine alone" }))).GetProperty("mine").GetBoolean().ShouldBeTrue();
        (await SuccessAssertions.OkAsync(await ben.GetAsync($"/api/v1/workspaces/{id}/tickets/views", Ct))).EnumerateArray().Select(v => v.GetProperty("name").GetString())
            .ShouldBe(["Mine alone", "Team queue"], "my own first, then the shared ones");
        (await ana.DeleteAsync($"/api/v1/workspaces/{id}/tickets/views/{shared.GetProperty("id").GetGuid()}", Ct)).EnsureSuccessStatusCode();
        (await SuccessAssertions.OkAsync(await ben.GetAsync($"/api/v1/workspaces/{id}/tickets/views", Ct))).GetArrayLength().ShouldBe(1);

        // A malformed change touches nothing.
        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/bulk", new { numbers = OneAndTwo, status = "done" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe("ticket_status_invalid");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/bulk", new { numbers = Array.Empty<long>(), status = "resolved" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?status=open", Ct))).GetProperty("total").GetInt32().ShouldBe(3);

        // Resolve 1 and 2 as Ana; then Ben (an agent, who may not edit resolved tickets) tries all three and an unknown one.
        var done = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/bulk", new { numbers = OneAndTwo, status = "resolved", assigneeId = benId }));
        done.GetProperty("changed").EnumerateArray().Select(n => n.GetInt64()).ShouldBe([1L, 2L]);
        var mixed = await SuccessAssertions.OkAsync(await ben.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/bulk", new { numbers = OneToThreeAnd99, status = "in_progress" }));
        mixed.GetProperty("changed").EnumerateArray().Select(n => n.GetInt64()).ShouldBe([3L]);
        mixed.GetProperty("failed").EnumerateArray().Select(f => (f.GetProperty("number").GetInt64(), f.GetProperty("code").GetString()))
            .ShouldBe([(99L, "ticket_unknown"), (1L, "ticket_access_denied"), (2L, "ticket_access_denied")], ignoreOrder: true);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).GetProperty("summary").GetProperty("assigneeId").GetGuid().ShouldBe(benId);
    }

    [Fact]
    public async Task Without_the_Ticket_feature_no_ticket_is_made_and_settings_stay_locked()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Hello" })).ShouldBeProblemAsync(HttpStatusCode.PaymentRequired))
            .GetProperty("code").GetString().ShouldBe("ticket_feature_required");
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { inboundAsTicket = true }, Ct)).StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "x@example.com" })).StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Inbound_conversations_become_tickets_blacklisted_senders_resolved_at_once_and_none_once_the_feature_lapses()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        using var visitor = app.Browser();
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { inboundAsTicket = true, autoCloseBlacklisted = true }, Ct));
        var listed = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "  Spam@Example.com " }));
        listed.GetProperty("value").GetString().ShouldBe("spam@example.com");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "spam@example.com" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "not a phone" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe("blacklist_value_invalid");

        var chat = await visitor.StartChatAsync(id, "My   parcel never arrived, order 5512");
        var spam = await visitor.StartChatAsync(id, "Buy cheap followers", new { email = "spam@example.com" });

        var tickets = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct));
        tickets.GetProperty("total").GetInt32().ShouldBe(2);
        var real = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        real.GetProperty("summary").GetProperty("subject").GetString().ShouldBe("My parcel never arrived, order 5512");
        real.GetProperty("conversationIds").EnumerateArray().Single().GetGuid().ShouldBe(chat.ConversationId);
        real.GetProperty("summary").GetProperty("status").GetString().ShouldBe("open");
        var closed = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct));
        closed.GetProperty("summary").GetProperty("status").GetString().ShouldBe("resolved");
        closed.GetProperty("summary").GetProperty("autoClosedReason").GetString().ShouldBe("blacklisted");
        closed.GetProperty("conversationIds").EnumerateArray().Single().GetGuid().ShouldBe(spam.ConversationId);
        (await visitor.AsVisitorAsync(spam, HttpMethod.Post, "messages", new { body = "Buy even more" })).EnsureSuccessStatusCode();
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct))).GetProperty("summary").GetProperty("status").GetString()
            .ShouldBe("resolved", "the blacklisted sender writing again does not reopen it");

        // The feature lapses: the setting is remembered but not in effect; no ticket for the next chat.
        (await ana.PostAsync($"/api/v1/workspaces/{id}/subscriptions/ticket/cancel", null, Ct)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(32));
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();
        var settings = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/settings/tickets", Ct));
        settings.GetProperty("inboundAsTicket").GetBoolean().ShouldBeTrue();
        settings.GetProperty("inboundInEffect").GetBoolean().ShouldBeFalse();
        await visitor.StartChatAsync(id, "Another question");
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Ticket_access_decides_which_roles_edit_tickets_in_progress_and_resolved_ones()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zipper" }));

        await SuccessAssertions.OkAsync(await PatchAsync(ben, $"/api/v1/workspaces/{id}/tickets/1", new { status = "resolved" }));
        var refused = await PatchAsync(ben, $"/api/v1/workspaces/{id}/tickets/1", new { status = "open" });
        (await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().ShouldBe("ticket_access_denied");
        (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/1/comments", new { body = "hm", @public = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ben.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { editResolvedRoles = AgentOnly }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { editResolvedRoles = NoSuchRole }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { editResolvedRoles = AgentOnly, editInProgressRoles = Array.Empty<string>() }, Ct));
        var reopened = await SuccessAssertions.OkAsync(await PatchAsync(ben, $"/api/v1/workspaces/{id}/tickets/1", new { status = "in_progress" }));
        reopened.GetProperty("summary").GetProperty("status").GetString().ShouldBe("in_progress");
        (await PatchAsync(ben, $"/api/v1/workspaces/{id}/tickets/1", new { priority = "low" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/1", new { priority = "low" }));
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Deadlines_warn_and_breach_once_pause_while_pending_the_customer_and_resume_on_their_reply(Provider provider)
    {
        // The clock starts on Monday 2026-11-23 09:00 UTC.
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        using var visitor = app.Browser();
        var calendar = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = Weekdays("09:00", "17:00"), holidays = Array.Empty<string>() },
        }));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new
        {
            name = "Standard",
            calendarId = calendar.GetProperty("id").GetGuid(),
            targets = new object[]
            {
                new { target = "first_response", amount = 2, unit = "hours" },
                new { target = "next_response", amount = 1, unit = "businessHours" },
                new { target = "resolve", amount = 8, unit = "businessHours" },
            },
            warnMinutes = 30,
            isDefault = true,
        }));
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { inboundAsTicket = true }, Ct));
        var chat = await visitor.StartChatAsync(id, "Where is my refund?");
        var ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Due(ticket, "first_response").ShouldBe(At(23, 11, 0));
        Due(ticket, "resolve").ShouldBe(At(23, 17, 0));

        await LaterAsync(app, ana, TimeSpan.FromMinutes(91)); // 10:31, past the warning at 10:30
        await LaterAsync(app, ana, TimeSpan.FromMinutes(30)); // 11:01, past the due
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Kinds(ticket).Count(k => k == "sla_warning").ShouldBe(1);
        Kinds(ticket).Count(k => k == "sla_breached").ShouldBe(1);
        ticket.GetProperty("summary").GetProperty("breached").GetBoolean().ShouldBeTrue();
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets?breached=true", Ct))).GetProperty("total").GetInt32().ShouldBe(1);
        // Nobody has the ticket: its Administrator hears of the breach by email, once.
        (await app.EmailsToAsync(Ana)).Count(m => m.Subject == "SLA breached: CS-000001 in Toko Ana").ShouldBe(1);

        // The agent answers in the conversation: the first response is met (late; the breach stays).
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/messages", new { body = "Looking into it", note = false })).EnsureSuccessStatusCode();
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Clock(ticket, "first_response").GetProperty("metAt").ValueKind.ShouldBe(JsonValueKind.String);
        Clock(ticket, "first_response").GetProperty("breachedAt").ValueKind.ShouldBe(JsonValueKind.String);

        // Pending the customer from 11:01 to 13:01: the resolve clock holds, then runs two hours later.
        await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/1", new { status = "pending_customer" }));
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Clock(ticket, "resolve").GetProperty("paused").GetBoolean().ShouldBeTrue();
        Clock(ticket, "resolve").GetProperty("dueAt").ValueKind.ShouldBe(JsonValueKind.Null);
        await LaterAsync(app, ana, TimeSpan.FromHours(2));
        (await visitor.AsVisitorAsync(chat, HttpMethod.Post, "messages", new { body = "Here is the receipt" })).EnsureSuccessStatusCode();
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        ticket.GetProperty("summary").GetProperty("status").GetString().ShouldBe("in_progress");
        Due(ticket, "resolve").ShouldBe(At(24, 11, 0)); // 8 business hours with 2 held: Tuesday 11:00
        Clock(ticket, "next_response").GetProperty("cycle").GetInt32().ShouldBe(1);
        Due(ticket, "next_response").ShouldBe(At(23, 14, 1));

        // Editing the calendar counts the open clocks again: opening at 08:00 moves the resolve due an hour earlier.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/calendars/{calendar.GetProperty("id").GetGuid()}", new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = Weekdays("08:00", "17:00"), holidays = Array.Empty<string>() },
        }, Ct));
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Due(ticket, "resolve").ShouldBe(At(24, 10, 0));

        // Editing the policy counts again too: without a next-response line that clock stops; resolve in 9 hours moves on by one.
        var policyId = (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/policies", Ct)))[0].GetProperty("id").GetGuid();
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/policies/{policyId}", new
        {
            name = "Standard",
            calendarId = calendar.GetProperty("id").GetGuid(),
            targets = new object[] { new { target = "first_response", amount = 2, unit = "hours" }, new { target = "resolve", amount = 9, unit = "businessHours" } },
            warnMinutes = 30,
            isDefault = true,
        }, Ct));
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Due(ticket, "resolve").ShouldBe(At(24, 11, 0));
        Clock(ticket, "next_response").GetProperty("stopped").GetBoolean().ShouldBeTrue();

        // Resolved: the resolve clock is met and its breach timer is gone.
        await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/1", new { status = "resolved" }));
        await LaterAsync(app, ana, TimeSpan.FromDays(2));
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Kinds(ticket).Count(k => k == "sla_breached").ShouldBe(1);
        Clock(ticket, "resolve").GetProperty("metAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_department_s_own_calendar_counts_for_its_tickets_and_moving_a_ticket_counts_again(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await ana.SubscribeAsync(id, "department");
        var night = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Night desk" }))).GetProperty("id").GetGuid();
        var calendar = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Evenings",
            calendar = new { timeZone = "Etc/UTC", hours = Weekdays("18:00", "24:00") },
        }))).GetProperty("id").GetGuid();
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new
        {
            name = "24x7",
            isDefault = true,
            targets = new[] { new { target = "resolve", amount = 2, unit = "businessHours" } },
        }));
        var dayTicket = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "By day" }));
        Due(dayTicket, "resolve").ShouldBe(At(23, 11, 0)); // 24x7: two hours from Monday 09:00

        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/department-calendars/{night}", new { calendarId = Guid.NewGuid() }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/department-calendars/{night}", new { calendarId = calendar }, Ct));
        var nightTicket = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "By night", departmentId = night }));
        Due(nightTicket, "resolve").ShouldBe(At(23, 20, 0)); // the evening calendar opens at 18:00
        Due(await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/1", new { departmentId = night })), "resolve").ShouldBe(At(23, 20, 0));
        (await ana.DeleteAsync($"/api/v1/workspaces/{id}/sla/calendars/{calendar}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, Eve);
        var own = await app.ActiveWorkspaceAsync(eve, Eve, "Toko Eve");
        await eve.SubscribeAsync(own, "ticket");
        (await eve.PutAsJsonAsync($"/api/v1/workspaces/{own}/sla/department-calendars/{night}", new { calendarId = (Guid?)null }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.GetAsync($"/api/v1/workspaces/{id}/sla/department-calendars", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Back to the policy's clock: both tickets count 24x7 again.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/department-calendars/{night}", new { calendarId = (Guid?)null }, Ct));
        Due(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct)), "resolve").ShouldBe(At(23, 11, 0));
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/department-calendars", Ct))).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Calendars_and_policies_refuse_bad_input_by_field_and_change_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;

        var badCalendar = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Office",
            calendar = new { timeZone = "Mars/Olympus", hours = new[] { new { day = "Monday", open = "09:00", close = "17:00" }, new { day = "Monday", open = "16:00", close = "18:00" } }, holidays = BadHoliday },
        });
        (await badCalendar.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name)
            .ShouldBe(["calendar.timeZone", "calendar.hours[1]", "calendar.holidays[0]"], ignoreOrder: true);
        var badPolicy = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new
        {
            name = "",
            calendarId = Guid.NewGuid(),
            targets = new object[] { new { target = "lunch", amount = 1, unit = "hours" }, new { target = "resolve", amount = 0, unit = "fortnights", severity = 7 } },
            warnMinutes = -1,
        });
        (await badPolicy.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name)
            .ShouldBe(["name", "calendarId", "targets[0].target", "targets[1].severity", "targets[1].amount", "targets[1].unit", "warnMinutes"], ignoreOrder: true);
        // Too much to store is refused before it reaches the database (a pasted list of 1,001 holidays, 101 lines).
        var holidays = Enumerable.Range(0, 1001).Select(d => new DateOnly(2026, 1, 1).AddDays(d).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new { name = "Big", calendar = new { timeZone = "Etc/UTC", hours = Weekdays("09:00", "17:00"), holidays } }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("sla_too_large");
        var lines = Enumerable.Range(0, 101).Select(_ => new { target = "resolve", amount = 1, unit = "hours" }).ToArray();
        (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new { name = "Long", targets = lines })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe("sla_too_large");
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/calendars", Ct))).GetArrayLength().ShouldBe(0);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/policies", Ct))).GetArrayLength().ShouldBe(0);

        var template = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/template", Ct));
        var care = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new { name = "CARE", targets = template, isDefault = true }));
        care.GetProperty("targets").GetArrayLength().ShouldBe(5);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new { name = "CARE", targets = template })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var sev1 = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Everything is down", severity = 1 }));
        Due(sev1, "first_response").ShouldBe(At(23, 9, 10));
        Due(sev1, "restore").ShouldBe(At(23, 13, 0));
        var sev4 = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Typo on a page", severity = 4 }));
        sev4.GetProperty("clocks").EnumerateArray().Select(c => c.GetProperty("target").GetString()).ShouldBe(["first_response"]);
        var madeResolved = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Fixed on the phone", severity = 1, status = "resolved" }));
        madeResolved.GetProperty("clocks").EnumerateArray().ShouldAllBe(c => c.GetProperty("metAt").ValueKind == JsonValueKind.String || c.GetProperty("stopped").GetBoolean());

        // Severity 4 → 2: the restore target now applies and runs from the ticket's creation (24x7: 2 × 24 hours).
        var raised = await SuccessAssertions.OkAsync(await PatchAsync(ana, $"/api/v1/workspaces/{id}/tickets/2", new { severity = 2 }));
        Due(raised, "restore").ShouldBe(At(25, 9, 0));
    }

    [Fact]
    public async Task Another_workspace_sees_none_of_the_tickets_settings_calendars_or_policies()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        var calendar = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Office",
            calendar = new { timeZone = "Asia/Jakarta", hours = Weekdays("09:00", "17:00") },
        }));
        var policy = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new { name = "P", targets = new[] { new { target = "resolve", amount = 1, unit = "businessDays" } } }));
        var entry = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "+6281234567890" }));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Ana's ticket" }));
        var view = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/views", new { name = "Everyone's", shared = true }));

        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, Eve);
        var own = await app.ActiveWorkspaceAsync(eve, Eve, "Toko Eve");
        await eve.SubscribeAsync(own, "ticket");
        foreach (var path in new[] { "tickets", "tickets/1", "tickets/views", "settings/tickets", "settings/tickets/blacklist", "sla/calendars", "sla/policies" })
        {
            (await eve.GetAsync($"/api/v1/workspaces/{id}/{path}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
        (await PatchAsync(eve, $"/api/v1/workspaces/{id}/tickets/1", new { subject = "mine now" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PostJsonAsync($"/api/v1/workspaces/{id}/tickets/bulk", new { numbers = JustOne, status = "closed" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var ownBulk = await SuccessAssertions.OkAsync(await eve.PostJsonAsync($"/api/v1/workspaces/{own}/tickets/bulk", new { numbers = JustOne, status = "closed" }));
        ownBulk.GetProperty("failed")[0].GetProperty("code").GetString().ShouldBe("ticket_unknown"); // Ana's ticket 1 is not Eve's
        // Through her own workspace, Ana's items by id are not there either.
        (await eve.GetAsync($"/api/v1/workspaces/{own}/tickets/1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PutAsJsonAsync($"/api/v1/workspaces/{own}/sla/calendars/{calendar.GetProperty("id").GetGuid()}", new { name = "X", calendar = new { timeZone = "Etc/UTC", hours = Weekdays("09:00", "10:00") } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PutAsJsonAsync($"/api/v1/workspaces/{own}/sla/policies/{policy.GetProperty("id").GetGuid()}", new { name = "X", targets = Array.Empty<object>() }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.DeleteAsync($"/api/v1/workspaces/{own}/settings/tickets/blacklist/{entry.GetProperty("id").GetGuid()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // A view shared in Ana's workspace is shared there only.
        (await SuccessAssertions.OkAsync(await eve.GetAsync($"/api/v1/workspaces/{own}/tickets/views", Ct))).GetArrayLength().ShouldBe(0);
        (await eve.DeleteAsync($"/api/v1/workspaces/{own}/tickets/views/{view.GetProperty("id").GetGuid()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PostJsonAsync($"/api/v1/workspaces/{own}/tickets", new { subject = "x", policyId = policy.GetProperty("id").GetGuid() })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Numbers are per workspace: Eve's first ticket is number 1 too, and Ana's stays hers.
        (await SuccessAssertions.OkAsync(await eve.PostJsonAsync($"/api/v1/workspaces/{own}/tickets", new { subject = "Eve's ticket" }))).GetProperty("summary").GetProperty("number").GetInt64().ShouldBe(1);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).GetProperty("summary").GetProperty("subject").GetString().ShouldBe("Ana's ticket");
    }

    // Time passes, due timers run, and (an idle hour having ended the session) Ana signs in again.
    [Fact]
    public async Task A_warning_switched_off_or_moved_closer_after_the_timer_was_set_follows_the_policy_as_it_is_now()
    {
        // The clock starts on Monday 2026-11-23 09:00 UTC; first response due at 11:00, warned 60 minutes before.
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        var calendar = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = Weekdays("09:00", "17:00"), holidays = Array.Empty<string>() },
        }));
        object Policy(int warn) => new
        {
            name = "Standard",
            calendarId = calendar.GetProperty("id").GetGuid(),
            targets = new object[] { new { target = "first_response", amount = 2, unit = "hours" } },
            warnMinutes = warn,
            isDefault = true,
        };
        var policy = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", Policy(60)));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zip" }));

        // Closer: 15 minutes before the due. The old timer (10:00) fires and waits for 10:45.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/policies/{policy.GetProperty("id").GetGuid()}", Policy(15), Ct));
        await LaterAsync(app, ana, TimeSpan.FromMinutes(61)); // 10:01
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).ShouldNotContain("sla_warning");
        await LaterAsync(app, ana, TimeSpan.FromMinutes(30)); // 10:31
        await LaterAsync(app, ana, TimeSpan.FromMinutes(15)); // 10:46
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).Count(k => k == "sla_warning").ShouldBe(1);

        // Off: no warning at all for a ticket whose timer was set before.
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Wrong size" }));
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/policies/{policy.GetProperty("id").GetGuid()}", Policy(0), Ct));
        for (var step = 0; step < 5; step++)
        {
            await LaterAsync(app, ana, TimeSpan.FromMinutes(22)); // to 12:36, past its 12:31 warning and before its 12:46 due
        }
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/3", Ct))).ShouldNotContain("sla_warning");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_warning_switched_on_later_warns_open_tickets_by_email_and_each_reader_may_switch_sla_emails_off(Provider provider)
    {
        // Monday 2026-11-23 09:00 UTC; first response due at 11:00. No warning when the tickets are made.
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        object Policy(int warn) => new
        {
            name = "Standard",
            targets = new object[] { new { target = "first_response", amount = 2, unit = "hours" } },
            warnMinutes = warn,
            isDefault = true,
        };
        var policy = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", Policy(0)))).GetProperty("id").GetGuid();
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));

        // Switched on (30 minutes): the open ticket gets a warning timer at 10:30; then brought earlier (90): 09:30.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/policies/{policy}", Policy(30), Ct));
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/policies/{policy}", Policy(90), Ct));
        await LaterAsync(app, ana, TimeSpan.FromMinutes(31)); // 09:31
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).Count(k => k == "sla_warning").ShouldBe(1);
        // Nobody has the ticket: its Administrator hears of the near breach by email, once.
        var warned = (await app.EmailsToAsync(Ana)).Where(m => m.Subject == "SLA due soon: CS-000001 in Toko Ana").ToList();
        warned.Count.ShouldBe(1);
        warned[0].TextBody.ShouldContain("due in 89 min.");

        // Ana switches SLA breach emails off: the breach is recorded and told live, but not emailed.
        var me = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/presence", Ct));
        me.GetProperty("emailOnSlaBreach").GetBoolean().ShouldBeTrue();
        me = await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/presence/preferences", new
        {
            soundOnMessage = "chime",
            soundOnAssignment = "bell",
            browserNotifications = true,
            emailOnAssignment = true,
            emailOnMention = true,
            emailOnSlaBreach = false,
        }, Ct));
        me.GetProperty("emailOnSlaBreach").GetBoolean().ShouldBeFalse();
        me.GetProperty("emailOnSlaWarning").GetBoolean().ShouldBeTrue(); // left out: kept
        await LaterAsync(app, ana, TimeSpan.FromMinutes(30));
        await LaterAsync(app, ana, TimeSpan.FromMinutes(30)); // 10:31
        await LaterAsync(app, ana, TimeSpan.FromMinutes(30)); // 11:01
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).Count(k => k == "sla_breached").ShouldBe(1);
        (await app.EmailsToAsync(Ana)).ShouldNotContain(m => m.Subject.StartsWith("SLA breached", StringComparison.Ordinal));

        // A warning whose due has passed by the time it runs (here both timers run at once, after the due) is not sent: the breach is.
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zip" }));
        await LaterAsync(app, ana, TimeSpan.FromMinutes(121));
        var late = Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct))).ToList();
        (late.Count(k => k == "sla_breached"), late.Count(k => k == "sla_warning")).ShouldBe((1, 0));
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_runs_of_one_breach_timer_at_once_record_one_breach_one_event_and_one_email(Provider provider)
    {
        // A lease that ran out on a slow node: the same timer runs on two (here eight) at once.
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Guid clockId;
        await using (var db = app.Database.CreateContext())
        {
            clockId = await db.Set<Layan.Features.Tickets.Sla.TicketSlaClock>().IgnoreQueryFilters().Select(c => c.Id).SingleAsync(Ct);
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(id);
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            await scope.ServiceProvider.GetRequiredService<Layan.Features.Tickets.Sla.SlaEngine>().NoticeAsync(clockId, Layan.Features.Tickets.Sla.SlaEngine.BreachKind, Ct);
            // What the due-work runner does after the handler: save, and commit the handler's transaction.
            await db.SaveChangesAsync(Ct);
            await db.Database.CurrentTransaction!.CommitAsync(Ct);
        }, Ct)));
        (await app.EmailsToAsync(Ana)).Count(m => m.Subject == "SLA breached: CS-000001 in Toko Ana").ShouldBe(1);
        await (LaterAsync(app, ana, TimeSpan.Zero));
        var ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        Kinds(ticket).Count(k => k == "sla_breached").ShouldBe(1);
        await using (var db = app.Database.CreateContext())
        {
            (await db.Set<Layan.Features.Realtime.StoredEvent>().IgnoreQueryFilters().CountAsync(e => e.Type == "ticket.sla", Ct)).ShouldBe(1);
        }
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Clocks_due_at_one_instant_share_its_timer_each_breaches_at_its_own_due_and_a_timer_armed_per_clock_still_runs(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        app.Clock.Advance(TimeSpan.FromMilliseconds(100)); // 09:00:00.100
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));
        app.Clock.Advance(TimeSpan.FromMilliseconds(500)); // 09:00:00.600, the same second
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zip" }));
        var second = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        async Task<List<DueWork>> TimersAsync()
        {
            await using var db = app.Database.CreateContext();
            return await db.DueWork.Where(w => w.Kind == Layan.Features.Tickets.Sla.SlaEngine.BreachKind).ToListAsync(Ct);
        }
        var timer = (await TimersAsync()).ShouldHaveSingleItem("dues are whole seconds: one timer for the instant both fall due at");
        timer.Key.ShouldBe($"{id:N}:sla.breach:{second.ToUnixTimeSeconds()}");
        timer.DueAt.ShouldBe(second);

        // A due stored between whole seconds (as an earlier version could): the timer runs at the earliest and arms itself for the next.
        await using (var db = app.Database.CreateContext())
        {
            await db.Set<Layan.Features.Tickets.Sla.TicketSlaClock>().IgnoreQueryFilters().Where(c => c.TicketId == db.Set<Layan.Features.Tickets.Ticket>().IgnoreQueryFilters().Single(t => t.Number == 2).Id)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.DueAt, second.AddMilliseconds(600)), Ct);
        }
        await LaterAsync(app, ana, TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(600)); // 10:00:00
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct))).Count(k => k == "sla_breached").ShouldBe(1);
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct))).ShouldNotContain("sla_breached");
        timer = (await TimersAsync()).ShouldHaveSingleItem();
        (timer.State, timer.DueAt).ShouldBe((WorkState.Pending, second.AddMilliseconds(600)), "armed again for the next of its second");
        await LaterAsync(app, ana, TimeSpan.FromMilliseconds(600));
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct))).Count(k => k == "sla_breached").ShouldBe(1);
        (await TimersAsync()).ShouldHaveSingleItem().State.ShouldBe(WorkState.Completed);

        // A timer an earlier version armed for one clock (payload {"clockId": …}) notices that clock.
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Wrong size" }));
        await using (var db = app.Database.CreateContext())
        {
            var clock = await db.Set<Layan.Features.Tickets.Sla.TicketSlaClock>().IgnoreQueryFilters().Where(c => c.BreachedAt == null).SingleAsync(Ct);
            await db.DueWork.Where(w => w.Kind == Layan.Features.Tickets.Sla.SlaEngine.BreachKind && w.State == WorkState.Pending).ExecuteDeleteAsync(Ct);
            db.DueWork.Add(new DueWork
            {
                Kind = Layan.Features.Tickets.Sla.SlaEngine.BreachKind,
                Payload = JsonSerializer.Serialize(new { clockId = clock.Id }),
                Key = $"{id:N}:sla.breach:{clock.Id:N}",
                WorkspaceId = id,
                CreatedAt = app.Clock.GetUtcNow(),
                DueAt = clock.DueAt!.Value,
            });
            await db.SaveChangesAsync(Ct);
        }
        await LaterAsync(app, ana, TimeSpan.FromHours(1));
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/3", Ct))).Count(k => k == "sla_breached").ShouldBe(1);
    }

    // The default policy: first response within an hour, no warning.
    private static async Task FirstResponseInAnHourAsync(HttpClient ana, Guid id) =>
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new
        {
            name = "Standard",
            targets = new object[] { new { target = "first_response", amount = 1, unit = "hours" } },
            warnMinutes = 0,
            isDefault = true,
        }));

    private static async Task LaterAsync(LayanApp app, HttpClient ana, TimeSpan by)
    {
        app.Clock.Advance(by);
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();
    }

    private static object[] Weekdays(string open, string close) =>
        [.. WorkingDays.Select(day => new { day, open, close })];

    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    private static JsonElement Clock(JsonElement ticket, string target) =>
        ticket.GetProperty("clocks").EnumerateArray().Last(c => c.GetProperty("target").GetString() == target);

    private static DateTimeOffset Due(JsonElement ticket, string target) => Clock(ticket, target).GetProperty("dueAt").GetDateTimeOffset();

    private static IEnumerable<string?> Kinds(JsonElement ticket) => ticket.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString());
}
