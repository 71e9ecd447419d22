using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Tickets;

// Covers TKT-3 end to end: rules saved in order with first-match or all-match, the test panel,
// rules running on a new inbound conversation (department and queue priority on the conversation,
// a ticket with the rule's priority, severity, label and assignee, even with Converse as Ticket
// off), rules on every message acting on later messages and their tickets, bad input named by field, the Ticket feature's gate and no access across workspaces.
public sealed class RuleTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";
    private const string Eve = "eve@example.com";

    private static readonly string[] RefundWords = ["refund", "money back"];
    private static readonly string[] EmptyWord = [""];
    private static readonly string[] LawyerWords = ["lawyer"];
    private static readonly string[] ComplaintWords = ["complaint"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rules_fire_in_order_on_new_inbound_conversations_and_the_test_panel_shows_which()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.SubscribeAsync(id, "ticket");
        await ana.SubscribeAsync(id, "department");
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        var benId = await ana.UserIdAsync(id, Ben);
        var billing = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Billing" }))).GetProperty("id").GetGuid();
        var label = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "Refund", colour = "#B91C1C" }))).GetProperty("id").GetGuid();
        var rules = $"/api/v1/workspaces/{id}/settings/tickets/rules";

        var refunds = await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new
        {
            name = "Refunds to billing",
            conditions = new { keywords = RefundWords },
            actions = new { priority = "high", severity = 2, labelId = label, departmentId = billing, assigneeId = benId, createTicket = true },
        }));
        var vip = await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new { name = "VIP", conditions = new { contact = "@VIP.example" }, actions = new { priority = "urgent" } }));
        vip.GetProperty("conditions").GetProperty("contact").GetString().ShouldBe("@vip.example");

        // The test panel: first-match fires Refunds alone; all-match both, the later priority winning.
        var sample = new { text = "I want my money back", email = "boss@vip.example" };
        var first = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", sample));
        first.GetProperty("fired").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ShouldBe(["Refunds to billing"]);
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { rulesMatch = "all" }, Ct));
        var all = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", sample));
        all.GetProperty("fired").GetArrayLength().ShouldBe(2);
        all.GetProperty("actions").GetProperty("priority").GetString().ShouldBe("urgent");
        (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", new { text = "hello" }))).GetProperty("fired").GetArrayLength().ShouldBe(0);

        // Reordered: VIP first, then Refunds — Refunds' priority wins now.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"{rules}-order", new { ids = new[] { vip.GetProperty("id").GetGuid(), refunds.GetProperty("id").GetGuid() } }, Ct));
        (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", sample))).GetProperty("actions").GetProperty("priority").GetString().ShouldBe("high");

        // A real chat: Converse as Ticket is off, the rule makes the ticket all the same.
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "Please refund order 77", new { email = "boss@vip.example" });
        var conversation = await ana.ConversationAsync(id, chat.ConversationId);
        conversation.GetProperty("summary").GetProperty("departmentId").GetGuid().ShouldBe(billing);
        conversation.GetProperty("labelIds").EnumerateArray().Select(l => l.GetGuid()).ShouldBe([label]);
        var ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        ticket.GetProperty("summary").GetProperty("priority").GetString().ShouldBe("high");
        ticket.GetProperty("summary").GetProperty("severity").GetInt32().ShouldBe(2);
        ticket.GetProperty("summary").GetProperty("assigneeId").GetGuid().ShouldBe(benId);
        ticket.GetProperty("labelIds").EnumerateArray().Select(l => l.GetGuid()).ShouldBe([label]);
        ticket.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ShouldContain("rules_applied");

        // A chat no rule makes a ticket for: none (Converse as Ticket is off).
        await visitor.StartChatAsync(id, "Just saying hi", new { email = "boss@vip.example" });
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(1);

        // Ben (an agent) may not see or change the rules.
        (await ben.GetAsync(rules, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ben.PostJsonAsync($"{rules}/test", sample)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Rules_on_every_message_act_on_later_messages_and_their_tickets_while_new_conversation_rules_do_not(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.SubscribeAsync(id, "ticket");
        var angry = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "Angry", colour = "#B91C1C" }))).GetProperty("id").GetGuid();
        var rules = $"/api/v1/workspaces/{id}/settings/tickets/rules";
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new { name = "Refunds", conditions = new { keywords = RefundWords }, actions = new { createTicket = true } }));
        var escalate = await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new
        {
            name = "Lawyers",
            conditions = new { keywords = LawyerWords, on = "every_message" },
            actions = new { priority = "urgent", severity = 1, labelId = angry },
        }));
        escalate.GetProperty("conditions").GetProperty("on").GetString().ShouldBe("every_message");
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new { name = "Complaints", conditions = new { keywords = ComplaintWords, on = "every_message" }, actions = new { createTicket = true } }));

        // The test panel, as a later message: only the every-message rules are read.
        (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", new { text = "refund", followUp = true }))).GetProperty("fired").GetArrayLength().ShouldBe(0);
        (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{rules}/test", new { text = "my lawyer", followUp = true }))).GetProperty("fired")
            .EnumerateArray().Select(r => r.GetProperty("name").GetString()).ShouldBe(["Lawyers"]);

        // A refund chat makes ticket 1 (medium, severity 3); the customer's later threat escalates the ticket and labels the conversation.
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "Please refund order 77");
        (await visitor.AsVisitorAsync(chat, HttpMethod.Post, "messages", new { body = "or I call my lawyer" })).EnsureSuccessStatusCode();
        var ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        ticket.GetProperty("summary").GetProperty("priority").GetString().ShouldBe("urgent");
        ticket.GetProperty("summary").GetProperty("severity").GetInt32().ShouldBe(1);
        ticket.GetProperty("labelIds").EnumerateArray().Select(l => l.GetGuid()).ShouldBe([angry]);
        ticket.GetProperty("timeline").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "rules_applied").ShouldBe(2);
        (await ana.ConversationAsync(id, chat.ConversationId)).GetProperty("labelIds").EnumerateArray().Select(l => l.GetGuid()).ShouldBe([angry]);
        // Said again: nothing left to change, nothing recorded; "refund" later in the chat is not a new conversation.
        (await visitor.AsVisitorAsync(chat, HttpMethod.Post, "messages", new { body = "my lawyer, and a refund" })).EnsureSuccessStatusCode();
        ticket = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/1", Ct));
        ticket.GetProperty("timeline").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "rules_applied").ShouldBe(2);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(1);

        // A chat without a ticket: a later complaint makes one, linked to it.
        using var other = app.Browser();
        var hello = await other.StartChatAsync(id, "Hello there");
        (await other.AsVisitorAsync(hello, HttpMethod.Post, "messages", new { body = "This is a formal complaint" })).EnsureSuccessStatusCode();
        var made = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/2", Ct));
        made.GetProperty("summary").GetProperty("subject").GetString().ShouldBe("This is a formal complaint");
        made.GetProperty("conversationIds").EnumerateArray().Select(c => c.GetGuid()).ShouldBe([hello.ConversationId]);

        // A blacklisted sender's complaint is closed at once (TKT-5), and complaining again makes no ticket per message.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { autoCloseBlacklisted = true }, Ct));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/settings/tickets/blacklist", new { value = "spam@example.com" }));
        using var spammer = app.Browser();
        var spam = await spammer.StartChatAsync(id, "A complaint", new { email = "spam@example.com" });
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/3", Ct))).GetProperty("summary").GetProperty("status").GetString().ShouldBe("resolved");
        (await spammer.AsVisitorAsync(spam, HttpMethod.Post, "messages", new { body = "Another complaint" })).EnsureSuccessStatusCode();
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets", Ct))).GetProperty("total").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Bad_rules_are_named_by_field_and_nothing_is_saved_nor_seen_across_workspaces()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var rules = $"/api/v1/workspaces/{id}/settings/tickets/rules";

        (await (await ana.PostJsonAsync(rules, new { name = "X", actions = new { createTicket = true } })).ShouldBeProblemAsync(HttpStatusCode.PaymentRequired))
            .GetProperty("code").GetString().ShouldBe("ticket_feature_required");
        await ana.SubscribeAsync(id, "ticket");
        var bad = await ana.PostJsonAsync(rules, new
        {
            name = " ",
            conditions = new { channel = "pigeon", keywords = EmptyWord, contact = "not-a-contact", departmentId = Guid.NewGuid(), calendarId = Guid.NewGuid(), on = "sometimes" },
            actions = new { priority = "asap", severity = 0, labelId = Guid.NewGuid(), departmentId = Guid.NewGuid(), assigneeId = Guid.NewGuid() },
        });
        (await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(
            ["name", "conditions.channel", "conditions.keywords", "conditions.contact", "conditions.departmentId", "conditions.calendarId", "conditions.on",
                "actions.priority", "actions.severity", "actions.labelId", "actions.departmentId", "actions.assigneeId"],
            ignoreOrder: true);
        (await (await ana.PostJsonAsync(rules, new { name = "Nothing", conditions = new { channel = "email" } })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe("rule_actions_required");
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/tickets", new { rulesMatch = "some" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SuccessAssertions.OkAsync(await ana.GetAsync(rules, Ct))).GetArrayLength().ShouldBe(0);

        var rule = await SuccessAssertions.OkAsync(await ana.PostJsonAsync(rules, new { name = "Email first", conditions = new { channel = "email" }, actions = new { priority = "high" } }));
        (await ana.PutAsJsonAsync($"{rules}-order", new { ids = new[] { Guid.NewGuid() } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, Eve);
        var own = await app.ActiveWorkspaceAsync(eve, Eve, "Toko Eve");
        await eve.SubscribeAsync(own, "ticket");
        (await eve.GetAsync(rules, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PostJsonAsync($"{rules}/test", new { text = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var ruleId = rule.GetProperty("id").GetGuid();
        (await eve.PutAsJsonAsync($"/api/v1/workspaces/{own}/settings/tickets/rules/{ruleId}", new { name = "Mine", actions = new { priority = "low" } }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.DeleteAsync($"/api/v1/workspaces/{own}/settings/tickets/rules/{ruleId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SuccessAssertions.OkAsync(await eve.PostJsonAsync($"/api/v1/workspaces/{own}/settings/tickets/rules/test", new { text = "x", channel = "email" }))).GetProperty("fired").GetArrayLength().ShouldBe(0);
        (await SuccessAssertions.OkAsync(await ana.GetAsync(rules, Ct))).EnumerateArray().Single().GetProperty("name").GetString().ShouldBe("Email first");
    }
}
