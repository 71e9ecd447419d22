using System.Text.Json;

namespace Layan.Features.Channels;

/// <summary>
/// CH-1: one provider's protocol. Found by assembly scan: a new kind is a folder under
/// <c>Features/Channels/&lt;Kind&gt;/</c> with a class implementing this, nothing else.
/// </summary>
internal interface IChannelAdapter
{
    /// <summary>The stored kind, e.g. <c>whatsapp</c>.</summary>
    string Kind { get; }

    ChannelCapabilities Capabilities { get; }

    /// <summary>The credential fields an Administrator fills in to connect (besides the account id), in order.</summary>
    IReadOnlyList<string> CredentialFields { get; }

    /// <summary>GET on the webhook: the provider's verification handshake, or null when the kind has none (404).</summary>
    IResult? Handshake(ConnectedChannel channel, IQueryCollection query) => null;

    /// <summary>
    /// Checks a POST on the webhook (signature or secret, in constant time) and its shape, before
    /// anything is stored. Never throws on bad input: a <see cref="WebhookVerdict.Rejected"/> says why.
    /// </summary>
    WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body);

    /// <summary>A stored payload as the canonical events Layan understands; unknown parts are skipped.</summary>
    IReadOnlyList<InboundEvent> Parse(ConnectedChannel channel, string payload);

    /// <summary>Sends one message; a refusal is an outcome, a network failure throws (and is retried).</summary>
    Task<SendOutcome> SendAsync(ConnectedChannel channel, OutboundMessage message, CancellationToken cancellationToken);

    /// <summary>After the channel is saved: what the provider needs to know (Telegram's setWebhook). A refusal is a failure code.</summary>
    Task<string?> ConnectAsync(ConnectedChannel channel, string webhookUrl, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>The bytes of a file a customer sent, by the provider's reference; null when the kind cannot fetch it.</summary>
    Task<byte[]?> FetchMediaAsync(ConnectedChannel channel, string reference, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);

    /// <summary>Comments: hides one from the public; null when the kind has no comments.</summary>
    Task<SendOutcome?> HideAsync(ConnectedChannel channel, string commentId, CancellationToken cancellationToken) => Task.FromResult<SendOutcome?>(null);
}

/// <summary>CH-1: what a kind can do, as the inbox and the composer read it.</summary>
internal sealed record ChannelCapabilities(
    TimeSpan? Window = null,
    TimeSpan? TagWindow = null,
    bool Templates = false,
    bool Comments = false,
    int MaxText = 4096,
    long MaxMediaBytes = 16 * 1024 * 1024);

/// <summary>A channel with its credentials readable, as adapters see it.</summary>
internal sealed record ConnectedChannel(Guid Id, Guid WorkspaceId, string Kind, string Name, string ExternalId, bool Active, bool Messages, bool Comments, ChannelCredentials Credentials);

/// <summary>A channel's secrets (access token, app secret, verify token, bot token…) by name.</summary>
internal sealed class ChannelCredentials(IReadOnlyDictionary<string, string> values)
{
    public const string AccessToken = "access_token";
    public const string AppSecret = "app_secret";
    public const string VerifyToken = "verify_token";
    public const string BotToken = "bot_token";
    public const string SecretToken = "secret_token";
    public const string Password = "password";

    /// <summary>Instagram through a Facebook Page: its messages are sent as the Page.</summary>
    public const string PageId = "page_id";

    /// <summary>Fields Layan makes up or can do without.</summary>
    public static IReadOnlySet<string> Optional { get; } = new HashSet<string> { VerifyToken, PageId };

    public IReadOnlyDictionary<string, string> Values => values;

    public string this[string name] => values.TryGetValue(name, out var value) ? value : "";
}

/// <summary>What the webhook answers before anything is processed.</summary>
internal abstract record WebhookVerdict
{
    /// <summary>Store <paramref name="Payload"/> once per <paramref name="DedupKey"/>.</summary>
    public sealed record Accepted(string DedupKey, string Payload) : WebhookVerdict;

    /// <summary>Answer <paramref name="Status"/>; <paramref name="Reason"/> goes to the log (not to the caller).</summary>
    public sealed record Rejected(int Status, string Reason) : WebhookVerdict;

    public static Rejected BadSignature { get; } = new(StatusCodes.Status401Unauthorized, "signature");

    public static Rejected Malformed { get; } = new(StatusCodes.Status400BadRequest, "malformed");

