using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Workspaces;

// Covers the visibility setting (★ department-scoped), INB-3's remembered routing mode under
// PLAN-3 (Open Assignment while Distribute Chat has lapsed, the choice back with it) and X-3's
// audit log with before/after, filtered and paged, for Administrators only.
public sealed class SettingsTests
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_routing_mode_needs_Distribute_Chat_and_the_choice_outlives_a_lapse()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var locked = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/routing-mode", new { mode = "round" }, Ct);
        var unknown = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/routing-mode", new { mode = "lottery" }, Ct);
        (await locked.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired)).GetProperty("code").GetString().ShouldBe("feature_required");
        (await unknown.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("routing_mode_invalid");

        await ana.SubscribeAsync(id, "distribute_chat");
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/routing-mode", new { mode = "round" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ana.PostAsync($"/api/v1/workspaces/{id}/subscriptions/distribute_chat/cancel", null, Ct)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(32));
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var lapsed = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/settings", Ct);
        lapsed.GetProperty("chosenRoutingMode").GetString().ShouldBe("round");
        lapsed.GetProperty("effectiveRoutingMode").GetString().ShouldBe("open_assignment");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "distribute_chat" })).EnsureSuccessStatusCode();
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/settings", Ct)).GetProperty("effectiveRoutingMode").GetString().ShouldBe("round");
    }

    [Fact]
    public async Task Visibility_is_an_Administrator_s_setting_and_every_change_is_in_the_audit_log()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = "ben@example.com", role = "supervisor" })).EnsureSuccessStatusCode();
        var token = OnboardingFlows.TokenIn((await app.EmailsToAsync("ben@example.com"))[^1].TextBody);
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ben, "ben@example.com", fullName: "Ben Okafor");
        (await ben.PostJsonAsync("/api/v1/invitations/accept", new { token })).EnsureSuccessStatusCode();

        var bySupervisor = await ben.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/visibility", new { visibility = "departments" }, Ct);
        var bad = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/visibility", new { visibility = "nobody" }, Ct);
        var set = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/visibility", new { visibility = "departments" }, Ct);

        (await bySupervisor.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().ShouldBe("forbidden");
        (await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("visibility_invalid");
        (await set.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("agentVisibility").GetString().ShouldBe("departments");
        var audit = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/audit?action=settings", Ct);
        var entry = audit.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        entry.GetProperty("actor").GetString().ShouldBe("Ana Lima");
        entry.GetProperty("before").GetString().ShouldBe("{\"visibility\":\"all\"}");
        entry.GetProperty("after").GetString().ShouldBe("{\"visibility\":\"departments\"}");
        (await ben.GetAsync($"/api/v1/workspaces/{id}/audit", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ben.GetAsync($"/w/{id}/audit", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var page = WebUtility.HtmlDecode(await ana.GetStringAsync($"/w/{id}/audit?action=team", Ct));
        page.ShouldContain("team.joined");
        page.ShouldNotContain("settings.visibility");
        var benId = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/members", Ct)).GetProperty("members").EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == "ben@example.com").GetProperty("userId").GetGuid();
        var bens = WebUtility.HtmlDecode(await ana.GetStringAsync($"/w/{id}/audit?actor={benId}", Ct));
        bens.ShouldContain("team.joined", customMessage: "Ben's own joining");
        bens.ShouldNotContain("team.invited");
    }

    [Fact]
    public async Task The_team_page_sets_visibility_routing_and_department_members()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var page = $"/w/{id}/team";
        var main = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray().Single().GetProperty("id").GetGuid();
        var me = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/members", Ct)).GetProperty("members").EnumerateArray().Single().GetProperty("userId").GetGuid();

        var visibility = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync(page, "visibility", ("Visibility.Value", "departments"))).Content.ReadAsStringAsync(Ct));
        var routing = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync(page, "routing", ("Routing.Value", "round"))).Content.ReadAsStringAsync(Ct));
        await ana.SubmitFormAsync(page, "department-members", ("Members.DepartmentId", main.ToString()), ("Members.UserIds", me.ToString()));

        visibility.ShouldContain("Agents see: their departments' conversations only");
        routing.ShouldContain("data-error-code=\"feature_required\"");
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray().Single()
            .GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()).ShouldBe([me]);
    }
}
