using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Web;

// Covers X-1 (every page in en, id, es), ACC-1 (Register / Log in top-right on every public
// page) and LOG-1's language picker: switches at once, remembered in a cookie.
public sealed partial class LocalizationTests(WebAppFixture fixture) : IClassFixture<WebAppFixture>
{
    private static readonly string[] AllLanguages = ["en", "es", "id"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_resource_key_exists_in_English_Indonesian_and_Spanish_with_text()
    {
        var sets = Directory.GetFiles(Repo.Source, "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .GroupBy(f => LanguageSuffix().Replace(f, ".resx"))
            .ToList();
        sets.ShouldNotBeEmpty();
        foreach (var set in sets)
        {
            var languages = set.ToDictionary(f => LanguageSuffix().Match(f) is { Success: true } m ? m.Groups[1].Value : "en", Keys);
            languages.Keys.Order().ToArray().ShouldBe(AllLanguages, $"{set.Key} must exist in every language");
            foreach (var (language, keys) in languages)
            {
                keys.Where(k => string.IsNullOrWhiteSpace(k.Value)).ShouldBeEmpty($"{set.Key} ({language}) has empty texts");
                keys.Keys.Order().ToArray().ShouldBe(languages["en"].Keys.Order().ToArray(), $"{set.Key} ({language}) differs from English");
            }
        }
    }

    [Fact]
    public void Every_key_a_page_asks_for_exists_in_the_resource_its_localizer_reads()
    {
        var resources = Directory.GetFiles(Repo.Source, "*.resx", SearchOption.AllDirectories)
            .Where(f => !LanguageSuffix().IsMatch(f))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => Keys(f).Keys.ToHashSet());
        var used = new List<(string Page, string Key)>();
        foreach (var page in Directory.GetFiles(Repo.Source, "*.razor", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(page);
            var keys = UsedKey().Matches(text).Select(m => m.Groups[1].Value).ToList();
            if (keys.Count == 0)
            {
                continue;
            }
            var resource = InjectedLocalizer().Match(text);
            resource.Success.ShouldBeTrue($"{Path.GetFileName(page)} uses L[...] without @inject IStringLocalizer<...> L");
            var known = resources[resource.Groups[1].Value];
            used.AddRange(keys.Where(k => !known.Contains(k)).Select(k => (Path.GetFileName(page), k)));
        }
        used.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("en", "Register", "Log in", "Customer service, in one inbox")]
    [InlineData("id", "Daftar", "Masuk", "Layanan pelanggan, dalam satu kotak masuk")]
    [InlineData("es", "Registrarse", "Iniciar sesi&#xF3;n", "Atenci&#xF3;n al cliente, en una sola bandeja")]
    public async Task The_home_page_speaks_the_browser_s_language_with_Register_and_Log_in(string language, string register, string logIn, string title)
    {
        using var client = fixture.App.Browser(language);
        var html = await client.GetStringAsync("/", Ct);

        html.ShouldContain($"<html lang=\"{language}\"");
        html.ShouldContain($"data-testid=\"register-link\">{register}</a>");
        html.ShouldContain($"data-testid=\"login-link\">{logIn}</a>");
        html.ShouldContain(title);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/not-found")]
    [InlineData("/no-such-page")]
    [InlineData("/dev/mail")]
    public async Task Every_public_page_shows_Register_and_Log_in(string path)
    {
        using var client = fixture.App.Browser("id");
        var response = await client.GetAsync(path, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        html.ShouldContain("href=\"/register\" data-testid=\"register-link\">Daftar</a>");
        html.ShouldContain("href=\"/login\" data-testid=\"login-link\">Masuk</a>");
    }

    [Fact]
    public async Task Choosing_a_language_switches_at_once_and_is_remembered_over_the_browser_s_language()
    {
        using var client = fixture.App.Browser("id");
        var token = Forms.AntiforgeryToken(await client.GetStringAsync("/dev/mail", Ct));

        var response = await client.PostFormAsync("/culture", ("__RequestVerificationToken", token), ("culture", "es"), ("returnUrl", "/dev/mail?page=1"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe("/dev/mail?page=1");
        response.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith(".AspNetCore.Culture=c%3Des%7Cuic%3Des", StringComparison.Ordinal));
        (await client.GetStringAsync("/", Ct)).ShouldContain("data-testid=\"login-link\">Iniciar sesi&#xF3;n</a>");
    }

    [Fact]
    public async Task On_the_not_found_page_the_picker_returns_to_the_address_the_reader_asked_for()
    {
        using var client = fixture.App.Browser("en");

        var html = await (await client.GetAsync("/no-such-page?from=mail", Ct)).Content.ReadAsStringAsync(Ct);

        html.ShouldContain("name=\"returnUrl\" value=\"/no-such-page?from=mail\"");
    }

    [Fact]
    public async Task The_language_form_refuses_a_post_without_its_antiforgery_token_and_changes_nothing()
    {
        using var client = fixture.App.Browser("en");

        var response = await client.PostFormAsync("/culture", ("culture", "id"), ("returnUrl", "/"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal));
        var page = await response.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("The form had expired or was incomplete, so nothing was changed.");
        page.ShouldNotContain("Antiforgery");
        (await client.GetStringAsync("/", Ct)).ShouldContain("<html lang=\"en\"");
    }

    [Theory]
    [InlineData("fr", "/", HttpStatusCode.BadRequest, null)]
    [InlineData("id", "//evil.example/phish", HttpStatusCode.Redirect, "/")]
    [InlineData("id", "https://evil.example/", HttpStatusCode.Redirect, "/")]
    [InlineData("id", "/\\evil.example", HttpStatusCode.Redirect, "/")]
    [InlineData("id", "/\t/evil.example", HttpStatusCode.Redirect, "/")]
    [InlineData("id", "/\r\nSet-Cookie: x=1", HttpStatusCode.Redirect, "/")]
    public async Task The_language_form_accepts_only_our_languages_and_local_return_addresses(
        string culture, string returnUrl, HttpStatusCode expected, string? location)
    {
        using var client = fixture.App.Browser("en");
        var token = Forms.AntiforgeryToken(await client.GetStringAsync("/", Ct));

        var response = await client.PostFormAsync("/culture", ("__RequestVerificationToken", token), ("culture", culture), ("returnUrl", returnUrl));

        response.StatusCode.ShouldBe(expected);
        response.Headers.Location?.OriginalString.ShouldBe(location);
        if (expected == HttpStatusCode.BadRequest)
        {
            await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
            response.Headers.TryGetValues("Set-Cookie", out var cookies);
            (cookies ?? []).ShouldNotContain(c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal));
        }
    }

    private static Dictionary<string, string> Keys(string resx) =>
        XDocument.Load(resx).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    [GeneratedRegex(@"@inject IStringLocalizer<(\w+)> L\b")]
    private static partial Regex InjectedLocalizer();

    [GeneratedRegex(@"\.(id|es)\.resx$")]
    private static partial Regex LanguageSuffix();

    [GeneratedRegex("L\\[\"([^\"]+)\"")]
    private static partial Regex UsedKey();
}
