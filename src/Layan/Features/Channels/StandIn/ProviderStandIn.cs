using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Layan.Features.Channels.StandIn;

/// <summary>One request the stand-in received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string ContentType, string Body);

/// <summary>A planned failure: the next <c>times</c> requests whose path contains <see cref="PathContains"/> get it.</summary>
internal sealed class PlannedFailure(string pathContains, int status, string body, TimeSpan? retryAfter, int times, TimeSpan? delay)
{
    private int _left = times;

    public string PathContains { get; } = pathContains;

    public int Status { get; } = status;

    public string Body { get; } = body;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public TimeSpan? Delay { get; } = delay;

    public bool Take() => Interlocked.Decrement(ref _left) >= 0;
}

/// <summary>A Facebook Page the stand-in's OAuth dialog lets the user grant (with its Instagram account, if any).</summary>
internal sealed record StandInPage(string Id, string Name, string AccessToken, string? InstagramId);

/// <summary>
/// A local imitation of the providers, speaking their protocols on 127.0.0.1: the Graph API
/// (WhatsApp Cloud API messages and media, Messenger/Instagram Send API, comment replies and
/// hiding, OAuth code exchange, <c>me/accounts</c>, <c>subscribed_apps</c>), the Telegram Bot API
/// (<c>getMe</c>, <c>setWebhook</c>, <c>sendMessage</c>, <c>sendPhoto</c>, <c>sendDocument</c>) and
/// the OAuth dialog. It records what Layan sends and fails on demand (5xx, 429 with Retry-After,
/// slow answers). Tests start it in process; <c>dotnet run --project src/Layan -- stand-in</c>
/// runs it for trying Layan without provider accounts.
/// </summary>
internal sealed class ProviderStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<PlannedFailure> _failures = new();
    private int _ids;

    private ProviderStandIn(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Bot tokens Telegram knows; any other gets 401 (unless <see cref="AcceptAnyBotToken"/>).</summary>
    public ConcurrentDictionary<string, bool> BotTokens { get; } = new();

    /// <summary>Graph tokens that are refused (expired, revoked); every other token holds every account.</summary>
    public ConcurrentDictionary<string, bool> RejectedTokens { get; } = new();

    /// <summary>For trying by hand: every well-formed bot token is a bot.</summary>
    public bool AcceptAnyBotToken { get; set; }

    /// <summary>Where each bot's webhook points, as <c>setWebhook</c> left it: (url, secret_token).</summary>
    public ConcurrentDictionary<string, (string Url, string Secret)> TelegramWebhooks { get; } = new();

    /// <summary>Files customers "sent", by media id / file id: served by the Graph media endpoint, <c>getFile</c> and their download URLs.</summary>
    public ConcurrentDictionary<string, byte[]> Media { get; } = new();

    /// <summary>The Pages the OAuth dialog grants.</summary>
    public List<StandInPage> Pages { get; } = [];

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> RequestsTo(string pathContains) => [.. _requests.Where(r => r.Path.Contains(pathContains, StringComparison.Ordinal))];

    public static async Task<ProviderStandIn> StartAsync(int port = 0, ILoggerProvider? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            builder.Logging.AddProvider(logging);
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 100 * 1024 * 1024;
        });
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
        var app = builder.Build();
        var standIn = new ProviderStandIn(app);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUrl = app.Urls.First().TrimEnd('/');
        return standIn;
    }

    /// <summary>The next <paramref name="times"/> requests to a path containing <paramref name="pathContains"/> fail this way.</summary>
    public void Fail(string pathContains, int status, string body = "{}", TimeSpan? retryAfter = null, int times = 1, TimeSpan? delay = null) =>
        _failures.Enqueue(new PlannedFailure(pathContains, status, body, retryAfter, times, delay));

    /// <summary>A Graph API error body.</summary>
    public static string GraphError(int code, string message) =>
        JsonSerializer.Serialize(new { error = new { message, type = "OAuthException", code, fbtrace_id = "standin" } });

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var path = request.Path.Value ?? "";
        _requests.Enqueue(new RecordedRequest(
            request.Method, path, request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), request.ContentType ?? "", body));
        foreach (var failure in _failures)
        {
            if (path.Contains(failure.PathContains, StringComparison.Ordinal) && failure.Take())
            {
                if (failure.Delay is { } delay)
                {
                    await Task.Delay(delay, http.RequestAborted);
                }
                http.Response.StatusCode = failure.Status;
                if (failure.RetryAfter is { } wait)
                {
                    http.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(failure.Body, http.RequestAborted);
                return;
            }
        }
        if (path.StartsWith("/_standin/", StringComparison.Ordinal))
        {
            var (sent, text) = await PlayCustomerAsync(path, request.Query, http.RequestAborted);
            http.Response.StatusCode = sent;
            await http.Response.WriteAsync(text, http.RequestAborted);
            return;
        }
        if ((path.StartsWith("/media/", StringComparison.Ordinal) || path.StartsWith("/file/bot", StringComparison.Ordinal))
            && Media.TryGetValue(Path.GetFileNameWithoutExtension(path), out var file))
        {
            http.Response.ContentType = "application/octet-stream";
            await http.Response.Body.WriteAsync(file, http.RequestAborted);
            return;
        }
        var (status, answer) = path.StartsWith("/bot", StringComparison.Ordinal) ? Telegram(path, body, request)
            : path.Contains("/dialog/oauth", StringComparison.Ordinal) ? Dialog(http)
            : Graph(path, body, request);
        if (status == StatusCodes.Status302Found)
        {
            http.Response.Redirect(answer);
            return;
        }
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer, http.RequestAborted);
    }

    private string NextId() => Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);

    private (int, string) Graph(string path, string body, HttpRequest request)
    {
        // /{version}/{node}[/{edge}]
        var parts = path.Trim('/').Split('/');
        var node = parts.Length > 1 ? parts[1] : "";
        var edge = parts.Length > 2 ? parts[2] : "";
        switch (node, edge)
        {
            case ("oauth", "access_token"):
                return request.Query["code"] == "standin-code"
                    ? (200, JsonSerializer.Serialize(new { access_token = "standin-user-token", token_type = "bearer", expires_in = 5_183_944 }))
                    : (400, GraphError(100, "Invalid verification code format."));
            case ("me", "accounts"):
                return (200, JsonSerializer.Serialize(new
                {
                    data = Pages.Select(p => new
                    {
                        id = p.Id,
                        name = p.Name,
                        access_token = p.AccessToken,
                        instagram_business_account = p.InstagramId is null ? null : new { id = p.InstagramId },
                    }),
                }));
        }
        if (request.Method != HttpMethods.Post)
        {
            if (edge.Length == 0 && Media.ContainsKey(node))
            {
                return (200, JsonSerializer.Serialize(new { url = $"{BaseUrl}/media/{node}", mime_type = "image/png", id = node, messaging_product = "whatsapp" }));
            }
            // An account read with its token (connecting checks the token holds the account).
            var token = request.Headers.Authorization.ToString();
            return edge.Length == 0 && token.StartsWith("Bearer ", StringComparison.Ordinal)
                ? RejectedTokens.ContainsKey(token[7..]) ? (400, GraphError(190, "Invalid OAuth access token.")) : (200, JsonSerializer.Serialize(new { id = node }))
                : (404, GraphError(803, "Unknown path."));
        }
        return edge switch
        {
            "messages" when body.Contains("\"messaging_product\":\"whatsapp\"", StringComparison.Ordinal) =>
                (200, JsonSerializer.Serialize(new { messaging_product = "whatsapp", contacts = new[] { new { input = "x", wa_id = "x" } }, messages = new[] { new { id = "wamid.standin" + NextId() } } })),
            "messages" => (200, JsonSerializer.Serialize(new { recipient_id = "psid", message_id = "m_standin" + NextId() })),
            "media" => (200, JsonSerializer.Serialize(new { id = "media" + NextId() })),
            "comments" or "replies" => (200, JsonSerializer.Serialize(new { id = node + "_reply" + NextId() })),
            "subscribed_apps" => (200, """{"success":true}"""),
            "" => (200, """{"success":true}"""),
            _ => (404, GraphError(803, "Unknown path.")),
        };
    }

    private (int, string) Telegram(string path, string body, HttpRequest request)
    {
        // /bot{token}/{method}
        var parts = path.Trim('/').Split('/');
        var token = parts[0][3..];
        var method = parts.Length > 1 ? parts[1] : "";
        if (!BotTokens.ContainsKey(token) && !(AcceptAnyBotToken && Channels.Telegram.TelegramAdapter.BotId(token) is not null))
        {
            return (401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");
        }
        switch (method)
        {
            case "getMe":
                return (200, JsonSerializer.Serialize(new { ok = true, result = new { id = long.Parse(token[..token.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture), is_bot = true, first_name = "Stand-in bot", username = "standin_bot" } }));
            case "setWebhook":
                using (var json = JsonDocument.Parse(body))
                {
                    TelegramWebhooks[token] = (json.RootElement.GetProperty("url").GetString()!, json.RootElement.GetProperty("secret_token").GetString()!);
                }
                return (200, """{"ok":true,"result":true,"description":"Webhook was set"}""");
            case "getFile":
                using (var json = JsonDocument.Parse(body))
                {
                    var fileId = json.RootElement.GetProperty("file_id").GetString()!;
                    return Media.ContainsKey(fileId)
                        ? (200, JsonSerializer.Serialize(new { ok = true, result = new { file_id = fileId, file_path = $"photos/{fileId}.jpg" } }))
                        : (400, """{"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"}""");
                }
            case "sendMessage" or "sendPhoto" or "sendDocument":
                return (200, JsonSerializer.Serialize(new { ok = true, result = new { message_id = 1000 + int.Parse(NextId(), CultureInfo.InvariantCulture), date = DateTimeOffset.UtcNow.ToUnixTimeSeconds() } }));
            default:
                return (404, """{"ok":false,"error_code":404,"description":"Not Found"}""");
        }
    }

    /// <summary>The OAuth dialog: the user grants at once, back to <c>redirect_uri</c> with a code and the state.</summary>
    private static (int, string) Dialog(HttpContext http)
    {
        var query = http.Request.Query;
        var target = $"{query["redirect_uri"]}?code=standin-code&state={Uri.EscapeDataString(query["state"].ToString())}";
        return (StatusCodes.Status302Found, target);
    }

    /// <summary>
    /// For trying Layan by hand: plays a customer writing. <c>POST /_standin/whatsapp?url=&amp;secret=&amp;phoneNumberId=&amp;from=&amp;text=</c>
    /// signs a WhatsApp webhook with the app secret and posts it to the channel's webhook URL;
    /// <c>POST /_standin/telegram?token=&amp;chat=&amp;text=</c> sends an update to where the bot's
    /// <c>setWebhook</c> points, with its secret token.
    /// </summary>
    private async Task<(int, string)> PlayCustomerAsync(string path, IQueryCollection query, CancellationToken cancellationToken)
    {
        using var client = new HttpClient();
        var text = query["text"].ToString();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        HttpRequestMessage request;
        if (path == "/_standin/whatsapp")
        {
            var name = query["name"].ToString() is { Length: > 0 } n ? n : "Stand-in customer";
            var body = Encoding.UTF8.GetBytes(WhatsAppText(query["phoneNumberId"].ToString(), query["from"].ToString(), name, $"wamid.standin-in{NextId()}-{now}", text, DateTimeOffset.UtcNow));
            request = new HttpRequestMessage(HttpMethod.Post, query["url"].ToString()) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(query["secret"].ToString(), body));
        }
        else if (path == "/_standin/telegram" && TelegramWebhooks.TryGetValue(query["token"].ToString(), out var hook))
        {
            var chat = long.Parse(query["chat"].ToString(), CultureInfo.InvariantCulture);
            var update = JsonSerializer.Serialize(new
            {
                update_id = now * 1000 + int.Parse(NextId(), CultureInfo.InvariantCulture),
                message = new { message_id = int.Parse(NextId(), CultureInfo.InvariantCulture), from = new { id = chat, is_bot = false, first_name = "Stand-in" }, chat = new { id = chat, type = "private" }, date = now, text },
            });
            request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(update, Encoding.UTF8, "application/json") };
            request.Headers.Add(Channels.Telegram.TelegramAdapter.SecretHeader, hook.Secret);
        }
        else
        {
            return (404, "Unknown stand-in action, or no webhook set for that bot.");
        }
        using (request)
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, $"Layan answered {(int)response.StatusCode}.");
        }
    }

    /// <summary>A WhatsApp Cloud API webhook body with one inbound text message, as Meta sends it.</summary>
    public static string WhatsAppText(string phoneNumberId, string from, string name, string messageId, string text, DateTimeOffset at) =>
        JsonSerializer.Serialize(new
        {
            @object = "whatsapp_business_account",
            entry = new[]
            {
                new
                {
                    id = "WABA" + phoneNumberId,
                    changes = new[]
                    {
                        new
                        {
                            field = "messages",
                            value = new
                            {
                                messaging_product = "whatsapp",
                                metadata = new { display_phone_number = "15550001111", phone_number_id = phoneNumberId },
                                contacts = new[] { new { profile = new { name }, wa_id = from } },
                                messages = new[] { new { from, id = messageId, timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), type = "text", text = new { body = text } } },
                            },
                        },
                    },
                },
            },
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
