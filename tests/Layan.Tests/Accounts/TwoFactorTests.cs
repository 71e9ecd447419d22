using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-2 (authenticator app with QR code, 10 single-use recovery codes, remember this
// device for 30 days) and LOG-10 (a used time step is refused, recovery codes have ≥ 64 bits and
// are stored hashed and wrong ones count toward lockout, a failed second factor emails the owner,
// changing two factors ends other sessions, and needs the password).
public sealed class TwoFactorTests
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(byte[] Key, IReadOnlyList<string> RecoveryCodes)> EnableAsync(LayanApp app, HttpClient client) => TwoFactorSetup.EnableAsync(app, client);

    private static string CodeNow(LayanApp app, byte[] key) => TwoFactorSetup.CodeNow(app, key);

    private static Task<HttpResponseMessage> SecondFactorAsync(HttpClient client, string method, string code, bool remember = false) =>
        client.PostJsonAsync("/api/v1/auth/login/second-factor", new { method, code, rememberDevice = remember });

    [Fact]
    public async Task Setting_up_gives_a_key_a_QR_code_and_an_otpauth_URI_and_enabling_needs_the_password_and_a_code()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var setup = await (await client.PostAsync("/api/v1/auth/me/two-factor/authenticator", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var key = Totp.FromBase32(setup.GetProperty("sharedKey").GetString()!);

        setup.GetProperty("authenticatorUri").GetString().ShouldStartWith("otpauth://totp/Layan%3Aana%40example.com?secret=");
        setup.GetProperty("qrCodeDataUri").GetString().ShouldStartWith("data:image/png;base64,iVBORw0KGgo");
        var wrongPassword = await client.PostJsonAsync("/api/v1/auth/me/two-factor/enable", new { password = "not mine at all", code = CodeNow(app, key) });
        var wrongCode = await client.PostJsonAsync("/api/v1/auth/me/two-factor/enable", new { password = AccountFlows.StrongPassword, code = "000000" });
        (await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
        (await wrongCode.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("two_factor_code_invalid");
        var status = await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/two-factor", Ct);
        status.GetProperty("enabled").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task With_two_factors_the_password_alone_opens_no_session_and_the_app_s_code_does()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var (key, codes) = await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        var login = await (await client.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        login.GetProperty("twoFactorRequired").GetBoolean().ShouldBeTrue();
        login.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).ShouldBe(["authenticator", "email", "recovery"]);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await SecondFactorAsync(client, "authenticator", CodeNow(app, key))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        codes.Count.ShouldBe(10);
        codes.ShouldAllBe(c => c.Length == 19 && c.Replace("-", "", StringComparison.Ordinal).Length == 16); // 16 × 5 bits = 80 bits
    }

    [Fact]
    public async Task A_code_works_once_even_within_its_30_seconds()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var (key, _) = await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        var code = CodeNow(app, key);
        await client.LoginAsync(Ana);
        (await SecondFactorAsync(client, "authenticator", code)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        await client.LoginAsync(Ana);
        var replay = await SecondFactorAsync(client, "authenticator", code);

        (await replay.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("two_factor_code_invalid");
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        (await SecondFactorAsync(client, "authenticator", CodeNow(app, key))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Wrong_second_factors_email_the_owner_and_lock_the_account_like_wrong_passwords()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana, language: "es");
        var (key, codes) = await EnableAsync(app, client);
        using var thief = app.Browser();
        await thief.LoginAsync(Ana);

        for (var i = 0; i < 5; i++)
        {
            await SecondFactorAsync(thief, i % 2 == 0 ? "authenticator" : "recovery", i % 2 == 0 ? "123456" : "AAAA-BBBB-CCCC-DDDD");
        }
        var afterLock = await SecondFactorAsync(thief, "authenticator", CodeNow(app, key));

        (await afterLock.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
        (await app.EmailsToAsync(Ana)).Count(m => m.Subject == "Un inicio de sesión en su cuenta de Layan falló en el segundo paso").ShouldBe(5);
        using var owner = app.Browser();
        (await owner.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "locked for 15 minutes");
        codes.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_recovery_code_works_once_and_codes_are_kept_only_as_hashes()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var (_, codes) = await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        await client.LoginAsync(Ana);
        (await SecondFactorAsync(client, "recovery", codes[3].ToLowerInvariant())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/two-factor", Ct)).GetProperty("recoveryCodesLeft").GetInt32().ShouldBe(9);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);
        (await SecondFactorAsync(client, "recovery", codes[3])).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var db = app.Database.CreateContext();
        var stored = string.Join('|', await db.UserTokens.Select(t => t.Value).ToListAsync(Ct));
        codes.ShouldAllBe(code => !stored.Contains(code.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase) && !stored.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remember_this_device_skips_the_second_step_on_that_browser_only_for_30_days()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var (key, _) = await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);
        (await SecondFactorAsync(client, "authenticator", CodeNow(app, key), remember: true)).EnsureSuccessStatusCode();
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        var remembered = await (await client.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        using var other = app.Browser();
        var elsewhere = await (await other.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        app.Clock.Advance(TimeSpan.FromDays(31));
        var monthLater = await (await client.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);

        remembered.GetProperty("twoFactorRequired").GetBoolean().ShouldBeFalse();
        elsewhere.GetProperty("twoFactorRequired").GetBoolean().ShouldBeTrue();
        monthLater.GetProperty("twoFactorRequired").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Turning_two_factors_on_or_off_ends_every_other_session_and_off_needs_the_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var laptop = app.Browser();
        using var phone = app.Browser();
        await app.RegisterVerifiedAsync(laptop, Ana);
        (await phone.LoginAsync(Ana)).EnsureSuccessStatusCode();

        await EnableAsync(app, laptop);
        (await phone.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await laptop.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await laptop.PostJsonAsync("/api/v1/auth/me/two-factor/disable", new { password = "wrong wrong wrong" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await laptop.PostJsonAsync("/api/v1/auth/me/two-factor/disable", new { password = AccountFlows.StrongPassword })).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var login = await (await phone.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        login.GetProperty("twoFactorRequired").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task The_second_step_without_the_first_is_refused()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await SecondFactorAsync(client, "authenticator", "123456");

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("two_factor_expired");
    }

    [Fact]
    public async Task A_code_by_email_works_once_for_10_minutes_and_comes_at_most_once_a_minute()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana, language: "id");
        await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);

        (await client.PostAsync("/api/v1/auth/login/second-factor/email", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var tooSoon = await client.PostAsync("/api/v1/auth/login/second-factor/email", null, Ct);
        var mail = (await app.EmailsToAsync(Ana))[^1];
        mail.Subject.ShouldStartWith("Kode masuk Layan Anda: ");
        var code = mail.Subject[^6..];
        (await tooSoon.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("resend_too_soon");
        (await SecondFactorAsync(client, "email", code)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);
        (await SecondFactorAsync(client, "email", code)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "used once already");

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await client.PostAsync("/api/v1/auth/login/second-factor/email", null, Ct);
        var fresh = (await app.EmailsToAsync(Ana))[^1].Subject[^6..];
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        (await SecondFactorAsync(client, "email", fresh)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "expired after 10 minutes");
    }

    [Fact]
    public async Task No_code_is_emailed_without_the_password_step()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var response = await client.PostAsync("/api/v1/auth/login/second-factor/email", null, Ct);

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("two_factor_expired");
    }

    [Fact]
    public async Task The_second_step_page_emails_a_code_and_takes_it()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);

        var sent = await (await client.SubmitFormAsync("/login/two-factor", "send-email-code")).Content.ReadAsStringAsync(Ct);
        sent.ShouldContain("data-testid=\"email-code-sent\"");
        var code = (await app.EmailsToAsync(Ana))[^1].Subject[^6..];
        var done = await client.SubmitFormAsync("/login/two-factor", "second-factor",
            ("Input.Method", "email"), ("Input.Code", code), ("Input.ReturnUrl", "/account"));

        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        done.Headers.Location!.AbsolutePath.ShouldBe("/account");
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
