using System.Net.Http.Json;
using System.Text.Json;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Sms;
using Microsoft.EntityFrameworkCore;

namespace Layan.Tests.Support;

/// <summary>Intent methods for the accounts flows, as a client of the API would use them.</summary>
public static class AccountFlows
{
    public const string StrongPassword = "violet tandem harbor 42";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> RegisterAsync(
        this HttpClient client, string email, string password = StrongPassword, string language = "en", string fullName = "Ana Lima", string? phone = null) =>
        client.PostJsonAsync("/api/v1/auth/register", new { fullName, email, password, language, phone, acceptTerms = true });

    public static Task<HttpResponseMessage> VerifyAsync(this HttpClient client, string email, string code) =>
        client.PostJsonAsync("/api/v1/auth/verify", new { email, code });

    public static Task<HttpResponseMessage> ResendAsync(this HttpClient client, string email) =>
        client.PostJsonAsync("/api/v1/auth/resend", new { email });

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password = StrongPassword) =>
        client.PostJsonAsync("/api/v1/auth/login", new { email, password });

    /// <summary>The emails queued for <paramref name="address"/>, oldest first (the outbox: deterministic, no waiting).</summary>
    internal static async Task<IReadOnlyList<EmailMessage>> EmailsToAsync(this LayanApp app, string address) =>
        [.. (await app.QueuedAsync<EmailMessage>(EmailDeliveryHandler.KindName)).Where(m => m.To == address)];

    /// <summary>The text messages queued for <paramref name="number"/>, oldest first.</summary>
    internal static async Task<IReadOnlyList<string>> TextsToAsync(this LayanApp app, string number) =>
        [.. (await app.QueuedAsync<SmsMessage>(SmsDeliveryHandler.KindName)).Where(m => m.To == number).Select(m => m.Text)];

    private static async Task<IEnumerable<T>> QueuedAsync<T>(this LayanApp app, string kind)
    {
        await using var db = app.Database.CreateContext();
        var payloads = await db.Outbox.AsNoTracking()
            .Where(m => m.Kind == kind)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => m.Payload)
            .ToListAsync(TestContext.Current.CancellationToken);
        return payloads.Select(p => JsonSerializer.Deserialize<T>(p, JsonSerializerOptions.Web)!);
    }

    /// <summary>The code in the newest text to <paramref name="number"/>: the word after the first colon.</summary>
    internal static async Task<string> LatestTextedCodeAsync(this LayanApp app, string number)
    {
        var texts = await app.TextsToAsync(number);
        return texts.Count > 0
            ? texts[^1].Split(':', 2)[1].TrimStart().Split(['.', ' '])[0]
            : throw new InvalidOperationException($"No text to {number}.");
    }

    /// <summary>The code in the newest verification email to <paramref name="address"/> (its subject ends with it in every language).</summary>
    internal static async Task<string> LatestCodeAsync(this LayanApp app, string address)
    {
        var codes = await app.CodesSentToAsync(address);
        return codes.Count > 0 ? codes[^1] : throw new InvalidOperationException($"No verification email to {address}.");
    }

    internal static async Task<IReadOnlyList<string>> CodesSentToAsync(this LayanApp app, string address) =>
        [.. (await app.EmailsToAsync(address)).Where(IsVerification).Select(m => m.Subject[(m.Subject.LastIndexOf(' ') + 1)..])];

    internal static bool IsVerification(EmailMessage message) =>
        message.Subject.StartsWith("Your Layan code", StringComparison.Ordinal) ||
        message.Subject.StartsWith("Kode Layan Anda", StringComparison.Ordinal) ||
        message.Subject.StartsWith("Su código de Layan", StringComparison.Ordinal);

    /// <summary>Registers and verifies <paramref name="email"/>; the client is then signed in.</summary>
    public static async Task RegisterVerifiedAsync(this LayanApp app, HttpClient client, string email, string language = "en", string fullName = "Ana Lima")
    {
        (await client.RegisterAsync(email, language: language, fullName: fullName)).EnsureSuccessStatusCode();
        (await client.VerifyAsync(email, await app.LatestCodeAsync(email))).EnsureSuccessStatusCode();
    }
}
