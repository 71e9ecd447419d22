using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-2's passkeys on the server side: the WebAuthn options, the single-use ceremony that
// holds the challenge, and every way a bad or foreign answer is refused without changing anything.
// The full ceremony with a real authenticator is the Chromium test (Layan.Browser, PasskeyFlowTests).
public sealed class PasskeyTests
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> BeginAddingAsync(HttpClient client)
    {
        var response = await client.PostJsonAsync("/api/v1/auth/me/passkeys/options", new { password = AccountFlows.StrongPassword });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static readonly object ForgedCredential = new
    {
        id = "AAAA",
        rawId = "AAAA",
        type = "public-key",
        response = new { clientDataJSON = "e30", attestationObject = "oA" },
        clientExtensionResults = new { },
    };

    [Fact]
    public async Task Adding_begins_with_creation_options_for_this_user_that_demand_user_verification()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var begun = await BeginAddingAsync(client);

        begun.GetProperty("ceremony").GetGuid().ShouldNotBe(Guid.Empty);
        var options = begun.GetProperty("options");
        options.GetProperty("user").GetProperty("name").GetString().ShouldBe(Ana);
        options.GetProperty("rp").GetProperty("id").GetString().ShouldBe("localhost");
        options.GetProperty("challenge").GetString()!.Length.ShouldBeGreaterThanOrEqualTo(22); // ≥ 16 random bytes, base64url
        options.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString().ShouldBe("required");
        options.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString().ShouldBe("required");
    }

    [Fact]
    public async Task Adding_a_passkey_needs_the_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);

        var response = await client.PostJsonAsync("/api/v1/auth/me/passkeys/options", new { password = "a stolen session only" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
    }

    [Fact]
    public async Task A_forged_answer_is_refused_and_spends_the_ceremony()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var ceremony = (await BeginAddingAsync(client)).GetProperty("ceremony").GetGuid();

        var forged = await client.PostJsonAsync("/api/v1/auth/me/passkeys", new { ceremony, credential = ForgedCredential, name = "laptop" });
        var again = await client.PostJsonAsync("/api/v1/auth/me/passkeys", new { ceremony, credential = ForgedCredential, name = "laptop" });
        var noCeremony = await client.PostJsonAsync("/api/v1/auth/me/passkeys", new { credential = ForgedCredential });
        var notJson = await client.PostJsonAsync("/api/v1/auth/me/passkeys", new { ceremony, credential = "not an object" });

        foreach (var refused in new[] { forged, again, noCeremony, notJson })
        {
            (await refused.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("passkey_invalid");
        }
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me/passkeys", Ct)).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_name_too_long_is_refused_before_the_ceremony_is_spent()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("id");
        await app.RegisterVerifiedAsync(client, Ana, language: "id");
        var ceremony = (await BeginAddingAsync(client)).GetProperty("ceremony").GetGuid();

        var response = await client.PostJsonAsync("/api/v1/auth/me/passkeys", new { ceremony, credential = ForgedCredential, name = new string('x', 101) });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetString().ShouldBe("passkey_name_invalid");
        problem.GetProperty("title").GetString().ShouldBe("Beri nama passkey paling banyak 100 karakter.");
    }

    [Fact]
    public async Task Another_person_s_ceremony_is_of_no_use()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(ben, "ben@example.com", fullName: "Ben Okafor");
        var anasCeremony = (await BeginAddingAsync(ana)).GetProperty("ceremony").GetGuid();

        var bens = await ben.PostJsonAsync("/api/v1/auth/me/passkeys", new { ceremony = anasCeremony, credential = ForgedCredential });
        var signIn = await ben.PostJsonAsync("/api/v1/auth/passkey", new { ceremony = anasCeremony, credential = ForgedCredential });

        (await bens.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("passkey_invalid");
        (await signIn.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("passkey_invalid");
        (await ben.PostJsonAsync("/api/v1/auth/me/passkeys/AAAA/remove", new { password = AccountFlows.StrongPassword })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Signing_in_with_a_forged_or_stale_answer_opens_no_session()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        var begun = await (await client.PostAsync("/api/v1/auth/passkey/options", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var anyPasskey = !begun.GetProperty("options").TryGetProperty("allowCredentials", out var allowed) || allowed.GetArrayLength() == 0;
        anyPasskey.ShouldBeTrue("without a password step any passkey of this site may answer");
        var ceremony = begun.GetProperty("ceremony").GetGuid();
        var forged = await client.PostJsonAsync("/api/v1/auth/passkey", new { ceremony, credential = ForgedCredential });
        var begunAgain = (await (await client.PostAsync("/api/v1/auth/passkey/options", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ceremony").GetGuid();
        app.Clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await client.PostJsonAsync("/api/v1/auth/passkey", new { ceremony = begunAgain, credential = ForgedCredential });

        (await forged.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("passkey_invalid");
        (await stale.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("passkey_invalid");
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Removing_needs_the_password_and_the_security_page_lists_no_passkeys_yet()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");
        await app.RegisterVerifiedAsync(client, Ana, language: "es");

        var wrong = await client.PostJsonAsync("/api/v1/auth/me/passkeys/AAAA/remove", new { password = "not the password" });
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/account/two-factor", Ct));

        (await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("code").GetString().ShouldBe("credentials_invalid");
        page.ShouldContain("Llaves de acceso");
        page.ShouldContain("data-testid=\"passkeys-empty\"");
        page.ShouldContain("<script src=\"js/passkeys.js\" defer></script>");
    }
}
