using System.Security.Cryptography;
using System.Text;
using Layan.Features.Accounts;
using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

internal static class InboxErrors
{
    public const string MessageRequired = "message_required";
    public const string EmailInvalid = "email_invalid";
    public const string NameInvalid = "name_invalid";
    public const string DepartmentUnknown = "department_unknown";
    public const string DepartmentRevoked = "department_revoked";
    public const string IdentityInvalid = "identity_invalid";
    public const string StatusInvalid = "status_invalid";
    public const string SnoozeInvalid = "snooze_invalid";
    public const string AgentUnknown = "agent_unknown";
    public const string AgentAtCapacity = "agent_at_capacity";
    public const string LabelUnknown = "label_unknown";
    public const string AttachmentInvalid = "attachment_invalid";
    public const string AttachmentTooLarge = "attachment_too_large";
    public const string Changed = "conversation_changed";
    public const string PresenceInvalid = "presence_invalid";
    public const string CapacityInvalid = "capacity_invalid";
    public const string SoundInvalid = "sound_invalid";
    public const string MinutesInvalid = "minutes_invalid";

    public static IReadOnlyList<string> All { get; } =
    [
        MessageRequired, EmailInvalid, NameInvalid, DepartmentUnknown, DepartmentRevoked, IdentityInvalid, StatusInvalid, SnoozeInvalid,
        AgentUnknown, AgentAtCapacity, LabelUnknown, AttachmentInvalid, AttachmentTooLarge, Changed, PresenceInvalid, CapacityInvalid,
        SoundInvalid, MinutesInvalid,
    ];
}

/// <summary>A file checked by its bytes and stored, ready to hang on a message.</summary>
internal sealed record StoredFile(string Key, string Name, string ContentType, long Size);

/// <summary>What the widget sends to start a chat (every field optional but the first message).</summary>
internal sealed record StartChat(string? Name, string? Email, Guid? DepartmentId, string? Message, string? IdentityHash);

/// <summary>The visitor's side of a new chat: the token that lets them back in (shown once).</summary>
internal sealed record VisitorSession(Guid ConversationId, string VisitorToken);

/// <summary>The payload of <c>message.created</c>, and a message as both sides read it.</summary>
internal sealed record MessageItem(
    Guid ConversationId, Guid Id, string Kind, Guid? AuthorId, string? AuthorName, string Body,
    string? AttachmentName, string? AttachmentType, long? AttachmentSize, DateTimeOffset At, DateTimeOffset? ReadAt)
{
    /// <summary>Beyond text: image, location, reaction, template, comment… (null: text).</summary>
    public string? ContentKind { get; init; }

    /// <summary>Outbound over a provider channel: queued, sent, delivered, read, failed.</summary>
    public string? Delivery { get; init; }

    public string? DeliveryError { get; init; }
}

/// <summary>The payload of <c>conversation.updated</c>.</summary>
internal sealed record UpdatedEvent(Guid ConversationId, string Status, DateTimeOffset? SnoozedUntil, Guid DepartmentId, IReadOnlyList<Guid> LabelIds);

internal sealed record CreatedEvent(Guid ConversationId, Guid DepartmentId, string Channel, string? ContactName, string? Preview);

internal sealed record ReadEvent(Guid ConversationId, string Reader, DateTimeOffset UpTo);

internal sealed record TypingEvent(Guid ConversationId, string Who, string? Name);

internal sealed record MentionEvent(Guid ConversationId, Guid MessageId, Guid UserId, Guid By);

/// <summary>The payload of <c>message.delivery</c>: an outbound channel message was sent, delivered, read, or failed.</summary>
internal sealed record DeliveryEvent(Guid ConversationId, Guid MessageId, string Status, string? Error);

/// <summary>CH-1: a provider thread a customer's message belongs to.</summary>
internal sealed record ChannelThread(Guid ChannelId, string Kind, string Thread, Guid? DepartmentId, string? Subject);

/// <summary>CH-1: a customer's message as a channel received it; <see cref="ExternalId"/> is the provider's id.</summary>
internal sealed record ReceivedMessage(string ExternalId, string Text, DateTimeOffset At)
{
    public string? ContentKind { get; init; }

    public string? MediaReference { get; init; }

    public string? MediaType { get; init; }

    public string? FileName { get; init; }

    public string? ReplyTo { get; init; }

    public bool Automatic { get; init; }
}

/// <summary>The composer on a provider conversation: the channel works, the window is open, templates, comments.</summary>
internal sealed record ComposerState(bool Active, bool WindowOpen, bool Templates, bool Comment);

