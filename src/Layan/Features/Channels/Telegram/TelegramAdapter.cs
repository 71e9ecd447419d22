using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels.Telegram;

/// <summary>
/// Telegram Bot API. Connecting takes the bot token: Layan calls <c>setWebhook</c> with a random
/// <c>secret_token</c>, which Telegram sends back in <c>X-Telegram-Bot-Api-Secret-Token</c> on every
/// update; <c>update_id</c> is the dedup key. Sends with <c>sendMessage</c>, <c>sendPhoto</c> and
/// <c>sendDocument</c>; a 429 carries <c>parameters.retry_after</c>.
/// </summary>
internal sealed class TelegramAdapter(IHttpClientFactory http, GraphApi graph, IOptions<ChannelOptions> options, TimeProvider clock) : IChannelAdapter
{
    public const string KindName = "telegram";

    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    private static readonly string[] AllowedUpdates = ["message", "edited_message"];

    public string Kind => KindName;

    public ChannelCapabilities Capabilities { get; } = new(MaxText: 4096, MaxMediaBytes: 50 * 1024 * 1024);

    public IReadOnlyList<string> CredentialFields { get; } = [ChannelCredentials.BotToken];

    public WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body)
    {
        var secret = channel.Credentials[ChannelCredentials.SecretToken];
        if (secret.Length == 0 || !MetaWebhooks.FixedEquals(request.Headers[SecretHeader].ToString(), secret))
        {
            return WebhookVerdict.BadSignature;
        }
        if (ProviderJson.Parse(body) is not { } root || !long.TryParse(root.Text("update_id"), out var updateId))
        {
            return WebhookVerdict.Malformed;
        }
        return new WebhookVerdict.Accepted("update:" + updateId.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(body));
    }

    public IReadOnlyList<InboundEvent> Parse(ConnectedChannel channel, string payload)
    {
        var root = JsonDocument.Parse(payload).RootElement;
        // An edit arrives as a new update for the same message: kept once, as first written.
        var message = root.Child("message") is { ValueKind: JsonValueKind.Object } m ? m : root.Child("edited_message");
        if (message.ValueKind != JsonValueKind.Object || message.Child("chat").Text("id") is not { } chat || message.Text("message_id") is not { } messageId)
        {
            return [];
        }
        var from = message.Child("from");
        if (from.Text("is_bot") == "true")
        {
            return [];
        }
        var name = string.Join(' ', new[] { from.Text("first_name"), from.Text("last_name") }.Where(n => !string.IsNullOrWhiteSpace(n)));
        var sender = new InboundSender(from.Text("id") ?? chat, name.Length > 0 ? name : from.Text("username"));
        var at = message.UnixTime("date", clock.GetUtcNow());
        var id = ExternalId(channel.ExternalId, chat, messageId);
        var replyTo = message.Child("reply_to_message").Text("message_id") is { } replied ? ExternalId(channel.ExternalId, chat, replied) : null;
        var caption = message.Text("caption") ?? "";
        InboundMessage parsed;
        if (message.Text("text") is { } text)
        {
            parsed = new InboundMessage(id, chat, sender, text, at);
        }
        else if (message.Child("photo") is { ValueKind: JsonValueKind.Array } photos && photos.GetArrayLength() > 0)
        {
            // Sizes come smallest first: the last is the original.
            parsed = new InboundMessage(id, chat, sender, caption, at) { ContentKind = "image", MediaReference = photos[photos.GetArrayLength() - 1].Text("file_id"), MediaType = "image/jpeg" };
        }
        else if (FirstMedia(message) is var (kind, media))
        {
            parsed = new InboundMessage(id, chat, sender, caption, at) { ContentKind = kind, MediaReference = media.Text("file_id"), MediaType = media.Text("mime_type"), FileName = media.Text("file_name") };
        }
        else if (message.Child("location") is { ValueKind: JsonValueKind.Object } location)
        {
            parsed = new InboundMessage(id, chat, sender, WhatsApp.WhatsAppAdapter.Location(location), at) { ContentKind = "location" };
        }
        else
        {
            parsed = new InboundMessage(id, chat, sender, "[unsupported]", at) { ContentKind = "unsupported" };
        }
        return [parsed with { ReplyTo = replyTo }];
    }

    private static (string Kind, JsonElement Media)? FirstMedia(JsonElement message)
    {
        foreach (var (field, kind) in new[] { ("document", "document"), ("video", "video"), ("audio", "audio"), ("voice", "audio"), ("sticker", "sticker") })
        {
            if (message.Child(field) is { ValueKind: JsonValueKind.Object } media)
            {
                return (kind, media);
            }
        }
        return null;
    }

    /// <summary>Telegram numbers messages per chat of a bot: the id is all three (two bots of a workspace may talk to the same person).</summary>
    public static string ExternalId(string bot, string chat, string messageId) => $"tg:{bot}:{chat}:{messageId}";

    public async Task<SendOutcome> SendAsync(ConnectedChannel channel, OutboundMessage message, CancellationToken cancellationToken)
    {
        HttpContent content;
        string method;
        if (message.File is { } file)
        {
            var photo = file.ContentType is "image/png" or "image/jpeg";
            method = photo ? "sendPhoto" : "sendDocument";
            var bytes = new ByteArrayContent(file.Content);
            bytes.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
            var form = new MultipartFormDataContent { { new StringContent(message.Thread), "chat_id" }, { bytes, photo ? "photo" : "document", file.Name } };
            if (message.Text.Length > 0)
            {
                form.Add(new StringContent(message.Text), "caption");
            }
            content = form;
        }
        else
        {
            method = "sendMessage";
            content = Json(new { chat_id = message.Thread, text = message.Text });
        }
        using (content)
        {
            var (status, body, retryAfter) = await CallAsync(channel.Credentials[ChannelCredentials.BotToken], method, content, cancellationToken);
            return status switch
            {
                HttpStatusCode.OK when body.Child("result").Text("message_id") is { } id => new SendOutcome.Sent(ExternalId(channel.ExternalId, message.Thread, id)),
                HttpStatusCode.TooManyRequests => new SendOutcome.RetryAfter(retryAfter ?? TimeSpan.FromSeconds(30), body.Text("description") ?? "429"),
                _ => new SendOutcome.Failed($"{(int)status}: {body.Text("description") ?? "refused"}"),
            };
        }
    }

    /// <summary>A file by id: <c>getFile</c> answers its path, fetched from <c>/file/bot{token}/{path}</c>.</summary>
    public async Task<byte[]?> FetchMediaAsync(ConnectedChannel channel, string reference, CancellationToken cancellationToken)
    {
        var token = channel.Credentials[ChannelCredentials.BotToken];
        using var request = Json(new { file_id = reference });
        var (status, body, _) = await CallAsync(token, "getFile", request, cancellationToken);
        return status == HttpStatusCode.OK && body.Child("result").Text("file_path") is { } path
            ? await graph.DownloadAsync($"{options.Value.TelegramBaseUrl.TrimEnd('/')}/file/bot{token}/{path}", null, Capabilities.MaxMediaBytes, cancellationToken)
            : null;
    }

    /// <summary>Checks the token with <c>getMe</c>, then points the bot's webhook at Layan with the secret.</summary>
    public async Task<string?> ConnectAsync(ConnectedChannel channel, string webhookUrl, CancellationToken cancellationToken)
    {
        var token = channel.Credentials[ChannelCredentials.BotToken];
        using var me = Json(new { });
        var (status, _, _) = await CallAsync(token, "getMe", me, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            return ChannelErrors.CredentialsRejected;
        }
        using var hook = Json(new
        {
            url = webhookUrl,
            secret_token = channel.Credentials[ChannelCredentials.SecretToken],
            allowed_updates = AllowedUpdates,
            drop_pending_updates = false,
        });
        (status, _, _) = await CallAsync(token, "setWebhook", hook, cancellationToken);
        return status == HttpStatusCode.OK ? null : ChannelErrors.CredentialsRejected;
    }

    /// <summary>The bot's id: the digits before the colon of its token.</summary>
    public static string? BotId(string token) =>
        token.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && token[..colon].All(char.IsAsciiDigit) && token.Length > colon + 20 ? token[..colon] : null;

    private async Task<(HttpStatusCode Status, JsonElement Body, TimeSpan? RetryAfter)> CallAsync(string token, string method, HttpContent content, CancellationToken cancellationToken)
    {
        using var client = http.CreateClient(ChannelsModule.HttpClientName);
        using var response = await client.PostAsync($"{options.Value.TelegramBaseUrl.TrimEnd('/')}/bot{token}/{method}", content, cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"Telegram answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
        var body = ProviderJson.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken)) ?? default;
        var wait = long.TryParse(body.Child("parameters").Text("retry_after"), out var seconds) ? TimeSpan.FromSeconds(seconds) : GraphApi.RetryAfter(response);
        return (response.StatusCode, body, wait);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
