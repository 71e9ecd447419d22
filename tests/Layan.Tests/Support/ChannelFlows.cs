using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Layan.Features.Channels;
using Layan.Features.Channels.StandIn;
using Layan.Infrastructure.Outbox;
using Shouldly;

namespace Layan.Tests.Support;

/// <summary>
/// Ana's active workspace on a node whose providers are a <see cref="ProviderStandIn"/>; webhooks
/// and the outbox run when the test says so (<see cref="ProcessAsync"/>, <see cref="DeliverAsync"/>).
/// </summary>
internal sealed record ChannelWorkspace(LayanApp App, ProviderStandIn StandIn, HttpClient Ana, Guid Id) : IAsyncDisposable
{
    public const string AnaEmail = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> Settings(ProviderStandIn standIn, params (string Key, string? Value)[] more)
    {
        var settings = LayanApp.ManualTimers;
        settings["Work:Inbound:Enabled"] = "false";
        settings["Work:Outbox:Enabled"] = "false";
        settings["Channels:GraphBaseUrl"] = standIn.BaseUrl;
        settings["Channels:TelegramBaseUrl"] = standIn.BaseUrl;
        settings["Channels:FacebookDialogUrl"] = standIn.BaseUrl;
        settings["Channels:MetaAppId"] = "1234567890";
        settings["Channels:MetaAppSecret"] = "operator-app-secret";
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    public static async Task<ChannelWorkspace> StartAsync(TestDatabase database, params (string Key, string? Value)[] more)
    {
        var standIn = await ProviderStandIn.StartAsync();
        var app = new LayanApp(database, Settings(standIn, more));
        var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, AnaEmail);
        var id = await app.ActiveWorkspaceAsync(ana, AnaEmail);
        return new ChannelWorkspace(app, standIn, ana, id);
    }

    public string Api => $"/api/v1/workspaces/{Id}";

    /// <summary>Connects a channel; fails the test when Layan refuses. Answers its id and the secrets Layan made up.</summary>
    public async Task<(Guid Id, JsonElement Secrets)> ConnectAsync(string kind, string externalId, object credentials, string? name = null, bool comments = false)
    {
        var response = await Ana.PostJsonAsync($"{Api}/channels", new { kind, name = name ?? kind, externalId, credentials, comments });
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        var created = JsonDocument.Parse(text).RootElement.Clone();
        return (created.GetProperty("channel").GetProperty("id").GetGuid(), created.GetProperty("secrets"));
    }

    /// <summary>Runs the inbound queue until it is empty (one pass per stored webhook batch).</summary>
    public async Task ProcessAsync()
    {
        while (await App.Runner<InboundWebhook>().RunOnceAsync(Ct) > 0)
        {
        }
    }

    /// <summary>One pass of the outbox (channel messages and emails due now).</summary>
    public Task<int> DeliverAsync() => App.Runner<OutboxMessage>().RunOnceAsync(Ct);

    /// <summary>The workspace's conversations, newest activity first.</summary>
    public async Task<JsonElement> ConversationsAsync(HttpClient? who = null) =>
        await (who ?? Ana).GetFromJsonAsync<JsonElement>($"{Api}/conversations?view=all", Ct);

    public async Task<JsonElement> MessagesAsync(Guid conversationId) =>
        (await Ana.ConversationAsync(Id, conversationId)).GetProperty("messages");

    public async Task<Guid> OnlyConversationAsync()
    {
        var list = (await ConversationsAsync()).GetProperty("items");
        list.GetArrayLength().ShouldBe(1, list.ToString());
        return list[0].GetProperty("id").GetGuid();
    }

    public async ValueTask DisposeAsync()
    {
        Ana.Dispose();
        await App.DisposeAsync();
        await StandIn.DisposeAsync();
    }
}

