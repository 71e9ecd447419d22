using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Infrastructure.Jobs;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Inbox;

// Covers WS-3 with conversations: once the Department feature lapses, new chats for a Revoked
// department go to the Main Department; open ones may be moved by hand (not into a Revoked one)
// and are moved automatically seven days later; resolved ones never move.
public sealed class RevokedDepartmentTests
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Conversations_of_revoked_departments_go_to_Main_now_or_seven_days_later_but_resolved_ones_stay()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.SubscribeAsync(id, "department");
        Guid Create(JsonElement d) => d.GetProperty("id").GetGuid();
        var sales = Create(await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" })).Content.ReadFromJsonAsync<JsonElement>(Ct));
        var main = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray().Single(d => d.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetGuid();
        using var visitor = app.Browser();
        var open = await visitor.StartChatAsync(id, "open one", new { departmentId = sales });
        var moved = await visitor.StartChatAsync(id, "moved by hand", new { departmentId = sales });
        var resolved = await visitor.StartChatAsync(id, "resolved one", new { departmentId = sales });
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{resolved.ConversationId}/status", new { status = "resolved" }, Ct)).EnsureSuccessStatusCode();

        (await ana.PostAsync($"/api/v1/workspaces/{id}/subscriptions/department/cancel", null, Ct)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(32));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1, "the period ends");
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();
        async Task<Guid> DepartmentOf(Chat chat) => (await ana.ConversationAsync(id, chat.ConversationId)).GetProperty("summary").GetProperty("departmentId").GetGuid();

        var late = await visitor.StartChatAsync(id, "after the lapse", new { departmentId = sales });
        (await DepartmentOf(late)).ShouldBe(main, "inbound for a Revoked department goes to Main");
        (await DepartmentOf(open)).ShouldBe(sales, "not moved before seven days");
        var back = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{moved.ConversationId}/department", new { departmentId = sales }, Ct);
        (await back.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("department_revoked");
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{moved.ConversationId}/department", new { departmentId = main }, Ct)).EnsureSuccessStatusCode();
        (await DepartmentOf(moved)).ShouldBe(main);

        app.Clock.Advance(TimeSpan.FromDays(7));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBeGreaterThanOrEqualTo(1);
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode(); // a week later

        (await DepartmentOf(open)).ShouldBe(main, "moved automatically after seven days");
        (await DepartmentOf(resolved)).ShouldBe(sales, "resolved conversations are never moved");
        var audit = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/audit?action=conversations_moved", Ct);
        audit.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("after").GetString().ShouldBe("{\"conversations\":1}");
    }
}