/// <summary>What an agent's public reply on a provider channel may carry beyond text.</summary>
internal sealed record ReplyOptions(string? TemplateName = null, string? TemplateLanguage = null, IReadOnlyList<string>? TemplateParameters = null, bool PrivateReply = false);

/// <summary>
/// CH-1: how a public reply leaves over its conversation's provider channel. Checked before the
/// message exists (window, size, a disabled channel), then queued in the same transaction.
/// </summary>
internal interface IChannelOutbound
{
    /// <summary>What the composer may offer on this conversation now; null when it has no provider channel.</summary>
    Task<ComposerState?> StateAsync(Conversation conversation, CancellationToken cancellationToken);

    Task<Failure?> CheckAsync(Conversation conversation, string body, bool hasFile, ReplyOptions options, CancellationToken cancellationToken);

    Task QueueAsync(Conversation conversation, Message message, ReplyOptions options, CancellationToken cancellationToken);

    /// <summary>Hides a customer's comment from the public; null when the message is not the conversation's customer message.</summary>
    Task<Result<ConversationRef>?> HideAsync(Conversation conversation, Guid messageId, CancellationToken cancellationToken);
}

/// <summary>
/// INB-1, INB-5, INB-6: conversations from their first message to resolved. Every change runs in
/// one transaction with its load-counter change and its events; assignee and status are
/// concurrency tokens, so two people changing one conversation at once get "changed" instead of
/// a lost update. Routing runs after the commit of anything that fills or frees a queue.
/// </summary>
internal sealed class Conversations(
    LayanDbContext db, TenantContext tenant, AgentLoad load, Router router, EventLog events, InboxNotifications notifications,
    IFileStore files, IOptions<InboxOptions> options, IEnumerable<IConversationHook> hooks, IEnumerable<IChannelOutbound> outbound, TimeProvider clock)
{
    public const int MaxBody = 10_000;

    // ---- the visitor's side (HLP-4 widget) ----

    /// <summary>Starts a chat in the current workspace: the contact (merged by a verified email), the conversation in its department's queue, the first message.</summary>
    public async Task<Result<VisitorSession>> StartAsync(Workspace workspace, StartChat chat, StoredFile? attachment, bool offline, CancellationToken cancellationToken)
    {
        var name = chat.Name?.Trim();
        if (name is { Length: > 100 } || (name?.Any(char.IsControl) ?? false))
        {
            return new Failure(InboxErrors.NameInvalid, "name");
        }
        var email = string.IsNullOrWhiteSpace(chat.Email) ? null : chat.Email.Trim().ToLowerInvariant();
        if (email is not null && !EmailAddresses.IsValid(email))
        {
            return new Failure(InboxErrors.EmailInvalid, "email");
        }
        if (CheckBody(chat.Message, attachment) is { } bad)
        {
            return bad;
        }
        var verified = false;
        if (!string.IsNullOrEmpty(chat.IdentityHash))
        {
            if (email is null || workspace.WidgetSecret is null || !IdentityMatches(workspace.WidgetSecret, email, chat.IdentityHash))
            {
                return new Failure(InboxErrors.IdentityInvalid, "identityHash");
            }
            verified = true;
        }
        var department = await DepartmentForAsync(chat.DepartmentId, cancellationToken);
        if (department is null)
        {
            return new Failure(InboxErrors.DepartmentUnknown, "departmentId");
        }
        var now = clock.GetUtcNow();
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var contact = verified ? await db.Set<Contact>().FirstOrDefaultAsync(c => c.Email == email && c.EmailVerified, cancellationToken) : null;
        if (contact is null)
        {
            contact = new Contact { Name = name, Email = email, EmailVerified = verified, CreatedAt = now };
            db.Add(contact);
        }
        else if (!string.IsNullOrEmpty(name))
        {
            contact.Name = name;
        }
        var conversation = new Conversation
        {
            ContactId = contact.Id,
            Channel = ChannelKinds.WebChat,
            DepartmentId = department.Id,
            CreatedAt = now,
            LastActivityAt = now,
            QueuedAt = now,
            VisitorTokenHash = HashToken(token),
            OfflineForm = offline,
        };
        db.Add(conversation);
        var message = AddMessage(conversation, MessageKinds.Customer, null, chat.Message, attachment, now);
        foreach (var hook in hooks)
        {
            await hook.StartedAsync(conversation, contact, chat.Message, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        conversation.StartSequence = await events.AppendAsync("conversation.created", new CreatedEvent(conversation.Id, conversation.DepartmentId, conversation.Channel, contact.Name ?? contact.Email, conversation.LastMessagePreview), cancellationToken);
        await events.AppendAsync("message.created", Item(message, contact.Name), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // A hook (a rule) may have moved the new conversation to another department.
        await router.TriggerAsync(() => router.RouteAsync(conversation.DepartmentId, RoutingTriggers.NewConversation, cancellationToken), RoutingTriggers.NewConversation);
        return new VisitorSession(conversation.Id, token);
    }

    /// <summary>The visitor's conversation in the current workspace, by their token; null when the token is unknown.</summary>
    public Task<Conversation?> ByVisitorTokenAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return Task.FromResult<Conversation?>(null);
        }
        var hash = HashToken(token);
        return db.Set<Conversation>().SingleOrDefaultAsync(c => c.VisitorTokenHash == hash, cancellationToken);
    }

    /// <summary>The visitor writes again: a resolved, pending or snoozed conversation opens (and queues if nobody has it).</summary>
    public async Task<Result<MessageItem>> VisitorMessageAsync(Conversation conversation, string? body, StoredFile? attachment, CancellationToken cancellationToken)
    {
        if (CheckBody(body, attachment) is { } bad)
        {
            return bad;
        }
        var contact = await db.Set<Contact>().SingleAsync(c => c.Id == conversation.ContactId, cancellationToken);
        return await ChangeAsync(conversation, async now =>
        {
            var message = AddMessage(conversation, MessageKinds.Customer, null, body, attachment, now);
            conversation.AwaitingReplySince ??= now;
            if (conversation.Status != ConversationStatus.Open)
            {
                await MoveToStatusAsync(conversation, ConversationStatus.Open, null, now, cancellationToken);
            }
            foreach (var hook in hooks)
            {
                await hook.CustomerWroteAsync(conversation, contact, body, automatic: false, cancellationToken);
            }
            return Item(message, contact.Name);
        }, cancellationToken);
    }

    // ---- provider channels (CH-1) ----

    /// <summary>
    /// A customer's message from a provider channel: a new conversation in the channel's department
    /// queue, or the next message of <paramref name="existing"/> (reopened unless it is an auto-reply).
    /// </summary>
    public async Task<MessageItem> ReceiveAsync(Conversation? existing, ChannelThread thread, Contact contact, ReceivedMessage received, CancellationToken cancellationToken, Action<Message>? withMessage = null)
    {
        var text = received.Text.Length > MaxBody ? received.Text[..MaxBody] : received.Text;
        if (existing is not null)
        {
            var result = await ChangeAsync(existing, async now =>
            {
                var message = Received(existing, AddMessage(existing, MessageKinds.Customer, null, text, null, now), received);
                withMessage?.Invoke(message);
                existing.LastCustomerAt = Latest(existing.LastCustomerAt, received.At, now);
                if (!received.Automatic)
                {
                    existing.AwaitingReplySince ??= now;
                    if (existing.Status != ConversationStatus.Open)
                    {
                        await MoveToStatusAsync(existing, ConversationStatus.Open, null, now, cancellationToken);
                    }
                }
                foreach (var hook in hooks)
                {
                    await hook.CustomerWroteAsync(existing, contact, text, received.Automatic, cancellationToken);
                }
                return Item(message, contact.Name);
            }, cancellationToken);
            if (!result.Succeeded)
            {
                throw new DbUpdateConcurrencyException("The conversation changed while a channel message arrived; the webhook is processed again.");
            }
            await router.TriggerAsync(() => router.RouteAsync(existing.DepartmentId, RoutingTriggers.NewConversation, cancellationToken), RoutingTriggers.NewConversation);
            return result.Value!;
        }
        var department = await DepartmentForAsync(thread.DepartmentId, cancellationToken) ?? await DepartmentForAsync(null, cancellationToken);
        var at = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var conversation = new Conversation
        {
            ContactId = contact.Id,
            Channel = thread.Kind,
            ChannelId = thread.ChannelId,
            Thread = thread.Thread,
            Subject = Clean(thread.Subject, 200),
            DepartmentId = department!.Id,
            CreatedAt = at,
            LastActivityAt = at,
            QueuedAt = at,
            AwaitingReplySince = at,
            LastCustomerAt = Latest(null, received.At, at),
        };
        db.Add(conversation);
        var first = Received(conversation, AddMessage(conversation, MessageKinds.Customer, null, text, null, at), received);
        withMessage?.Invoke(first);
        foreach (var hook in hooks)
        {
            await hook.StartedAsync(conversation, contact, text, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        conversation.StartSequence = await events.AppendAsync("conversation.created", new CreatedEvent(conversation.Id, conversation.DepartmentId, conversation.Channel, contact.Name ?? contact.Email ?? contact.Phone, conversation.LastMessagePreview), cancellationToken);
        var item = Item(first, contact.Name);
        await events.AppendAsync("message.created", item, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await router.TriggerAsync(() => router.RouteAsync(conversation.DepartmentId, RoutingTriggers.NewConversation, cancellationToken), RoutingTriggers.NewConversation);
        return item;
    }

    private static Message Received(Conversation conversation, Message message, ReceivedMessage received)
    {
        message.ExternalId = received.ExternalId;
        message.ContentKind = received.ContentKind;
        message.MediaReference = received.MediaReference is { Length: > 1000 } ? null : received.MediaReference;
        message.ReplyToExternalId = received.ReplyTo is { Length: > 300 } ? null : received.ReplyTo;
        message.AttachmentName = received.FileName is { Length: > 200 } name ? name[..200] : received.FileName;
        message.AttachmentType = received.MediaType is { Length: > 40 } ? null : received.MediaType;
        if (message.Body.Length == 0 && received.ContentKind is { } kind)
        {
            conversation.LastMessagePreview = message.AttachmentName ?? $"[{kind}]";
        }
        return message;
    }

    /// <summary>One line (a subject goes into a mail header), at most <paramref name="max"/> characters.</summary>
    private static string? Clean(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => new string([.. w.Where(c => !char.IsControl(c))])));
        return line.Length > max ? line[..max] : line;
    }

    /// <summary>The later of a known time and the provider's (never in the future).</summary>
    private static DateTimeOffset Latest(DateTimeOffset? known, DateTimeOffset provider, DateTimeOffset now)
    {
        var at = provider > now ? now : provider;
        return known is { } k && k > at ? k : at;
    }

    /// <summary>CH-4: a provider's status for a message Layan sent; it only moves forward, failed is final. False when the message is not (yet) known.</summary>
    public async Task<bool> DeliveryAsync(string externalId, string status, string? error, CancellationToken cancellationToken)
    {
        var message = await db.Set<Message>().SingleOrDefaultAsync(m => m.ExternalId == externalId && m.Kind == MessageKinds.Agent, cancellationToken);
        if (message is null)
        {
            return false;
        }
        await RecordDeliveryAsync(message, status, error, cancellationToken);
        return true;
    }

    /// <summary>Moves a sent message's status forward and tells the inbox (saved by the caller).</summary>
    internal async Task RecordDeliveryAsync(Message message, string status, string? error, CancellationToken cancellationToken)
    {
        if (DeliveryStatus.Rank(status) < 0 || message.Delivery == DeliveryStatus.Failed || DeliveryStatus.Rank(status) <= DeliveryStatus.Rank(message.Delivery))
        {
            return;
        }
        message.Delivery = status;
        message.DeliveryError = status == DeliveryStatus.Failed ? (error is { Length: > 500 } ? error[..500] : error ?? "failed") : null;
        if (status == DeliveryStatus.Read)
        {
            message.ReadAt ??= clock.GetUtcNow();
        }
        await events.AppendAsync("message.delivery", new DeliveryEvent(message.ConversationId, message.Id, status, message.DeliveryError), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    // ---- the agent's side ----

    /// <summary>CH-1 comments: hides a customer's comment at the provider; null when it is not theirs to see.</summary>
    public async Task<Result<ConversationRef>?> HideCommentAsync(WorkspaceMembership access, Guid conversationId, Guid messageId, CancellationToken cancellationToken) =>
        await FindAsync(access, conversationId, cancellationToken) is { } conversation && outbound.FirstOrDefault() is { } channel
            ? await channel.HideAsync(conversation, messageId, cancellationToken)
            : null;

    /// <summary>A public reply or a private note (with @mentions) by an agent; null when the conversation is not theirs to see.</summary>
    public async Task<Result<MessageItem>?> ReplyAsync(WorkspaceMembership access, Guid conversationId, string? body, bool note, StoredFile? attachment, CancellationToken cancellationToken, ReplyOptions? channelOptions = null)
    {
        if (await FindAsync(access, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (CheckBody(body, attachment) is { } bad)
        {
            return bad;
        }
        var sendOptions = channelOptions ?? new ReplyOptions();
        var channel = !note && conversation.ChannelId is not null ? outbound.FirstOrDefault() : null;
        if (channel is not null && await channel.CheckAsync(conversation, body?.Trim() ?? "", attachment is not null, sendOptions, cancellationToken) is { } refused)
        {
            return refused;
        }
        var author = await db.Set<User>().Where(u => u.Id == access.Member.UserId).Select(u => u.FullName).SingleAsync(cancellationToken);
        var mentioned = note ? await MentionedAsync(access, body ?? "", cancellationToken) : [];
        return await ChangeAsync(conversation, async now =>
        {
            var message = AddMessage(conversation, note ? MessageKinds.Note : MessageKinds.Agent, access.Member.UserId, body, attachment, now);
            if (channel is not null)
            {
                await channel.QueueAsync(conversation, message, sendOptions, cancellationToken);
            }
            if (!note)
            {
                conversation.AwaitingReplySince = null;
                foreach (var hook in hooks)
                {
                    await hook.AgentRepliedAsync(conversation, access.Member.UserId, cancellationToken);
                }
                if (conversation.OfflineForm)
                {
                    await notifications.EmailReplyAsync(conversation, author, body ?? "", cancellationToken);
                }
            }
            foreach (var userId in mentioned)
            {
                await notifications.MentionedAsync(access, conversation, message.Id, userId, cancellationToken);
            }
            return Item(message, author);
        }, cancellationToken);
    }

    /// <summary>INB-6: assigns to an agent of the workspace (null: back to the queue), within their capacity.</summary>
    public async Task<Result<ConversationRef>?> AssignAsync(WorkspaceMembership access, Guid conversationId, Guid? userId, CancellationToken cancellationToken)
    {
        if (await FindAsync(access, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        string? assigneeName = null;
        if (userId is { } target)
        {
            var agent = await (from m in db.Set<WorkspaceMember>()
                               join u in db.Set<User>() on m.UserId equals u.Id
                               where m.WorkspaceId == access.WorkspaceId && m.UserId == target && m.Active
                               select new { m.Role, u.FullName }).SingleOrDefaultAsync(cancellationToken);
            if (agent is null || !PermissionTable.Allows(agent.Role, WorkspaceActions.UseInbox))
            {
                return new Failure(InboxErrors.AgentUnknown, "userId");
            }
            assigneeName = agent.FullName;
        }
        if (conversation.AssigneeId == userId)
        {
            return new ConversationRef(conversation.Id);
        }
        var freed = conversation.AssigneeId;
        var result = await ChangeAsync(conversation, async now =>
        {
            var loads = ConversationStatus.Loads(conversation.Status);
            if (freed is { } previous && loads)
            {
                await load.ReleaseAsync(previous, cancellationToken);
            }
            if (userId is { } target && loads && !await load.TryAddAsync(target, access.Workspace.DefaultCapacity, await load.NextSequenceAsync(cancellationToken), cancellationToken))
            {
                return (Result<ConversationRef>)new Failure(InboxErrors.AgentAtCapacity, "userId");
            }
            conversation.AssigneeId = userId;
            conversation.AssignedAt = userId is null ? null : now;
            conversation.QueuedAt = userId is null && conversation.Status == ConversationStatus.Open ? now : null;
            conversation.ReassignedFrom = null;
            await events.AppendAsync("conversation.assigned", new AssignedEvent(conversation.Id, userId, assigneeName, conversation.DepartmentId, access.Member.UserId, null), cancellationToken);
            if (userId is { } assigned && assigned != access.Member.UserId)
            {
                await notifications.AssignedAsync(access.Workspace, conversation, assigned, cancellationToken);
            }
            return new ConversationRef(conversation.Id);
        }, cancellationToken);
        await AfterFreedAsync(freed, conversation, result.Succeeded, cancellationToken);
        return result;
    }

    /// <summary>INB-6: moves to another department's queue (not a Revoked one, WS-3); the assignee lets go.</summary>
    public async Task<Result<ConversationRef>?> TransferAsync(WorkspaceMembership access, Guid conversationId, Guid departmentId, CancellationToken cancellationToken)
    {
        if (await FindAsync(access, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var department = await db.Set<Department>().SingleOrDefaultAsync(d => d.Id == departmentId, cancellationToken);
        if (department is null)
        {
            return new Failure(InboxErrors.DepartmentUnknown, "departmentId");
        }
        if (department.Revoked)
        {
            return new Failure(InboxErrors.DepartmentRevoked, "departmentId");
        }
        var freed = conversation.AssigneeId;
        var result = await ChangeAsync(conversation, async now =>
        {
            if (freed is { } previous && ConversationStatus.Loads(conversation.Status))
            {
                await load.ReleaseAsync(previous, cancellationToken);
            }
            conversation.DepartmentId = department.Id;
            conversation.AssigneeId = null;
            conversation.AssignedAt = null;
            conversation.QueuedAt = conversation.Status == ConversationStatus.Open ? now : null;
            await events.AppendAsync("conversation.assigned", new AssignedEvent(conversation.Id, null, null, department.Id, access.Member.UserId, null), cancellationToken);
            await AppendUpdatedAsync(conversation, cancellationToken);
            return (Result<ConversationRef>)new ConversationRef(conversation.Id);
        }, cancellationToken);
        await AfterFreedAsync(freed, conversation, result.Succeeded, cancellationToken);
        return result;
    }

    /// <summary>INB-1: open, pending, snoozed (until a future time) or resolved.</summary>
    public async Task<Result<ConversationRef>?> SetStatusAsync(WorkspaceMembership access, Guid conversationId, string? status, DateTimeOffset? snoozedUntil, CancellationToken cancellationToken)
    {
        if (await FindAsync(access, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (!ConversationStatus.All.Contains(status))
        {
            return new Failure(InboxErrors.StatusInvalid, "status");
        }
        if (status == ConversationStatus.Snoozed && (snoozedUntil is not { } until || until <= clock.GetUtcNow() || until > clock.GetUtcNow().AddYears(1)))
        {
            return new Failure(InboxErrors.SnoozeInvalid, "snoozedUntil");
        }
        var assignee = conversation.AssigneeId;
        var result = await ChangeAsync(conversation, async now =>
        {
            await MoveToStatusAsync(conversation, status!, status == ConversationStatus.Snoozed ? snoozedUntil : null, now, cancellationToken);
            return (Result<ConversationRef>)new ConversationRef(conversation.Id);
        }, cancellationToken);
        await AfterFreedAsync(assignee, conversation, result.Succeeded, cancellationToken);
        return result;
    }

    /// <summary>LBL-1: the conversation's labels; a Revoked label cannot be added (it may stay or be taken off).</summary>
    public async Task<Result<ConversationRef>?> SetLabelsAsync(WorkspaceMembership access, Guid conversationId, IReadOnlyList<Guid>? labelIds, CancellationToken cancellationToken)
    {
        if (await FindAsync(access, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var wanted = (labelIds ?? []).Distinct().ToList();
        var current = await db.Set<ConversationLabel>().Where(l => l.ConversationId == conversationId).ToListAsync(cancellationToken);
        var added = wanted.Except(current.Select(l => l.LabelId)).ToList();
        var usable = await db.Set<Label>().CountAsync(l => added.Contains(l.Id) && !l.Revoked, cancellationToken);
        if (usable != added.Count)
        {
            return new Failure(InboxErrors.LabelUnknown, "labelIds");
        }
        return await ChangeAsync(conversation, async _ =>
        {
            db.RemoveRange(current.Where(l => !wanted.Contains(l.LabelId)));
            db.AddRange(added.Select(id => new ConversationLabel { ConversationId = conversationId, LabelId = id }));
            await AppendUpdatedAsync(conversation, cancellationToken, wanted);
            return (Result<ConversationRef>)new ConversationRef(conversation.Id);
        }, cancellationToken);
    }

    /// <summary>Read receipts: the reader saw everything the other side wrote up to now.</summary>
    public async Task MarkReadAsync(Conversation conversation, bool byCustomer, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var kinds = byCustomer ? new[] { MessageKinds.Agent } : [MessageKinds.Customer];
        var marked = await db.Set<Message>().Where(m => m.ConversationId == conversation.Id && m.ReadAt == null && kinds.Contains(m.Kind))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, now), cancellationToken);
        if (marked > 0)
        {
            await events.AppendAsync("message.read", new ReadEvent(conversation.Id, byCustomer ? "customer" : "agent", now), cancellationToken);
        }
    }

    /// <summary>A typing indicator, for the other side (not kept beyond the event log).</summary>
    public Task TypingAsync(Conversation conversation, string who, string? name, CancellationToken cancellationToken) =>
        events.AppendAsync("typing", new TypingEvent(conversation.Id, who, name), cancellationToken);

    /// <summary>The conversation if the member may see it (★ department-scoped visibility for agents).</summary>
    public async Task<Conversation?> FindAsync(WorkspaceMembership access, Guid conversationId, CancellationToken cancellationToken) =>
        await InboxQueries.Visible(db, access).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken);

    /// <summary>Checks an upload by its bytes (images and PDF, ≤ the configured size) and stores it.</summary>
    public async Task<Result<StoredFile>> StoreAsync(IFormFile upload, CancellationToken cancellationToken)
    {
        if (upload.Length > options.Value.MaxAttachmentBytes)
        {
            return new Failure(InboxErrors.AttachmentTooLarge, "file");
        }
        await using var content = await FileType.ReadAsync(upload, cancellationToken);
        var type = FileType.Detect(content.GetBuffer().AsSpan(0, (int)Math.Min(content.Length, 16)), FileType.Pdf, FileType.Png, FileType.Jpeg);
        if (type is null || upload.Length == 0)
        {
            return new Failure(InboxErrors.AttachmentInvalid, "file");
        }
        var key = $"attachments/{tenant.WorkspaceId:N}/{Guid.CreateVersion7():N}.{type.Extension}";
        await files.SaveAsync(key, content, cancellationToken);
        var name = new string([.. Path.GetFileName(upload.FileName).Where(c => !char.IsControl(c))]);
        return new StoredFile(key, name.Length is 0 or > 200 ? $"attachment.{type.Extension}" : name, type.ContentType, upload.Length);
    }

    /// <summary>HLP-4 identity verification: HMAC-SHA256 of the email with the workspace's widget secret, hex, compared in constant time.</summary>
    public static bool IdentityMatches(string secret, string email, string hash)
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(hash.Trim().ToLowerInvariant()));
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    internal static MessageItem Item(Message m, string? authorName) =>
        new(m.ConversationId, m.Id, m.Kind, m.AuthorId, authorName, m.Body, m.AttachmentName, m.AttachmentType, m.AttachmentSize, m.CreatedAt, m.ReadAt)
        {
            ContentKind = m.ContentKind,
            Delivery = m.Delivery,
            DeliveryError = m.DeliveryError,
        };

    /// <summary>
    /// Status change with its load and queue effects: leaving open/pending frees the assignee,
    /// coming back takes capacity again (or, when they are full, returns it to the queue).
    /// </summary>
    internal async Task MoveToStatusAsync(Conversation conversation, string status, DateTimeOffset? snoozedUntil, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var loaded = ConversationStatus.Loads(conversation.Status);
        var loads = ConversationStatus.Loads(status);
        if (conversation.AssigneeId is { } assignee)
        {
            if (loaded && !loads)
            {
                await load.ReleaseAsync(assignee, cancellationToken);
            }
            else if (!loaded && loads)
            {
                var capacity = await db.Set<Workspace>().Where(w => w.Id == conversation.WorkspaceId).Select(w => w.DefaultCapacity).SingleAsync(cancellationToken);
                if (!await load.TryAddAsync(assignee, capacity, await load.NextSequenceAsync(cancellationToken), cancellationToken))
                {
                    conversation.AssigneeId = null;
                    conversation.AssignedAt = null;
                    await events.AppendAsync("conversation.assigned", new AssignedEvent(conversation.Id, null, null, conversation.DepartmentId, null, RoutingReasons.NoCandidate), cancellationToken);
                }
            }
        }
        conversation.Status = status;
        conversation.SnoozedUntil = snoozedUntil;
        conversation.QueuedAt = status == ConversationStatus.Open && conversation.AssigneeId is null ? conversation.QueuedAt ?? now : null;
        await AppendUpdatedAsync(conversation, cancellationToken);
    }

    private async Task AppendUpdatedAsync(Conversation conversation, CancellationToken cancellationToken, IReadOnlyList<Guid>? labels = null)
    {
        labels ??= await db.Set<ConversationLabel>().Where(l => l.ConversationId == conversation.Id).Select(l => l.LabelId).ToListAsync(cancellationToken);
        await events.AppendAsync("conversation.updated", new UpdatedEvent(conversation.Id, conversation.Status, conversation.SnoozedUntil, conversation.DepartmentId, labels), cancellationToken);
    }

    /// <summary>One transaction around a change; a concurrent change of assignee or status turns into <see cref="InboxErrors.Changed"/>.</summary>
    private async Task<Result<T>> ChangeAsync<T>(Conversation conversation, Func<DateTimeOffset, Task<Result<T>>> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // A failed save ends the change (rolled back whole), so EF's savepoint around each save would only cost two round trips.
        db.Database.AutoSavepointsEnabled = false;
        // Written before anything the change appends: the conversation's row is locked before the
        // workspace's event counter, in every change alike (the other order deadlocks with a message).
        var lastActivity = conversation.LastActivityAt;
        conversation.LastActivityAt = now;
        try
        {
            var result = await change(now);
            if (!result.Succeeded)
            {
                conversation.LastActivityAt = lastActivity; // a refused change changes nothing
                return result;
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new Failure(InboxErrors.Changed);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }

    private Task<Result<MessageItem>> ChangeAsync(Conversation conversation, Func<DateTimeOffset, Task<MessageItem>> change, CancellationToken cancellationToken) =>
        ChangeAsync<MessageItem>(conversation, async now =>
        {
            var item = await change(now);
            await events.AppendAsync("message.created", item, cancellationToken);
            return item;
        }, cancellationToken);

    /// <summary>After a commit that may have freed an agent or queued the conversation: route what waits.</summary>
    private async Task AfterFreedAsync(Guid? freedAgent, Conversation conversation, bool changed, CancellationToken cancellationToken)
    {
        if (!changed)
        {
            return;
        }
        if (freedAgent is { } agent)
        {
            await router.TriggerAsync(() => router.RouteForAgentAsync(agent, RoutingTriggers.AgentFreed, conversation.DepartmentId, cancellationToken), RoutingTriggers.AgentFreed);
        }
        else
        {
            await router.TriggerAsync(() => router.RouteAsync(conversation.DepartmentId, RoutingTriggers.AgentFreed, cancellationToken), RoutingTriggers.AgentFreed);
        }
    }

    private Message AddMessage(Conversation conversation, string kind, Guid? author, string? body, StoredFile? file, DateTimeOffset now)
    {
        var text = body?.Trim() ?? "";
        var message = new Message
        {
            ConversationId = conversation.Id,
            Kind = kind,
            AuthorId = author,
            Body = text,
            AttachmentKey = file?.Key,
            AttachmentName = file?.Name,
            AttachmentType = file?.ContentType,
            AttachmentSize = file?.Size,
            CreatedAt = now,
        };
        db.Add(message);
        if (kind != MessageKinds.Note)
        {
            var preview = text.Length > 0 ? text : file?.Name ?? "";
            conversation.LastMessagePreview = preview.Length > 200 ? preview[..200] : preview;
        }
        return message;
    }

    private static Failure? CheckBody(string? body, StoredFile? attachment)
    {
        var text = body?.Trim() ?? "";
        return (text.Length == 0 && attachment is null) || text.Length > MaxBody ? new Failure(InboxErrors.MessageRequired, "body") : null;
    }

    /// <summary>The department chosen in the widget, or the Main Department (also for a Revoked one, WS-3).</summary>
    private async Task<Department?> DepartmentForAsync(Guid? chosen, CancellationToken cancellationToken)
    {
        if (chosen is { } id)
        {
            var department = await db.Set<Department>().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
            if (department is null)
            {
                return null;
            }
            if (!department.Revoked)
            {
                return department;
            }
        }
        return await db.Set<Department>().SingleAsync(d => d.IsDefault, cancellationToken);
    }

    /// <summary>@mentions in a note: <c>@</c> and the part of a member's email address before the <c>@</c>.</summary>
    private async Task<IReadOnlyList<Guid>> MentionedAsync(WorkspaceMembership access, string body, CancellationToken cancellationToken)
    {
        var handles = System.Text.RegularExpressions.Regex.Matches(body, @"(?<![\w.])@([\w.+-]+)", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))
            .Select(m => m.Groups[1].Value.TrimEnd('.').ToLowerInvariant()).Distinct().ToList();
        if (handles.Count == 0)
        {
            return [];
        }
        var members = await (from m in db.Set<WorkspaceMember>()
                             join u in db.Set<User>() on m.UserId equals u.Id
                             where m.WorkspaceId == access.WorkspaceId && m.Active && m.UserId != access.Member.UserId
                             select new { u.Id, u.Email }).ToListAsync(cancellationToken);
        return [.. members.Where(m => m.Email is { } e && handles.Contains(e[..e.IndexOf('@', StringComparison.Ordinal)].ToLowerInvariant())).Select(m => m.Id)];
    }
}

internal sealed record ConversationRef(Guid Id);
