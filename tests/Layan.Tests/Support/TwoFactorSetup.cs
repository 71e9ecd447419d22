using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Accounts;
using Shouldly;

namespace Layan.Tests.Support;

/// <summary>Turning two factors on as a person would: an authenticator set-up, then the password and a code.</summary>
internal static class TwoFactorSetup
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Enables two factors for the signed-in client; returns the authenticator key and the recovery codes.</summary>
    public static async Task<(byte[] Key, IReadOnlyList<string> RecoveryCodes)> EnableAsync(LayanApp app, HttpClient client)
    {
        var setup = await (await client.PostAsync("/api/v1/auth/me/two-factor/authenticator", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var key = Totp.FromBase32(setup.GetProperty("sharedKey").GetString()!);
        var response = await client.PostJsonAsync("/api/v1/auth/me/two-factor/enable", new { password = AccountFlows.StrongPassword, code = CodeNow(app, key) });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var codes = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        app.Clock.Advance(TimeSpan.FromSeconds(30)); // the next code is a fresh step
        return (key, codes);
    }

    public static string CodeNow(LayanApp app, byte[] key) => Totp.Code(key, Totp.StepAt(app.Clock.GetUtcNow()));
}
