using Layan.Features.DevMail;
using Layan.Infrastructure.Email;
using Layan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers X-1 for email: templates render in the recipient's language, HTML and text, with
// values escaped in HTML.
public sealed class MailerTests(WebAppFixture fixture) : IClassFixture<WebAppFixture>
{
    [Theory]
    [InlineData("en", "Layan test message", "Hello,", "Open Layan")]
    [InlineData("id", "Pesan uji Layan", "Halo,", "Buka Layan")]
    [InlineData("es", "Mensaje de prueba de Layan", "Hola:", "Abrir Layan")]
    [InlineData("fr", "Layan test message", "Hello,", "Open Layan")]
    public async Task A_template_renders_in_the_recipient_s_language(string language, string subject, string greeting, string action)
    {
        await using var scope = fixture.App.Scope();
        var mailer = scope.ServiceProvider.GetRequiredService<Mailer>();

        var message = mailer.Compose(Template(scope), "x@example.com", language,
            new Dictionary<string, string> { ["address"] = "x@example.com", [Mailer.ActionUrl] = "https://layan.example/" });

        message.Subject.ShouldBe(subject);
        message.TextBody.ShouldStartWith(greeting);
        message.TextBody.ShouldContain($"{action}: https://layan.example/");
        message.HtmlBody.ShouldContain($">{action}</a>");
        message.Language.ShouldBe(language == "fr" ? "en" : language);
    }

    [Fact]
    public async Task Values_are_escaped_in_HTML_and_kept_as_written_in_text()
    {
        await using var scope = fixture.App.Scope();
        var mailer = scope.ServiceProvider.GetRequiredService<Mailer>();

        var message = mailer.Compose(Template(scope), "x@example.com", "en",
            new Dictionary<string, string> { ["address"] = "<script>alert('x')</script>" });

        message.HtmlBody.ShouldNotContain("<script>");
        message.HtmlBody.ShouldContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        message.TextBody.ShouldContain("<script>alert('x')</script>");
        message.HtmlBody.ShouldNotContain("Open Layan", customMessage: "no action without its URL");
    }

    [Fact]
    public async Task A_value_cannot_add_lines_to_the_subject_or_expand_other_placeholders()
    {
        await using var scope = fixture.App.Scope();
        var mailer = scope.ServiceProvider.GetRequiredService<Mailer>();
        var strings = new FixedStrings(new Dictionary<string, string>
        {
            ["Probe.Subject"] = "Hello {name}",
            ["Probe.Body"] = "Dear {name}, your code is {code}.",
        });

        var message = mailer.Compose(new EmailTemplate(strings, "Probe"), "x@example.com", "en",
            new Dictionary<string, string> { ["name"] = "Eve\r\nBcc: all@example.com {code}", ["code"] = "123456" });

        message.Subject.ShouldBe("Hello Eve Bcc: all@example.com {code}");
        message.TextBody.ShouldStartWith("Dear Eve\r\nBcc: all@example.com {code}, your code is 123456.");
    }

    private sealed class FixedStrings(Dictionary<string, string> strings) : IStringLocalizer
    {
        public LocalizedString this[string name] =>
            strings.TryGetValue(name, out var value) ? new(name, value) : new(name, name, resourceNotFound: true);

        public LocalizedString this[string name, params object[] arguments] => this[name];

        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => strings.Select(s => new LocalizedString(s.Key, s.Value));
    }

    private static EmailTemplate Template(AsyncServiceScope scope) =>
        new(scope.ServiceProvider.GetRequiredService<IStringLocalizer<DevMailResource>>(), "TestEmail");
}
