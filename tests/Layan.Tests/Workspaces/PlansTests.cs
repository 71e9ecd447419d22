using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Jobs;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Workspaces;

// Covers PLAN-1..3 and WS-3 for the Department feature: the Shop subscribes monthly through the
// payment provider, unsubscribing takes effect at the period's end, the lapse revokes the
// non-default departments (never deleting them) and a new subscription brings them back; a
// renewal charges again; managed workspaces are changed by operator staff only; and the quota is
// checked inside the creating transaction, so creations racing each other cannot exceed it.
public sealed class PlansTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> FeatureAsync(HttpClient client, Guid id, string feature) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/subscriptions", Ct)).EnumerateArray().Single(f => f.GetProperty("feature").GetString() == feature);

    private static async Task<IReadOnlyList<(string? Name, bool Revoked)>> DepartmentsAsync(HttpClient client, Guid id) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/departments", Ct)).EnumerateArray()
            .Select(d => (d.GetProperty("name").GetString(), d.GetProperty("revoked").GetBoolean()))];

    [Fact]
    public async Task Departments_come_with_the_subscription_are_revoked_when_it_lapses_and_come_back_with_a_new_one()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var noCard = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "department" });
        (await noCard.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired)).GetProperty("code").GetString().ShouldBe("payment_method_required");
        await ana.AddTestCardAsync(id);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "department" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var subscribed = await FeatureAsync(ana, id, "department");
        subscribed.GetProperty("subscribed").GetBoolean().ShouldBeTrue();
        subscribed.GetProperty("daysLeft").GetInt32().ShouldBeInRange(28, 31);
        foreach (var name in new[] { "Sales", "Support", "Billing" })
        {
            (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await ana.PostAsync($"/api/v1/workspaces/{id}/subscriptions/department/cancel", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await FeatureAsync(ana, id, "department")).GetProperty("cancelAtPeriodEnd").GetBoolean().ShouldBeTrue();
        (await DepartmentsAsync(ana, id)).ShouldAllBe(d => !d.Revoked, "until the end of the period");

        app.Clock.Advance(TimeSpan.FromDays(32));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode(); // the session's own 24 hours are long gone

        (await FeatureAsync(ana, id, "department")).GetProperty("subscribed").GetBoolean().ShouldBeFalse();
        var lapsed = await DepartmentsAsync(ana, id);
        lapsed.Count.ShouldBe(4, "revoked departments are never deleted");
        lapsed.Where(d => d.Revoked).Select(d => d.Name).ShouldBe(["Billing", "Sales", "Support"], ignoreOrder: true);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Returns" })).StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);

        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "department" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await DepartmentsAsync(ana, id)).ShouldAllBe(d => !d.Revoked);
        await using var db = app.Database.CreateContext();
        (await db.AuditLog.Where(a => a.WorkspaceId == id && a.Action.StartsWith("revocation.")).Select(a => a.Action).ToListAsync(Ct))
            .ShouldBe(["revocation.applied", "revocation.restored"]);
    }

    [Fact]
    public async Task A_subscription_left_alone_renews_with_a_new_charge()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.AddTestCardAsync(id);
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "label" })).EnsureSuccessStatusCode();
        var firstEnd = (await FeatureAsync(ana, id, "label")).GetProperty("periodEnd").GetDateTimeOffset();

        app.Clock.Advance(TimeSpan.FromDays(32));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);

        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();
        var renewed = await FeatureAsync(ana, id, "label");
        renewed.GetProperty("subscribed").GetBoolean().ShouldBeTrue();
        renewed.GetProperty("periodEnd").GetDateTimeOffset().ShouldBe(firstEnd.AddMonths(1));
    }

    [Fact]
    public async Task A_managed_workspace_is_changed_by_operator_staff_only()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await using (var db = app.Database.CreateContext())
        {
            await db.Set<Workspace>().Where(w => w.Id == id).ExecuteUpdateAsync(s => s.SetProperty(w => w.BillingMode, BillingModes.Managed), Ct);
        }
        using var olga = await app.OperatorAsync("olga@layan.example", Layan.Features.Operator.OperatorRoles.Admin);

        var shop = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "department" });
        var byAna = await ana.PutAsJsonAsync($"/api/v1/operator/workspaces/{id}/subscriptions/department", new { periodEnd = app.Clock.GetUtcNow().AddMonths(3) }, Ct);
        var byStaff = await olga.PutAsJsonAsync($"/api/v1/operator/workspaces/{id}/subscriptions/department", new { periodEnd = app.Clock.GetUtcNow().AddMonths(3) }, Ct);

        (await shop.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("managed_workspace");
        byAna.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        byStaff.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await FeatureAsync(ana, id, "department")).GetProperty("subscribed").GetBoolean().ShouldBeTrue();
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await ana.GetStringAsync($"/w/{id}/shop", Ct)).ShouldContain("managed by your account manager");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_creations_racing_for_the_last_place_in_a_quota_get_one_place(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await using (var db = database.CreateContext())
        {
            // Free the one place the plan gives, so two creations race for it.
            await db.Set<Department>().IgnoreQueryFilters().Where(d => d.WorkspaceId == id).ExecuteDeleteAsync(Ct);
        }

        var answers = await Task.WhenAll(
            ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Sales" }),
            ana.PostJsonAsync($"/api/v1/workspaces/{id}/departments", new { name = "Support" }));

        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.PaymentRequired).ShouldBe(1);
        (await DepartmentsAsync(ana, id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Operator_staff_make_a_workspace_managed_and_set_its_subscription_on_the_operator_page()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var olga = await app.OperatorAsync("olga@layan.example", Layan.Features.Operator.OperatorRoles.Admin);
        var page = $"/operator/workspaces?id={id}";

        (await olga.GetStringAsync("/operator/workspaces", Ct)).ShouldContain("Toko Ana");
        (await olga.SubmitFormAsync(page, "billing", ("Billing.Mode", BillingModes.Managed))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var until = app.Clock.GetUtcNow().AddMonths(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        (await olga.SubmitFormAsync(page, "subscription", ("Change.Feature", "department"), ("Change.PeriodEnd", until))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await FeatureAsync(ana, id, "department")).GetProperty("subscribed").GetBoolean().ShouldBeTrue();
        var shop = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature = "label" });
        (await shop.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("managed_workspace");
        (await ana.GetAsync("/operator/workspaces", Ct)).StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }
}
