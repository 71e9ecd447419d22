using Layan.Features.Inbox;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels;

/// <summary>
/// CH-4, the acknowledging half: <c>/hooks/{channelId}</c>. A POST is checked (size, signature,
/// shape) and stored as it came, once per dedup key, in one INSERT; the 200 follows the commit, so
/// a crash after it loses nothing. Processing happens later, in <see cref="InboundWebhookHandler"/>.
/// </summary>
internal static partial class WebhookEndpoints
{
    public const string InboundKind = "channel.inbound";

    public static void MapWebhookEndpoints(this WebApplication app)
    {
        // Short-circuited right after routing: a webhook needs no culture, session, antiforgery or
        // page middleware; its budget per channel is WebhookLimiter's, taken first thing.
        var hooks = app.MapGroup("/hooks").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        hooks.MapGet("/{channelId:guid}", HandshakeAsync).ShortCircuit();
        hooks.MapPost("/{channelId:guid}", ReceiveAsync).ShortCircuit();
        hooks.MapGet("/meta", (HttpContext http, IOptions<ChannelOptions> options, WebhookLimiter limiter) =>
            limiter.Refuse(http, "meta") ?? MetaWebhooks.Handshake(options.Value.MetaVerifyToken ?? "", http.Request.Query)).ShortCircuit();
        hooks.MapPost("/meta", ReceiveMetaAsync).ShortCircuit();
    }