/// <summary>Provider webhooks as the providers send them (payloads built from their public documentation).</summary>
internal static class ProviderWebhooks
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>POSTs a Meta webhook signed with <paramref name="appSecret"/> (X-Hub-Signature-256).</summary>
    public static Task<HttpResponseMessage> PostMetaAsync(this HttpClient client, Guid channelId, string json, string appSecret)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{channelId}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(appSecret, body));
        return client.SendAsync(request, Ct);
    }

    public static Task<HttpResponseMessage> PostTelegramAsync(this HttpClient client, Guid channelId, string json, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{channelId}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        return client.SendAsync(request, Ct);
    }

    public static Task<HttpResponseMessage> PostEmailAsync(this HttpClient client, Guid channelId, HttpContent content, string? password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{channelId}") { Content = content };
        if (password is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("postmark:" + password)));
        }
        return client.SendAsync(request, Ct);
    }

    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>WhatsApp Cloud API: one inbound text message.</summary>
    public static string WhatsAppText(string phoneNumberId, string from, string name, string messageId, string text, DateTimeOffset at) =>
        ProviderStandIn.WhatsAppText(phoneNumberId, from, name, messageId, text, at);

    /// <summary>WhatsApp Cloud API: an inbound image, location or reaction (any message object).</summary>
    public static string WhatsAppMessage(string phoneNumberId, string from, object message) =>
        WhatsApp(phoneNumberId, new
        {
            messaging_product = "whatsapp",
            metadata = new { display_phone_number = "15550001111", phone_number_id = phoneNumberId },
            contacts = new[] { new { profile = new { name = "Kerry" }, wa_id = from } },
            messages = new[] { message },
        });

    /// <summary>WhatsApp Cloud API: a status of a message Layan sent.</summary>
    public static string WhatsAppStatus(string phoneNumberId, string messageId, string status, DateTimeOffset at, int? errorCode = null) =>
        WhatsApp(phoneNumberId, new
        {
            messaging_product = "whatsapp",
            metadata = new { display_phone_number = "15550001111", phone_number_id = phoneNumberId },
            statuses = new[]
            {
                new
                {
                    id = messageId,
                    status,
                    timestamp = Unix(at),
                    recipient_id = "6281234567890",
                    errors = errorCode is { } code ? new object[] { new { code, title = "Message undeliverable" } } : [],
                },
            },
        });

    private static string WhatsApp(string phoneNumberId, object value) =>
        JsonSerializer.Serialize(new
        {
            @object = "whatsapp_business_account",
            entry = new[] { new { id = "WABA" + phoneNumberId, changes = new[] { new { value, field = "messages" } } } },
        });

    /// <summary>Telegram Bot API: an Update with a private text message.</summary>
    public static string TelegramText(long updateId, long chatId, int messageId, string text, DateTimeOffset at) =>
        JsonSerializer.Serialize(new
        {
            update_id = updateId,
            message = new
            {
                message_id = messageId,
                from = new { id = chatId, is_bot = false, first_name = "Budi", last_name = "Santoso", username = "budi", language_code = "id" },
                chat = new { id = chatId, first_name = "Budi", type = "private" },
                date = at.ToUnixTimeSeconds(),
                text,
            },
        });

    /// <summary>Messenger or Instagram (<paramref name="objectName"/> page / instagram): one messaging event.</summary>
    public static string Messaging(string objectName, string accountId, string senderId, object @event, DateTimeOffset at)
    {
        var messaging = JsonSerializer.SerializeToElement(@event).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        messaging["sender"] = new { id = senderId };
        messaging["recipient"] = new { id = accountId };
        messaging["timestamp"] = at.ToUnixTimeMilliseconds();
        return JsonSerializer.Serialize(new { @object = objectName, entry = new[] { new { id = accountId, time = at.ToUnixTimeMilliseconds(), messaging = new[] { messaging } } } });
    }

    /// <summary>A Facebook Page feed change: a new comment.</summary>
    public static string FacebookComment(string pageId, string postId, string commentId, string fromId, string fromName, string message, DateTimeOffset at, string? parentId = null) =>
        JsonSerializer.Serialize(new
        {
            @object = "page",
            entry = new[]
            {
                new
                {
                    id = pageId,
                    time = at.ToUnixTimeSeconds(),
                    changes = new[]
                    {
                        new { field = "feed", value = new { item = "comment", verb = "add", comment_id = commentId, post_id = postId, parent_id = parentId ?? postId, from = new { id = fromId, name = fromName }, message, created_time = at.ToUnixTimeSeconds() } },
                    },
                },
            },
        });

    /// <summary>An Instagram comments change.</summary>
    public static string InstagramComment(string accountId, string mediaId, string commentId, string fromId, string username, string text) =>
        JsonSerializer.Serialize(new
        {
            @object = "instagram",
            entry = new[]
            {
                new { id = accountId, time = 1_700_000_000, changes = new[] { new { field = "comments", value = new { from = new { id = fromId, username }, media = new { id = mediaId, media_product_type = "FEED" }, id = commentId, text } } } },
            },
        });

    /// <summary>Postmark's inbound JSON.</summary>
    public static StringContent Postmark(string from, string name, string to, string subject, string text, string messageId, string? inReplyTo = null, string? autoSubmitted = null)
    {
        var headers = new List<object> { new { Name = "Message-ID", Value = messageId } };
        if (inReplyTo is not null)
        {
            headers.Add(new { Name = "In-Reply-To", Value = inReplyTo });
            headers.Add(new { Name = "References", Value = inReplyTo });
        }
        if (autoSubmitted is not null)
        {
            headers.Add(new { Name = "Auto-Submitted", Value = autoSubmitted });
        }
        var json = JsonSerializer.Serialize(new
        {
            FromName = name,
            MessageStream = "inbound",
            From = from,
            FromFull = new { Email = from, Name = name, MailboxHash = "" },
            To = to,
            Subject = subject,
            MessageID = Guid.NewGuid().ToString(),
            Date = "Thu, 5 Apr 2026 16:59:01 +0200",
            TextBody = text,
            HtmlBody = $"<p>{text}</p>",
            StrippedTextReply = "",
            Headers = headers,
            Attachments = Array.Empty<object>(),
        });
        return new StringContent(json, Encoding.UTF8, "application/json");
    }
}
