using System.Net.Http.Headers;
using System.Text.Json;

namespace Layan.Features.Channels.WhatsApp;

/// <summary>
/// WhatsApp Cloud API. The channel's account id is the phone number id. Webhooks: the GET
/// handshake with the verify token, POSTs signed with the app secret (<c>X-Hub-Signature-256</c>),
/// object <c>whatsapp_business_account</c>, <c>changes[].value.messages</c> and <c>.statuses</c>.
/// Sends through <c>/{version}/{phone-number-id}/messages</c>; outside the 24-hour
/// customer-service window only approved templates may be sent.
/// </summary>
internal sealed class WhatsAppAdapter(GraphApi graph, TimeProvider clock) : IChannelAdapter
{
    public const string KindName = "whatsapp";

    public string Kind => KindName;

    public ChannelCapabilities Capabilities { get; } = new(Window: TimeSpan.FromHours(24), Templates: true, MaxText: 4096, MaxMediaBytes: 16 * 1024 * 1024);

    public IReadOnlyList<string> CredentialFields { get; } = [ChannelCredentials.AccessToken, ChannelCredentials.AppSecret, ChannelCredentials.VerifyToken];

    public IResult? Handshake(ConnectedChannel channel, IQueryCollection query) =>
        MetaWebhooks.Handshake(channel.Credentials[ChannelCredentials.VerifyToken], query);

    public WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body) =>
        MetaWebhooks.Accept(channel, request, body, "whatsapp_business_account");

    public IReadOnlyList<InboundEvent> Parse(ConnectedChannel channel, string payload)
    {
        var events = new List<InboundEvent>();
        var root = JsonDocument.Parse(payload).RootElement;
        var now = clock.GetUtcNow();
        foreach (var change in root.Items("entry").SelectMany(e => e.Items("changes")).Where(c => c.Text("field") == "messages"))
        {
            var value = change.Child("value");
            // Another number's events (one app can serve several) are not this channel's.
            if (value.Child("metadata").Text("phone_number_id") != channel.ExternalId)
            {
                continue;
            }
            var names = value.Items("contacts").Where(c => c.Text("wa_id") is not null)
                .GroupBy(c => c.Text("wa_id")!).ToDictionary(g => g.Key, g => g.First().Child("profile").Text("name"));
            foreach (var message in value.Items("messages"))
            {
                if (message.Text("id") is not { } id || message.Text("from") is not { } from)
                {
                    continue;
                }
                var sender = new InboundSender(from, names.GetValueOrDefault(from), Phone: "+" + from);
                events.Add(Message(message, id, from, sender, message.UnixTime("timestamp", now)));
            }
            foreach (var status in value.Items("statuses"))
            {
                if (status.Text("id") is { } id && status.Text("status") is { } state)
                {
                    var error = status.Items("errors").Select(e => $"{e.Text("code")}: {e.Text("title")}").FirstOrDefault();
                    events.Add(new InboundStatus(id, state, status.UnixTime("timestamp", now), error));
                }
            }
        }
        return events;
    }

    private static InboundMessage Message(JsonElement message, string id, string from, InboundSender sender, DateTimeOffset at)
    {
        var type = message.Text("type") ?? "text";
        var replyTo = message.Child("context").Text("id");
        var media = message.Child(type);
        return type switch
        {
            "text" => new InboundMessage(id, from, sender, message.Child("text").Text("body") ?? "", at) { ReplyTo = replyTo },
            "image" or "audio" or "video" or "document" or "sticker" => new InboundMessage(id, from, sender, media.Text("caption") ?? "", at)
            {
                ContentKind = type,
                MediaReference = media.Text("id"),
                MediaType = media.Text("mime_type"),
                FileName = media.Text("filename"),
                ReplyTo = replyTo,
            },
            "location" => new InboundMessage(id, from, sender, Location(media), at) { ContentKind = "location", ReplyTo = replyTo },
            "reaction" => new InboundMessage(id, from, sender, media.Text("emoji") ?? "", at) { ContentKind = "reaction", ReplyTo = media.Text("message_id") },
            "button" => new InboundMessage(id, from, sender, media.Text("text") ?? "", at) { ReplyTo = replyTo },
            "interactive" => new InboundMessage(id, from, sender, (media.Child("button_reply").Text("title") ?? media.Child("list_reply").Text("title")) ?? "", at) { ReplyTo = replyTo },
            _ => new InboundMessage(id, from, sender, $"[{type}]", at) { ContentKind = "unsupported" },
        };
    }

    internal static string Location(JsonElement location) =>
        ProviderJson.Location(location.Text("latitude"), location.Text("longitude"), location.Text("name"), location.Text("address"));

    /// <summary>Media by id: <c>GET /{media-id}</c> answers a short-lived URL, fetched with the same token.</summary>
    public async Task<byte[]?> FetchMediaAsync(ConnectedChannel channel, string reference, CancellationToken cancellationToken)
    {
        var token = channel.Credentials[ChannelCredentials.AccessToken];
        var media = await graph.GetAsync(Uri.EscapeDataString(reference), token, cancellationToken);
        return media.Failure is null && media.Body.Text("url") is { } url
            ? await graph.DownloadAsync(url, token, Capabilities.MaxMediaBytes, cancellationToken)
            : null;
    }

    public Task<string?> ConnectAsync(ConnectedChannel channel, string webhookUrl, CancellationToken cancellationToken) =>
        MetaWebhooks.CheckAccountAsync(graph, channel, cancellationToken);

    public async Task<SendOutcome> SendAsync(ConnectedChannel channel, OutboundMessage message, CancellationToken cancellationToken)
    {
        var token = channel.Credentials[ChannelCredentials.AccessToken];
        object body;
        if (message.Template is { } template)
        {
            body = new
            {
                messaging_product = "whatsapp",
                recipient_type = "individual",
                to = message.Thread,
                type = "template",
                template = new
                {
                    name = template.Name,
                    language = new { code = template.Language },
                    components = template.Parameters.Count == 0
                        ? Array.Empty<object>()
                        : [new { type = "body", parameters = template.Parameters.Select(p => new { type = "text", text = p }).ToArray() }],
                },
            };
        }
        else if (message.File is { } file)
        {
            // Media is uploaded first; the message then names it by id.
            using var form = new MultipartFormDataContent
            {
                { new StringContent("whatsapp"), "messaging_product" },
                { new StringContent(file.ContentType), "type" },
            };
            var bytes = new ByteArrayContent(file.Content);
            bytes.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
            form.Add(bytes, "file", file.Name);
            var upload = await graph.PostAsync($"{channel.ExternalId}/media", token, form, cancellationToken);
            if (upload.Failure is { } refused)
            {
                return refused;
            }
            var kind = file.ContentType.StartsWith("image/", StringComparison.Ordinal) ? "image" : "document";
            var mediaId = upload.Body.Text("id");
            body = kind == "image"
                ? new { messaging_product = "whatsapp", to = message.Thread, type = kind, image = new { id = mediaId, caption = message.Text } }
                : new { messaging_product = "whatsapp", to = message.Thread, type = kind, document = new { id = mediaId, caption = message.Text, filename = file.Name } };
        }
        else
        {
            body = new { messaging_product = "whatsapp", recipient_type = "individual", to = message.Thread, type = "text", text = new { body = message.Text, preview_url = false } };
        }
        var reply = await graph.PostJsonAsync($"{channel.ExternalId}/messages", token, body, cancellationToken);
        return reply.Outcome(b => b.Items("messages").Select(m => m.Text("id")).FirstOrDefault());
    }
}