    /// <summary>
    /// The operator's Meta app's one callback URL (channels connected with "Login with Facebook"):
    /// signed with the app secret from configuration; each entry goes to the channel of its Page,
    /// Instagram account or WhatsApp number, stored once per channel.
    /// </summary>
    private static async Task<IResult> ReceiveMetaAsync(HttpContext http, LayanDbContext db, WebhookStore store, WebhookLimiter limiter, IOptions<ChannelOptions> options, ILoggerFactory loggers)
    {
        if (limiter.Refuse(http, "meta") is { } refused)
        {
            return refused;
        }
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var body = await ReadAsync(http.Request, options.Value.MaxWebhookBytes, http.RequestAborted);
        if (body is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The webhook body is too large.");
        }
        if (!MetaWebhooks.SignatureValid(options.Value.MetaAppSecret ?? "", http.Request, body))
        {
            LogRejected(logger, Guid.Empty, "signature");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The webhook was refused.");
        }
        if (ProviderJson.Parse(body) is not { } root || root.Child("entry").ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook was refused.");
        }
        var (kind, accounts) = root.Text("object") switch
        {
            "page" => (Facebook.FacebookAdapter.KindName, root.Items("entry").Select(e => e.Text("id")).OfType<string>().ToList()),
            "instagram" => (Instagram.InstagramAdapter.KindName, root.Items("entry").Select(e => e.Text("id")).OfType<string>().ToList()),
            "whatsapp_business_account" => (WhatsApp.WhatsAppAdapter.KindName, root.Items("entry").SelectMany(e => e.Items("changes"))
                .Select(c => c.Child("value").Child("metadata").Text("phone_number_id")).OfType<string>().ToList()),
            _ => ("", []),
        };
        if (kind.Length == 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The webhook was refused.");
        }
        var channels = await db.Set<Channel>().IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.Kind == kind && accounts.Contains(c.ExternalId) && c.Enabled && !c.Revoked)
            .Select(c => new { c.Id, c.WorkspaceId }).ToListAsync(http.RequestAborted);
        var payload = System.Text.Encoding.UTF8.GetString(body);
        var key = MetaWebhooks.BodyHash(body);
        foreach (var channel in channels)
        {
            await store.StoreAsync(channel.Id, channel.WorkspaceId, key, payload, http.RequestAborted);
        }
        return Results.Ok();
    }

    private static async Task<IResult> HandshakeAsync(Guid channelId, HttpContext http, ChannelDirectory directory, ChannelAdapters adapters, WebhookLimiter limiter)
    {
        var channel = await directory.FindAsync(channelId, http.RequestAborted);
        if (limiter.Refuse(http, channel is null ? WebhookLimiter.Unknown(http) : channelId.ToString()) is { } refused)
        {
            return refused;
        }
        return channel is not null && adapters.For(channel.Kind)?.Handshake(channel, http.Request.Query) is { } answer ? answer : Results.NotFound();
    }

    private static async Task<IResult> ReceiveAsync(
        Guid channelId, HttpContext http, ChannelDirectory directory, ChannelAdapters adapters, WebhookStore store, WebhookLimiter limiter, IOptions<ChannelOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var channel = await directory.FindAsync(channelId, http.RequestAborted);
        if (limiter.Refuse(http, channel is null ? WebhookLimiter.Unknown(http) : channelId.ToString()) is { } refused)
        {
            return refused;
        }
        if (channel is null || adapters.For(channel.Kind) is not { } adapter)
        {
            return Results.NotFound();
        }
        var body = await ReadAsync(http.Request, options.Value.MaxWebhookBytes, http.RequestAborted);
        if (body is null)
        {
            LogRejected(logger, channelId, "too large");
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The webhook body is too large.");
        }
        switch (adapter.Accept(channel, http.Request, body))
        {
            case WebhookVerdict.Rejected rejected:
                LogRejected(logger, channelId, rejected.Reason);
                return Results.Problem(statusCode: rejected.Status, title: "The webhook was refused.");
            case WebhookVerdict.Accepted accepted when channel.Active:
                await store.StoreAsync(channel.Id, channel.WorkspaceId, accepted.DedupKey, accepted.Payload, http.RequestAborted);
                return Results.Ok();
            default:
                // CH-3: a disabled channel keeps its history but takes nothing new; the provider need not retry.
                LogIgnored(logger, channelId);
                return Results.Ok();
        }
    }

    /// <summary>The body, or null when it is larger than <paramref name="max"/> bytes (declared or actual).</summary>
    private static async Task<byte[]?> ReadAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        if (request.ContentLength > max)
        {
            return null;
        }
        if (request.ContentLength is { } declared)
        {
            // The usual case: read straight into an array of the declared size.
            var exact = new byte[declared];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += got;
            }
            return filled == exact.Length && await request.Body.ReadAsync(new byte[1], cancellationToken) == 0 ? exact : null;
        }
        using var buffer = new MemoryStream(4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for channel {ChannelId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, Guid channelId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for disabled channel {ChannelId} acknowledged and ignored")]
    private static partial void LogIgnored(ILogger logger, Guid channelId);
}

/// <summary>
/// The webhooks' budget (<c>RateLimits:WebhookPerMinute</c>) per channel: providers send bursts from
/// few addresses, so the per-address budget of other endpoints does not fit.
/// </summary>
internal sealed class WebhookLimiter(IOptions<Infrastructure.Web.RateLimitOptions> options) : IDisposable
{
    private readonly System.Threading.RateLimiting.PartitionedRateLimiter<string> _limiter =
        System.Threading.RateLimiting.PartitionedRateLimiter.Create<string, string>(key => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new System.Threading.RateLimiting.FixedWindowRateLimiterOptions
            {
                // Calls to channels that do not exist are counted per address, and few are allowed.
                PermitLimit = key.StartsWith(UnknownPrefix, StringComparison.Ordinal) ? UnknownPerMinute : options.Value.WebhookPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));

    public const string UnknownPrefix = "unknown:";

    public const int UnknownPerMinute = 120;

    /// <summary>The key for a call to a channel id that does not exist: the caller's address.</summary>
    public static string Unknown(HttpContext http) => UnknownPrefix + (http.Connection.RemoteIpAddress?.ToString() ?? "?");

    /// <summary>Null while within the budget; else a 429 problem with <c>Retry-After</c>.</summary>
    public IResult? Refuse(HttpContext http, string key)
    {
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }
        var wait = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
        http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests. Please wait and try again.",
            extensions: new Dictionary<string, object?> { ["code"] = "rate_limited", ["retryAfter"] = wait });
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// CH-4, the processing half: a stored webhook's events into the inbox. Every step is idempotent
/// (a message id seen before is skipped, a status only moves forward), so a retry of the row, of
/// the provider's delivery, or a crash halfway through never duplicates anything.
/// </summary>
internal sealed partial class InboundWebhookHandler(
    LayanDbContext db, ChannelAdapters adapters, Conversations conversations, Infrastructure.Outbox.Outbox outbox, TimeProvider clock, ILogger<InboundWebhookHandler> logger)
    : IWorkHandler<InboundWebhook>
{
    /// <summary>A status for a message not yet recorded as sent (the send's answer and the webhook raced) is tried again this often before it is dropped.</summary>
    public const int StatusAttempts = 3;

    public string Kind => WebhookEndpoints.InboundKind;

    public async Task HandleAsync(InboundWebhook item, CancellationToken cancellationToken)
    {
        var row = await db.Set<Channel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == item.ChannelId, cancellationToken);
        if (row is null || !row.Active || adapters.For(row.Kind) is not { } adapter)
        {
            return;
        }
        var channel = adapters.Connected(row);
        var pending = false;
        foreach (var inbound in adapter.Parse(channel, item.Payload))
        {
            switch (inbound)
            {
                case InboundMessage message:
                    await ReceiveAsync(row, message, cancellationToken);
                    break;
                case InboundStatus status:
                    pending |= !await conversations.DeliveryAsync(status.ExternalId, Normalize(status.Status), status.Error, cancellationToken);
                    break;
                case InboundRead read:
                    await ReadAsync(row, read, cancellationToken);
                    break;
            }
        }
        if (pending && item.Attempts < StatusAttempts)
        {
            throw new InvalidOperationException("A status arrived for a message not yet recorded as sent; trying again.");
        }
    }

    private async Task ReceiveAsync(Channel channel, InboundMessage message, CancellationToken cancellationToken)
    {
        if (message.ExternalId.Length > 300 || message.Thread.Length > 254)
        {
            LogUnusable(logger, channel.Id);
            return;
        }
        if (await db.Set<Message>().AnyAsync(m => m.ExternalId == message.ExternalId, cancellationToken))
        {
            return; // CH-4: a retry, or the same message in another batch.
        }
        var contact = await ContactAsync(channel, message.Sender, cancellationToken);
        var conversation = channel.Kind == Email.EmailAdapter.KindName
            ? await ByReferencesAsync(channel, contact, message.References, cancellationToken)
            : await db.Set<Conversation>().Where(c => c.ChannelId == channel.Id && c.Thread == message.Thread)
                .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (conversation is null && message.Automatic)
        {
            LogAutomaticDropped(logger, channel.Id);
            return; // An out-of-office answering nothing of ours opens nothing.
        }
        var thread = new ChannelThread(channel.Id, message.Channel ?? channel.Kind, message.Thread, channel.DepartmentId, message.Subject);
        var received = new ReceivedMessage(message.ExternalId, message.Text, message.At)
        {
            ContentKind = message.ContentKind,
            MediaReference = message.MediaReference,
            MediaType = message.MediaType,
            FileName = message.FileName,
            ReplyTo = message.ReplyTo,
            Automatic = message.Automatic,
        };
        try
        {
            // The file is fetched later; the job commits with the message.
            await conversations.ReceiveAsync(conversation, thread, contact, received, cancellationToken,
                ChannelMediaHandler.Wanted(message) ? m => outbox.Enqueue(ChannelMediaHandler.KindName, new ChannelMediaHandler.Request(m.Id)) : null);
        }
        catch (DbUpdateException)
        {
            if (!await SeenAsync(message.ExternalId, cancellationToken))
            {
                throw;
            }
            // Another node stored the same message first.
        }
    }

    private async Task<bool> SeenAsync(string externalId, CancellationToken cancellationToken)
    {
        // Forget what the failed save added, but not the webhook row the runner completes.
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is not InboundWebhook && e.State != EntityState.Unchanged).ToList())
        {
            entry.State = EntityState.Detached;
        }
        return await db.Set<Message>().AnyAsync(m => m.ExternalId == externalId, cancellationToken);
    }

    /// <summary>The contact behind the sender id on this channel; a WhatsApp number (proven by WhatsApp) merges with a contact who verified it.</summary>
    private async Task<Contact> ContactAsync(Channel channel, InboundSender sender, CancellationToken cancellationToken)
    {
        var id = sender.Id.Length > 254 ? sender.Id[..254] : sender.Id;
        var handle = await db.Set<ChannelContact>().SingleOrDefaultAsync(h => h.ChannelId == channel.Id && h.ExternalId == id, cancellationToken);
        if (handle is not null)
        {
            var known = await db.Set<Contact>().SingleAsync(c => c.Id == handle.ContactId, cancellationToken);
            known.Name ??= Trim(sender.Name, 100);
            return known;
        }
        var proven = channel.Kind == WhatsApp.WhatsAppAdapter.KindName && sender.Phone is { Length: <= 20 };
        var contact = proven ? await db.Set<Contact>().FirstOrDefaultAsync(c => c.Phone == sender.Phone && c.PhoneVerified, cancellationToken) : null;
        if (contact is null)
        {
            contact = new Contact
            {
                Name = Trim(sender.Name, 100),
                Phone = sender.Phone is { Length: <= 20 } phone ? phone : null,
                PhoneVerified = proven,
                Email = sender.Email is { Length: <= 254 } email ? email : null,
                CreatedAt = clock.GetUtcNow(),
            };
            db.Add(contact);
        }
        db.Add(new ChannelContact { ChannelId = channel.Id, ExternalId = id, ContactId = contact.Id });
        return contact;
    }

    /// <summary>Email threading: the conversation of this contact on this channel that holds a message the email answers.</summary>
    private async Task<Conversation?> ByReferencesAsync(Channel channel, Contact contact, IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        if (references.Count == 0)
        {
            return null;
        }
        var ids = references.ToList();
        return await (from m in db.Set<Message>()
                      join c in db.Set<Conversation>() on m.ConversationId equals c.Id
                      where ids.Contains(m.ExternalId!) && c.ChannelId == channel.Id && c.ContactId == contact.Id
                      orderby m.CreatedAt descending
                      select c).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Messenger's read watermark: everything sent to the thread up to then is read.</summary>
    private async Task ReadAsync(Channel channel, InboundRead read, CancellationToken cancellationToken)
    {
        var unread = await (from m in db.Set<Message>()
                            join c in db.Set<Conversation>() on m.ConversationId equals c.Id
                            where c.ChannelId == channel.Id && c.Thread == read.Thread && m.Kind == MessageKinds.Agent && m.ExternalId != null && m.Delivery != DeliveryStatus.Read && m.Delivery != DeliveryStatus.Failed
                            select m).ToListAsync(cancellationToken);
        foreach (var message in unread.Where(m => m.CreatedAt <= read.UpTo))
        {
            await conversations.RecordDeliveryAsync(message, DeliveryStatus.Read, null, cancellationToken);
        }
    }

    private static string Normalize(string status) => status switch
    {
        "sent" => DeliveryStatus.Sent,
        "delivered" => DeliveryStatus.Delivered,
        "read" => DeliveryStatus.Read,
        "failed" or "undelivered" => DeliveryStatus.Failed,
        _ => status,
    };

    private static string? Trim(string? text, int max) => text is null ? null : text.Length > max ? text[..max] : text;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId}: a message with an id or thread longer than Layan keeps was dropped")]
    private static partial void LogUnusable(ILogger logger, Guid channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: an automatic reply that answers no conversation was dropped")]
    private static partial void LogAutomaticDropped(ILogger logger, Guid channelId);
}
