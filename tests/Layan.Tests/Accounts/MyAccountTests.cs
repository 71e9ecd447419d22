using System.Net;
using System.Net.Http.Json;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-9 (name, language, password change) and LOG-10 (a password change rotates the
// security stamp and ends every other session; this one stays).
public sealed class MyAccountTests
{
    private const string Ana = "ana@example.com";
    private const string NewPassword = "quiet lantern orchard 77";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current, string next) =>
        client.PostJsonAsync("/api/v1/auth/me/password", new { currentPassword = current, newPassword = next });

    [Fact]
    public async Task Name_and_language_are_changed_and_the_UI_follows()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var response = await client.PutAsJsonAsync("/api/v1/auth/me", new { fullName = "Ana Lima Santos", language = "es" }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(".AspNetCore.Culture=c%3Des", StringComparison.Ordinal));
        (await client.GetStringAsync("/account", Ct)).ShouldContain("Bienvenido, Ana Lima Santos.");
    }

    [Theory]
    [InlineData("", "en", "fullName", "full_name_required")]
    [InlineData("Ana", "fr", "language", "language_invalid")]
    public async Task Bad_profile_input_is_refused_and_changes_nothing(string fullName, string language, string field, string code)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var problem = await (await client.PutAsJsonAsync("/api/v1/auth/me", new { fullName, language }, Ct)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.GetProperty("errors").GetProperty(field)[0].GetString().ShouldBe(code);
        await using var db = app.Database.CreateContext();
        var user = await db.Users.SingleAsync(Ct);
        (user.FullName, user.Language).ShouldBe(("Ana Lima", "en"));
    }

    [Fact]
    public async Task Without_a_session_the_account_API_answers_401()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        (await client.PutAsJsonAsync("/api/v1/auth/me", new { fullName = "X", language = "en" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ChangePasswordAsync(client, "a", "b")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Changing_the_password_ends_every_other_session_keeps_this_one_and_tells_the_owner()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var laptop = app.Browser();
        using var phone = app.Browser();
        await app.RegisterVerifiedAsync(laptop, Ana);
        (await phone.LoginAsync(Ana)).EnsureSuccessStatusCode();

        (await ChangePasswordAsync(laptop, AccountFlows.StrongPassword, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await phone.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await laptop.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(45)); // past the security-stamp check interval
        (await laptop.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "this session was re-issued with the new stamp");
        using var other = app.Browser();
        (await other.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await other.LoginAsync(Ana, NewPassword)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.EmailsToAsync(Ana)).Select(m => m.Subject).ShouldContain("Your Layan password was changed");
    }

    [Theory]
    [InlineData("not my password", NewPassword, HttpStatusCode.Unauthorized, "credentials_invalid")]
    [InlineData(AccountFlows.StrongPassword, "qwerty123456", HttpStatusCode.BadRequest, "password_common")]
    public async Task A_wrong_current_password_or_a_weak_new_one_changes_nothing(string current, string next, HttpStatusCode status, string code)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var laptop = app.Browser();
        using var phone = app.Browser();
        await app.RegisterVerifiedAsync(laptop, Ana);
        (await phone.LoginAsync(Ana)).EnsureSuccessStatusCode();

        var problem = await (await ChangePasswordAsync(laptop, current, next)).ShouldBeProblemAsync(status);

        problem.GetProperty("code").GetString().ShouldBe(code);
        (await phone.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var other = app.Browser();
        (await other.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_page_saves_the_profile_in_the_new_language_and_changes_the_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var saved = await client.SubmitFormAsync("/account", "profile", ("Profile.FullName", "Ana Lima"), ("Profile.Language", "id"));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = await client.GetStringAsync(saved.Headers.Location!.PathAndQuery, Ct);
        page.ShouldContain("data-testid=\"profile-saved\">Tersimpan.</p>");
        var changed = await (await client.SubmitFormAsync("/account", "password",
            ("Password.CurrentPassword", AccountFlows.StrongPassword), ("Password.NewPassword", NewPassword))).Content.ReadAsStringAsync(Ct);

        changed.ShouldContain("data-testid=\"password-changed\"");
        changed.ShouldNotContain(NewPassword);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
