using System.Net;
using System.Net.Http.Json;
using Layan.Features.Accounts;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers ACC-4 (30 minutes, 5 tries, case-sensitive, one live code), ACC-5 (resend: same code
// while live, 60 s, 10 a day, same answers for unknown addresses), ACC-6 (exactly 6 automatic
// resends 5 minutes apart, none after verification or a change of address, each send recorded),
// ACC-7 (change of address), ACC-9 (account ready, signed in) and ACC-11 (purge after 7 days).
public sealed class VerificationTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task The_right_code_verifies_signs_in_sends_account_ready_and_stops_the_timers(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana, language: "es");

        var response = await client.VerifyAsync(Ana, await app.LatestCodeAsync(Ana));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("layan.session=", StringComparison.Ordinal));
        var me = await client.GetFromJsonAsync<Dictionary<string, object>>("/api/v1/auth/me", Ct);
        me!["verified"].ToString().ShouldBe("True");
        (await app.EmailsToAsync(Ana))[^1].Subject.ShouldBe("Su cuenta de Layan está lista");
        await using var db = database.CreateContext();
        (await db.DueWork.CountAsync(w => w.State == WorkState.Pending, Ct)).ShouldBe(0, "no resends, no purge");
        app.Clock.Advance(TimeSpan.FromDays(8));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task A_code_is_case_sensitive_and_void_after_5_wrong_tries()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana);
        var code = await app.LatestCodeAsync(Ana);
        var wrongCase = new string(code.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());

        for (var i = 1; i <= 4; i++)
        {
            var problem = await (await client.VerifyAsync(Ana, i == 1 ? wrongCase : "Zz9Zz9Zz")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
            problem.GetProperty("code").GetString().ShouldBe("code_invalid");
        }
        var fifth = await (await client.VerifyAsync(Ana, "short")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        fifth.GetProperty("code").GetString().ShouldBe("code_invalid");
        var sixth = await (await client.VerifyAsync(Ana, "Zz9Zz9Zz")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        sixth.GetProperty("code").GetString().ShouldBe("code_invalid", "a wrong code learns nothing more than for an address with no registration");
        var right = await (await client.VerifyAsync(Ana, code)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        right.GetProperty("code").GetString().ShouldBe("code_attempts_exceeded");
    }

    [Fact]
    public async Task A_code_expires_after_30_minutes()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana);
        var code = await app.LatestCodeAsync(Ana);

        app.Clock.Advance(TimeSpan.FromMinutes(30));

        var guess = await (await client.VerifyAsync(Ana, "Zz9Zz9Zz")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var problem = await (await client.VerifyAsync(Ana, code)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        guess.GetProperty("code").GetString().ShouldBe("code_invalid", "only the right code learns it expired: a guess cannot tell a pending registration");
        problem.GetProperty("code").GetString().ShouldBe("code_expired");
    }

    [Fact]
    public async Task After_verification_the_code_from_another_tab_no_longer_works()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var firstTab = app.Browser();
        using var secondTab = app.Browser();
        await firstTab.RegisterAsync(Ana);
        var code = await app.LatestCodeAsync(Ana);
        (await firstTab.VerifyAsync(Ana, code)).EnsureSuccessStatusCode();

        var problem = await (await secondTab.VerifyAsync(Ana, code)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.GetProperty("code").GetString().ShouldBe("code_invalid");
    }

    [Fact]
    public async Task Resend_carries_the_same_code_while_it_lives_waits_60_seconds_and_then_issues_a_new_one()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana);
        var first = await app.LatestCodeAsync(Ana);

        (await client.ResendAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var tooSoon = await client.ResendAsync(Ana);
        app.Clock.Advance(TimeSpan.FromSeconds(59));
        var stillTooSoon = await client.ResendAsync(Ana);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        (await client.ResendAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        (await client.ResendAsync(Ana)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var problem = await tooSoon.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem.GetProperty("code").GetString().ShouldBe("resend_too_soon");
        problem.GetProperty("retryAfter").GetInt32().ShouldBe(60);
        tooSoon.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(60));
        (await stillTooSoon.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("retryAfter").GetInt32().ShouldBe(1);
        var codes = await app.CodesSentToAsync(Ana);
        codes.Count.ShouldBe(4);
        codes.Take(3).ShouldAllBe(c => c == first);
        codes[3].ShouldNotBe(first, "the first had expired");
        (await client.VerifyAsync(Ana, first)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.VerifyAsync(Ana, codes[3])).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(Ana)]
    [InlineData("nobody@example.com")]
    public async Task At_most_10_resends_a_day_with_the_same_answers_whether_or_not_the_address_has_an_account(string address)
    {
        // The per-IP limit on auth endpoints (20 a minute) would answer first; this is about the address.
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?>(LayanApp.ManualTimers) { ["RateLimits:AuthPerMinute"] = "1000" });
        using var client = app.Browser();
        await client.RegisterAsync(Ana);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add((await client.ResendAsync(address)).StatusCode);
            answers.Add((await client.ResendAsync(address)).StatusCode);
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var eleventh = await client.ResendAsync(address);
        app.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await client.ResendAsync(address);

        answers.Where((_, i) => i % 2 == 0).ShouldAllBe(s => s == HttpStatusCode.Accepted);
        answers.Where((_, i) => i % 2 == 1).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        (await eleventh.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("resend_limit_reached");
        nextDay.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Exactly_6_automatic_resends_go_out_5_minutes_apart_each_recorded()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana);
        var timers = app.Runner<DueWork>();

        var sentAt = new List<int>();
        for (var minute = 1; minute <= 60; minute++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            await timers.RunOnceAsync(Ct);
            if ((await app.CodesSentToAsync(Ana)).Count > sentAt.Count + 1)
            {
                sentAt.Add(minute);
            }
        }

        sentAt.ShouldBe([5, 10, 15, 20, 25, 30]);
        await using var db = app.Database.CreateContext();
        var sends = await db.Set<VerificationSend>().OrderBy(s => s.RequestedAt).Select(s => new { s.Reason, s.OutboxMessageId }).ToListAsync(Ct);
        sends.Select(s => s.Reason).ShouldBe(["initial", "auto", "auto", "auto", "auto", "auto", "auto"]);
        sends.ShouldAllBe(s => s.OutboxMessageId != null);
    }

    [Fact]
    public async Task Automatic_resends_stop_once_the_address_is_verified()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync(Ana);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await client.VerifyAsync(Ana, await app.LatestCodeAsync(Ana))).EnsureSuccessStatusCode();

        for (var step = 0; step < 12; step++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(5));
            await app.Runner<DueWork>().RunOnceAsync(Ct);
        }

        (await app.CodesSentToAsync(Ana)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Changing_a_wrong_address_kills_the_old_code_and_moves_everything_to_the_new_one()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync("ana@exmaple.com");
        var oldCode = await app.LatestCodeAsync("ana@exmaple.com");

        var wrongPassword = await client.PostJsonAsync("/api/v1/auth/change-email", new { email = "ana@exmaple.com", newEmail = Ana, password = "not my password" });
        var changed = await client.PostJsonAsync("/api/v1/auth/change-email", new { email = "ana@exmaple.com", newEmail = Ana, password = AccountFlows.StrongPassword });

        (await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
        changed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await client.VerifyAsync(Ana, oldCode)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.VerifyAsync("ana@exmaple.com", oldCode)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await app.CodesSentToAsync("ana@exmaple.com")).Count.ShouldBe(1, "nothing more to the old address");
        var newCodes = await app.CodesSentToAsync(Ana);
        newCodes.Count.ShouldBe(2, "the new code, then its automatic resend");
        (await client.VerifyAsync(Ana, newCodes[^1])).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unverified_registrations_are_deleted_after_7_days_and_verified_users_never()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var client = app.Browser();
        await client.RegisterAsync("late@example.com");
        await app.RegisterVerifiedAsync(client, Ana);

        app.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        while (await app.Runner<DueWork>().RunOnceAsync(Ct) > 0)
        {
        }
        await using (var db = app.Database.CreateContext())
        {
            (await db.Users.CountAsync(Ct)).ShouldBe(2);
        }
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        while (await app.Runner<DueWork>().RunOnceAsync(Ct) > 0)
        {
        }

        await using var check = app.Database.CreateContext();
        (await check.Users.Select(u => u.Email).ToListAsync(Ct)).ShouldBe([Ana]);
        (await check.Set<VerificationCode>().CountAsync(Ct)).ShouldBe(1, "the purged user's codes went with it");
    }
}
