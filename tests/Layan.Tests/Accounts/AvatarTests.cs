using System.Net;
using System.Net.Http.Headers;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers LOG-9's avatar: PNG or JPEG checked by content (not by name or declared type), at most
// 2 MB, stored outside the web root, served only to its owner; the upload form is
// antiforgery-checked.
public sealed class AvatarTests
{
    private const string Ana = "ana@example.com";

    // A real 1×1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0xFF, 0xD9];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string fileName, string contentType, bool withToken = true, string? returnTo = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "avatar", fileName);
        if (withToken)
        {
            form.Add(new StringContent(Forms.AntiforgeryToken(await client.GetStringAsync("/account", Ct))), "__RequestVerificationToken");
        }
        if (returnTo is not null)
        {
            form.Add(new StringContent(returnTo), "returnTo");
        }
        return await client.PostAsync("/api/v1/auth/me/avatar", form, Ct);
    }

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    public async Task A_PNG_or_JPEG_is_kept_and_served_to_its_owner(string kind, string mediaType)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var bytes = kind == "png" ? Png : Jpeg;

        (await UploadAsync(client, bytes, "me.bin", "application/octet-stream")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var served = await client.GetAsync("/api/v1/auth/me/avatar", Ct);
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        served.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        (await served.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(bytes);
        Directory.GetFiles(Path.Combine(app.Database.DataDirectory, "files", "avatars")).ShouldHaveSingleItem();
        (await client.GetStringAsync("/account", Ct)).ShouldContain("data-testid=\"avatar\"");
    }

    [Theory]
    [InlineData("gif", "avatar_type_invalid")]
    [InlineData("script", "avatar_type_invalid")]
    [InlineData("huge", "avatar_too_large")]
    [InlineData("empty", "avatar_missing")]
    public async Task Anything_else_is_refused_by_its_content_and_nothing_is_stored(string kind, string code)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        var bytes = kind switch
        {
            "gif" => "GIF89a......"u8.ToArray(),
            "script" => "<script>alert(1)</script>"u8.ToArray(),
            "huge" => [.. Png, .. new byte[2 * 1024 * 1024]],
            _ => [],
        };

        var response = await UploadAsync(client, bytes, "innocent.png", "image/png");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(code);
        (await client.GetAsync("/api/v1/auth/me/avatar", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_upload_needs_the_antiforgery_token_and_a_session()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana);
        using var anonymous = app.Browser();

        (await UploadAsync(client, Png, "me.png", "image/png", withToken: false)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await UploadAsync(anonymous, Png, "me.png", "image/png", withToken: false)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/api/v1/auth/me/avatar", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync("/api/v1/auth/me/avatar", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_page_form_returns_to_My_Account_with_the_outcome_in_the_reader_s_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();
        await app.RegisterVerifiedAsync(client, Ana, language: "es");

        var refused = await UploadAsync(client, "GIF89a"u8.ToArray(), "cat.gif", "image/gif", returnTo: "page");
        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetStringAsync(refused.Headers.Location!.OriginalString, Ct)).ShouldContain("Solo se pueden usar im&#xE1;genes PNG y JPEG.");
        var saved = await UploadAsync(client, Png, "me.png", "image/png", returnTo: "page");
        (await client.GetStringAsync(saved.Headers.Location!.OriginalString, Ct)).ShouldContain("data-testid=\"avatar-saved\"");
    }
}
