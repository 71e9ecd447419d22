using System.Collections.Concurrent;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Sms;

namespace Layan.Tests.Support;

/// <summary>
/// Hands the message to the real sender, then never returns: the node "dies" between the
/// hand-off and recording it, until the host stops.
/// </summary>
internal sealed class HangAfterHandOff(IEmailSender inner) : IEmailSender
{
    public TaskCompletionSource HandedOff { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(EmailMessage message, string messageId, CancellationToken cancellationToken)
    {
        await inner.SendAsync(message, messageId, cancellationToken);
        HandedOff.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>A provider that is down.</summary>
internal sealed class FailingEmailSender : IEmailSender
{
    public Task SendAsync(EmailMessage message, string messageId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("SMTP relay unavailable");
}

/// <summary>Records each hand-off by idempotency key, shared by several nodes.</summary>
internal sealed class CountingSmsSender : ISmsSender
{
    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    public Task SendAsync(SmsMessage message, string messageId, CancellationToken cancellationToken)
    {
        Deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
