using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Work;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Email;

/// <summary>
/// A localized email: resource keys <c>{Name}.Subject</c>, <c>{Name}.Body</c> (paragraphs split by
/// blank lines, placeholders like <c>{name}</c>) and optionally <c>{Name}.Action</c>, the label of a
/// button that links to the value <c>actionUrl</c>. Every key exists in en, id and es.
/// </summary>
internal sealed record EmailTemplate(IStringLocalizer Strings, string Name);

/// <summary>Composes localized emails and queues them in the caller's unit of work.</summary>
internal sealed partial class Mailer(Outbox.Outbox outbox, IStringLocalizer<SharedResource> shared)
{
    public const string ActionUrl = "actionUrl";

    public OutboxMessage Queue(EmailTemplate template, string to, string language, IReadOnlyDictionary<string, string> values)
    {
        var message = Compose(template, to, language, values);
        return outbox.Enqueue(EmailDeliveryHandler.KindName, message);
    }

    public EmailMessage Compose(EmailTemplate template, string to, string language, IReadOnlyDictionary<string, string> values)
    {
        var culture = SupportedLanguages.CultureFor(language);
        return SupportedLanguages.InLanguage(language, () =>
        {
            // A subject is one header line: line breaks in a value would break (or inject) headers.
            var subject = string.Join(' ', Fill(template.Strings[$"{template.Name}.Subject"], values, encode: false)
                .Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var paragraphs = template.Strings[$"{template.Name}.Body"].Value
                .Split(["\r\n\r\n", "\n\n"], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var action = template.Strings[$"{template.Name}.Action"];
            values.TryGetValue(ActionUrl, out var actionUrl);
            var hasAction = !action.ResourceNotFound && actionUrl is not null;
            var footer = shared["Email.Footer"].Value;

            var text = new StringBuilder();
            var html = new StringBuilder();
            html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"{culture.Name}\"><head><meta charset=\"utf-8\"><title>")
                .Append(WebUtility.HtmlEncode(subject))
                .Append("</title></head><body style=\"font-family:system-ui,sans-serif;color:#1f2933;max-width:560px;margin:0 auto;padding:24px\">");
            foreach (var paragraph in paragraphs)
            {
                text.Append(Fill(paragraph, values, encode: false)).Append("\n\n");
                html.Append("<p>").Append(Fill(paragraph, values, encode: true)).Append("</p>");
            }
            if (hasAction)
            {
                text.Append(action.Value).Append(": ").Append(actionUrl).Append("\n\n");
                html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(actionUrl))
                    .Append("\" style=\"display:inline-block;background:#0b6bcb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">")
                    .Append(WebUtility.HtmlEncode(action.Value)).Append("</a></p>");
            }
            text.Append("-- \n").Append(footer).Append('\n');
            html.Append("<hr><p style=\"color:#6b7780;font-size:12px\">").Append(WebUtility.HtmlEncode(footer)).Append("</p></body></html>");
            return new EmailMessage(to, subject, text.ToString(), html.ToString(), culture.Name);
        });
    }

    // One pass: a value that itself contains "{other}" is not expanded again.
    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool encode) =>
        Placeholder().Replace(encode ? WebUtility.HtmlEncode(template) : template, match =>
            values.TryGetValue(match.Groups[1].Value, out var value)
                ? encode ? WebUtility.HtmlEncode(value) : value
                : match.Value);

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*)\}", RegexOptions.None, 1000)]
    private static partial Regex Placeholder();
}

/// <summary>Delivers queued emails; the outbox id becomes the Message-ID (the idempotency key).</summary>
internal sealed class EmailDeliveryHandler(IEmailSender sender, IOptions<EmailOptions> options) : IWorkHandler<OutboxMessage>
{
    public const string KindName = "email";

    public string Kind => KindName;

    public Task HandleAsync(OutboxMessage item, CancellationToken cancellationToken)
    {
        var message = JsonSerializer.Deserialize<EmailMessage>(item.Payload, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException("Empty email payload.");
        return sender.SendAsync(message, MessageIdFor(item.Id, options.Value), cancellationToken);
    }

    public static string MessageIdFor(Guid outboxId, EmailOptions options) =>
        $"<{outboxId:N}@{options.MessageIdDomain}>";
}

internal static class EmailModule
{
    public static WebApplicationBuilder AddEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().Bind(builder.Configuration.GetSection(EmailOptions.Section));
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddScoped<Mailer>();
        builder.Services.AddScoped<IWorkHandler<OutboxMessage>, EmailDeliveryHandler>();
        return builder;
    }
}
