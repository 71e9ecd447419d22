using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels;

/// <summary>What the outbox carries for one channel message.</summary>
internal sealed record ChannelSend(Guid MessageId, string? TemplateName, string? TemplateLanguage, IReadOnlyList<string>? TemplateParameters, bool PrivateReply);

/// <summary>
/// CH-1: a public reply on a provider conversation is checked against the channel (active, text
/// size, the customer-service window: WhatsApp outside it only templates; Messenger and Instagram
/// with the HUMAN_AGENT tag up to 7 days) and queued in the outbox with the reply's transaction.
/// </summary>
internal sealed class ChannelOutbound(LayanDbContext db, ChannelAdapters adapters, Outbox outbox, IOptions<EmailOptions> email, TimeProvider clock) : IChannelOutbound
{
    public const string SendKind = "channel.send";

    public async Task<ComposerState?> StateAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.ChannelId is null)
        {
            return null;
        }
        var channel = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        var capabilities = channel is null ? null : adapters.For(channel.Kind)?.Capabilities;
        if (channel is null || capabilities is null)
        {
            return new ComposerState(false, false, false, IsComment(conversation));
        }
        var open = IsComment(conversation) || !Past(conversation, capabilities.TagWindow ?? capabilities.Window, clock);
        return new ComposerState(channel.Active, open, capabilities.Templates, IsComment(conversation));
    }

    public async Task<Failure?> CheckAsync(Conversation conversation, string body, bool hasFile, ReplyOptions options, CancellationToken cancellationToken)
    {
        var channel = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        if (channel is null || !channel.Active || adapters.For(channel.Kind) is not { } adapter)
        {
            return new Failure(ChannelErrors.Disabled);
        }
        var capabilities = adapter.Capabilities;
        if (body.Length > capabilities.MaxText)
        {
            return new Failure(ChannelErrors.TooLong, "body");
        }
        if (hasFile && (conversation.Channel == Email.EmailAdapter.KindName || (IsComment(conversation) && !options.PrivateReply)))
        {
            return new Failure(ChannelErrors.AttachmentUnsupported, "file");
        }
        if (options.TemplateName is not null)
        {
            return capabilities.Templates && options.TemplateName.Length is > 0 and <= 512 && options.TemplateLanguage is { Length: > 0 and <= 15 } && (options.TemplateParameters?.Count ?? 0) <= 20
                ? null
                : new Failure(ChannelErrors.TemplateInvalid, "templateName");
        }
        if (options.PrivateReply && !IsComment(conversation))
        {
            return new Failure(ChannelErrors.NotAComment, "privateReply");
        }
        if (IsComment(conversation) && !options.PrivateReply)
        {
            return null; // A public answer under a post has no window.
        }
        return Past(conversation, capabilities.TagWindow ?? capabilities.Window, clock) ? new Failure(ChannelErrors.WindowClosed, "body") : null;
    }

    public Task QueueAsync(Conversation conversation, Message message, ReplyOptions options, CancellationToken cancellationToken)
    {
        message.Delivery = DeliveryStatus.Queued;
        if (conversation.Channel == Email.EmailAdapter.KindName)
        {
            // Known before it is sent, so the customer's answer threads even if it comes back first.
            message.ExternalId = $"<{message.Id:N}@{email.Value.MessageIdDomain}>";
        }
        if (options.TemplateName is not null)
        {
            message.ContentKind = "template";
        }
        outbox.Enqueue(SendKind, new ChannelSend(message.Id, options.TemplateName, options.TemplateLanguage, options.TemplateParameters, options.PrivateReply));
        return Task.CompletedTask;
    }

    public async Task<Result<ConversationRef>?> HideAsync(Conversation conversation, Guid messageId, CancellationToken cancellationToken)
    {
        var message = await db.Set<Message>().SingleOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversation.Id && m.Kind == MessageKinds.Customer, cancellationToken);
        if (message is null)
        {
            return null;
        }
        if (!IsComment(conversation) || message.ExternalId is null)
        {
            return new Failure(ChannelErrors.NotAComment);
        }
        var row = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        if (row is null || !row.Active || adapters.For(row.Kind) is not { } adapter)
        {
            return new Failure(ChannelErrors.Disabled);
        }
        SendOutcome? outcome;
        try
        {
            outcome = await adapter.HideAsync(adapters.Connected(row), message.ExternalId, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            outcome = null;
        }
        return outcome is SendOutcome.Sent ? new ConversationRef(conversation.Id) : new Failure(ChannelErrors.ProviderRefused);
    }

    /// <summary>Whether the customer's last message is at least <paramref name="window"/> ago (false when the kind has no window).</summary>
    public static bool Past(Conversation conversation, TimeSpan? window, TimeProvider clock) =>
        window is { } length && clock.GetUtcNow() - (conversation.LastCustomerAt ?? conversation.CreatedAt) >= length;

    public static bool IsComment(Conversation conversation) => conversation.Channel.EndsWith("_comment", StringComparison.Ordinal);
}

