using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-1 (email + password, the language follows the profile), LOG-3 (5 failures within
// 15 minutes lock for 15 minutes; no enumeration; per-IP limit) and LOG-10 (210,000 PBKDF2
// iterations and rehash, same answer and same work for unknown/wrong/locked, server-side
// sessions: 1 hour idle, 24 hours absolute, ended at once on sign-out).
public sealed class SignInTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> CredentialsInvalid(HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.GetProperty("code").GetString().ShouldBe("credentials_invalid");
        return problem;
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_verified_user_signs_in_and_the_UI_switches_to_their_language(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using (var registering = app.Browser())
        {
            await app.RegisterVerifiedAsync(registering, Ana, language: "id", fullName: "Ana Lima");
        }
        using var client = app.Browser("en");

        var response = await client.LoginAsync(Ana);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(".AspNetCore.Culture=c%3Did", StringComparison.Ordinal));
        (await client.GetStringAsync("/account", Ct)).ShouldContain("Selamat datang, Ana Lima. Akun Anda sudah siap.");
    }

    [Fact]
    public async Task Unknown_address_wrong_password_and_locked_account_get_the_same_answer_and_the_same_work()
    {
        CountingPasswordHasher? hasher = null;
        await using var app = await LayanApp.OnFreshSqliteAsync(services: s => s.Replace(ServiceDescriptor.Scoped<IPasswordHasher<User>>(sp =>
            hasher ??= new CountingPasswordHasher(new PasswordHasher<User>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>())))));
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var before = hasher!.Verifications;
        var unknown = await CredentialsInvalid(await client.LoginAsync("nobody@example.com"));
        var afterUnknown = hasher.Verifications;
        var wrong = await CredentialsInvalid(await client.LoginAsync(Ana, "not the password"));
        var afterWrong = hasher.Verifications;
        for (var i = 0; i < 4; i++)
        {
            await client.LoginAsync(Ana, "not the password");
        }
        var beforeLocked = hasher.Verifications;
        var locked = await CredentialsInvalid(await client.LoginAsync(Ana));

        (afterUnknown - before).ShouldBe(1);
        (afterWrong - afterUnknown).ShouldBe(1);
        (hasher.Verifications - beforeLocked).ShouldBe(1);
        string Without(JsonElement problem, string key) => JsonSerializer.Serialize(
            problem.EnumerateObject().Where(p => p.Name != key).ToDictionary(p => p.Name, p => p.Value.ToString()));
        Without(unknown, "traceId").ShouldBe(Without(wrong, "traceId"));
        Without(locked, "traceId").ShouldBe(Without(wrong, "traceId"));
    }

    [Fact]
    public async Task Five_failures_within_15_minutes_lock_the_account_for_15_minutes()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        for (var i = 0; i < 5; i++)
        {
            await CredentialsInvalid(await client.LoginAsync(Ana, "not the password"));
            app.Clock.Advance(TimeSpan.FromMinutes(2));
        }
        await CredentialsInvalid(await client.LoginAsync(Ana));
        app.Clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        await CredentialsInvalid(await client.LoginAsync(Ana));
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        (await client.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Failures_spread_over_more_than_15_minutes_do_not_lock()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        for (var i = 0; i < 4; i++)
        {
            await client.LoginAsync(Ana, "not the password");
        }
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        for (var i = 0; i < 4; i++)
        {
            await client.LoginAsync(Ana, "not the password");
        }

        (await client.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_right_password_of_an_unverified_account_asks_for_verification()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await client.RegisterAsync(Ana);

        var problem = await (await client.LoginAsync(Ana)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        problem.GetProperty("code").GetString().ShouldBe("email_not_verified");
        await CredentialsInvalid(await client.LoginAsync(Ana, "not the password"));
    }

    [Fact]
    public async Task Passwords_are_hashed_with_210000_iterations_and_older_hashes_are_rehashed_at_sign_in()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        await using (var db = app.Database.CreateContext())
        {
            var user = await db.Users.SingleAsync(Ct);
            Iterations(user.PasswordHash!).ShouldBe(210_000);
            // As an older installation (Identity's default) would have stored it.
            user.PasswordHash = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(user, AccountFlows.StrongPassword);
            await db.SaveChangesAsync(Ct);
        }

        (await client.LoginAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var check = app.Database.CreateContext();
        Iterations((await check.Users.SingleAsync(Ct)).PasswordHash!).ShouldBe(210_000);
    }

    // Identity's v3 format: 0x01, PRF (4 bytes, 2 = HMAC-SHA512), iterations (4 bytes), salt size, salt, subkey.
    private static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        bytes[0].ShouldBe((byte)0x01);
        BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)).ShouldBe(2u, "HMAC-SHA512");
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
    }

    [Fact]
    public async Task A_session_ends_after_an_idle_hour_and_after_24_hours_in_any_case()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        for (var hour = 0; hour < 23; hour++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(59));
            (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, $"active after {hour + 1} x 59 minutes");
        }
        app.Clock.Advance(TimeSpan.FromMinutes(24 * 60 - 23 * 59));
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "24 hours after sign-in");

        (await client.LoginAsync(Ana)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "an idle hour");
    }

    [Fact]
    public async Task Signing_in_again_after_half_an_idle_hour_keeps_the_new_session()
    {
        // The old session's cookie is due to slide when more than half its idle hour has passed; the
        // sign-in must not let that slide write the ended session's key over the new one.
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        foreach (var idle in new[] { 31, 45, 59 })
        {
            app.Clock.Advance(TimeSpan.FromMinutes(idle));
            (await client.LoginAsync(Ana)).EnsureSuccessStatusCode();
            (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, $"signed in again after {idle} idle minutes");
        }
        await using var db = app.Database.CreateContext();
        (await db.Set<UserSession>().CountAsync(Ct)).ShouldBe(1, "each sign-in ended the session before it");
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_useless()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var login = await client.LoginAsync(Ana);
        // The old session's cookie is deleted and the new one set after it (the last one counts, as in a browser).
        var cookie = login.Headers.GetValues("Set-Cookie").Last(c => c.StartsWith("layan.session=", StringComparison.Ordinal)).Split(';')[0];

        (await client.PostAsync("/api/v1/auth/logout", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var thief = app.Browser();
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        (await thief.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var db = app.Database.CreateContext();
        (await db.Set<UserSession>().CountAsync(Ct)).ShouldBe(0, "signing in again replaced the verification's session; signing out ended this one");
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_IP_address()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["RateLimits:AuthPerMinute"] = "3" });
        using var client = app.Browser();

        for (var i = 0; i < 3; i++)
        {
            await CredentialsInvalid(await client.LoginAsync("x@example.com", "whatever whatever"));
        }
        var limited = await client.LoginAsync("x@example.com", "whatever whatever");

        (await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("rate_limited");
    }

    [Fact]
    public async Task The_login_page_signs_in_and_returns_to_the_page_that_asked()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using (var registering = app.Browser())
        {
            await app.RegisterVerifiedAsync(registering, Ana);
        }
        using var client = app.Browser("es");
        var challenge = await client.GetAsync("/account", Ct);
        challenge.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var loginPage = challenge.Headers.Location!.PathAndQuery;
        var html = await client.GetStringAsync(loginPage, Ct);

        var wrong = await client.PostFormAsync(loginPage, ("__RequestVerificationToken", Forms.AntiforgeryToken(html)), ("_handler", "login"),
            ("Input.Email", Ana), ("Input.Password", "not the password"), ("Input.ReturnUrl", "/account"));
        var wrongHtml = await wrong.Content.ReadAsStringAsync(Ct);
        wrongHtml.ShouldContain("data-error-code=\"credentials_invalid\"");
        wrongHtml.ShouldContain("El correo o la contrase&#xF1;a no son correctos");
        wrongHtml.ShouldNotContain("not the password");
        var right = await client.PostFormAsync(loginPage, ("__RequestVerificationToken", Forms.AntiforgeryToken(wrongHtml)), ("_handler", "login"),
            ("Input.Email", Ana), ("Input.Password", AccountFlows.StrongPassword), ("Input.ReturnUrl", "/account"));

        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        right.Headers.Location!.AbsolutePath.ShouldBe("/account");
        (await client.GetStringAsync("/account", Ct)).ShouldContain("data-testid=\"welcome\"");
    }
}
