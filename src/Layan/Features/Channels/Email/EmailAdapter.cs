using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Layan.Features.Accounts;
using Layan.Infrastructure.Email;
using Microsoft.AspNetCore.WebUtilities;

namespace Layan.Features.Channels.Email;

/// <summary>
/// Email: out over SMTP from the channel's address with a proper <c>Message-ID</c>,
/// <c>In-Reply-To</c> and <c>References</c>; in through an inbound-parse webhook, either
/// Postmark's JSON or a generic multipart form (SendGrid Inbound Parse's fields: <c>from</c>,
/// <c>to</c>, <c>subject</c>, <c>text</c>, <c>html</c>, <c>headers</c>). The webhook is
/// authenticated with HTTP Basic (any user name, the channel's password), which both services
/// put in the URL. Auto-replies (<c>Auto-Submitted</c>, <c>Precedence</c>, out-of-office
/// subjects) are marked so that they reopen and resume nothing.
/// </summary>
internal sealed partial class EmailAdapter(IEmailSender sender, TimeProvider clock) : IChannelAdapter
{
    public const string KindName = "email";

    public string Kind => KindName;

    public ChannelCapabilities Capabilities { get; } = new(MaxText: 10_000, MaxMediaBytes: 10 * 1024 * 1024);

    public IReadOnlyList<string> CredentialFields { get; } = [];

