using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Layan.Features.Channels;
using Layan.Infrastructure.Db;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Channels;

// Covers CH-1 media both ways (a customer's WhatsApp image and Telegram photo fetched from the
// provider and attached; audio kept as a reference; an agent's image uploaded to WhatsApp's media
// endpoint and sent as sendPhoto on Telegram) and the operator's Meta app webhook (/hooks/meta):
// its signature, and each Page's entries going to the workspace that connected that Page only.
public sealed class ChannelMediaTests(PostgresServer postgres)
{
    private const string PhoneNumberId = "106540352242922";
    private const string AppSecret = "wa-app-secret";
    private const string BotToken = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    // The smallest PNG: signature, IHDR, IDAT, IEND.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_customers_image_is_fetched_and_attached_and_an_agents_image_goes_out_as_media()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (channelId, _) = await workspace.ConnectAsync("whatsapp", PhoneNumberId, new { access_token = "EAAG-wa-token", app_secret = AppSecret });
        standIn.Media["1013859600285441"] = Png;
        var image = ProviderWebhooks.WhatsAppMessage(PhoneNumberId, "6281234567890", new
        {
            from = "6281234567890",
            id = "wamid.image1",
            timestamp = app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            type = "image",
            image = new { caption = "Foto paketnya rusak", mime_type = "image/jpeg", sha256 = "x", id = "1013859600285441" },
        });
        var audio = ProviderWebhooks.WhatsAppMessage(PhoneNumberId, "6281234567890", new
        {
            from = "6281234567890",
            id = "wamid.audio1",
            timestamp = app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            type = "audio",
            audio = new { mime_type = "audio/ogg; codecs=opus", sha256 = "y", id = "2222", voice = true },
        });
        (await ana.PostMetaAsync(channelId, image, AppSecret)).EnsureSuccessStatusCode();
        (await ana.PostMetaAsync(channelId, audio, AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        await workspace.DeliverAsync();

        var conversationId = await workspace.OnlyConversationAsync();
        var messages = await workspace.MessagesAsync(conversationId);
        messages[0].GetProperty("body").GetString().ShouldBe("Foto paketnya rusak");
        messages[0].GetProperty("contentKind").GetString().ShouldBe("image");
        messages[0].GetProperty("attachmentType").GetString().ShouldBe("image/png", "the type is what the bytes are, not what was declared");
        var download = await ana.GetAsync($"{workspace.Api}/conversations/{conversationId}/attachments/{messages[0].GetProperty("id").GetGuid()}", Ct);
        (await download.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(Png);
        messages[1].GetProperty("contentKind").GetString().ShouldBe("audio");
        messages[1].GetProperty("attachmentSize").ValueKind.ShouldBe(JsonValueKind.Null, "audio stays with the provider");
        standIn.RequestsTo("/v21.0/1013859600285441").ShouldHaveSingleItem().Headers["Authorization"].ShouldBe("Bearer EAAG-wa-token");

        // The agent answers with a picture: uploaded to /media first, then sent by its id.
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "label.png");
        form.Add(new StringContent("Ini label pengirimannya"), "body");
        await SuccessAssertions.OkAsync(await ana.PostAsync($"{workspace.Api}/conversations/{conversationId}/attachments", form, Ct));
        await workspace.DeliverAsync();
        var upload = standIn.RequestsTo($"/{PhoneNumberId}/media").ShouldHaveSingleItem();
        upload.ContentType.ShouldStartWith("multipart/form-data");
        upload.Body.ShouldContain("messaging_product");
        var sent = JsonDocument.Parse(standIn.RequestsTo($"/{PhoneNumberId}/messages").ShouldHaveSingleItem().Body).RootElement;
        sent.GetProperty("type").GetString().ShouldBe("image");
        sent.GetProperty("image").GetProperty("id").GetString()!.ShouldStartWith("media");
        sent.GetProperty("image").GetProperty("caption").GetString().ShouldBe("Ini label pengirimannya");
    }

    [Fact]
    public async Task A_Telegram_photo_is_fetched_through_getFile_and_an_agents_image_is_a_sendPhoto()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        standIn.BotTokens[BotToken] = true;
        standIn.Media["AgACAgIAAxkBAAIB"] = Png;
        var (channelId, _) = await workspace.ConnectAsync("telegram", "", new { bot_token = BotToken });
        var secret = standIn.TelegramWebhooks[BotToken].Secret;
        var photo = JsonSerializer.Serialize(new
        {
            update_id = 5001,
            message = new
            {
                message_id = 3,
                from = new { id = 42, is_bot = false, first_name = "Budi" },
                chat = new { id = 42, type = "private" },
                date = app.Clock.GetUtcNow().ToUnixTimeSeconds(),
                caption = "Ini buktinya",
                photo = new[] { new { file_id = "small", file_unique_id = "s", width = 90, height = 90 }, new { file_id = "AgACAgIAAxkBAAIB", file_unique_id = "b", width = 800, height = 800 } },
            },
        });
        (await ana.PostTelegramAsync(channelId, photo, secret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        await workspace.DeliverAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        var first = (await workspace.MessagesAsync(conversationId))[0];
        first.GetProperty("body").GetString().ShouldBe("Ini buktinya");
        first.GetProperty("attachmentSize").GetInt64().ShouldBe(Png.Length);
        JsonDocument.Parse(standIn.RequestsTo("/getFile").ShouldHaveSingleItem().Body).RootElement.GetProperty("file_id").GetString().ShouldBe("AgACAgIAAxkBAAIB", "the largest size");

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "receipt.png");
        await SuccessAssertions.OkAsync(await ana.PostAsync($"{workspace.Api}/conversations/{conversationId}/attachments", form, Ct));
        await workspace.DeliverAsync();
        var sent = standIn.RequestsTo($"/bot{BotToken}/sendPhoto").ShouldHaveSingleItem();
        sent.ContentType.ShouldStartWith("multipart/form-data");
        sent.Body.ShouldContain("name=chat_id");
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("sent");
    }

    [Fact]
    public async Task The_operator_apps_webhook_is_signed_with_its_secret_and_each_Page_goes_to_its_own_workspace()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database, ("Channels:MetaVerifyToken", "operator-verify"));
        var (app, _, ana, _) = workspace;
        await workspace.ConnectAsync("facebook", "1111", new { access_token = "t", app_secret = "operator-app-secret" }, "Ana's Page");

        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, "eve@example.com");
        var eveWorkspace = await app.ActiveWorkspaceAsync(eve, "eve@example.com", "Toko Eve");
        await SuccessAssertions.OkAsync(await eve.PostJsonAsync($"/api/v1/workspaces/{eveWorkspace}/channels", new { kind = "facebook", name = "Eve's Page", externalId = "2222", credentials = new { access_token = "t", app_secret = "operator-app-secret" } }));

        var handshake = await ana.GetAsync("/hooks/meta?hub.mode=subscribe&hub.verify_token=operator-verify&hub.challenge=77", Ct);
        (await handshake.Content.ReadAsStringAsync(Ct)).ShouldBe("77");

        // One delivery with both Pages' entries and a Page nobody connected.
        var at = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        object Entry(string page, string mid, string text) => new { id = page, time = at, messaging = new[] { new { sender = new { id = "psid-" + page }, recipient = new { id = page }, timestamp = at, message = new { mid, text } } } };
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { @object = "page", entry = new[] { Entry("1111", "m_ana", "For Ana"), Entry("2222", "m_eve", "For Eve"), Entry("3333", "m_none", "For nobody") } }));
        async Task<HttpResponseMessage> PostAsync(string secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/meta") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(secret, body));
            return await ana.SendAsync(request, Ct);
        }
        (await PostAsync("a-page-owners-secret")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync("operator-app-secret")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync("operator-app-secret")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = app.Database.CreateContext())
        {
            (await db.Set<InboundWebhook>().CountAsync(Ct)).ShouldBe(2, "one per connected Page, once");
        }
        await workspace.ProcessAsync();

        var mine = (await workspace.ConversationsAsync()).GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        mine.GetProperty("preview").GetString().ShouldBe("For Ana");
        var theirs = (await eve.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{eveWorkspace}/conversations?view=all", Ct)).GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        theirs.GetProperty("preview").GetString().ShouldBe("For Eve");
    }
}
