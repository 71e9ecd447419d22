using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels;

/// <summary>
/// Section <c>Channels</c>: where the providers are. Every base URL is a setting, so tests and
/// demos point them at a local stand-in that speaks the same protocol.
/// </summary>
internal sealed class ChannelOptions
{
    public const string Section = "Channels";

    /// <summary>The Graph API (WhatsApp Cloud API, Messenger, Instagram, comments).</summary>
    public string GraphBaseUrl { get; set; } = "https://graph.facebook.com";

    public string GraphVersion { get; set; } = "v21.0";

    /// <summary>The Telegram Bot API.</summary>
    public string TelegramBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>Where "Login with Facebook" sends the browser (the OAuth dialog).</summary>
    public string FacebookDialogUrl { get; set; } = "https://www.facebook.com";

    /// <summary>The operator's Meta app for "Login with Facebook": its id and secret (the secret also signs that app's webhooks).</summary>
    public string? MetaAppId { get; set; }

    public string? MetaAppSecret { get; set; }

    /// <summary>The verify token of that app's webhook subscription (<c>/hooks/meta</c>).</summary>
    public string? MetaVerifyToken { get; set; }

    /// <summary>A webhook body larger than this is refused (413) before it is read further.</summary>
    public int MaxWebhookBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a provider call may take before it counts as a failure (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Meta's webhook rules, shared by WhatsApp, Messenger, Instagram and comments.</summary>
internal static class MetaWebhooks
{
    public const string SignatureHeader = "X-Hub-Signature-256";

    /// <summary>The subscription handshake: <c>hub.mode=subscribe</c> with our verify token echoes <c>hub.challenge</c>.</summary>
    public static IResult Handshake(string verifyToken, IQueryCollection query)
    {
        var token = query["hub.verify_token"].ToString();
        return query["hub.mode"] == "subscribe" && verifyToken.Length > 0 && FixedEquals(token, verifyToken)
            ? Results.Text(query["hub.challenge"].ToString(), "text/plain")
            : Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    /// <summary><c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body with the app secret&gt;</c>, compared in constant time.</summary>
    public static bool SignatureValid(string appSecret, HttpRequest request, byte[] body)
    {
        var header = request.Headers[SignatureHeader].ToString();
        if (appSecret.Length == 0 || !header.StartsWith("sha256=", StringComparison.Ordinal) || header.Length != 7 + 64)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        Span<byte> given = stackalloc byte[32];
        return Convert.FromHexString(header.AsSpan(7), given, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            && CryptographicOperations.FixedTimeEquals(expected, given);
    }

    public static string Sign(string appSecret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    /// <summary>Checks signature and <c>object</c>; the body's hash is the dedup key (a retry sends the same bytes).</summary>
    public static WebhookVerdict Accept(ConnectedChannel channel, HttpRequest request, byte[] body, string expectedObject)
    {
        if (!SignatureValid(channel.Credentials[ChannelCredentials.AppSecret], request, body))
        {
            return WebhookVerdict.BadSignature;
        }
        if (!TopLevel(body, out var objectName, out var hasEntries) || !hasEntries)
        {
            return WebhookVerdict.Malformed;
        }
        return objectName == expectedObject
            ? new WebhookVerdict.Accepted(BodyHash(body), Encoding.UTF8.GetString(body))
            : WebhookVerdict.UnknownObject;
    }

    /// <summary>
    /// Reads the whole body once without building a document (every token is checked, so a
    /// malformed body is caught): the top-level <c>object</c> and whether <c>entry</c> is an array.
    /// </summary>
    private static bool TopLevel(byte[] body, out string? objectName, out bool hasEntries)
    {
        objectName = null;
        hasEntries = false;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    var isObject = reader.ValueTextEquals("object"u8);
                    var isEntry = reader.ValueTextEquals("entry"u8);
                    reader.Read();
                    if (isObject && reader.TokenType == JsonTokenType.String)
                    {
                        objectName = reader.GetString();
                    }
                    else if (isEntry)
                    {
                        hasEntries = reader.TokenType == JsonTokenType.StartArray;
                    }
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }
                }
            }
            return reader.BytesConsumed == body.Length || body.AsSpan((int)reader.BytesConsumed).Trim(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Connecting: the token must read the account it claims (<c>GET /{id}?fields=id</c>), so nobody connects an account they do not hold.</summary>
    public static async Task<string?> CheckAccountAsync(GraphApi graph, ConnectedChannel channel, CancellationToken cancellationToken)
    {
        var reply = await graph.GetAsync($"{Uri.EscapeDataString(channel.ExternalId)}?fields=id", channel.Credentials[ChannelCredentials.AccessToken], cancellationToken);
        return reply.Failure is null && reply.Body.Text("id") == channel.ExternalId ? null : ChannelErrors.CredentialsRejected;
    }

    public static string BodyHash(byte[] body) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));

    public static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

/// <summary>Calls to the Graph API with its error rules: 429 and the throttling codes wait, other 4xx are refusals, 5xx throws (retried).</summary>
internal sealed class GraphApi(IHttpClientFactory http, IOptions<ChannelOptions> options)
{
    // Graph's throttling codes: app, user, page, custom and WhatsApp pair/throughput limits.
    private static readonly HashSet<int> Throttled = [4, 17, 32, 613, 80007, 130429, 131048, 131056];

    public string Url(string path) => $"{options.Value.GraphBaseUrl.TrimEnd('/')}/{options.Value.GraphVersion}/{path}";

    public async Task<GraphReply> PostAsync(string path, string accessToken, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await SendAsync(request, cancellationToken);
    }

    public Task<GraphReply> PostJsonAsync(string path, string accessToken, object body, CancellationToken cancellationToken) =>
        PostAsync(path, accessToken, new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"), cancellationToken);

    public async Task<GraphReply> GetAsync(string pathAndQuery, string? accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(pathAndQuery));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return await SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A file's bytes from a provider URL (at most <paramref name="max"/>), with the token when one is
    /// given; null when refused, too large, or the URL is not the provider's: a Meta CDN host or the
    /// configured Graph host, over https unless that host is configured over http (the stand-in).
    /// </summary>
    public async Task<byte[]?> DownloadAsync(string url, string? accessToken, long max, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !Trusted(uri))
        {
            return null;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var client = http.CreateClient(ChannelsModule.HttpClientName);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"The provider answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > max)
        {
            return null;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private bool Trusted(Uri uri)
    {
        var graph = new Uri(options.Value.GraphBaseUrl);
        var telegram = new Uri(options.Value.TelegramBaseUrl);
        if (uri.Host == graph.Host || uri.Host == telegram.Host)
        {
            return uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == (uri.Host == graph.Host ? graph : telegram).Scheme;
        }
        return uri.Scheme == Uri.UriSchemeHttps && (uri.Host.EndsWith(".fbcdn.net", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".fbsbx.com", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".cdninstagram.com", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<GraphReply> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var client = http.CreateClient(ChannelsModule.HttpClientName);
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"Graph API answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
        var body = ProviderJson.Parse(Encoding.UTF8.GetBytes(text)) ?? default;
        if (response.IsSuccessStatusCode)
        {
            return new GraphReply(body, null);
        }
        var error = body.Child("error");
        var code = int.TryParse(error.Text("code"), CultureInfo.InvariantCulture, out var c) ? c : 0;
        var message = $"{code}: {error.Text("message") ?? response.StatusCode.ToString()}";
        return response.StatusCode == HttpStatusCode.TooManyRequests || Throttled.Contains(code)
            ? new GraphReply(body, new SendOutcome.RetryAfter(RetryAfter(response) ?? TimeSpan.FromSeconds(60), message))
            : new GraphReply(body, new SendOutcome.Failed(message));
    }

    /// <summary>A <c>Retry-After</c> header in seconds or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}

/// <summary>A Graph answer: the body, or why it refused (<see cref="Failure"/> set).</summary>
internal sealed record GraphReply(JsonElement Body, SendOutcome? Failure)
{
    /// <summary>The sent message's id, as <paramref name="id"/> reads it from the body, as the outcome.</summary>
    public SendOutcome Outcome(Func<JsonElement, string?> id) =>
        Failure ?? (id(Body) is { Length: > 0 } sent ? new SendOutcome.Sent(sent) : new SendOutcome.Failed("The provider answered without a message id."));
}