    public static Rejected UnknownObject { get; } = new(StatusCodes.Status422UnprocessableEntity, "unknown object");
}

/// <summary>Something the provider told us.</summary>
internal abstract record InboundEvent;

/// <summary>
/// A customer's message (or comment): <see cref="Thread"/> is whom replies go to, <see cref="ExternalId"/>
/// the provider's id that makes a retry harmless.
/// </summary>
internal sealed record InboundMessage(string ExternalId, string Thread, InboundSender Sender, string Text, DateTimeOffset At) : InboundEvent
{
    /// <summary>image, audio, video, document, sticker, location, reaction, comment (null: text).</summary>
    public string? ContentKind { get; init; }

    public string? MediaReference { get; init; }

    public string? MediaType { get; init; }

    public string? FileName { get; init; }

    public string? ReplyTo { get; init; }

    /// <summary>An auto-reply (out of office): kept, but it reopens and resumes nothing.</summary>
    public bool Automatic { get; init; }

    public string? Subject { get; init; }

    /// <summary>Email threading: In-Reply-To and References, oldest first.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The conversation kind when it is not the channel's own (a Page's comments are <c>facebook_comment</c>).</summary>
    public string? Channel { get; init; }
}

/// <summary>The customer has read everything sent to <see cref="Thread"/> up to <see cref="UpTo"/> (Messenger's watermark).</summary>
internal sealed record InboundRead(string Thread, DateTimeOffset UpTo) : InboundEvent;

internal sealed record InboundSender(string Id, string? Name, string? Phone = null, string? Email = null);

/// <summary>A delivery or read status of something Layan sent (or a failure the provider reports later).</summary>
internal sealed record InboundStatus(string ExternalId, string Status, DateTimeOffset At, string? Error = null) : InboundEvent;

/// <summary>One outbound message, as the outbox hands it to an adapter.</summary>
internal sealed record OutboundMessage(Guid MessageId, string Thread, string Text)
{
    /// <summary>A file to send: its bytes (read from the file store), name and type.</summary>
    public OutboundFile? File { get; init; }

    /// <summary>WhatsApp: an approved template (outside the customer-service window).</summary>
    public OutboundTemplate? Template { get; init; }

    /// <summary>Messenger / Instagram: a message tag (outside the 24-hour window), e.g. HUMAN_AGENT.</summary>
    public string? Tag { get; init; }

    /// <summary>Comments: the comment answered; <see cref="PrivateReply"/> answers it in a direct message.</summary>
    public string? ReplyTo { get; init; }

    public bool PrivateReply { get; init; }

    /// <summary>Email: subject, our Message-ID and the thread's ids.</summary>
    public string? Subject { get; init; }

    public string? EmailMessageId { get; init; }

    public string? InReplyTo { get; init; }

    public IReadOnlyList<string> References { get; init; } = [];
}

internal sealed record OutboundFile(string Name, string ContentType, byte[] Content);

internal sealed record OutboundTemplate(string Name, string Language, IReadOnlyList<string> Parameters);

/// <summary>How a send ended.</summary>
internal abstract record SendOutcome
{
    public sealed record Sent(string ExternalId) : SendOutcome;

    /// <summary>429 or a rate-limit code: try again after <paramref name="After"/>.</summary>
    public sealed record RetryAfter(TimeSpan After, string Reason) : SendOutcome;

    /// <summary>A refusal that retrying will not change (invalid recipient, window closed, bad token).</summary>
    public sealed record Failed(string Reason) : SendOutcome;
}

/// <summary>Small helpers every adapter uses on provider JSON.</summary>
internal static class ProviderJson
{
    public static JsonElement? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? Text(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            }
            : null;

    public static JsonElement Child(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static IEnumerable<JsonElement> Items(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>A location as the inbox shows it: name, address and a map link.</summary>
    public static string Location(string? latitude, string? longitude, string? name, string? address)
    {
        var place = string.Join(", ", new[] { name, address }.Where(p => !string.IsNullOrWhiteSpace(p)));
        var map = latitude is null || longitude is null ? "" : $"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}";
        return string.Join(" ", new[] { place, map }.Where(p => p.Length > 0));
    }

    /// <summary>Unix seconds (a string or a number) as a time; <paramref name="fallback"/> when absent.</summary>
    public static DateTimeOffset UnixTime(this JsonElement element, string name, DateTimeOffset fallback) =>
        long.TryParse(element.Text(name), out var seconds) && seconds is > 0 and < 100_000_000_000 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : fallback;
}
