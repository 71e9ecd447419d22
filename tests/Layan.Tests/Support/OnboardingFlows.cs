using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Layan.Features.Operator;
using Layan.Infrastructure.Db;
using Microsoft.Extensions.DependencyInjection;

namespace Layan.Tests.Support;

/// <summary>Intent methods for opening a workspace and reviewing it, as API clients do.</summary>
internal static class OnboardingFlows
{
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0xFF, 0xD9];

    /// <summary>A Windows program (its "MZ" header), whatever it is called.</summary>
    public static readonly byte[] Exe = [(byte)'M', (byte)'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Guid> OpenWorkspaceAsync(
        this HttpClient client, string type = "business", string name = "Toko Ana", string country = "ES", string timeZone = "Europe/Madrid", string language = "en")
    {
        var response = await client.PostJsonAsync("/api/v1/workspaces", new { type, name, country, timeZone, language });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    public static async Task<HttpResponseMessage> UploadDocumentAsync(
        this HttpClient client, Guid workspaceId, string kind, byte[] bytes, string fileName = "scan.pdf", string contentType = "application/pdf", string? token = null)
    {
        // The antiforgery token of a page this client can open, as the application page's form carries it.
        token ??= Forms.AntiforgeryToken(await client.GetStringAsync("/workspaces", Ct));
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        form.Add(new StringContent(kind), "kind");
        form.Add(new StringContent(token), "__RequestVerificationToken");
        return await client.PostAsync($"/api/v1/workspaces/{workspaceId}/documents", form, Ct);
    }

    /// <summary>Uploads a PDF of every kind the application asks for and submits it.</summary>
    public static async Task SubmitCompleteAsync(this HttpClient client, Guid workspaceId)
    {
        var application = await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspaceId}", Ct);
        foreach (var document in application.GetProperty("documents").EnumerateArray())
        {
            (await client.UploadDocumentAsync(workspaceId, document.GetProperty("kind").GetString()!, Pdf)).EnsureSuccessStatusCode();
        }
        (await client.PostAsync($"/api/v1/workspaces/{workspaceId}/submit", null, Ct)).EnsureSuccessStatusCode();
    }

    /// <summary>A registered, verified, signed-in person holding <paramref name="role"/>.</summary>
    public static async Task<HttpClient> OperatorAsync(this LayanApp app, string email, string role = OperatorRoles.Reviewer, string language = "en")
    {
        var client = app.Browser(language);
        await app.RegisterVerifiedAsync(client, email, language: language, fullName: "Rita Reviewer");
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Layan.Features.Accounts.User>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"{email} is not registered.");
        await scope.ServiceProvider.GetRequiredService<OperatorStaff>().GrantAsync(user.Id, role, "test", Ct);
        await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        return client;
    }

    public static Task<HttpResponseMessage> ClaimAsync(this HttpClient reviewer, Guid workspaceId) =>
        reviewer.PostAsync($"/api/v1/operator/reviews/{workspaceId}/claim", null, Ct);

    public static Task<HttpResponseMessage> DecideAsync(this HttpClient reviewer, Guid workspaceId, object decision) =>
        reviewer.PostJsonAsync($"/api/v1/operator/reviews/{workspaceId}/decision", decision);

    /// <summary>The token in the newest activation email to <paramref name="address"/>.</summary>
    public static async Task<string> ActivationTokenAsync(this LayanApp app, string address)
    {
        var mail = (await app.EmailsToAsync(address)).Last(m => m.TextBody.Contains("/workspaces/activate?token=", StringComparison.Ordinal));
        return TokenIn(mail.TextBody);
    }

    /// <summary>The value of the first <c>token=</c> in a link in <paramref name="text"/>.</summary>
    public static string TokenIn(string text)
    {
        var start = text.IndexOf("token=", StringComparison.Ordinal) + "token=".Length;
        return new string([.. text[start..].TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
    }
}
