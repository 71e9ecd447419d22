using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Workspaces;

// Covers WS-1 (invite by email with a role, 7-day single-use link for the invited address,
// change role, deactivate, the last Administrator stays), WS-2 (the Main Department, the quota of
// one without the Department feature), the permission table on the server (an Agent calling an
// Administrator's endpoint gets 403) and tenancy (another workspace is 404 everywhere).
public sealed class TeamTests
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> MembersAsync(HttpClient client, Guid workspace) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspace}/members", Ct)).GetProperty("members");

    [Fact]
    public async Task An_invited_agent_joins_with_the_link_and_the_permission_table_holds_on_the_server()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        using var ben = await app.JoinAsync(ana, id, Ben, "agent");

        (await app.EmailsToAsync(Ben))[0].Subject.ShouldBe("Ana Lima invited you to Toko Ana on Layan");
        (await MembersAsync(ben, id)).EnumerateArray().Select(m => (m.GetProperty("email").GetString(), m.GetProperty("role").GetString()))
            .ShouldBe([("ana@example.com", "administrator"), ("ben@example.com", "agent")], ignoreOrder: true);
        var invite = await ben.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = "cy@example.com", role = "administrator" });
        (await invite.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().ShouldBe("forbidden");
        (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ben.GetAsync($"/api/v1/workspaces/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the application and its documents are the Administrators'");
        (await app.EmailsToAsync("cy@example.com")).ShouldBeEmpty();
        (await ben.GetAsync($"/w/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_invitation_works_once_for_the_invited_address_and_for_7_days()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = Ben, role = "supervisor" })).EnsureSuccessStatusCode();
        var token = OnboardingFlows.TokenIn((await app.EmailsToAsync(Ben))[^1].TextBody);
        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, "eve@example.com", fullName: "Eve");

        var wrongPerson = await eve.PostJsonAsync("/api/v1/invitations/accept", new { token });
        var badInput = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = "not an address", role = "owner" });

        (await wrongPerson.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("invitation_email_mismatch");
        (await badInput.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("email_invalid");
        (await eve.GetAsync($"/api/v1/workspaces/{id}/members", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        app.Clock.Advance(TimeSpan.FromDays(7));
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ben, Ben, fullName: "Ben Okafor");
        var late = await ben.PostJsonAsync("/api/v1/invitations/accept", new { token });
        (await late.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("invitation_invalid");
    }

    [Fact]
    public async Task Roles_change_members_are_deactivated_and_the_last_administrator_stays()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        var members = await MembersAsync(ana, id);
        Guid MemberId(string email) => members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == email).GetProperty("id").GetGuid();

        var demoteSelf = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/members/{MemberId(Ana)}/role", new { role = "agent" }, Ct);
        var leaveNone = await ana.PostAsync($"/api/v1/workspaces/{id}/members/{MemberId(Ana)}/deactivate", null, Ct);
        (await demoteSelf.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("last_administrator");
        (await leaveNone.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("last_administrator");

        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/members/{MemberId(Ben)}/role", new { role = "supervisor" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" })).StatusCode.ShouldBe(HttpStatusCode.PaymentRequired, "a Supervisor may, but the plan allows one department");
        (await ana.PostAsync($"/api/v1/workspaces/{id}/members/{MemberId(Ben)}/deactivate", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ben.GetAsync($"/api/v1/workspaces/{id}/members", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "a deactivated member reaches nothing, at once");
        (await ana.PostAsync($"/api/v1/workspaces/{id}/members/{MemberId(Ben)}/reactivate", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ben.GetAsync($"/api/v1/workspaces/{id}/members", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_active_workspace_has_its_Main_Department_and_one_department_without_the_feature()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser("id");
        await app.RegisterVerifiedAsync(ana, Ana, language: "id");
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var departments = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct);
        var second = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Penjualan" });

        var main = departments.EnumerateArray().ShouldHaveSingleItem();
        main.GetProperty("isDefault").GetBoolean().ShouldBeTrue();
        main.GetProperty("name").GetString().ShouldBe("Main Department", "named in the workspace's language (English here)");
        var problem = await second.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired);
        problem.GetProperty("code").GetString().ShouldBe("quota_exceeded");
        problem.GetProperty("title").GetString().ShouldBe("Paket Anda tidak mengizinkan tambahan lagi. Berlangganan fitur ini untuk menambah.");
        var me = (await MembersAsync(ana, id)).EnumerateArray().Single().GetProperty("userId").GetGuid();
        var set = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/departments/{main.GetProperty("id").GetGuid()}/members", new { userIds = new[] { me } }, Ct);
        set.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stranger = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/departments/{main.GetProperty("id").GetGuid()}/members", new { userIds = new[] { Guid.NewGuid() } }, Ct);
        (await stranger.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("member_unknown");
    }

    [Fact]
    public async Task Another_workspace_is_not_found_on_every_team_endpoint()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(ben, Ben, fullName: "Ben Okafor");
        var anas = await app.ActiveWorkspaceAsync(ana, Ana);
        var bens = await app.ActiveWorkspaceAsync(ben, Ben, name: "Ben's");
        var anasMember = (await MembersAsync(ana, anas)).EnumerateArray().Single().GetProperty("id").GetGuid();
        var anasDepartment = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{anas}/departments", Ct)).EnumerateArray().Single().GetProperty("id").GetGuid();

        (await ben.GetAsync($"/api/v1/workspaces/{anas}/members", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.PostJsonAsync($"/api/v1/workspaces/{anas}/invitations", new { email = "x@example.com", role = "agent" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/api/v1/workspaces/{anas}/departments", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.PutAsJsonAsync($"/api/v1/workspaces/{bens}/members/{anasMember}/role", new { role = "agent" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "Ana's member through Ben's workspace");
        (await ben.PostAsync($"/api/v1/workspaces/{bens}/members/{anasMember}/deactivate", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.PutAsJsonAsync($"/api/v1/workspaces/{bens}/departments/{anasDepartment}/members", new { userIds = Array.Empty<Guid>() }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/w/{anas}/team", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await MembersAsync(ana, anas)).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task An_old_invitation_cannot_undo_a_later_change_of_the_member()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        var benId = (await MembersAsync(ana, id)).EnumerateArray().Single(m => m.GetProperty("email").GetString() == Ben).GetProperty("id").GetGuid();
        (await ana.PostAsync($"/api/v1/workspaces/{id}/members/{benId}/deactivate", null, Ct)).EnsureSuccessStatusCode();
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = Ben, role = "administrator" })).EnsureSuccessStatusCode();
        var stale = OnboardingFlows.TokenIn((await app.EmailsToAsync(Ben))[^1].TextBody);

        (await ana.PostAsync($"/api/v1/workspaces/{id}/members/{benId}/reactivate", null, Ct)).EnsureSuccessStatusCode(); // back, as agent
        var accepted = await ben.PostJsonAsync("/api/v1/invitations/accept", new { token = stale });

        (await accepted.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("invitation_invalid");
        (await MembersAsync(ana, id)).EnumerateArray().Single(m => m.GetProperty("email").GetString() == Ben).GetProperty("role").GetString().ShouldBe("agent");
    }

    [Fact]
    public async Task Departments_labels_and_quick_replies_can_be_deleted_but_the_Main_Department_stays()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var main = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray().Single().GetProperty("id").GetGuid();
        var label = (await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "VIP", colour = "#b91c1c" })).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        var keepMain = await ana.DeleteAsync($"/api/v1/workspaces/{id}/departments/{main}", Ct);
        var gone = await ana.DeleteAsync($"/api/v1/workspaces/{id}/labels/{label}", Ct);
        var again = await ana.DeleteAsync($"/api/v1/workspaces/{id}/labels/{label}", Ct);

        (await keepMain.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("department_default");
        gone.StatusCode.ShouldBe(HttpStatusCode.OK);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/labels", Ct)).GetArrayLength().ShouldBe(0);

        // The same on the pages.
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/quick-replies", new { keyword = "thanks", text = "Thank you!" })).EnsureSuccessStatusCode();
        var reply = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/quick-replies", Ct)).EnumerateArray().Single().GetProperty("id").GetGuid();
        await ana.SubmitFormAsync($"/w/{id}/labels", "delete-reply", ("DeleteReply.Id", reply.ToString()));
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/quick-replies", Ct)).GetArrayLength().ShouldBe(0);
        var refused = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/team", "delete-department", ("DeleteDepartment.Id", main.ToString()))).Content.ReadAsStringAsync(Ct));
        refused.ShouldContain("data-error-code=\"department_default\"");
    }
}
