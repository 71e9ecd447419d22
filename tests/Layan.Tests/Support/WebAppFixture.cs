using System.Net;
using System.Text.RegularExpressions;

namespace Layan.Tests.Support;

/// <summary>One SQLite-backed node shared by a test class (a fresh database per class).</summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public LayanApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateSqliteAsync();
        App = new LayanApp(_database);
        _ = App.Services;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database!.DisposeAsync();
    }
}

/// <summary>What a browser does with forms: keep cookies, read the antiforgery token, post fields.</summary>
public static partial class Forms
{
    public static HttpClient Browser(this LayanApp app, string? language = null)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }
        return client;
    }

    public static string AntiforgeryToken(string html) =>
        TokenField().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string url, params (string Name, string Value)[] fields) =>
        client.PostAsync(url, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    /// <summary>Opens the page, then submits its form <paramref name="formName"/> with <paramref name="fields"/>, as a browser does.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, string url, string formName, params (string Name, string Value)[] fields)
    {
        var token = AntiforgeryToken(await client.GetStringAsync(url, TestContext.Current.CancellationToken));
        return await client.PostFormAsync(url, [("__RequestVerificationToken", token), ("_handler", formName), .. fields]);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
