using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Infrastructure.Db;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Inbox;

// Covers INB-1 (conversations, messages, notes, statuses, labels), INB-2's events, INB-5
// (contacts merged by a verified email, history), INB-6 (transfer, mentions), HLP-4's widget API
// (pre-chat, offline form, visitor token, read receipts, the visitor's filtered stream), NOT-1's
// emails, ★ department-scoped visibility, bad input and cross-tenant attempts.
public sealed class InboxTests
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(LayanApp App, HttpClient Ana, Guid Id)> WorkspaceAsync()
    {
        var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        return (app, ana, await app.ActiveWorkspaceAsync(ana, Ana));
    }

    private static async Task<int> CountAsync<T>(LayanApp app)
        where T : class
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<LayanDbContext>().Set<T>().IgnoreQueryFilters().CountAsync(Ct);
    }

    [Fact]
    public async Task A_widget_chat_reaches_the_inbox_and_replies_reach_the_visitor_but_notes_never_do()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var visitor = app.Browser();

        var config = await visitor.GetFromJsonAsync<JsonElement>($"/api/v1/widget/{id}/config", Ct);
        config.GetProperty("online").GetBoolean().ShouldBeFalse();
        config.GetProperty("departments").EnumerateArray().ShouldHaveSingleItem().GetProperty("name").GetString().ShouldNotBeNullOrEmpty();
        var chat = await visitor.StartChatAsync(id, "Hello, is my order on its way?", new { name = "Citra", email = "Citra@Example.com" });

        var unassigned = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/conversations?view=unassigned", Ct);
        unassigned.GetProperty("counts").GetProperty("unassigned").GetInt32().ShouldBe(1);
        var item = unassigned.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        item.GetProperty("contactName").GetString().ShouldBe("Citra");
        item.GetProperty("preview").GetString().ShouldBe("Hello, is my order on its way?");
        (await visitor.VisitorViewAsync(chat)).GetProperty("queue").GetProperty("position").GetInt32().ShouldBe(1);

        (await ana.PostAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/take", null, Ct)).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/messages", new { body = "It ships today." })).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/messages", new { body = "Customer asked twice already", note = true })).EnsureSuccessStatusCode();

        var view = await visitor.VisitorViewAsync(chat);
        view.GetProperty("agentName").GetString().ShouldBe("Ana Lima");
        view.GetProperty("queue").ValueKind.ShouldBe(JsonValueKind.Null);
        view.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()).ShouldBe(["Hello, is my order on its way?", "It ships today."]);
        var stream = await (await visitor.AsVisitorAsync(chat, HttpMethod.Get, "events?after=0")).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var seen = stream.GetProperty("events").EnumerateArray().ToList();
        seen.Select(e => e.GetProperty("type").GetString()).Distinct().Order().ShouldBe(["conversation.assigned", "message.created"]);
        seen.ShouldAllBe(e => !e.GetProperty("data").ToString().Contains("twice"));
        seen.ShouldAllBe(e => !e.GetProperty("data").EnumerateObject().Any(p => p.Name == "authorId" || p.Name == "assigneeId"), "no internal ids reach the visitor");
        seen.Single(e => e.GetProperty("type").GetString() == "conversation.assigned").GetProperty("data").GetProperty("assigned").GetBoolean().ShouldBeTrue();
        var agentStream = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/events?after=0", Ct);
        agentStream.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ShouldContain("conversation.created");
        agentStream.GetProperty("events").ToString().ShouldContain("twice", customMessage: "agents see notes in their stream");

        (await visitor.AsVisitorAsync(chat, HttpMethod.Post, "read")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/status", new { status = "resolved" }, Ct)).EnsureSuccessStatusCode();
        (await visitor.AsVisitorAsync(chat, HttpMethod.Post, "messages", new { body = "One more thing" })).EnsureSuccessStatusCode();

        var detail = await ana.ConversationAsync(id, chat.ConversationId);
        detail.GetProperty("summary").GetProperty("status").GetString().ShouldBe("open", "a customer's message reopens it");
        detail.GetProperty("contact").GetProperty("email").GetString().ShouldBe("citra@example.com");
        var messages = detail.GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => m.GetProperty("kind").GetString()).ShouldBe(["customer", "agent", "note", "customer"]);
        messages[1].GetProperty("readAt").ValueKind.ShouldBe(JsonValueKind.String, "the visitor's read receipt");
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/presence", Ct)).GetProperty("openCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error_and_writes_nothing()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var visitor = app.Browser("id");

        async Task<string?> CodeAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.BadRequest) =>
            (await response.ShouldBeProblemAsync(status)).GetProperty("code").GetString();

        (await CodeAsync(await visitor.StartChatRawAsync(id, "   "))).ShouldBe("message_required");
        (await CodeAsync(await visitor.StartChatRawAsync(id, new string('x', 10_001)))).ShouldBe("message_required");
        (await CodeAsync(await visitor.StartChatRawAsync(id, "Hi", new { email = "not-an-address" }))).ShouldBe("email_invalid");
        (await CodeAsync(await visitor.StartChatRawAsync(id, "Hi", new { departmentId = Guid.NewGuid() }))).ShouldBe("department_unknown");
        var forged = await visitor.StartChatRawAsync(id, "Hi", new { email = "citra@example.com", identityHash = new string('a', 64) });
        var problem = await forged.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetString().ShouldBe("identity_invalid");
        problem.GetProperty("title").GetString()!.ShouldContain("identitas", customMessage: "worded in the visitor's language");
        (await visitor.StartChatRawAsync(Guid.NewGuid(), "Hi")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await CountAsync<Conversation>(app)).ShouldBe(0);
        (await CountAsync<Contact>(app)).ShouldBe(0);

        var chat = await visitor.StartChatAsync(id);
        var stranger = chat with { Token = "not-the-token" };
        (await visitor.AsVisitorAsync(stranger, HttpMethod.Get, "conversation")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await visitor.AsVisitorAsync(stranger, HttpMethod.Post, "messages", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var conversation = $"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}";
        (await CodeAsync(await ana.PutAsJsonAsync($"{conversation}/status", new { status = "archived" }, Ct))).ShouldBe("status_invalid");
        (await CodeAsync(await ana.PutAsJsonAsync($"{conversation}/status", new { status = "snoozed", snoozedUntil = app.Clock.GetUtcNow().AddHours(-1) }, Ct))).ShouldBe("snooze_invalid");
        (await CodeAsync(await ana.PutAsJsonAsync($"{conversation}/labels", new { labelIds = new[] { Guid.NewGuid() } }, Ct))).ShouldBe("label_unknown");
        (await CodeAsync(await ana.PutAsJsonAsync($"{conversation}/assignee", new { userId = Guid.NewGuid() }, Ct))).ShouldBe("agent_unknown");
        (await CodeAsync(await ana.PostJsonAsync($"{conversation}/messages", new { body = "" }))).ShouldBe("message_required");
        (await CodeAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/presence", new { presence = "busy" }, Ct))).ShouldBe("presence_invalid");
        (await CodeAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/inbox", new { defaultCapacity = 0, awayAfterMinutes = 15 }, Ct))).ShouldBe("capacity_invalid");
        using var exe = new MultipartFormDataContent { { new ByteArrayContent(OnboardingFlows.Exe), "file", "invoice.pdf" } };
        (await CodeAsync(await ana.PostAsync($"{conversation}/attachments", exe, Ct))).ShouldBe("attachment_invalid");

        var detail = await ana.ConversationAsync(id, chat.ConversationId);
        detail.GetProperty("summary").GetProperty("status").GetString().ShouldBe("open");
        detail.GetProperty("summary").GetProperty("assigneeId").ValueKind.ShouldBe(JsonValueKind.Null);
        detail.GetProperty("messages").GetArrayLength().ShouldBe(1);
        detail.GetProperty("labelIds").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Another_workspace_s_people_and_visitors_find_nothing()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var dana = app.Browser();
        await app.RegisterVerifiedAsync(dana, "dana@example.com", fullName: "Dana Putri");
        var other = await app.ActiveWorkspaceAsync(dana, "dana@example.com", name: "Warung Dana");
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id);
        var message = (await visitor.VisitorViewAsync(chat)).GetProperty("messages")[0].GetProperty("id").GetGuid();

        var conversation = $"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}";
        (await dana.GetAsync($"/api/v1/workspaces/{id}/conversations", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.GetAsync(conversation, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.PostAsync($"{conversation}/take", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Her own workspace's id with Ana's conversation: still nothing.
        var through = $"/api/v1/workspaces/{other}/conversations/{chat.ConversationId}";
        (await dana.GetAsync(through, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.PostAsync($"{through}/take", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.PostJsonAsync($"{through}/messages", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.PutAsJsonAsync($"{through}/status", new { status = "resolved" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.GetAsync($"{through}/attachments/{message}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{other}/conversations?status=open", Ct)).GetProperty("counts").GetProperty("all").GetInt32().ShouldBe(0);
        // The visitor's token opens its own conversation only, and only under its own workspace.
        var elsewhere = chat with { WorkspaceId = other };
        (await visitor.AsVisitorAsync(elsewhere, HttpMethod.Get, "conversation")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await visitor.AsVisitorAsync(elsewhere, HttpMethod.Post, "messages", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await visitor.AsVisitorAsync(elsewhere, HttpMethod.Get, "events")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ana.ConversationAsync(id, chat.ConversationId)).GetProperty("messages").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Agents_see_only_their_departments_when_the_workspace_says_so_and_transfers_follow()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        await ana.SubscribeAsync(id, "department");
        var sales = (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" })).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var main = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray().Single(d => d.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetGuid();
        var benId = await ana.UserIdAsync(id, Ben);
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/departments/{main}/members", new { userIds = new[] { benId } }, Ct)).EnsureSuccessStatusCode();
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/visibility", new { visibility = "departments" }, Ct)).EnsureSuccessStatusCode();
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "I want to buy 40 units", new { departmentId = sales });

        (await ben.GetAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/conversations", Ct)).GetProperty("counts").GetProperty("all").GetInt32().ShouldBe(0);

        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/department", new { departmentId = main }, Ct)).EnsureSuccessStatusCode();
        (await ben.ConversationAsync(id, chat.ConversationId)).GetProperty("summary").GetProperty("departmentId").GetGuid().ShouldBe(main);
        (await ben.PostAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/take", null, Ct)).EnsureSuccessStatusCode();
        (await ben.AssigneeAsync(id, chat.ConversationId)).ShouldBe(benId);
    }

    [Fact]
    public async Task Offline_visitors_get_the_reply_by_email_and_offline_agents_hear_of_mentions_and_assignments()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "Are you open on Sunday?", new { email = "citra@example.com", offline = true });
        var conversation = $"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}";
        await ana.OnlineAsync(id);

        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "Yes, from 10 to 14." })).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "@ben can you follow up?", note = true })).EnsureSuccessStatusCode();
        (await ana.PutAsJsonAsync($"{conversation}/assignee", new { userId = await ana.UserIdAsync(id, Ben) }, Ct)).EnsureSuccessStatusCode();

        var reply = (await app.EmailsToAsync("citra@example.com")).ShouldHaveSingleItem();
        reply.TextBody.ShouldContain("Yes, from 10 to 14.");
        reply.TextBody.ShouldNotContain("follow up", customMessage: "notes never leave the inbox");
        var toBen = await app.EmailsToAsync(Ben);
        toBen.ShouldContain(m => m.Subject.Contains("mentioned"));
        toBen.ShouldContain(m => m.Subject.Contains("assigned"));
        (await app.EmailsToAsync(Ana)).ShouldNotContain(m => m.Subject.Contains("assigned"), "Ana is online and assigned nothing");
    }

    [Fact]
    public async Task The_inbox_page_answers_a_chat_in_the_agent_s_language_and_hides_it_from_strangers()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var benInSpanish = await app.JoinAsync(ana, id, Ben, "agent", language: "es");
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "Where is parcel 77?", new { name = "Citra" });
        var page = $"/w/{id}/inbox/{chat.ConversationId}";

        var list = WebUtility.HtmlDecode(await ana.GetStringAsync($"/w/{id}/inbox?view=unassigned", Ct));
        list.ShouldContain("Where is parcel 77?");
        list.ShouldContain("Unassigned");
        (await ana.SubmitFormAsync(page, "take")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await ana.SubmitFormAsync(page, "reply", ("ReplyForm.Body", "It left the warehouse today."))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var empty = await ana.SubmitFormAsync(page, "reply", ("ReplyForm.Body", "  "));
        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await empty.Content.ReadAsStringAsync(Ct)).ShouldContain("Write a message (up to 10,000 characters) or attach a file.");

        (await visitor.VisitorViewAsync(chat)).GetProperty("messages")[1].GetProperty("body").GetString().ShouldBe("It left the warehouse today.");
        var spanish = WebUtility.HtmlDecode(await benInSpanish.GetStringAsync(page, Ct));
        spanish.ShouldContain("Bandeja de entrada");
        spanish.ShouldContain("It left the warehouse today.");
        spanish.ShouldContain("Abierta");
        (await benInSpanish.SubmitFormAsync(page, "status", ("StatusForm.Status", "resolved"))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await ana.ConversationAsync(id, chat.ConversationId)).GetProperty("summary").GetProperty("status").GetString().ShouldBe("resolved");

        using var dana = app.Browser();
        await app.RegisterVerifiedAsync(dana, "dana@example.com", fullName: "Dana Putri");
        (await dana.GetAsync(page, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dana.GetAsync($"/w/{id}/inbox", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_widget_socket_dropped_mid_stream_resumes_with_exactly_what_the_visitor_missed()
    {
        var (app, ana, id) = await WorkspaceAsync();
        await using var _ = app;
        using var __ = ana;
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id, "first");
        var conversation = $"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}";
        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "reply 1" })).EnsureSuccessStatusCode();

        var (first, last) = await ReceiveAsync(app, chat, after: 0);
        first.ShouldBe(["first", "reply 1"]);
        // The socket is gone; the agent goes on writing (and a note the visitor must never get).
        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "reply 2" })).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "internal", note = true })).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"{conversation}/messages", new { body = "reply 3" })).EnsureSuccessStatusCode();

        var (resumed, _) = await ReceiveAsync(app, chat, after: last);
        resumed.ShouldBe(["reply 2", "reply 3"]);
    }

    /// <summary>Opens the widget's socket, says hello with <paramref name="after"/>, reads one batch, then drops the connection.</summary>
    private static async Task<(List<string?> Bodies, long Last)> ReceiveAsync(LayanApp app, Chat chat, long after)
    {
        var client = app.Server.CreateWebSocketClient();
        using var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, $"/api/v1/widget/{chat.WorkspaceId}/live"), Ct);
        var hello = JsonSerializer.SerializeToUtf8Bytes(new { type = "hello", token = chat.Token, after });
        await socket.SendAsync(hello, System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, Ct);
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        var batch = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
        socket.Abort();
        var bodies = batch.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "message.created")
            .Select(e => e.GetProperty("data").GetProperty("body").GetString()).ToList();
        return (bodies, batch.GetProperty("lastSequence").GetInt64());
    }
}