    public WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body)
    {
        if (!BasicPasswordMatches(request, channel.Credentials[ChannelCredentials.Password]))
        {
            return WebhookVerdict.BadSignature;
        }
        var mail = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType == "multipart/form-data"
            ? FromForm(type, body)
            : type?.MediaType == "application/json" && ProviderJson.Parse(body) is { } json ? FromPostmark(json) : null;
        if (mail is null)
        {
            return WebhookVerdict.Malformed;
        }
        if (mail.From is null || !EmailAddresses.IsValid(mail.From))
        {
            return WebhookVerdict.UnknownObject;
        }
        var key = mail.MessageId ?? MetaWebhooks.BodyHash(body);
        return new WebhookVerdict.Accepted("mail:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), JsonSerializer.Serialize(mail, JsonSerializerOptions.Web));
    }

    public IReadOnlyList<InboundEvent> Parse(ConnectedChannel channel, string payload)
    {
        var mail = JsonSerializer.Deserialize<InboundMail>(payload, JsonSerializerOptions.Web)!;
        var from = mail.From!.ToLowerInvariant();
        var references = mail.References.Append(mail.InReplyTo).OfType<string>().Distinct().ToList();
        var text = StripQuoted(mail.Text ?? "");
        return
        [
            new InboundMessage(mail.MessageId ?? $"<{Guid.CreateVersion7():N}@inbound.layan>", from, new InboundSender(from, mail.Name, Email: from), text, clock.GetUtcNow())
            {
                Subject = mail.Subject,
                References = references,
                Automatic = mail.Automatic,
            },
        ];
    }

    public async Task<SendOutcome> SendAsync(ConnectedChannel channel, OutboundMessage message, CancellationToken cancellationToken)
    {
        var subject = message.Subject is { Length: > 0 } s ? (s.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? s : "Re: " + s) : "Re:";
        var html = "<!DOCTYPE html><html><body><p>" + WebUtility.HtmlEncode(message.Text).Replace("\n", "<br>", StringComparison.Ordinal) + "</p></body></html>";
        var mail = new EmailMessage(message.Thread, subject, message.Text, html, "en")
        {
            From = channel.ExternalId,
            FromName = channel.Name,
            InReplyTo = message.InReplyTo,
            References = message.References,
        };
        await sender.SendAsync(mail, message.EmailMessageId!, cancellationToken);
        return new SendOutcome.Sent(message.EmailMessageId!);
    }

    /// <summary>What both inbound formats come down to, as stored.</summary>
    internal sealed record InboundMail(string? From, string? Name, string? Subject, string? Text, string? MessageId, string? InReplyTo, IReadOnlyList<string> References, bool Automatic);

    private static InboundMail FromPostmark(JsonElement json)
    {
        var headers = json.Items("Headers").Where(h => h.Text("Name") is not null)
            .GroupBy(h => h.Text("Name")!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Text("Value") ?? "", StringComparer.OrdinalIgnoreCase);
        var full = json.Child("FromFull");
        var text = json.Text("StrippedTextReply") is { Length: > 0 } stripped ? stripped : json.Text("TextBody");
        var subject = json.Text("Subject");
        return new InboundMail(
            full.Text("Email") ?? Address(json.Text("From")), full.Text("Name") ?? json.Text("FromName"), subject, text,
            First(Ids(headers.GetValueOrDefault("Message-ID"))), First(Ids(headers.GetValueOrDefault("In-Reply-To"))),
            Ids(headers.GetValueOrDefault("References")), IsAutomatic(headers, subject));
    }

    private static InboundMail? FromForm(MediaTypeHeaderValue type, byte[] body)
    {
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return null;
        }
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.FileName is null
                    && Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(disposition.Name).Value is { } name)
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    fields[name] = text.ReadToEnd();
                }
            }
        }
        catch (IOException)
        {
            return null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null; // a boundary longer than the form reader takes
        }
        var headers = RawHeaders(fields.GetValueOrDefault("headers") ?? "");
        var subject = fields.GetValueOrDefault("subject");
        var from = fields.GetValueOrDefault("from");
        return new InboundMail(
            Address(from), DisplayName(from), subject, fields.GetValueOrDefault("text"),
            First(Ids(headers.GetValueOrDefault("Message-ID"))), First(Ids(headers.GetValueOrDefault("In-Reply-To"))),
            Ids(headers.GetValueOrDefault("References")), IsAutomatic(headers, subject));
    }

    /// <summary>RFC 5322 header lines (folded lines joined), first occurrence of each name.</summary>
    private static Dictionary<string, string> RawHeaders(string raw)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in raw.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && last is not null)
            {
                headers[last] += " " + line.Trim();
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                last = line[..colon].Trim();
                headers.TryAdd(last, line[(colon + 1)..].Trim());
            }
        }
        return headers;
    }

    /// <summary>RFC 3834 and the common vendor signs of an automatic message.</summary>
    private static bool IsAutomatic(Dictionary<string, string> headers, string? subject) =>
        (headers.TryGetValue("Auto-Submitted", out var auto) && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
        || headers.ContainsKey("X-Autoreply") || headers.ContainsKey("X-Autorespond")
        || (headers.TryGetValue("Precedence", out var precedence) && precedence.Trim().ToLowerInvariant() is "auto_reply" or "bulk" or "junk" or "list")
        || (subject is not null && AutoSubject().IsMatch(subject));

    /// <summary>Message ids (<c>&lt;…&gt;</c>) in a header, nothing else: they go back out in our headers, so no line breaks or stray text.</summary>
    internal static IReadOnlyList<string> Ids(string? header) =>
        header is null ? [] : [.. MessageIdPattern().Matches(header).Select(m => m.Value).Where(id => id.Length <= 250).Take(20)];

    private static string? First(IReadOnlyList<string> ids) => ids.Count > 0 ? ids[0] : null;

    private static string? Address(string? from)
    {
        if (string.IsNullOrWhiteSpace(from))
        {
            return null;
        }
        var match = AngleAddress().Match(from);
        return (match.Success ? match.Groups[1].Value : from).Trim();
    }

    private static string? DisplayName(string? from) =>
        from is not null && from.IndexOf('<', StringComparison.Ordinal) is > 0 and var lt ? from[..lt].Trim().Trim('"') : null;

    /// <summary>Drops the quoted history below a reply ("On … wrote:", "-----Original Message-----", lines starting with "&gt;").</summary>
    internal static string StripQuoted(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (QuoteHeader().IsMatch(line))
            {
                break;
            }
            if (!line.StartsWith('>'))
            {
                kept.Add(line);
            }
        }
        return string.Join('\n', kept).Trim();
    }

    private static bool BasicPasswordMatches(HttpRequest request, string password)
    {
        var header = request.Headers.Authorization.ToString();
        if (password.Length == 0 || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && MetaWebhooks.FixedEquals(decoded[(colon + 1)..], password);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"<[^<>\s]+@[^<>\s]+>", RegexOptions.None, 1000)]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex(@"<([^<>]+)>", RegexOptions.None, 1000)]
    private static partial Regex AngleAddress();

    [GeneratedRegex(@"^\s*(auto:|automatic reply|autoreply|out of (the )?office|respuesta autom[aá]tica|fuera de la oficina|balasan otomatis|di luar kantor)", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex AutoSubject();

    [GeneratedRegex(@"^\s*(On .+ wrote:|El .+ escribi[oó]:|Pada .+ menulis:|-{3,}\s*Original Message\s*-{3,})\s*$", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex QuoteHeader();
}
