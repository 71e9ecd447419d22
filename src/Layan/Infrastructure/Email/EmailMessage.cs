namespace Layan.Infrastructure.Email;

/// <summary>A composed message, as queued in the outbox.</summary>
internal sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string Language);

/// <summary>Hands a message to the mail system. The message id is the idempotency key.</summary>
internal interface IEmailSender
{
    Task SendAsync(EmailMessage message, string messageId, CancellationToken cancellationToken);
}
