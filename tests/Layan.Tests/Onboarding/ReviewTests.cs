using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Operator;
using Layan.Tests.Support;
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
}
