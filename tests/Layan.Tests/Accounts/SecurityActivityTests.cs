using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-8: sign-ins, failures, lockouts, sign-outs, verification and password changes are
// logged with time, IP and browser; the user sees the log (paged) and their active sessions and
// can end any of them at once, never another user's; a sign-in from a new browser sends a
// localized security alert.
public sealed class SecurityActivityTests
{
    private const string Ana = "ana@example.com";
    private const string Eve = "eve@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient BrowserNamed(LayanApp app, string userAgent)
    {
        var client = app.Browser();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    [Fact]
    public async Task The_log_shows_what_happened_newest_first_with_the_browser_and_pages()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = BrowserNamed(app, "LayanTest/1.0");
        await app.RegisterVerifiedAsync(client, Ana);
        await client.LoginAsync(Ana, "not the password");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await client.LoginAsync(Ana);

        var log = await GetJsonAsync(client, "/api/v1/auth/me/activity");
        var kinds = log.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();

        kinds.ShouldBe(["signed_in", "sign_in_failed", "signed_in", "email_verified"]);
        log.GetProperty("items")[0].GetProperty("userAgent").GetString().ShouldBe("LayanTest/1.0");
        log.GetProperty("total").GetInt32().ShouldBe(4);
        var page2 = await GetJsonAsync(client, "/api/v1/auth/me/activity?page=2&pageSize=3");
        page2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ShouldBe(["email_verified"]);
    }

    [Fact]
    public async Task Lockouts_password_changes_and_sign_outs_are_logged_and_each_user_sees_only_their_own()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(eve, Eve);
        for (var i = 0; i < 5; i++)
        {
            await eve.LoginAsync(Ana, "guessing guessing");
        }
        await ana.PostAsync("/api/v1/auth/logout", null, Ct);
        await ana.PostJsonAsync("/api/v1/auth/forgot-password", new { email = Ana });
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        (await ana.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var anaKinds = (await GetJsonAsync(ana, "/api/v1/auth/me/activity?pageSize=100")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();
        var eveKinds = (await GetJsonAsync(eve, "/api/v1/auth/me/activity?pageSize=100")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();

        anaKinds.ShouldContain("locked_out");
        anaKinds.Count(k => k == "sign_in_failed").ShouldBe(5);
        anaKinds.ShouldContain("signed_out");
        anaKinds.ShouldContain("password_reset_requested");
        eveKinds.ShouldBe(["signed_in", "email_verified"], "Eve's log holds only Eve's own events");
    }

    [Fact]
    public async Task A_user_sees_their_sessions_and_ends_another_one_at_once()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var laptop = BrowserNamed(app, "Laptop");
        using var phone = BrowserNamed(app, "Phone");
        await app.RegisterVerifiedAsync(laptop, Ana);
        (await phone.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var sessions = (await GetJsonAsync(laptop, "/api/v1/auth/me/sessions")).EnumerateArray().ToList();
        sessions.Count.ShouldBe(2);
        sessions.Single(s => s.GetProperty("current").GetBoolean()).GetProperty("userAgent").GetString().ShouldBe("Laptop");
        var phoneSession = sessions.Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();

        (await laptop.DeleteAsync($"/api/v1/auth/me/sessions/{phoneSession}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await phone.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await laptop.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetJsonAsync(laptop, "/api/v1/auth/me/activity")).GetProperty("items")[0].GetProperty("kind").GetString().ShouldBe("session_ended");
    }

    [Fact]
    public async Task Nobody_can_see_or_end_another_user_s_sessions()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(eve, Eve);
        var anaSession = (await GetJsonAsync(ana, "/api/v1/auth/me/sessions")).EnumerateArray().Single().GetProperty("id").GetGuid();

        var eveSees = (await GetJsonAsync(eve, "/api/v1/auth/me/sessions")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        var attempt = await eve.DeleteAsync($"/api/v1/auth/me/sessions/{anaSession}", Ct);

        eveSees.ShouldNotContain(anaSession);
        attempt.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ana.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var anonymous = app.Browser();
        (await anonymous.GetAsync("/api/v1/auth/me/sessions", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.DeleteAsync($"/api/v1/auth/me/sessions/{anaSession}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_sign_in_from_a_new_browser_alerts_the_owner_in_their_language_once()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var first = app.Browser();
        await app.RegisterVerifiedAsync(first, Ana, language: "id");
        (await first.LoginAsync(Ana)).EnsureSuccessStatusCode();
        (await app.EmailsToAsync(Ana)).ShouldNotContain(m => m.Subject == "Login baru ke akun Layan Anda", "the browser that registered is known");

        using var other = BrowserNamed(app, "Unfamiliar/2.0");
        (await other.LoginAsync(Ana)).EnsureSuccessStatusCode();
        (await other.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var alerts = (await app.EmailsToAsync(Ana)).Where(m => m.Subject == "Login baru ke akun Layan Anda").ToList();
        alerts.Count.ShouldBe(1);
        alerts[0].TextBody.ShouldContain("Peramban: Unfamiliar/2.0");
        (await GetJsonAsync(other, "/api/v1/auth/me/activity")).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("kind").GetString()).ShouldContain("new_device");
    }

    [Fact]
    public async Task The_security_page_lists_sessions_and_activity_in_the_reader_s_language_and_ends_a_session()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var laptop = app.Browser("es");
        using var phone = app.Browser("es");
        await app.RegisterVerifiedAsync(laptop, Ana, language: "es");
        (await phone.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var page = await laptop.GetStringAsync("/account/security", Ct);
        page.ShouldContain("<h1>Seguridad y sesiones</h1>");
        page.ShouldContain("data-testid=\"current-session\">Esta sesi&#xF3;n</span>");
        page.ShouldContain("Correo verificado");
        var phoneSession = (await GetJsonAsync(laptop, "/api/v1/auth/me/sessions")).EnumerateArray()
            .Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();

        var ended = await (await laptop.SubmitFormAsync("/account/security", $"end-{phoneSession:N}")).Content.ReadAsStringAsync(Ct);

        ended.ShouldContain("data-testid=\"session-ended\"");
        (await phone.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
