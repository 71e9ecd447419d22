using System.Net;
using System.Net.Http.Json;
using System.Text;
using Layan.Features.Accounts;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers ACC-2 (fields, per-field errors), ACC-3 (policy), ACC-4 (the email and its code),
// ACC-8 (duplicate address: same answer, owner told) and the bad-input list of the accounts issue.
public sealed class RegistrationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en", "Your Layan code: ", "Hello Ana Lima,", "Verify my email")]
    [InlineData("id", "Kode Layan Anda: ", "Halo Ana Lima,", "Verifikasi email saya")]
    [InlineData("es", "Su código de Layan: ", "Hola Ana Lima:", "Verificar mi correo")]
    public async Task Registering_sends_a_code_and_a_link_in_the_chosen_language(string language, string subject, string greeting, string action)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.RegisterAsync("ana@example.com", language: language);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(Ct))!["email"].ShouldBe("ana@example.com");
        var email = (await app.EmailsToAsync("ana@example.com")).ShouldHaveSingleItem();
        email.Language.ShouldBe(language);
        email.Subject.ShouldStartWith(subject);
        var code = email.Subject[subject.Length..];
        code.Length.ShouldBe(8);
        code.ShouldAllBe(c => VerificationCodeRules.Alphabet.Contains(c));
        email.TextBody.ShouldStartWith(greeting);
        email.TextBody.ShouldContain(code);
        email.TextBody.ShouldContain($"{action}: http://localhost:5000/verify?email=ana%40example.com&code={code}");
    }

    [Theory]
    [InlineData("fullName", "", "ana@example.com", AccountFlows.StrongPassword, "en", null, true, "full_name_required")]
    [InlineData("email", "Ana", "not-an-email", AccountFlows.StrongPassword, "en", null, true, "email_invalid")]
    [InlineData("email", "Ana", "аna@example.com", AccountFlows.StrongPassword, "en", null, true, "email_invalid")]
    [InlineData("email", "Ana", "ana@exаmple.com", AccountFlows.StrongPassword, "en", null, true, "email_invalid")]
    [InlineData("email", "Ana", "ana@example.com\r\nBcc: x@example.com", AccountFlows.StrongPassword, "en", null, true, "email_invalid")]
    [InlineData("password", "Ana", "ana@example.com", "short", "en", null, true, "password_too_short")]
    [InlineData("password", "Ana", "ana@example.com", "qwerty123456", "en", null, true, "password_common")]
    [InlineData("password", "Ana Lima", "ana@example.com", "lima lima lima 2026", "en", null, true, "password_contains_personal")]
    [InlineData("password", "Ana", "ana@example.com", "aaaaaaaaaaaaaaaa", "en", null, true, "password_too_weak")]
    [InlineData("language", "Ana", "ana@example.com", AccountFlows.StrongPassword, "fr", null, true, "language_invalid")]
    [InlineData("phone", "Ana", "ana@example.com", AccountFlows.StrongPassword, "en", "0812345", true, "phone_invalid")]
    [InlineData("acceptTerms", "Ana", "ana@example.com", AccountFlows.StrongPassword, "en", null, false, "terms_required")]
    public async Task Bad_input_is_refused_field_by_field_and_nothing_is_created(
        string field, string fullName, string email, string password, string language, string? phone, bool acceptTerms, string code)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");

        var response = await client.PostJsonAsync("/api/v1/auth/register", new { fullName, email, password, language, phone, acceptTerms });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()).ShouldContain(code);
        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        await using var db = app.Database.CreateContext();
        (await db.Users.CountAsync(Ct)).ShouldBe(0);
        (await db.Outbox.CountAsync(Ct)).ShouldBe(0);
    }

    [Theory]
    [InlineData("{\"fullName\": \"Ana\", ")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task A_malformed_body_is_a_400_problem(string body)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.PostAsync("/api/v1/auth/register", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_10_MB_body_is_refused_and_nothing_is_stored()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.PostJsonAsync("/api/v1/auth/register", new
        {
            fullName = new string('A', 10 * 1024 * 1024),
            email = "big@example.com",
            password = AccountFlows.StrongPassword,
            language = "en",
            acceptTerms = true,
        });

        response.StatusCode.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
        await using var db = app.Database.CreateContext();
        (await db.Users.CountAsync(Ct)).ShouldBe(0);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Registering_an_address_that_has_an_account_answers_the_same_and_tells_its_owner(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var owner = app.Browser();
        await app.RegisterVerifiedAsync(owner, "siti@example.co.id", language: "id", fullName: "Siti Rahma");
        using var stranger = app.Browser();

        var first = await (await stranger.RegisterAsync("someone@example.com")).Content.ReadAsStringAsync(Ct);
        var again = await stranger.RegisterAsync("Siti@Example.co.id", language: "en");

        again.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await again.Content.ReadAsStringAsync(Ct)).ShouldBe(first.Replace("someone@example.com", "Siti@Example.co.id", StringComparison.Ordinal));
        var mails = await app.EmailsToAsync("siti@example.co.id");
        mails.Count(AccountFlows.IsVerification).ShouldBe(1, "no new code for an existing account");
        var notice = mails[^1];
        notice.Subject.ShouldBe("Seseorang mencoba mendaftar dengan alamat Anda");
        notice.Language.ShouldBe("id");
        await using var db = database.CreateContext();
        (await db.Users.CountAsync(Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Script_and_SQL_in_a_name_are_stored_as_typed_and_shown_escaped()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        const string name = "<script>alert(1)</script> Robert'); DROP TABLE \"AspNetUsers\";--";

        await app.RegisterVerifiedAsync(client, "bobby@example.com", fullName: name);

        await using (var db = app.Database.CreateContext())
        {
            (await db.Users.SingleAsync(Ct)).FullName.ShouldBe(name);
        }
        var page = await client.GetStringAsync("/account", Ct);
        page.ShouldNotContain("<script>alert(1)</script>");
        page.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt; Robert&#x27;); DROP TABLE &quot;AspNetUsers&quot;;--");
    }

    [Fact]
    public async Task The_registration_form_refuses_a_post_without_its_antiforgery_token()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.PostFormAsync("/register",
            ("_handler", "register"), ("Input.FullName", "Ana"), ("Input.Email", "ana@example.com"),
            ("Input.Password", AccountFlows.StrongPassword), ("Input.Language", "en"), ("Input.AcceptTerms", "true"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await using var db = app.Database.CreateContext();
        (await db.Users.CountAsync(Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task The_form_shows_each_problem_in_the_reader_s_language_and_keeps_what_was_typed_except_the_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("id");

        var response = await client.SubmitFormAsync("/register", "register", ("Input.FullName", "Budi Santoso"),
            ("Input.Email", "budi@example"), ("Input.Password", "santoso-is-my-name"), ("Input.Language", "id"), ("Input.Phone", "+6281234567890"));
        var html = await response.Content.ReadAsStringAsync(Ct);

        html.ShouldContain("data-error-code=\"email_invalid\"");
        html.ShouldContain("Masukkan alamat email yang valid");
        html.ShouldContain("data-error-code=\"password_contains_personal\"");
        html.ShouldContain("data-error-code=\"terms_required\"");
        html.ShouldContain("value=\"Budi Santoso\"");
        html.ShouldContain("value=\"budi@example\"");
        html.ShouldContain("6281234567890\"");
        html.ShouldNotContain("santoso-is-my-name");
    }

    [Fact]
    public async Task A_valid_form_leads_to_the_waiting_page_for_that_address()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");

        var response = await client.SubmitFormAsync("/register", "register", ("Input.FullName", "Rosa Díaz"),
            ("Input.Email", "rosa@example.es"), ("Input.Password", AccountFlows.StrongPassword), ("Input.Language", "es"), ("Input.AcceptTerms", "true"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldEndWith("verify?email=rosa%40example.es");
        (await app.EmailsToAsync("rosa@example.es")).ShouldHaveSingleItem().Language.ShouldBe("es");
    }

    [Fact]
    public async Task The_verification_email_reaches_a_real_SMTP_server_in_the_user_s_language()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?>
        {
            ["Email:Mode"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:UseTls"] = "false",
        });
        using var client = app.Browser();

        await client.RegisterAsync("ramon@example.es", language: "es", fullName: "Ramón Núñez");

        var mail = (await smtp.WaitForMessagesAsync(1)).ShouldHaveSingleItem();
        mail.Subject.ShouldBe("Su código de Layan: " + await app.LatestCodeAsync("ramon@example.es"));
        mail.TextBody.ShouldNotBeNull().ShouldStartWith("Hola Ramón Núñez:");
        mail.HtmlBody.ShouldNotBeNull().ShouldContain("Verificar mi correo</a>");
    }
}
