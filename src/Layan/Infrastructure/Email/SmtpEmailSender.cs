using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Layan.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Email;

/// <summary>
/// <see cref="SmtpClient"/> in either mode: network delivery to an SMTP server, or its pickup
/// directory (one .eml file per message) as the embedded default.
/// </summary>
internal sealed class SmtpEmailSender(IOptions<EmailOptions> options, IOptions<StorageOptions> storage) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, string messageId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var mail = new MailMessage
        {
            From = new MailAddress(message.From ?? settings.FromAddress, message.FromName ?? settings.FromName, Encoding.UTF8),
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            Body = message.TextBody,
            BodyEncoding = Encoding.UTF8,
            BodyTransferEncoding = TransferEncoding.QuotedPrintable,
        };
        mail.To.Add(new MailAddress(message.To));
        mail.Headers.Add("Message-ID", messageId);
        mail.Headers.Add("Content-Language", message.Language);
        if (message.InReplyTo is { } inReplyTo)
        {
            mail.Headers.Add("In-Reply-To", inReplyTo);
        }
        if (message.References.Count > 0)
        {
            mail.Headers.Add("References", string.Join(' ', message.References));
        }
        var html = AlternateView.CreateAlternateViewFromString(message.HtmlBody, Encoding.UTF8, MediaTypeNames.Text.Html);
        html.TransferEncoding = TransferEncoding.QuotedPrintable;
        mail.AlternateViews.Add(html);

        using var client = CreateClient(settings);
        await client.SendMailAsync(mail, cancellationToken);
    }

    private SmtpClient CreateClient(EmailOptions settings)
    {
        if (settings.Mode == EmailMode.Pickup)
        {
            var directory = MailDirectory(storage.Value);
            Directory.CreateDirectory(directory);
            return new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
                PickupDirectoryLocation = directory,
            };
        }
        var smtp = settings.Smtp;
        return new SmtpClient(smtp.Host, smtp.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = smtp.UseTls,
            Timeout = smtp.TimeoutSeconds * 1000,
            Credentials = string.IsNullOrEmpty(smtp.User) ? null : new NetworkCredential(smtp.User, smtp.Password),
        };
    }

    public static string MailDirectory(StorageOptions storage) => storage.PathFor("mail");
}
