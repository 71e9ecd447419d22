using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Onboarding;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Onboarding;

// Covers ONB-2 and the tenancy rule for documents: PDF, JPEG or PNG by content (a renamed program
// is refused), at most 10 MB, only the kinds the regional rule asks for, stored outside the web
// root, served only to the workspace's members (with Content-Disposition) and to reviewers; a
// refused file changes nothing. Another person's workspace is "not found" on every endpoint.
public sealed class DocumentTests
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refused_files_get_their_own_code_and_leave_nothing_behind()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var id = await client.OpenWorkspaceAsync(type: "individual");

        var program = await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Exe, "passport.pdf", "application/pdf");
        var huge = await client.UploadDocumentAsync(id, "government_id", [.. OnboardingFlows.Pdf, .. new byte[12 * 1024 * 1024]], "big.pdf");
        var empty = await client.UploadDocumentAsync(id, "government_id", [], "empty.pdf");
        var notAsked = await client.UploadDocumentAsync(id, "business_registration", OnboardingFlows.Pdf);
        var unknownKind = await client.UploadDocumentAsync(id, "selfie", OnboardingFlows.Pdf);

        (await program.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType)).GetProperty("code").GetString().ShouldBe("file_type_not_allowed");
        (await huge.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge)).GetProperty("code").GetString().ShouldBe("file_too_large");
        (await empty.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("file_missing");
        (await notAsked.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("document_not_required");
        (await unknownKind.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("document_kind_invalid");
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/documents", Ct)).GetArrayLength().ShouldBe(0);
        Directory.Exists(Path.Combine(app.Database.DataDirectory, "files", "documents")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_document_is_stored_under_the_data_directory_and_served_back_as_an_attachment_with_a_clean_name()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var id = await client.OpenWorkspaceAsync(type: "individual");

        var uploaded = await (await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Jpeg, "..\\..\\etc\\pass:port.exe", "application/octet-stream"))
            .Content.ReadFromJsonAsync<JsonElement>(Ct);

        uploaded.GetProperty("contentType").GetString().ShouldBe("image/jpeg");
        uploaded.GetProperty("fileName").GetString().ShouldBe("passport.jpg");
        var download = await client.GetAsync($"/api/v1/workspaces/{id}/documents/{uploaded.GetProperty("id").GetGuid()}", Ct);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        download.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        (await download.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(OnboardingFlows.Jpeg);
        Directory.GetFiles(Path.Combine(app.Database.DataDirectory, "files", "documents", id.ToString("N"))).ShouldHaveSingleItem();
        var replaced = await client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Pdf, "ktp.pdf");
        replaced.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/documents", Ct)).EnumerateArray().ShouldHaveSingleItem()
            .GetProperty("fileName").GetString().ShouldBe("ktp.pdf");
    }

    [Fact]
    public async Task Another_person_s_workspace_is_not_found_on_every_endpoint()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(ben, Ben, fullName: "Ben Okafor");
        var anas = await ana.OpenWorkspaceAsync(type: "individual", name: "Ana's");
        var document = await (await ana.UploadDocumentAsync(anas, "government_id", OnboardingFlows.Pdf)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var documentId = document.GetProperty("id").GetGuid();
        var bens = await ben.OpenWorkspaceAsync(type: "individual", name: "Ben's");

        (await ben.GetAsync($"/api/v1/workspaces/{anas}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/api/v1/workspaces/{anas}/documents", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/api/v1/workspaces/{anas}/documents/{documentId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/api/v1/workspaces/{bens}/documents/{documentId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "Ana's document through Ben's own workspace");
        (await ben.UploadDocumentAsync(anas, "government_id", OnboardingFlows.Pdf)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.PostAsync($"/api/v1/workspaces/{anas}/submit", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/api/v1/workspaces/{anas}/setup", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetAsync($"/workspaces/{anas}/application", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ben.GetFromJsonAsync<JsonElement>("/api/v1/workspaces", Ct)).EnumerateArray().Select(w => w.GetProperty("name").GetString()).ShouldBe(["Ben's"]);
        // Not a reviewer either.
        (await ben.GetAsync("/api/v1/operator/reviews", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ben.GetAsync($"/api/v1/operator/reviews/{anas}/documents/{documentId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await using var db = app.Database.CreateContext();
        (await db.Set<Layan.Features.Workspaces.WorkspaceDocument>().IgnoreQueryFilters().CountAsync(Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task Uploads_through_the_page_form_come_back_to_the_page_with_a_readable_message()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");
        await app.RegisterVerifiedAsync(client, Ana, language: "es");
        var id = await client.OpenWorkspaceAsync(type: "individual");
        var page = $"/workspaces/{id}/application";
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(OnboardingFlows.Exe), "file", "virus.pdf" },
            { new StringContent("government_id"), "kind" },
            { new StringContent("page"), "returnTo" },
            { new StringContent(Forms.AntiforgeryToken(await client.GetStringAsync(page, Ct))), "__RequestVerificationToken" },
        };

        var response = await client.PostAsync($"/api/v1/workspaces/{id}/documents", form, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var shown = WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location!.OriginalString, Ct));
        shown.ShouldContain("data-error-code=\"file_type_not_allowed\"");
        shown.ShouldContain("Ese archivo no es PDF, JPEG ni PNG");
    }

    [Fact]
    public async Task An_upload_without_the_antiforgery_token_is_refused()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var id = await client.OpenWorkspaceAsync(type: "individual");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(OnboardingFlows.Pdf), "file", "id.pdf" },
            { new StringContent("government_id"), "kind" },
        };

        var response = await client.PostAsync($"/api/v1/workspaces/{id}/documents", form, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/documents", Ct)).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public void The_test_payment_provider_knows_its_documented_cards()
    {
        var provider = new TestPaymentProvider(new ManualClock());
        Result("4242 4242 4242 4242").ShouldBe("4242");
        Result("4000 0000 0000 0002").ShouldBe("card_declined");
        Result("4000 0000 0000 0069").ShouldBe("card_expired");
        Result("4242 4242 4242 4241").ShouldBe("card_invalid");
        Result("4242424242424242", year: 2020).ShouldBe("card_expired");
        Result("4242424242424242", cvc: "12").ShouldBe("card_invalid");

        string Result(string number, int year = 2031, string cvc = "123")
        {
            var result = provider.TokenizeAsync(new CardDetails(number, 1, year, cvc, "Ana"), Ct).GetAwaiter().GetResult();
            return result.Succeeded ? result.Value!.Last4 : result.Errors[0].Code;
        }
    }

    [Fact]
    public async Task Two_uploads_of_one_kind_at_once_leave_one_current_document()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var id = await client.OpenWorkspaceAsync(type: "individual");

        var token = Forms.AntiforgeryToken(await client.GetStringAsync($"/workspaces/{id}/application", Ct)); // one page, two drops
        var answers = await Task.WhenAll(
            client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Pdf, "one.pdf", token: token),
            client.UploadDocumentAsync(id, "government_id", OnboardingFlows.Jpeg, "two.jpg", "image/jpeg", token: token));

        answers.ShouldContain(a => a.StatusCode == HttpStatusCode.Created);
        answers.ShouldAllBe(a => a.StatusCode == HttpStatusCode.Created || a.StatusCode == HttpStatusCode.Conflict);
        var application = await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}", Ct);
        application.GetProperty("documents").EnumerateArray().Single(d => d.GetProperty("kind").GetString() == "government_id")
            .GetProperty("current").ValueKind.ShouldBe(JsonValueKind.Object);
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/documents", Ct)).GetArrayLength().ShouldBe(1);
    }
}
