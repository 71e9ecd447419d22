using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Jobs;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Workspaces;

// Covers LBL-1, QR-1, QR-2 and PLAN-3 for them: five of each without the feature (the first five
// are defaults), more with it, and when it lapses only the defaults stay usable, the others
// Revoked and back when it returns; defaults can be chosen while subscribed; readable colours.
// The revocation rules are driven table-wise: every feature × subscribe → create beyond the free
// quota → lapse → restore. Labels, quick replies and departments are renamed with the rules of
// creating them, audited with before/after, and never across workspaces.
public sealed class CatalogTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> QuotaFeatures => new()
    {
        { "label", "labels" },
        { "quick_reply", "quick-replies" },
    };

    private static object Item(string resource, int n) =>
        resource == "labels" ? new { name = $"Label {n}", colour = "#1a56db" } : new { keyword = $"reply{n}", text = $"Reply number {n}" };

    [Theory]
    [MemberData(nameof(QuotaFeatures))]
    public async Task Subscribe_create_beyond_the_free_quota_lapse_and_restore(string feature, string resource)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        for (var n = 1; n <= 5; n++)
        {
            (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/{resource}", Item(resource, n))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/{resource}", Item(resource, 6))).StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);

        await ana.SubscribeAsync(id, feature);
        for (var n = 6; n <= 7; n++)
        {
            (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/{resource}", Item(resource, n))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await ana.PostAsync($"/api/v1/workspaces/{id}/subscriptions/{feature}/cancel", null, Ct)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(32));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var lapsed = await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/{resource}", Ct);
        lapsed.GetArrayLength().ShouldBe(7, "nothing is deleted");
        lapsed.EnumerateArray().Count(i => i.GetProperty("revoked").GetBoolean()).ShouldBe(2);
        lapsed.EnumerateArray().Where(i => i.GetProperty("revoked").GetBoolean()).ShouldAllBe(i => !i.GetProperty("isDefault").GetBoolean());

        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/subscriptions", new { feature })).EnsureSuccessStatusCode();
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/{resource}", Ct)).EnumerateArray().ShouldAllBe(i => !i.GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Defaults_are_chosen_while_subscribed_and_labels_must_be_readable()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var pale = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "Pale", colour = "#ffeb3b" });
        var notColour = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "X", colour = "red" });
        var vip = await (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "VIP", colour = "#B91C1C" })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var twice = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "VIP", colour = "#1a56db" });
        var locked = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/labels/defaults", new { ids = new[] { vip.GetProperty("id").GetGuid() } }, Ct);
        var badKeyword = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/quick-replies", new { keyword = "hello world!", text = "Hi" });

        (await pale.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("colour_contrast_low");
        (await notColour.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("colour_invalid");
        vip.GetProperty("colour").GetString().ShouldBe("#b91c1c");
        vip.GetProperty("isDefault").GetBoolean().ShouldBeTrue();
        (await twice.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("name_taken");
        (await locked.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired)).GetProperty("code").GetString().ShouldBe("defaults_locked");
        (await badKeyword.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("keyword_invalid");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/quick-replies", new { keyword = "/Thanks", text = "Thank you!" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/quick-replies", Ct)).EnumerateArray().Single().GetProperty("keyword").GetString().ShouldBe("thanks");
    }

    [Fact]
    public void Contrast_is_measured_as_WCAG_does()
    {
        Catalog.ContrastWithWhite("#000000").ShouldBe(21, 0.01);
        Catalog.ContrastWithWhite("#ffffff").ShouldBe(1, 0.01);
        Catalog.ContrastWithWhite("#767676").ShouldBeGreaterThanOrEqualTo(4.5);
        Catalog.ContrastWithWhite("#777777").ShouldBeLessThan(4.5);
    }

    [Fact]
    public async Task The_labels_page_creates_and_explains_refusals_in_the_reader_s_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser("es");
        await app.RegisterVerifiedAsync(ana, Ana, language: "es");
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var pale = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/labels", "label", ("NewLabel.Name", "Pale"), ("NewLabel.Colour", "#fff59d"))).Content.ReadAsStringAsync(Ct));
        var made = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/labels", "label", ("NewLabel.Name", "VIP"), ("NewLabel.Colour", "#b91c1c"))).Content.ReadAsStringAsync(Ct));
        var reply = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/labels", "quick-reply", ("NewReply.Keyword", "gracias"), ("NewReply.Text", "¡Gracias!"))).Content.ReadAsStringAsync(Ct));

        pale.ShouldContain("data-error-code=\"colour_contrast_low\"");
        pale.ShouldContain("Ese color es demasiado claro");
        made.ShouldContain(">VIP</span>");
        reply.ShouldContain("/gracias");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Labels_and_quick_replies_are_created_on_both_databases_and_a_racing_twin_gets_name_taken(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var twins = await Task.WhenAll(
            ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "VIP", colour = "#b91c1c" }),
            ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", new { name = "VIP", colour = "#1a56db" }));
        var reply = await ana.PostJsonAsync($"/api/v1/workspaces/{id}/quick-replies", new { keyword = "thanks", text = "Thank you!" });

        twins.Select(t => t.StatusCode).ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict], ignoreOrder: true);
        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task While_subscribed_the_labels_page_chooses_the_defaults()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await ana.SubscribeAsync(id, "label");
        for (var n = 1; n <= 6; n++)
        {
            (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/labels", Item("labels", n))).EnsureSuccessStatusCode();
        }
        var labels = (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/labels", Ct)).EnumerateArray().ToList();
        var chosen = new[] { labels[5].GetProperty("id").GetGuid(), labels[0].GetProperty("id").GetGuid() };

        await ana.SubmitFormAsync($"/w/{id}/labels", "label-defaults", ("Defaults.Ids", chosen[0].ToString()), ("Defaults.Ids", chosen[1].ToString()));

        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/labels", Ct)).EnumerateArray()
            .Where(l => l.GetProperty("isDefault").GetBoolean()).Select(l => l.GetProperty("id").GetGuid()).ShouldBe(chosen, ignoreOrder: true);
    }

    [Fact]
    public async Task Labels_quick_replies_and_departments_are_renamed_by_the_rules_of_creating_them_and_never_across_workspaces()
    {
        const string Ben = "ben@example.com";
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ben, Ben, fullName: "Ben Ng");
        var bens = await app.ActiveWorkspaceAsync(ben, Ben, "Ben's Shop");
        var api = $"/api/v1/workspaces/{id}";
        var vip = await (await ana.PostJsonAsync($"{api}/labels", new { name = "VIP", colour = "#b91c1c" })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        (await ana.PostJsonAsync($"{api}/labels", new { name = "Sales", colour = "#1a56db" })).EnsureSuccessStatusCode();
        var thanks = await (await ana.PostJsonAsync($"{api}/quick-replies", new { keyword = "thanks", text = "Thank you!" })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var main = (await ana.GetFromJsonAsync<JsonElement>($"{api}/departments", Ct)).EnumerateArray().Single();
        var label = $"{api}/labels/{vip.GetProperty("id").GetGuid()}";
        var reply = $"{api}/quick-replies/{thanks.GetProperty("id").GetGuid()}";
        var department = $"{api}/departments/{main.GetProperty("id").GetGuid()}";

        var renamed = await ana.PutAsJsonAsync(label, new { name = " Gold ", colour = "#1A56DB" }, Ct);
        var taken = await ana.PutAsJsonAsync(label, new { name = "Sales", colour = "#1a56db" }, Ct);
        var pale = await ana.PutAsJsonAsync(label, new { name = "Pale", colour = "#fff59d" }, Ct);
        var rekeyed = await ana.PutAsJsonAsync(reply, new { keyword = "/Thanks-2", text = "Many thanks!" }, Ct);
        var badKeyword = await ana.PutAsJsonAsync(reply, new { keyword = "two words", text = "x" }, Ct);
        var support = await ana.PutAsJsonAsync(department, new { name = "Support" }, Ct);
        var unnamed = await ana.PutAsJsonAsync(department, new { name = "  " }, Ct);
        // Ben, through his own workspace's path or Ana's, reaches none of Ana's items.
        var fromBens = await ben.PutAsJsonAsync(label.Replace(id.ToString(), bens.ToString(), StringComparison.Ordinal), new { name = "Mine", colour = "#1a56db" }, Ct);
        var intoAnas = await ben.PutAsJsonAsync(department, new { name = "Mine" }, Ct);
        var unknown = await ana.PutAsJsonAsync($"{api}/labels/{Guid.NewGuid()}", new { name = "Ghost", colour = "#1a56db" }, Ct);

        (await renamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString().ShouldBe("Gold");
        (await taken.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("name_taken");
        (await pale.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("colour_contrast_low");
        (await rekeyed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("keyword").GetString().ShouldBe("thanks-2");
        (await badKeyword.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("keyword_invalid");
        (await support.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("isDefault").GetBoolean().ShouldBeTrue("the Main Department keeps its role");
        (await unnamed.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("department_name_required");
        fromBens.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        intoAnas.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var labels = await ana.GetFromJsonAsync<JsonElement>($"{api}/labels", Ct);
        labels.EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("colour").GetString())).ShouldBe([("Gold", "#1a56db"), ("Sales", "#1a56db")], ignoreOrder: true);
        (await ana.GetFromJsonAsync<JsonElement>($"{api}/departments", Ct)).EnumerateArray().Single().GetProperty("name").GetString().ShouldBe("Support");
        var audit = (await ana.GetFromJsonAsync<JsonElement>($"{api}/audit?action=label.updated", Ct)).GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        audit.GetProperty("before").GetString()!.ShouldContain("\"name\":\"VIP\"");
        audit.GetProperty("after").GetString()!.ShouldContain("\"name\":\"Gold\"");
    }

    [Fact]
    public async Task The_pages_rename_and_explain_a_refusal_in_the_reader_s_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser("id");
        await app.RegisterVerifiedAsync(ana, Ana, language: "id");
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var api = $"/api/v1/workspaces/{id}";
        var vip = await (await ana.PostJsonAsync($"{api}/labels", new { name = "VIP", colour = "#b91c1c" })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        (await ana.PostJsonAsync($"{api}/labels", new { name = "Sales", colour = "#1a56db" })).EnsureSuccessStatusCode();
        var main = (await ana.GetFromJsonAsync<JsonElement>($"{api}/departments", Ct)).EnumerateArray().Single().GetProperty("id").GetGuid();
        var labelId = vip.GetProperty("id").GetGuid().ToString();

        var taken = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/labels", "edit-label", ("EditLabel.Id", labelId), ("EditLabel.Name", "Sales"), ("EditLabel.Colour", "#b91c1c"))).Content.ReadAsStringAsync(Ct));
        var gold = WebUtility.HtmlDecode(await (await ana.SubmitFormAsync($"/w/{id}/labels", "edit-label", ("EditLabel.Id", labelId), ("EditLabel.Name", "Emas"), ("EditLabel.Colour", "#b91c1c"))).Content.ReadAsStringAsync(Ct));
        await ana.SubmitFormAsync($"/w/{id}/team", "rename-department", ("RenameDepartment.Id", main.ToString()), ("RenameDepartment.Name", "Layanan"));

        taken.ShouldContain("data-error-code=\"name_taken\"");
        taken.ShouldContain("Nama itu sudah dipakai di ruang kerja ini.");
        gold.ShouldContain(">Emas</span>");
        gold.ShouldContain(">Ubah</summary>");
        (await ana.GetFromJsonAsync<JsonElement>($"{api}/departments", Ct)).EnumerateArray().Single().GetProperty("name").GetString().ShouldBe("Layanan");
    }
}
