using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Operator;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Onboarding;

// Covers ONB-3's queue and claims (oldest first, filters, two reviewers cannot hold one
// application, a claim expires, a decision needs the claim) and ACC-10's regional rules (seeded,
// edited by operator admins only, followed by the opening form), on SQLite and PostgreSQL where
// concurrency matters.
public sealed class ReviewTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static readonly string[] Selfie = ["selfie"];
    private static readonly string[] ProofOfAddress = ["proof_of_address"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_reviewers_claiming_at_once_get_one_claim_between_them(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        using var rita = await app.OperatorAsync("rita@layan.example");
        using var sam = await app.OperatorAsync("sam@layan.example");
        var id = await client.OpenWorkspaceAsync(type: "individual");
        await client.SubmitCompleteAsync(id);

        var answers = await Task.WhenAll(rita.ClaimAsync(id), sam.ClaimAsync(id));

        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        var loser = answers.Single(a => a.StatusCode != HttpStatusCode.OK);
        (await loser.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("claim_held");
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? rita : sam;
        var other = winner == rita ? sam : rita;
        var stolen = await other.DecideAsync(id, new { outcome = "approve" });
        (await stolen.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("claim_required");

        app.Clock.Advance(TimeSpan.FromMinutes(31)); // the claim lapses
        (await other.ClaimAsync(id)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var late = await winner.DecideAsync(id, new { outcome = "approve" });
        (await late.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("claim_required");
    }

    [Fact]
    public async Task The_queue_is_oldest_first_and_filters_by_country_type_and_status()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        using var reviewer = await app.OperatorAsync("rita@layan.example");
        var first = await client.OpenWorkspaceAsync(type: "individual", name: "First", country: "ES");
        await client.SubmitCompleteAsync(first);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await client.OpenWorkspaceAsync(type: "business", name: "Second", country: "MX", timeZone: "America/Mexico_City");
        await client.SubmitCompleteAsync(second);
        await client.OpenWorkspaceAsync(type: "business", name: "Draft only");

        async Task<IReadOnlyList<string?>> Names(string query) =>
            [.. (await reviewer.GetFromJsonAsync<JsonElement>($"/api/v1/operator/reviews{query}", Ct)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString())];

        (await Names("")).ShouldBe(["First", "Second"]);
        (await Names("?country=mx")).ShouldBe(["Second"]);
        (await Names("?type=individual")).ShouldBe(["First"]);
        (await Names("?status=draft")).ShouldBe(["Draft only"]);
        var page = WebUtility.HtmlDecode(await reviewer.GetStringAsync("/operator/reviews?type=business", Ct));
        page.ShouldContain("Second");
        page.ShouldNotContain(">First<");
        await using var db = app.Database.CreateContext();
        var audited = await db.AuditLog.Where(a => a.Action == "operator.request").Select(a => a.Subject).ToListAsync(Ct);
        audited.ShouldContain("/api/v1/operator/reviews?country=mx");
        audited.ShouldContain("/operator/reviews?type=business", "operator pages are audited too");
    }

    [Fact]
    public async Task The_seeded_rules_ask_for_a_verified_phone_in_Indonesia()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var indonesia = await client.PostJsonAsync("/api/v1/workspaces", new { type = "business", name = "Toko", country = "ID", timeZone = "Asia/Jakarta", language = "id" });

        (await indonesia.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("phone_verification_required");
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/workspaces", Ct)).GetArrayLength().ShouldBe(0);
        (await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = "+6281234567890", password = AccountFlows.StrongPassword })).EnsureSuccessStatusCode();
        (await client.PostJsonAsync("/api/v1/auth/me/phone/verify", new { code = await app.LatestTextedCodeAsync("+6281234567890") })).EnsureSuccessStatusCode();
        (await client.PostJsonAsync("/api/v1/workspaces", new { type = "business", name = "Toko", country = "ID", timeZone = "Asia/Jakarta", language = "id" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_operator_admin_changes_a_country_s_rule_and_new_applications_follow_it()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        using var admin = await app.OperatorAsync("olga@layan.example", OperatorRoles.Admin);
        using var reviewer = await app.OperatorAsync("rita@layan.example");

        var byReviewer = await reviewer.PutAsJsonAsync("/api/v1/operator/regional-rules", new { country = "ES", individualDocuments = Array.Empty<string>() }, Ct);
        var badCountry = await admin.PutAsJsonAsync("/api/v1/operator/regional-rules", new { country = "XX", individualDocuments = Array.Empty<string>() }, Ct);
        var badKind = await admin.PutAsJsonAsync("/api/v1/operator/regional-rules", new { country = "ES", individualDocuments = Selfie }, Ct);
        var saved = await admin.PutAsJsonAsync("/api/v1/operator/regional-rules", new { country = "ES", phoneVerificationRequired = false, individualDocuments = Array.Empty<string>(), businessDocuments = ProofOfAddress }, Ct);

        byReviewer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await badCountry.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("country_invalid");
        (await badKind.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("document_kind_invalid");
        saved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var id = await client.OpenWorkspaceAsync(type: "individual", country: "ES");
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}", Ct)).GetProperty("documents").EnumerateArray()
            .Select(d => d.GetProperty("kind").GetString()).ShouldBe(["government_id"], "an ID is always required");
        var elsewhere = await client.OpenWorkspaceAsync(type: "individual", country: "MX", timeZone: "America/Mexico_City");
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{elsewhere}", Ct)).GetProperty("documents").GetArrayLength().ShouldBe(2, "the default rule still applies elsewhere");
        var rules = await admin.GetFromJsonAsync<JsonElement>("/api/v1/operator/regional-rules", Ct);
        rules.EnumerateArray().Select(r => r.GetProperty("country").GetString()).ShouldBe(["*", "ES", "ID"]);
    }

    [Fact]
    public async Task Opening_refuses_bad_input_field_by_field_and_creates_nothing()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var response = await client.PostJsonAsync("/api/v1/workspaces", new { type = "club", name = "<script>x</script>" + new string('a', 100), country = "Narnia", timeZone = "Mars/Olympus", language = "fr" });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(f => f.Name).ToList();
        fields.ShouldBe(["name", "type", "country", "timeZone", "language"], ignoreOrder: true);
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/workspaces", Ct)).GetArrayLength().ShouldBe(0);
        (await app.Browser().PostJsonAsync("/api/v1/workspaces", new { type = "business" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_operator_admin_grants_and_takes_away_roles_at_once_but_never_from_the_last_admin()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        using var admin = await app.OperatorAsync("olga@layan.example", OperatorRoles.Admin);
        (await ana.GetAsync("/api/v1/operator/reviews", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var granted = await admin.PostJsonAsync("/api/v1/operator/staff", new { email = "ANA@example.com", role = "reviewer" });
        var nobody = await admin.PostJsonAsync("/api/v1/operator/staff", new { email = "nobody@example.com", role = "reviewer" });
        var king = await admin.PostJsonAsync("/api/v1/operator/staff", new { email = Ana, role = "king" });

        granted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ana.GetAsync("/api/v1/operator/reviews", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "roles are read on each request");
        (await nobody.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("staff_user_not_found");
        (await king.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("staff_role_invalid");
        (await ana.GetAsync("/api/v1/operator/staff", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "reviewers do not manage staff");
        var staff = await admin.GetFromJsonAsync<JsonElement>("/api/v1/operator/staff", Ct);
        Guid IdOf(string email) => staff.EnumerateArray().Single(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetGuid();
        var lastAdmin = await admin.PostJsonAsync($"/api/v1/operator/staff/{IdOf("olga@layan.example")}/revoke", new { role = "operator-admin" });
        (await lastAdmin.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("last_operator_admin");
        (await admin.PostJsonAsync($"/api/v1/operator/staff/{IdOf(Ana)}/revoke", new { role = "reviewer" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await admin.PostJsonAsync($"/api/v1/operator/staff/{IdOf(Ana)}/revoke", new { role = "reviewer" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ana.GetAsync("/api/v1/operator/reviews", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The same on the staff page.
        var page = WebUtility.HtmlDecode(await (await admin.SubmitFormAsync("/operator/staff", "grant", ("Grant.Email", Ana), ("Grant.Role", "reviewer"))).Content.ReadAsStringAsync(Ct));
        page.ShouldContain(Ana);
        (await ana.GetAsync("/operator", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var revoked = WebUtility.HtmlDecode(await (await admin.SubmitFormAsync("/operator/staff", "revoke", ("Revoke.UserId", IdOf(Ana).ToString()), ("Revoke.Role", "reviewer"))).Content.ReadAsStringAsync(Ct));
        revoked.ShouldNotContain(Ana);
        var refused = WebUtility.HtmlDecode(await (await admin.SubmitFormAsync("/operator/staff", "revoke", ("Revoke.UserId", IdOf("olga@layan.example").ToString()), ("Revoke.Role", "operator-admin"))).Content.ReadAsStringAsync(Ct));
        refused.ShouldContain("data-error-code=\"last_operator_admin\"");
    }

    [Fact]
    public async Task Nobody_reviews_their_own_workspace()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var rita = await app.OperatorAsync("rita@layan.example");
        var id = await rita.OpenWorkspaceAsync(type: "individual", name: "Rita's own");
        await rita.SubmitCompleteAsync(id);

        var claim = await rita.ClaimAsync(id);

        (await claim.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("own_application");
    }
}
