using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers ACC-4 (verification by SMS when the user gives a phone: 8-character case-sensitive code,
// 30 minutes, 5 wrong tries, one live code), ACC-5 for the phone (the same code on a resend, 60 s
// cooldown), ACC-7 and LOG-9 (changing the number re-verifies it; the old code dies), and LOG-2
// (a 6-digit code by SMS as a second factor, only to a verified number).
public sealed class PhoneTests
{
    private const string Ana = "ana@example.com";
    private const string AnaPhone = "+6281234567890";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> MeAsync(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me", Ct);

    private static async Task RegisterWithPhoneAsync(LayanApp app, HttpClient client, string email = Ana, string phone = "+62 812-3456-7890", string language = "en")
    {
        (await client.RegisterAsync(email, language: language, phone: phone)).EnsureSuccessStatusCode();
        (await client.VerifyAsync(email, await app.LatestCodeAsync(email))).EnsureSuccessStatusCode();
    }

    private static Task<HttpResponseMessage> VerifyPhoneAsync(HttpClient client, string code) =>
        client.PostJsonAsync("/api/v1/auth/me/phone/verify", new { code });

    [Fact]
    public async Task A_number_given_at_registration_is_kept_in_E164_and_verified_with_the_texted_code()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client, language: "id");

        var text = (await app.TextsToAsync(AnaPhone)).ShouldHaveSingleItem();
        text.ShouldStartWith("Kode Layan untuk memverifikasi nomor Anda: ");
        var code = await app.LatestTextedCodeAsync(AnaPhone);
        code.Length.ShouldBe(8);
        (await MeAsync(client)).GetProperty("phone").GetString().ShouldBe(AnaPhone);
        (await MeAsync(client)).GetProperty("phoneVerified").GetBoolean().ShouldBeFalse();

        var wrongCase = await VerifyPhoneAsync(client, new string([.. code.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))]));
        var right = await VerifyPhoneAsync(client, code);

        (await wrongCase.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_invalid");
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MeAsync(client)).GetProperty("phoneVerified").GetBoolean().ShouldBeTrue();
        var again = await VerifyPhoneAsync(client, code);
        (await again.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("phone_not_pending");
        var activity = await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/activity", Ct);
        activity.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ShouldContain(SecurityEvent.PhoneVerified);
    }

    [Fact]
    public async Task The_number_given_at_registration_is_texted_only_once_the_email_is_verified()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        (await client.RegisterAsync(Ana, phone: AnaPhone)).EnsureSuccessStatusCode();

        (await app.TextsToAsync(AnaPhone)).ShouldBeEmpty("an anonymous form sends no SMS");
        (await client.VerifyAsync(Ana, await app.LatestCodeAsync(Ana))).EnsureSuccessStatusCode();
        (await app.TextsToAsync(AnaPhone)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Five_wrong_codes_void_the_code_and_an_expired_one_is_refused()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client);
        var code = await app.LatestTextedCodeAsync(AnaPhone);

        for (var i = 0; i < 4; i++)
        {
            (await (await VerifyPhoneAsync(client, "Wrong234")).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_invalid");
        }
        var fifth = await VerifyPhoneAsync(client, "Wrong234");
        var rightTooLate = await VerifyPhoneAsync(client, code);

        (await fifth.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_invalid");
        (await rightTooLate.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_attempts_exceeded");
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        (await client.PostAsync("/api/v1/auth/me/phone/resend", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var fresh = await app.LatestTextedCodeAsync(AnaPhone);
        fresh.ShouldNotBe(code);
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        (await (await VerifyPhoneAsync(client, fresh)).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_expired");
        (await MeAsync(client)).GetProperty("phoneVerified").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_resend_while_the_code_lives_carries_the_same_code_and_waits_a_minute()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client);
        var code = await app.LatestTextedCodeAsync(AnaPhone);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        var first = await client.PostAsync("/api/v1/auth/me/phone/resend", null, Ct);
        var tooSoon = await client.PostAsync("/api/v1/auth/me/phone/resend", null, Ct);

        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await tooSoon.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("resend_too_soon");
        (await app.TextsToAsync(AnaPhone)).Count.ShouldBe(2);
        (await app.LatestTextedCodeAsync(AnaPhone)).ShouldBe(code);
        await using var db = app.Database.CreateContext();
        (await db.Set<VerificationSend>().CountAsync(s => s.Channel == PhoneVerification.Channel && s.Address == AnaPhone, Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Changing_the_number_needs_the_password_kills_the_old_code_and_texts_the_new_number()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client);
        var oldCode = await app.LatestTextedCodeAsync(AnaPhone);

        var badNumber = await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = "0812 not a number", password = AccountFlows.StrongPassword });
        var wrongPassword = await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = "+34600111222", password = "not the password" });
        (await badNumber.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("phone_invalid");
        (await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
        (await MeAsync(client)).GetProperty("phone").GetString().ShouldBe(AnaPhone);

        var changed = await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = "+34 600 111 222", password = AccountFlows.StrongPassword });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MeAsync(client)).GetProperty("phone").GetString().ShouldBe("+34600111222");
        (await (await VerifyPhoneAsync(client, oldCode)).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_invalid");
        (await VerifyPhoneAsync(client, await app.LatestTextedCodeAsync("+34600111222"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A verified number that changes is unverified again until its new code comes back.
        (await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = AnaPhone, password = AccountFlows.StrongPassword })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MeAsync(client)).GetProperty("phoneVerified").GetBoolean().ShouldBeFalse();
        (await client.PostJsonAsync("/api/v1/auth/me/phone", new { phone = "", password = AccountFlows.StrongPassword })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MeAsync(client)).GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task One_person_s_texted_code_does_nothing_for_another()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var ben = app.Browser();
        await RegisterWithPhoneAsync(app, ana);
        await RegisterWithPhoneAsync(app, ben, email: "ben@example.com", phone: "+6289876543210");

        var anasCode = await app.LatestTextedCodeAsync(AnaPhone);
        var attempt = await VerifyPhoneAsync(ben, anasCode);

        (await attempt.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("code_invalid");
        (await MeAsync(ana)).GetProperty("phoneVerified").GetBoolean().ShouldBeFalse();
        (await MeAsync(ben)).GetProperty("phoneVerified").GetBoolean().ShouldBeFalse();
        (await ana.PostAsync("/api/v1/auth/me/phone/resend", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await ben.PostAsync("/api/v1/auth/me/phone/resend", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted); // Ana's cooldown is hers
        (await ben.PostAsync("/api/v1/auth/me/phone/resend", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await app.TextsToAsync(AnaPhone)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_verified_number_is_offered_as_a_second_factor_and_its_texted_code_signs_in_once()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client);
        (await VerifyPhoneAsync(client, await app.LatestTextedCodeAsync(AnaPhone))).EnsureSuccessStatusCode();
        await TwoFactorSetup.EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        var login = await (await client.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        login.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).ShouldBe(["authenticator", "email", "sms", "recovery"]);
        (await client.PostJsonAsync("/api/v1/auth/login/second-factor/send", new { method = "sms" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var text = (await app.TextsToAsync(AnaPhone))[^1];
        text.ShouldStartWith("Layan sign-in code: ");
        var code = await app.LatestTextedCodeAsync(AnaPhone);
        code.Length.ShouldBe(6);

        var signedIn = await client.PostJsonAsync("/api/v1/auth/login/second-factor", new { method = "sms", code, rememberDevice = false });

        signedIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);
        await client.LoginAsync(Ana);
        var replayed = await client.PostJsonAsync("/api/v1/auth/login/second-factor", new { method = "sms", code, rememberDevice = false });
        (await replayed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("two_factor_code_invalid");
    }

    [Fact]
    public async Task Without_a_verified_number_SMS_is_not_a_second_factor()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await RegisterWithPhoneAsync(app, client); // number given, never verified
        await TwoFactorSetup.EnableAsync(app, client);
        await client.PostAsync("/api/v1/auth/logout", null, Ct);

        var login = await (await client.LoginAsync(Ana)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var send = await client.PostJsonAsync("/api/v1/auth/login/second-factor/send", new { method = "sms" });
        var unknown = await client.PostJsonAsync("/api/v1/auth/login/second-factor/send", new { method = "pigeon" });

        login.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).ShouldNotContain("sms");
        (await send.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("two_factor_method_invalid");
        (await unknown.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("two_factor_method_invalid");
        (await app.TextsToAsync(AnaPhone)).Count.ShouldBe(1); // only the verification text
    }

    [Fact]
    public async Task The_My_Account_page_adds_and_verifies_a_number_in_Spanish()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana, language: "es");

        var bad = WebUtility.HtmlDecode(await (await client.SubmitFormAsync("/account", "phone", ("Change.Phone", "12"), ("Change.Password", AccountFlows.StrongPassword))).Content.ReadAsStringAsync(Ct));
        bad.ShouldContain("data-error-code=\"phone_invalid\"");
        bad.ShouldContain("Introduzca el número en formato internacional");
        var added = WebUtility.HtmlDecode(await (await client.SubmitFormAsync("/account", "phone", ("Change.Phone", AnaPhone), ("Change.Password", AccountFlows.StrongPassword))).Content.ReadAsStringAsync(Ct));
        added.ShouldContain("Enviamos un código por SMS a su número.");
        (await app.TextsToAsync(AnaPhone)).ShouldHaveSingleItem().ShouldStartWith("Código de Layan para verificar su teléfono: ");
        var verified = WebUtility.HtmlDecode(await (await client.SubmitFormAsync("/account", "phone-verify", ("Verify.Code", await app.LatestTextedCodeAsync(AnaPhone)))).Content.ReadAsStringAsync(Ct));

        verified.ShouldContain("Su número de móvil está verificado.");
        verified.ShouldContain("data-verified=\"true\"");
    }
}