/// <summary>
/// Delivers one channel message. A refusal (bad recipient, closed window, revoked token) marks the
/// message failed with the provider's words; 429 and throttling codes wait for <c>Retry-After</c>;
/// network errors and 5xx back off, and the last attempt's failure is shown on the message too.
/// </summary>
internal sealed class ChannelSendHandler(
    LayanDbContext db, ChannelAdapters adapters, Conversations conversations, IFileStore files, IOptionsMonitor<WorkQueueOptions> queues, TimeProvider clock)
    : IWorkHandler<OutboxMessage>
{
    public string Kind => ChannelOutbound.SendKind;

    public async Task HandleAsync(OutboxMessage item, CancellationToken cancellationToken)
    {
        var send = JsonSerializer.Deserialize<ChannelSend>(item.Payload, JsonSerializerOptions.Web)!;
        var message = await db.Set<Message>().SingleOrDefaultAsync(m => m.Id == send.MessageId, cancellationToken);
        if (message is null || message.Delivery is not DeliveryStatus.Queued)
        {
            return;
        }
        var conversation = await db.Set<Conversation>().AsNoTracking().SingleAsync(c => c.Id == message.ConversationId, cancellationToken);
        var row = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        if (row is null || !row.Active || adapters.For(row.Kind) is not { } adapter)
        {
            await conversations.RecordDeliveryAsync(message, DeliveryStatus.Failed, ChannelErrors.Disabled, cancellationToken);
            return;
        }
        var outbound = await BuildAsync(adapter, conversation, message, send, cancellationToken);
        var last = item.Attempts >= queues.Get("Outbox").MaxAttempts;
        SendOutcome outcome;
        try
        {
            outcome = await adapter.SendAsync(adapters.Connected(row), outbound, cancellationToken);
        }
        catch (Exception ex) when (last && ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Mail.SmtpException)
        {
            outcome = new SendOutcome.Failed(ex.Message);
        }
        switch (outcome)
        {
            case SendOutcome.Sent sent:
                message.ExternalId ??= sent.ExternalId.Length > 300 ? sent.ExternalId[..300] : sent.ExternalId;
                await conversations.RecordDeliveryAsync(message, DeliveryStatus.Sent, null, cancellationToken);
                break;
            case SendOutcome.RetryAfter wait when !last:
                throw new RetryAfterException(wait.After, wait.Reason);
            case SendOutcome.RetryAfter wait:
                await conversations.RecordDeliveryAsync(message, DeliveryStatus.Failed, wait.Reason, cancellationToken);
                break;
            case SendOutcome.Failed failed:
                await conversations.RecordDeliveryAsync(message, DeliveryStatus.Failed, failed.Reason, cancellationToken);
                break;
        }
    }

    private async Task<OutboundMessage> BuildAsync(IChannelAdapter adapter, Conversation conversation, Message message, ChannelSend send, CancellationToken cancellationToken)
    {
        OutboundFile? file = null;
        if (message.AttachmentKey is { } key && files.OpenRead(key) is { } stream)
        {
            await using (stream)
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken);
                file = new OutboundFile(message.AttachmentName ?? "attachment", message.AttachmentType ?? "application/octet-stream", buffer.ToArray());
            }
        }
        var comment = ChannelOutbound.IsComment(conversation);
        var email = conversation.Channel == Email.EmailAdapter.KindName;
        var thread = email || comment
            ? await db.Set<Message>().Where(m => m.ConversationId == conversation.Id && m.ExternalId != null && m.Id != message.Id)
                .OrderBy(m => m.CreatedAt).Select(m => new { m.ExternalId, m.Kind }).ToListAsync(cancellationToken)
            : [];
        // References: the thread's first message and its last nine (RFC 5322 lets long threads be trimmed in the middle).
        List<string> references = email ? [.. thread.Take(1).Concat(thread.Skip(1).TakeLast(9)).Select(m => m.ExternalId!)] : [];
        var lastCustomer = thread.LastOrDefault(m => m.Kind == MessageKinds.Customer)?.ExternalId;
        var tagged = !comment && adapter.Capabilities.TagWindow is not null && ChannelOutbound.Past(conversation, adapter.Capabilities.Window, clock);
        return new OutboundMessage(message.Id, conversation.Thread ?? "", message.Body)
        {
            File = file,
            Template = send.TemplateName is { } name ? new OutboundTemplate(name, send.TemplateLanguage ?? "en", send.TemplateParameters ?? []) : null,
            Tag = tagged ? "HUMAN_AGENT" : null,
            // A public answer joins the comment thread at its top; a private one answers the customer's latest comment.
            ReplyTo = comment ? (send.PrivateReply ? lastCustomer ?? conversation.Thread : conversation.Thread) : null,
            InReplyTo = email ? lastCustomer ?? references.LastOrDefault() : null,
            PrivateReply = send.PrivateReply,
            Subject = conversation.Subject,
            EmailMessageId = message.ExternalId,
            References = references,
        };
    }
}
