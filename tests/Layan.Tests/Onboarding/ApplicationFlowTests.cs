using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Onboarding;

// Covers ONB-1..5 and ONB-7 end to end through the API: open a business workspace, upload its
// documents, submit, a reviewer asks for a change, only that document is uploaded again, the
// reviewer approves, the activation link (once, 7 days) activates it, and the setup wizard runs
// with the test payment provider. Every decision is in the audit log and emailed, localized. The
// whole path runs on SQLite and on PostgreSQL.
public sealed class ApplicationFlowTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> ApplicationAsync(HttpClient client, Guid id) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}", Ct);

    private static JsonElement Document(JsonElement application, string kind) =>
        application.GetProperty("documents").EnumerateArray().Single(d => d.GetProperty("kind").GetString() == kind);

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task From_registration_to_an_active_set_up_workspace(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var client = app.Browser("id");
        await app.RegisterVerifiedAsync(client, Ana, language: "id");
        using var reviewer = await app.OperatorAsync("rita@layan.example");

        var id = await client.OpenWorkspaceAsync(type: "business", name: "Toko Ana");
        var opened = await ApplicationAsync(client, id);
        opened.GetProperty("status").GetString().ShouldBe("draft");
        opened.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("kind").GetString())
            .ShouldBe(["government_id", "proof_of_address", "business_registration"]);
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/workspaces", Ct)).EnumerateArray().ShouldHaveSingleItem()
            .GetProperty("role").GetString().ShouldBe("administrator");

        (await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Pdf, "ktp.pdf")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.UploadDocumentAsync(id, "proof_of_address", OnboardingFlows.Jpeg, "tagihan.jpg", "image/jpeg")).StatusCode.ShouldBe(HttpStatusCode.Created);
        var early = await client.PostAsync($"/api/v1/workspaces/{id}/submit", null, Ct);
        (await early.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("documents_missing");
        (await client.UploadDocumentAsync(id, "business_registration", OnboardingFlows.Pdf, "nib.pdf")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.PostAsync($"/api/v1/workspaces/{id}/submit", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.EmailsToAsync(Ana))[^1].Subject.ShouldBe("Kami menerima permohonan Anda untuk Toko Ana");

        // The reviewer asks for a better proof of address.
        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/api/v1/operator/reviews", Ct);
        queue.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetGuid().ShouldBe(id);
        var claimed = await (await reviewer.ClaimAsync(id)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        claimed.GetProperty("application").GetProperty("status").GetString().ShouldBe("in_review");
        (await app.EmailsToAsync(Ana))[^1].Subject.ShouldBe("Toko Ana sedang ditinjau");
        var proof = Document(claimed.GetProperty("application"), "proof_of_address").GetProperty("current").GetProperty("id").GetGuid();
        var document = await reviewer.GetAsync($"/api/v1/operator/reviews/{id}/documents/{proof}", Ct);
        document.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        document.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("inline");
        (await document.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(OnboardingFlows.Jpeg);
        var changes = await reviewer.DecideAsync(id, new
        {
            outcome = "request_changes",
            documents = new[] { new { documentId = proof, verdict = "more_needed", reason = "The bill is older than 3 months" } },
        });
        changes.StatusCode.ShouldBe(HttpStatusCode.OK);

        var asked = await ApplicationAsync(client, id);
        asked.GetProperty("status").GetString().ShouldBe("changes_requested");
        Document(asked, "proof_of_address").GetProperty("canUpload").GetBoolean().ShouldBeTrue();
        Document(asked, "proof_of_address").GetProperty("current").GetProperty("verdictReason").GetString().ShouldBe("The bill is older than 3 months");
        Document(asked, "government_id").GetProperty("canUpload").GetBoolean().ShouldBeFalse();
        (await app.EmailsToAsync(Ana))[^1].TextBody.ShouldContain("The bill is older than 3 months");
        var notAsked = await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Pdf);
        (await notAsked.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().ShouldBe("application_locked");
        (await client.UploadDocumentAsync(id, "proof_of_address", OnboardingFlows.Pdf, "tagihan-baru.pdf")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.PostAsync($"/api/v1/workspaces/{id}/submit", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Approved: the activation link works once.
        (await reviewer.ClaimAsync(id)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reviewer.DecideAsync(id, new { outcome = "approve" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ApplicationAsync(client, id)).GetProperty("status").GetString().ShouldBe("approved");
        (await app.EmailsToAsync(Ana))[^1].Subject.ShouldBe("Toko Ana disetujui: aktifkan sekarang");
        var token = await app.ActivationTokenAsync(Ana);
        var setupTooEarly = await client.GetAsync($"/api/v1/workspaces/{id}/setup", Ct);
        setupTooEarly.StatusCode.ShouldBe(HttpStatusCode.NotFound, "nothing of a workspace can be used before activation");
        (await client.PostJsonAsync("/api/v1/workspaces/activate", new { token })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await client.PostJsonAsync("/api/v1/workspaces/activate", new { token });
        (await again.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("activation_link_invalid");
        (await ApplicationAsync(client, id)).GetProperty("status").GetString().ShouldBe("active");

        // The setup wizard: preferences, a card (declined, then accepted), notifications.
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/setup", Ct)).GetProperty("step").GetString().ShouldBe("preferences");
        var badHours = await client.PostJsonAsync($"/api/v1/workspaces/{id}/setup/preferences", new
        {
            language = "id",
            timeZone = "Asia/Jakarta",
            hours = new[] { new { day = "Monday", open = "17:00", close = "09:00" } },
        });
        (await badHours.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("business_hours_invalid");
        (await client.PostJsonAsync($"/api/v1/workspaces/{id}/setup/preferences", new
        {
            language = "id",
            timeZone = "Asia/Jakarta",
            hours = new[] { new { day = "Monday", open = "08:00", close = "12:00" }, new { day = "Monday", open = "13:00", close = "17:00" } },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var declined = await client.PostJsonAsync($"/api/v1/workspaces/{id}/setup/payment-method", new { number = "4000 0000 0000 0002", expiryMonth = 12, expiryYear = 2030, cvc = "123" });
        (await declined.ShouldBeProblemAsync(HttpStatusCode.PaymentRequired)).GetProperty("code").GetString().ShouldBe("card_declined");
        var card = await client.PostJsonAsync($"/api/v1/workspaces/{id}/setup/payment-method", new { number = "4242 4242 4242 4242", expiryMonth = 12, expiryYear = 2030, cvc = "123" });
        var afterCard = await card.Content.ReadFromJsonAsync<JsonElement>(Ct);
        afterCard.GetProperty("cardLast4").GetString().ShouldBe("4242");
        afterCard.GetProperty("step").GetString().ShouldBe("notifications");
        var done = await (await client.PostJsonAsync($"/api/v1/workspaces/{id}/setup/skip", new { step = "notifications" })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        done.GetProperty("step").ValueKind.ShouldBe(JsonValueKind.Null);

        await using var db = app.Database.CreateContext();
        var stored = await db.Set<Layan.Features.Onboarding.PaymentMethod>().IgnoreQueryFilters().SingleAsync(Ct);
        stored.WorkspaceId.ShouldBe(id);
        stored.Last4.ShouldBe("4242");
        stored.Token.ShouldStartWith("tok_test_");
        (await db.AuditLog.IgnoreQueryFilters().Where(a => a.Subject == $"workspaces/{id}").Select(a => a.Action).ToListAsync(Ct))
            .ShouldBe(["workspace.opened", "workspace.submitted", "workspace.claimed", "workspace.request_changes", "workspace.submitted", "workspace.claimed", "workspace.approve", "workspace.activated",
                "workspace.setup.preferences", "workspace.setup.payment", "workspace.setup.notifications"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_the_applicant_sees_it()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");
        await app.RegisterVerifiedAsync(client, Ana, language: "es");
        using var reviewer = await app.OperatorAsync("rita@layan.example");
        var id = await client.OpenWorkspaceAsync(type: "individual", name: "Ana Freelance");
        await client.SubmitCompleteAsync(id);
        (await reviewer.ClaimAsync(id)).EnsureSuccessStatusCode();

        var noReason = await reviewer.DecideAsync(id, new { outcome = "reject", reason = "  " });
        var unknown = await reviewer.DecideAsync(id, new { outcome = "maybe" });
        var rejected = await reviewer.DecideAsync(id, new { outcome = "reject", reason = "The ID does not match the name" });

        (await noReason.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("reason_required");
        (await unknown.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("decision_invalid");
        rejected.StatusCode.ShouldBe(HttpStatusCode.OK);
        var application = await ApplicationAsync(client, id);
        application.GetProperty("status").GetString().ShouldBe("rejected");
        application.GetProperty("decisionReason").GetString().ShouldBe("The ID does not match the name");
        (await app.EmailsToAsync(Ana))[^1].Subject.ShouldBe("No pudimos aprobar Ana Freelance");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/workspaces/{id}/application", Ct));
        page.ShouldContain("Motivo: The ID does not match the name");
        (await (await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Pdf)).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("code").GetString().ShouldBe("application_locked");
    }

    [Fact]
    public async Task An_activation_link_dies_after_7_days()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        using var reviewer = await app.OperatorAsync("rita@layan.example");
        var id = await client.OpenWorkspaceAsync(type: "individual");
        await client.SubmitCompleteAsync(id);
        (await reviewer.ClaimAsync(id)).EnsureSuccessStatusCode();
        (await reviewer.DecideAsync(id, new { outcome = "approve" })).EnsureSuccessStatusCode();
        var token = await app.ActivationTokenAsync(Ana);

        app.Clock.Advance(TimeSpan.FromDays(7));
        (await client.LoginAsync(Ana)).EnsureSuccessStatusCode(); // the session itself ended after 24 hours
        var late = await client.PostJsonAsync("/api/v1/workspaces/activate", new { token });
        var forged = await client.PostJsonAsync("/api/v1/workspaces/activate", new { token = "not-a-token" });

        (await late.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("activation_link_invalid");
        (await forged.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("activation_link_invalid");
        (await ApplicationAsync(client, id)).GetProperty("status").GetString().ShouldBe("approved");

        // Not stuck: the applicant asks for a new link, which works.
        (await client.PostAsync($"/api/v1/workspaces/{id}/activation-link", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var fresh = await app.ActivationTokenAsync(Ana);
        fresh.ShouldNotBe(token);
        (await client.PostJsonAsync("/api/v1/workspaces/activate", new { token = fresh })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostAsync($"/api/v1/workspaces/{id}/activation-link", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "an active workspace needs no link");
    }
}
