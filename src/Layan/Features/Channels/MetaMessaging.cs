using System.Net.Http.Headers;
using System.Text.Json;

namespace Layan.Features.Channels;

/// <summary>
/// What Facebook Pages and Instagram accounts share: Meta webhooks (signature, handshake),
/// <c>entry[].messaging[]</c> for direct messages (messages, reactions, delivery and read
/// receipts; echoes skipped), <c>entry[].changes[]</c> for comments (each comment thread a
/// conversation), the Send API with its 24-hour window and the HUMAN_AGENT tag for 7 days,
/// public and private replies and hiding.
/// </summary>
internal abstract class MetaMessagingAdapter(GraphApi graph, TimeProvider clock) : IChannelAdapter
{
    public abstract string Kind { get; }

    /// <summary>The webhook's <c>object</c>: <c>page</c> or <c>instagram</c>.</summary>
    protected abstract string WebhookObject { get; }

    /// <summary>The conversation kinds (rules and the inbox tell them apart).</summary>
    protected abstract string MessageChannel { get; }

    protected abstract string CommentChannel { get; }

    public ChannelCapabilities Capabilities { get; } = new(Window: TimeSpan.FromHours(24), TagWindow: TimeSpan.FromDays(7), Comments: true, MaxText: 2000, MaxMediaBytes: 25 * 1024 * 1024);

    public virtual IReadOnlyList<string> CredentialFields { get; } = [ChannelCredentials.AccessToken, ChannelCredentials.AppSecret, ChannelCredentials.VerifyToken];

    public IResult? Handshake(ConnectedChannel channel, IQueryCollection query) =>
        MetaWebhooks.Handshake(channel.Credentials[ChannelCredentials.VerifyToken], query);

