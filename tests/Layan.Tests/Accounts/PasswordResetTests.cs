using System.Net;
using System.Text.RegularExpressions;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-4: the same answer for any address; the link works once, for 30 minutes, and a newer
// link replaces it; a new password ends every session, lifts a lockout and tells the owner.
public sealed partial class PasswordResetTests
{
    private const string Ana = "ana@example.com";
    private const string NewPassword = "quiet lantern orchard 77";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> ForgotAsync(HttpClient client, string email) =>
        client.PostJsonAsync("/api/v1/auth/forgot-password", new { email });

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, string email, string token, string newPassword = NewPassword) =>
        client.PostJsonAsync("/api/v1/auth/reset-password", new { email, token, newPassword });

    private static async Task<string> LatestTokenAsync(LayanApp app, string email)
    {
        var link = (await app.EmailsToAsync(email)).Select(m => ResetLink().Match(m.TextBody)).Last(m => m.Success);
        return link.Groups[1].Value;
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response) =>
        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString()!;

    [Fact]
    public async Task Any_address_gets_the_same_answer_and_only_a_verified_account_gets_a_link_in_its_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana, language: "es");
        await client.RegisterAsync("unverified@example.com");

        var known = await ForgotAsync(client, Ana);
        var unknown = await ForgotAsync(client, "nobody@example.com");
        var unverified = await ForgotAsync(client, "unverified@example.com");

        known.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await unknown.Content.ReadAsStringAsync(Ct)).ShouldBe((await known.Content.ReadAsStringAsync(Ct)).Replace(Ana, "nobody@example.com", StringComparison.Ordinal));
        unverified.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var mail = (await app.EmailsToAsync(Ana))[^1];
        mail.Subject.ShouldBe("Restablezca su contraseña de Layan");
        mail.TextBody.ShouldContain("durante 30 minutos");
        (await app.EmailsToAsync("nobody@example.com")).ShouldBeEmpty();
        (await app.EmailsToAsync("unverified@example.com")).Count.ShouldBe(1, "only its verification email");
    }

    [Fact]
    public async Task The_link_sets_a_new_password_once_ends_every_session_and_tells_the_owner()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var signedIn = app.Browser();
        await app.RegisterVerifiedAsync(signedIn, Ana);
        using var client = app.Browser();
        await ForgotAsync(client, Ana);
        var token = await LatestTokenAsync(app, Ana);

        (await ResetAsync(client, Ana, token)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await signedIn.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "sessions end with a reset");
        (await client.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the old password is gone");
        (await client.LoginAsync(Ana, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReasonAsync(await ResetAsync(client, Ana, token, "another fine password 9"))).ShouldBe("reset_link_invalid");
        (await app.EmailsToAsync(Ana)).Select(m => m.Subject).ShouldContain("Your Layan password was changed");
    }

    [Fact]
    public async Task The_link_expires_after_30_minutes()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await ForgotAsync(client, Ana);
        var token = await LatestTokenAsync(app, Ana);

        app.Clock.Advance(TimeSpan.FromMinutes(30));

        (await ReasonAsync(await ResetAsync(client, Ana, token))).ShouldBe("reset_link_invalid");
    }

    [Fact]
    public async Task A_newer_link_replaces_the_older_one()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await ForgotAsync(client, Ana);
        var older = await LatestTokenAsync(app, Ana);
        await ForgotAsync(client, Ana);
        var newer = await LatestTokenAsync(app, Ana);

        (await ReasonAsync(await ResetAsync(client, Ana, older))).ShouldBe("reset_link_invalid");
        (await ResetAsync(client, Ana, newer)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("not-the-token")]
    [InlineData("")]
    public async Task A_forged_token_or_another_address_changes_nothing(string token)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await app.RegisterVerifiedAsync(client, "eve@example.com");
        await ForgotAsync(client, Ana);
        var real = await LatestTokenAsync(app, Ana);

        (await ReasonAsync(await ResetAsync(client, Ana, token))).ShouldBe("reset_link_invalid");
        (await ReasonAsync(await ResetAsync(client, "eve@example.com", real))).ShouldBe("reset_link_invalid");
        (await client.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.LoginAsync("eve@example.com")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_weak_new_password_is_refused_and_the_link_still_works()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await ForgotAsync(client, Ana);
        var token = await LatestTokenAsync(app, Ana);

        var weak = await (await ResetAsync(client, Ana, token, "qwerty123456")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        weak.GetProperty("errors").GetProperty("newPassword").EnumerateArray().Select(e => e.GetString()).ShouldContain("password_common");
        (await ResetAsync(client, Ana, token)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_reset_lifts_a_lockout()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(Ana, "not the password");
        }
        await ForgotAsync(client, Ana);

        (await ResetAsync(client, Ana, await LatestTokenAsync(app, Ana))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await client.LoginAsync(Ana, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_pages_ask_for_the_address_then_take_the_new_password_in_the_reader_s_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using (var registering = app.Browser())
        {
            await app.RegisterVerifiedAsync(registering, Ana);
        }
        using var client = app.Browser("id");

        var sent = await (await client.SubmitFormAsync("/forgot-password", "forgot", ("Input.Email", Ana))).Content.ReadAsStringAsync(Ct);
        sent.ShouldContain("data-testid=\"forgot-sent\"");
        var token = await LatestTokenAsync(app, Ana);
        var resetPage = $"/reset-password?email={Uri.EscapeDataString(Ana)}&token={token}";
        var done = await (await client.SubmitFormAsync(resetPage, "reset",
            ("Input.Email", Ana), ("Input.Token", token), ("Input.NewPassword", NewPassword))).Content.ReadAsStringAsync(Ct);

        done.ShouldContain("data-testid=\"reset-done\"");
        done.ShouldContain("Kata sandi Anda sudah diganti");
        done.ShouldNotContain(NewPassword);
        (await client.LoginAsync(Ana, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [GeneratedRegex(@"/reset-password\?email=[^&\s]+&token=([A-Za-z0-9_-]+)")]
    private static partial Regex ResetLink();
}
