using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers the hardening an independent review asked for (LOG-3, LOG-8, LOG-10): parallel guesses
// are each counted; every password check counts toward the lockout; the auth rate limit covers
// the pages' forms; a session signed into by another user becomes theirs; setting up an
// authenticator does not end the session; sign-out needs its token; framing and sniffing are off.
public sealed class HardeningTests
{
    private const string Ana = "ana@example.com";
    private const string Eve = "eve@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_wrong_passwords_are_each_counted_and_lock_the_account()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["RateLimits:AuthPerMinute"] = "1000" });
        using (var registering = app.Browser())
        {
            await app.RegisterVerifiedAsync(registering, Ana);
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var attacker = app.Browser();
            await attacker.LoginAsync(Ana, "guess guess guess");
        }));

        using var owner = app.Browser();
        (await owner.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "locked: the 8 parallel failures were all counted");
    }

    [Fact]
    public async Task Wrong_passwords_typed_into_change_email_count_toward_the_lockout()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["RateLimits:AuthPerMinute"] = "1000" });
        using var client = app.Browser();
        await client.RegisterAsync(Ana);

        for (var i = 0; i < 5; i++)
        {
            await client.PostJsonAsync("/api/v1/auth/change-email", new { email = Ana, newEmail = "x@example.com", password = "guess guess guess" });
        }
        var rightPassword = await client.PostJsonAsync("/api/v1/auth/change-email", new { email = Ana, newEmail = "x@example.com", password = AccountFlows.StrongPassword });

        (await rightPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
    }

    [Fact]
    public async Task The_pages_forms_share_the_per_IP_limit_but_loading_them_does_not_count()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["RateLimits:AuthPerMinute"] = "2" });
        using var client = app.Browser();

        for (var i = 0; i < 4; i++)
        {
            (await client.GetAsync("/login", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.SubmitFormAsync("/login", "login", ("Input.Email", Ana), ("Input.Password", "guess guess guess"))).StatusCode);
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public async Task When_someone_else_signs_in_on_the_same_browser_the_session_becomes_theirs()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var shared = app.Browser();
        using var anaElsewhere = app.Browser();
        await app.RegisterVerifiedAsync(shared, Ana);
        await app.RegisterVerifiedAsync(anaElsewhere, Eve);
        (await anaElsewhere.LoginAsync(Ana)).EnsureSuccessStatusCode();

        (await shared.LoginAsync(Eve)).EnsureSuccessStatusCode(); // Eve, on the browser where Ana was signed in

        var eveSessions = (await shared.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/sessions", Ct)).EnumerateArray().ToList();
        eveSessions.ShouldContain(s => s.GetProperty("current").GetBoolean());
        var anaSessions = (await anaElsewhere.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/sessions", Ct)).EnumerateArray().ToList();
        anaSessions.Count.ShouldBe(1, "only Ana's own browser");
        (await shared.GetFromJsonAsync<JsonElement>("/api/v1/auth/me", Ct)).GetProperty("email").GetString().ShouldBe(Eve);
    }

    [Fact]
    public async Task Opening_the_authenticator_set_up_does_not_end_the_session()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        (await client.GetAsync("/account/two-factor", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < 3; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(25)); // past the security-stamp check, within the idle hour
            (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Signing_out_through_the_form_needs_its_antiforgery_token()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var forged = await client.PostFormAsync("/logout");

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "a cross-site post changes nothing");
        var token = Forms.AntiforgeryToken(await client.GetStringAsync("/account", Ct));
        (await client.PostFormAsync("/logout", ("__RequestVerificationToken", token))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1/languages")]
    public async Task Responses_forbid_framing_and_sniffing(string path)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.GetAsync(path, Ct);

        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Content-Security-Policy").ShouldBe(["frame-ancestors 'none'"]);
    }

    [Fact]
    public async Task A_session_key_planted_in_the_browser_is_replaced_at_sign_in()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using (var registering = app.Browser())
        {
            await app.RegisterVerifiedAsync(registering, Ana);
            await app.RegisterVerifiedAsync(registering, Eve);
        }
        using var manual = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        static string SessionCookie(HttpResponseMessage response) =>
            // At a sign-in over a session, the old cookie is deleted and the new one set after it: the last counts, as in a browser.
            response.Headers.GetValues("Set-Cookie").Last(c => c.StartsWith("layan.session=", StringComparison.Ordinal)).Split(';')[0];
        async Task<HttpStatusCode> MeAs(string cookie)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
            request.Headers.Add("Cookie", cookie);
            return (await manual.SendAsync(request, Ct)).StatusCode;
        }
        var planted = SessionCookie(await manual.LoginAsync(Eve)); // the attacker's own valid session

        using var victimLogin = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { email = Ana, password = AccountFlows.StrongPassword }) };
        victimLogin.Headers.Add("Cookie", planted);
        var victims = SessionCookie(await manual.SendAsync(victimLogin, Ct));

        victims.ShouldNotBe(planted);
        (await MeAs(planted)).ShouldBe(HttpStatusCode.Unauthorized, "the planted session ended and was not handed to Ana");
        (await MeAs(victims)).ShouldBe(HttpStatusCode.OK);
    }
}
