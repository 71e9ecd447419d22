using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Features.Realtime;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels;

/// <summary>The payload of <c>message.attachment</c>: a customer's file arrived from the provider and can be opened.</summary>
internal sealed record AttachmentEvent(Guid ConversationId, Guid MessageId, string Name, string ContentType, long Size);

/// <summary>
/// Fetches a file a customer sent (a WhatsApp media id, a Telegram file id, a Messenger CDN URL)
/// after the message is in the inbox, and hangs it on the message: images (PNG, JPEG) and PDF
/// checked by their bytes, up to the inbox's attachment size, as the widget's uploads are. Other
/// kinds (audio, video, stickers) keep their provider reference. Retried with back-off like any
/// outgoing call; a refusal leaves the message as it was.
/// </summary>
internal sealed class ChannelMediaHandler(
    LayanDbContext db, TenantContext tenant, ChannelAdapters adapters, IFileStore files, EventLog events, IOptions<InboxOptions> inbox) : IWorkHandler<OutboxMessage>
{
    public const string KindName = "channel.media";

    private static readonly HashSet<string> Fetched = ["image", "document"];

    public string Kind => KindName;

    internal sealed record Request(Guid MessageId);

    /// <summary>Whether a received message has a file worth fetching.</summary>
    public static bool Wanted(InboundMessage message) => message.MediaReference is not null && message.ContentKind is { } kind && Fetched.Contains(kind);

    public async Task HandleAsync(OutboxMessage item, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<Request>(item.Payload, JsonSerializerOptions.Web)!;
        var message = await db.Set<Message>().SingleOrDefaultAsync(m => m.Id == request.MessageId, cancellationToken);
        if (message is not { MediaReference: { } reference, AttachmentKey: null })
        {
            return;
        }
        var conversation = await db.Set<Conversation>().AsNoTracking().SingleAsync(c => c.Id == message.ConversationId, cancellationToken);
        var row = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversation.ChannelId, cancellationToken);
        if (row is null || !row.Active || adapters.For(row.Kind) is not { } adapter
            || await adapter.FetchMediaAsync(adapters.Connected(row), reference, cancellationToken) is not { } bytes
            || bytes.Length == 0 || bytes.Length > inbox.Value.MaxAttachmentBytes
            || FileType.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, 16)), FileType.Pdf, FileType.Png, FileType.Jpeg) is not { } type)
        {
            return;
        }
        var key = $"attachments/{tenant.WorkspaceId:N}/{Guid.CreateVersion7():N}.{type.Extension}";
        await using (var content = new MemoryStream(bytes, writable: false))
        {
            await files.SaveAsync(key, content, cancellationToken);
        }
        message.AttachmentKey = key;
        message.AttachmentType = type.ContentType;
        message.AttachmentSize = bytes.Length;
        message.AttachmentName = message.AttachmentName is { Length: > 0 } name && !name.Any(char.IsControl) ? name : $"{message.ContentKind}.{type.Extension}";
        await events.AppendAsync("message.attachment", new AttachmentEvent(conversation.Id, message.Id, message.AttachmentName, type.ContentType, bytes.Length), cancellationToken);
    }
}