    public WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body) =>
        MetaWebhooks.Accept(channel, request, body, WebhookObject);

    public IReadOnlyList<InboundEvent> Parse(ConnectedChannel channel, string payload)
    {
        var events = new List<InboundEvent>();
        var now = clock.GetUtcNow();
        foreach (var entry in JsonDocument.Parse(payload).RootElement.Items("entry").Where(e => e.Text("id") == channel.ExternalId))
        {
            if (channel.Messages)
            {
                foreach (var messaging in entry.Items("messaging"))
                {
                    ParseMessaging(channel, messaging, now, events);
                }
            }
            if (channel.Comments)
            {
                foreach (var change in entry.Items("changes"))
                {
                    if (ParseComment(channel, change.Text("field"), change.Child("value"), now) is { } comment)
                    {
                        events.Add(comment with { Channel = CommentChannel, ContentKind = "comment" });
                    }
                }
            }
        }
        return events;
    }

    private void ParseMessaging(ConnectedChannel channel, JsonElement messaging, DateTimeOffset now, List<InboundEvent> events)
    {
        if (messaging.Child("sender").Text("id") is not { } psid || psid == channel.ExternalId)
        {
            return;
        }
        var at = Milliseconds(messaging.Text("timestamp"), now);
        var sender = new InboundSender(psid, null);
        if (messaging.Child("message") is { ValueKind: JsonValueKind.Object } message && message.Text("is_echo") != "true" && message.Text("mid") is { } mid)
        {
            var attachment = message.Items("attachments").FirstOrDefault();
            var type = attachment.Text("type");
            var text = message.Text("text") ?? "";
            var parsed = new InboundMessage(mid, psid, sender, text, at) { ReplyTo = message.Child("reply_to").Text("mid"), Channel = MessageChannel };
            events.Add(type switch
            {
                null => parsed,
                "location" when attachment.Child("payload").Child("coordinates") is { ValueKind: JsonValueKind.Object } point =>
                    parsed with { ContentKind = "location", Text = ProviderJson.Location(point.Text("lat"), point.Text("long"), attachment.Text("title"), null) },
                _ => parsed with { ContentKind = type == "file" ? "document" : type, MediaReference = attachment.Child("payload").Text("url") },
            });
        }
        else if (messaging.Child("reaction") is { ValueKind: JsonValueKind.Object } reaction && reaction.Text("action") == "react" && reaction.Text("mid") is { } target)
        {
            events.Add(new InboundMessage($"{target}:reaction:{psid}:{messaging.Text("timestamp")}", psid, sender, reaction.Text("emoji") ?? "", at) { ContentKind = "reaction", ReplyTo = target, Channel = MessageChannel });
        }
        else if (messaging.Child("delivery") is { ValueKind: JsonValueKind.Object } delivery)
        {
            events.AddRange(delivery.Items("mids").Select(m => m.GetString()).OfType<string>().Select(m => new InboundStatus(m, Inbox.DeliveryStatus.Delivered, at)));
        }
        else if (messaging.Child("read") is { ValueKind: JsonValueKind.Object } read)
        {
            events.Add(new InboundRead(psid, Milliseconds(read.Text("watermark"), at)));
        }
    }

    /// <summary>One comment change as a message in its thread (the top-level comment's id), or null when it is not a new comment by someone else.</summary>
    protected abstract InboundMessage? ParseComment(ConnectedChannel channel, string? field, JsonElement value, DateTimeOffset now);

    private static DateTimeOffset Milliseconds(string? value, DateTimeOffset fallback) =>
        long.TryParse(value, out var ms) && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : fallback;

    public async Task<SendOutcome> SendAsync(ConnectedChannel channel, OutboundMessage message, CancellationToken cancellationToken)
    {
        var token = channel.Credentials[ChannelCredentials.AccessToken];
        // Instagram connected through its Page sends as the Page.
        var sender = channel.Credentials[ChannelCredentials.PageId] is { Length: > 0 } page ? page : channel.ExternalId;
        if (message.ReplyTo is { } comment && !message.PrivateReply)
        {
            var reply = await graph.PostJsonAsync(PublicReplyPath(comment), token, new { message = message.Text }, cancellationToken);
            return reply.Outcome(b => b.Text("id"));
        }
        object recipient = message.PrivateReply && message.ReplyTo is { } answered ? new { comment_id = answered } : new { id = message.Thread };
        var type = message.Tag is null ? "RESPONSE" : "MESSAGE_TAG";
        GraphReply sent;
        if (message.File is { } file)
        {
            var kind = file.ContentType.StartsWith("image/", StringComparison.Ordinal) ? "image" : "file";
            using var form = new MultipartFormDataContent
            {
                { new StringContent(recipient.ToJson()), "recipient" },
                { new StringContent(type), "messaging_type" },
                { new StringContent(new { attachment = new { type = kind, payload = new { is_reusable = false } } }.ToJson()), "message" },
            };
            if (message.Tag is { } tag)
            {
                form.Add(new StringContent(tag), "tag");
            }
            var bytes = new ByteArrayContent(file.Content);
            bytes.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
            form.Add(bytes, "filedata", file.Name);
            sent = await graph.PostAsync($"{sender}/messages", token, form, cancellationToken);
        }
        else
        {
            sent = await graph.PostJsonAsync($"{sender}/messages", token, new { recipient, messaging_type = type, tag = message.Tag, message = new { text = message.Text } }, cancellationToken);
        }
        return sent.Outcome(b => b.Text("message_id"));
    }

    /// <summary>Messenger and Instagram attachments come as a CDN URL in the webhook.</summary>
    public Task<byte[]?> FetchMediaAsync(ConnectedChannel channel, string reference, CancellationToken cancellationToken) =>
        graph.DownloadAsync(reference, null, Capabilities.MaxMediaBytes, cancellationToken);

    public Task<string?> ConnectAsync(ConnectedChannel channel, string webhookUrl, CancellationToken cancellationToken) =>
        MetaWebhooks.CheckAccountAsync(graph, channel, cancellationToken);

    public async Task<SendOutcome?> HideAsync(ConnectedChannel channel, string commentId, CancellationToken cancellationToken)
    {
        var reply = await graph.PostJsonAsync(commentId, channel.Credentials[ChannelCredentials.AccessToken], HideBody, cancellationToken);
        return reply.Failure ?? new SendOutcome.Sent(commentId);
    }

    /// <summary>Where a public answer to a comment goes.</summary>
    protected abstract string PublicReplyPath(string commentId);

    protected abstract object HideBody { get; }
}

/// <summary>JSON helpers for building small provider bodies.</summary>
internal static class JsonBodies
{
    public static string ToJson(this object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}
