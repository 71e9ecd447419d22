namespace Layan.Infrastructure.Email;

/// <summary>A composed message, as queued in the outbox.</summary>
internal sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string Language)
{
    /// <summary>Another sender than the configured one (an email channel's own address).</summary>
    public string? From { get; init; }

    public string? FromName { get; init; }

    /// <summary>Threading: the message answered, and the thread's ids oldest first.</summary>
    public string? InReplyTo { get; init; }

    public IReadOnlyList<string> References { get; init; } = [];
}

/// <summary>Hands a message to the mail system. The message id is the idempotency key.</summary>
internal interface IEmailSender
{
    Task SendAsync(EmailMessage message, string messageId, CancellationToken cancellationToken);
}
