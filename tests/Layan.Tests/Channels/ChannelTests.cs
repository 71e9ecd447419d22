using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Channels;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Channels;

// Covers CH-1 (WhatsApp Cloud API: handshake, X-Hub-Signature-256, messages and statuses, send,
// the 24-hour window and templates; Telegram: setWebhook with a secret token, the secret header,
// update_id idempotency, sendMessage), CH-4 (stored before the 200 and processed after a crash;
// retry storms and out-of-order statuses; 429 with Retry-After and permanent failures shown on
// the message; bad signatures, malformed JSON, unknown objects and oversized bodies rejected with
// nothing stored), bad input on connecting, and no access across workspaces.
public sealed class ChannelTests(PostgresServer postgres)
{
    private const string PhoneNumberId = "106540352242922";
    private const string AppSecret = "wa-app-secret";
    private const string Customer = "6281234567890";
    private const string BotToken = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    private static readonly string[] TemplateParameters = ["Siti", "INV-1001"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(Guid Id, JsonElement Secrets)> WhatsAppAsync(ChannelWorkspace workspace, string phoneNumberId = PhoneNumberId) =>
        workspace.ConnectAsync("whatsapp", phoneNumberId, new { access_token = "EAAG-wa-token", app_secret = AppSecret }, "Support WhatsApp");

    private static async Task<int> StoredWebhooksAsync(LayanApp app)
    {
        await using var db = app.Database.CreateContext();
        return await db.Set<InboundWebhook>().CountAsync(Ct);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_WhatsApp_message_becomes_a_conversation_the_reply_goes_out_and_statuses_move_it_forward(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (channelId, secrets) = await WhatsAppAsync(workspace);
        var verifyToken = secrets.GetProperty("verify_token").GetString()!;

        // The subscription handshake echoes the challenge only with our verify token.
        var handshake = await ana.GetAsync($"/hooks/{channelId}?hub.mode=subscribe&hub.verify_token={verifyToken}&hub.challenge=1158201444", Ct);
        (await handshake.Content.ReadAsStringAsync(Ct)).ShouldBe("1158201444");
        (await ana.GetAsync($"/hooks/{channelId}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var inbound = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNBMDI", "Halo, pesanan saya belum sampai", app.Clock.GetUtcNow());
        (await ana.PostMetaAsync(channelId, inbound, AppSecret)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await workspace.ProcessAsync();

        var conversationId = await workspace.OnlyConversationAsync();
        var detail = await ana.ConversationAsync(workspace.Id, conversationId);
        detail.GetProperty("summary").GetProperty("channel").GetString().ShouldBe("whatsapp");
        detail.GetProperty("contact").GetProperty("phone").GetString().ShouldBe("+" + Customer);
        detail.GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe("Halo, pesanan saya belum sampai");

        var reply = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Kami cek sekarang" }));
        reply.GetProperty("delivery").GetString().ShouldBe("queued");
        await workspace.DeliverAsync();
        var sent = standIn.RequestsTo($"/{PhoneNumberId}/messages").ShouldHaveSingleItem();
        sent.Headers["Authorization"].ShouldBe("Bearer EAAG-wa-token");
        var body = JsonDocument.Parse(sent.Body).RootElement;
        body.GetProperty("to").GetString().ShouldBe(Customer);
        body.GetProperty("text").GetProperty("body").GetString().ShouldBe("Kami cek sekarang");

        var messages = await workspace.MessagesAsync(conversationId);
        messages[1].GetProperty("delivery").GetString().ShouldBe("sent");
        await using (var db = app.Database.CreateContext())
        {
            var wamid = await db.Set<Layan.Features.Inbox.Message>().IgnoreQueryFilters().Where(m => m.ConversationId == conversationId && m.Kind == "agent").Select(m => m.ExternalId).SingleAsync(Ct);
            wamid.ShouldStartWith("wamid.standin");

            // Out of order: read arrives before delivered; the status never moves back.
            (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppStatus(PhoneNumberId, wamid!, "read", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
            (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppStatus(PhoneNumberId, wamid!, "delivered", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        }
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("read");
    }

    [Fact]
    public async Task A_retry_storm_of_one_webhook_stores_and_shows_the_message_once()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, _, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        var inbound = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.storm", "Once only", app.Clock.GetUtcNow());

        var storm = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ana.PostMetaAsync(channelId, inbound, AppSecret)));
        storm.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        (await StoredWebhooksAsync(app)).ShouldBe(1);

        // The same message inside a different batch (a body that differs) is stored, and still shown once.
        var batched = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti Aminah", "wamid.storm", "Once only", app.Clock.GetUtcNow());
        (await ana.PostMetaAsync(channelId, batched, AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        (await workspace.MessagesAsync(conversationId)).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task A_webhook_acknowledged_before_a_crash_is_processed_by_the_next_node()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        Guid channelId;
        Guid workspaceId;
        await using (var first = await ChannelWorkspace.StartAsync(database))
        {
            (channelId, _) = await WhatsAppAsync(first);
            workspaceId = first.Id;
            var inbound = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.crash", "Still here?", first.App.Clock.GetUtcNow());
            (await first.Ana.PostMetaAsync(channelId, inbound, AppSecret)).StatusCode.ShouldBe(HttpStatusCode.OK);
            // The node goes away before its runner ever looks at the row.
        }

        await using var standIn = await Layan.Features.Channels.StandIn.ProviderStandIn.StartAsync();
        var settings = ChannelWorkspace.Settings(standIn);
        settings["Work:Inbound:Enabled"] = "true";
        settings["Work:Inbound:PollInterval"] = "00:00:00.200";
        await using var second = new LayanApp(database, settings);
        using var ana = second.Browser();
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();
        var list = await Eventually.Until(
            async () => await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspaceId}/conversations?view=all", Ct),
            l => l.GetProperty("items").GetArrayLength() == 1, "the conversation from the stored webhook");
        list.GetProperty("items")[0].GetProperty("preview").GetString().ShouldBe("Still here?");
    }

    [Fact]
    public async Task Bad_signatures_malformed_bodies_unknown_objects_and_oversized_bodies_are_refused_and_store_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database, ("Channels:MaxWebhookBytes", "4096"));
        var (app, _, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        var inbound = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.bad", "hello", app.Clock.GetUtcNow());

        await (await ana.PostMetaAsync(channelId, inbound, "not-the-secret")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        using (var unsigned = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{channelId}") { Content = new StringContent(inbound, System.Text.Encoding.UTF8, "application/json") })
        {
            (await ana.SendAsync(unsigned, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        await (await ana.PostMetaAsync(channelId, "{\"object\":\"whatsapp_business_account\",\"entry\":[", AppSecret)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await ana.PostMetaAsync(channelId, "{\"object\":\"page\",\"entry\":[]}", AppSecret)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity);
        var huge = ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.huge", new string('x', 5000), app.Clock.GetUtcNow());
        await (await ana.PostMetaAsync(channelId, huge, AppSecret)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var unknown = await ana.PostMetaAsync(Guid.NewGuid(), inbound, AppSecret);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound, await unknown.Content.ReadAsStringAsync(Ct));

        (await StoredWebhooksAsync(app)).ShouldBe(0);
        await workspace.ProcessAsync();
        (await workspace.ConversationsAsync()).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Outside_the_24_hour_window_WhatsApp_takes_only_templates()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.w1", "Hi", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();

        app.Clock.Advance(TimeSpan.FromHours(25));
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();
        var closed = await (await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Are you still there?" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        closed.GetProperty("code").GetString().ShouldBe(ChannelErrors.WindowClosed);
        await (await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/template", new { name = "", language = "id" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await workspace.MessagesAsync(conversationId)).GetArrayLength().ShouldBe(1, "refused replies leave nothing behind");

        var template = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/template", new { name = "order_update", language = "id", parameters = TemplateParameters }));
        template.GetProperty("contentKind").GetString().ShouldBe("template");
        await workspace.DeliverAsync();
        var sent = JsonDocument.Parse(standIn.RequestsTo($"/{PhoneNumberId}/messages").ShouldHaveSingleItem().Body).RootElement;
        sent.GetProperty("type").GetString().ShouldBe("template");
        sent.GetProperty("template").GetProperty("name").GetString().ShouldBe("order_update");
        sent.GetProperty("template").GetProperty("language").GetProperty("code").GetString().ShouldBe("id");
        sent.GetProperty("template").GetProperty("components")[0].GetProperty("parameters")[1].GetProperty("text").GetString().ShouldBe("INV-1001");
    }

    [Fact]
    public async Task A_429_waits_for_Retry_After_and_a_permanent_refusal_is_shown_on_the_message()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.r1", "Hi", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();

        standIn.Fail("/messages", 429, Layan.Features.Channels.StandIn.ProviderStandIn.GraphError(130429, "Rate limit hit"), retryAfter: TimeSpan.FromSeconds(90));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "First try is throttled" }));
        await workspace.DeliverAsync();
        await using (var db = app.Database.CreateContext())
        {
            var item = await db.Outbox.AsNoTracking().SingleAsync(o => o.Kind == ChannelOutbound.SendKind, Ct);
            item.State.ShouldBe(WorkState.Pending);
            item.DueAt.ShouldBe(app.Clock.GetUtcNow() + TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1));
        }
        (await workspace.DeliverAsync()).ShouldBe(0, "not before Retry-After");
        app.Clock.Advance(TimeSpan.FromSeconds(91));
        (await workspace.DeliverAsync()).ShouldBe(1);
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("sent");

        standIn.Fail("/messages", 400, Layan.Features.Channels.StandIn.ProviderStandIn.GraphError(131026, "Message undeliverable"));
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "This one bounces" }));
        await workspace.DeliverAsync();
        var failed = (await workspace.MessagesAsync(conversationId))[2];
        failed.GetProperty("delivery").GetString().ShouldBe("failed");
        failed.GetProperty("deliveryError").GetString()!.ShouldContain("131026");
    }

    [Fact]
    public async Task Telegram_connects_with_setWebhook_checks_the_secret_token_and_keeps_each_update_once()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        standIn.BotTokens[BotToken] = true;

        var refused = await (await ana.PostJsonAsync($"{workspace.Api}/channels", new { kind = "telegram", name = "Bot", credentials = new { bot_token = "7012345678:AAH-unknown-token-xxxxxxxxxxxx" } })).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity);
        refused.GetProperty("code").GetString().ShouldBe(ChannelErrors.CredentialsRejected);
        (await SuccessAssertions.OkAsync(await ana.GetAsync($"{workspace.Api}/channels", Ct))).GetArrayLength().ShouldBe(0, "a refused token leaves no channel");

        var (channelId, _) = await workspace.ConnectAsync("telegram", "", new { bot_token = BotToken }, "Toko Bot");
        var (url, secret) = standIn.TelegramWebhooks[BotToken];
        url.ShouldEndWith($"/hooks/{channelId}");
        secret.Length.ShouldBeGreaterThanOrEqualTo(32);

        var update = ProviderWebhooks.TelegramText(914_123_001, 555_111_222, 17, "Apakah toko buka hari ini?", app.Clock.GetUtcNow());
        (await ana.PostTelegramAsync(channelId, update, "wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ana.PostTelegramAsync(channelId, update, null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        for (var i = 0; i < 3; i++)
        {
            (await ana.PostTelegramAsync(channelId, update, secret)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await StoredWebhooksAsync(app)).ShouldBe(1, "update_id is the dedup key");
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        var detail = await ana.ConversationAsync(workspace.Id, conversationId);
        detail.GetProperty("summary").GetProperty("contactName").GetString().ShouldBe("Budi Santoso");

        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Buka sampai jam 9 malam" }));
        await workspace.DeliverAsync();
        var sent = JsonDocument.Parse(standIn.RequestsTo($"/bot{BotToken}/sendMessage").ShouldHaveSingleItem().Body).RootElement;
        sent.GetProperty("chat_id").GetString().ShouldBe("555111222");
        sent.GetProperty("text").GetString().ShouldBe("Buka sampai jam 9 malam");
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("sent");

        // The next message of the chat joins the same conversation.
        (await ana.PostTelegramAsync(channelId, ProviderWebhooks.TelegramText(914_123_002, 555_111_222, 19, "Terima kasih", app.Clock.GetUtcNow()), secret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId)).GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task Connecting_with_bad_input_answers_problems_and_creates_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var ana = workspace.Ana;
        var channels = $"{workspace.Api}/channels";

        (await (await ana.PostJsonAsync(channels, new { kind = "pigeon", name = "x" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(ChannelErrors.KindUnknown);
        (await (await ana.PostJsonAsync(channels, new { kind = "whatsapp", name = "", externalId = PhoneNumberId })).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(ChannelErrors.NameInvalid);
        (await (await ana.PostJsonAsync(channels, new { kind = "whatsapp", name = "WA", externalId = "abc", credentials = new { access_token = "t", app_secret = "s" } })).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(ChannelErrors.AccountInvalid);
        (await (await ana.PostJsonAsync(channels, new { kind = "whatsapp", name = "WA", externalId = PhoneNumberId, credentials = new { access_token = "t" } })).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(ChannelErrors.CredentialsRequired);
        (await (await ana.PostJsonAsync(channels, new { kind = "email", name = "Mail", externalId = "not an address" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe(ChannelErrors.AccountInvalid);
        workspace.StandIn.RejectedTokens["EAAG-revoked"] = true;
        (await (await ana.PostJsonAsync(channels, new { kind = "whatsapp", name = "WA", externalId = PhoneNumberId, credentials = new { access_token = "EAAG-revoked", app_secret = "s" } })).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.CredentialsRejected, "a token that cannot read the number does not connect it");
        (await SuccessAssertions.OkAsync(await ana.GetAsync(channels, Ct))).GetArrayLength().ShouldBe(0);

        await WhatsAppAsync(workspace);
        (await (await ana.PostJsonAsync(channels, new { kind = "whatsapp", name = "Again", externalId = PhoneNumberId, credentials = new { access_token = "t", app_secret = "s" } })).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.AccountTaken);
        var listed = (await SuccessAssertions.OkAsync(await ana.GetAsync(channels, Ct))).EnumerateArray().ShouldHaveSingleItem();
        listed.ToString().ShouldNotContain("EAAG-wa-token", Case.Sensitive, "credentials are never shown");
        listed.ToString().ShouldNotContain(AppSecret, Case.Sensitive);
    }

    [Fact]
    public async Task Another_workspace_can_neither_see_nor_change_a_channel_nor_feed_it_another_account()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, _, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.t1", "Hi", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();

        using var eve = app.Browser();
        await app.RegisterVerifiedAsync(eve, "eve@example.com");
        var eveWorkspace = await app.ActiveWorkspaceAsync(eve, "eve@example.com", "Toko Eve");
        var theirs = $"/api/v1/workspaces/{eveWorkspace}";
        var mine = workspace.Api;
        (await eve.GetAsync($"{mine}/channels", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PatchAsJsonAsync($"{theirs}/channels/{channelId}", new { enabled = false }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.DeleteAsync($"{theirs}/channels/{channelId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PostJsonAsync($"{theirs}/conversations/{conversationId}/template", new { name = "x", language = "en" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await eve.PostJsonAsync($"{theirs}/conversations/{conversationId}/private-reply", new { body = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SuccessAssertions.OkAsync(await eve.GetAsync($"{theirs}/channels", Ct))).GetArrayLength().ShouldBe(0);

        // Eve cannot connect the same number to her workspace.
        (await eve.PostJsonAsync($"{theirs}/channels", new { kind = "whatsapp", name = "Mine now", externalId = PhoneNumberId, credentials = new { access_token = "t", app_secret = "s" } })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // A payload for another phone number, even correctly signed, is not this channel's.
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText("999999999", "6289999", "Mallory", "wamid.other", "Injected", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.ConversationsAsync()).GetProperty("items").GetArrayLength().ShouldBe(1);

        // An agent of the workspace may use the inbox but not manage channels.
        using var ben = await app.JoinAsync(ana, workspace.Id, "ben@example.com", "agent");
        (await ben.GetAsync($"{mine}/channels", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_channels_webhook_budget_answers_429_with_Retry_After_and_stores_nothing_more()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database, ("RateLimits:WebhookPerMinute", "3"));
        var (app, _, ana, _) = workspace;
        var (channelId, _) = await WhatsAppAsync(workspace);
        for (var n = 0; n < 3; n++)
        {
            (await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", $"wamid.budget{n}", "hi", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        }
        var limited = await ana.PostMetaAsync(channelId, ProviderWebhooks.WhatsAppText(PhoneNumberId, Customer, "Siti", "wamid.budget3", "hi", app.Clock.GetUtcNow()), AppSecret);
        (await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("rate_limited");
        limited.Headers.RetryAfter.ShouldNotBeNull();
        (await StoredWebhooksAsync(app)).ShouldBe(3);
    }

    [Fact]
    public async Task Two_bots_of_one_workspace_talking_to_the_same_person_keep_their_messages_apart()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        const string Other = "7099999999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsbb";
        standIn.BotTokens[BotToken] = true;
        standIn.BotTokens[Other] = true;
        var (first, _) = await workspace.ConnectAsync("telegram", "", new { bot_token = BotToken }, "Sales bot");
        var (second, _) = await workspace.ConnectAsync("telegram", "", new { bot_token = Other }, "Support bot");
        // The same chat id and message number, as Telegram gives them per bot.
        (await ana.PostTelegramAsync(first, ProviderWebhooks.TelegramText(1, 555, 7, "To sales", app.Clock.GetUtcNow()), standIn.TelegramWebhooks[BotToken].Secret)).EnsureSuccessStatusCode();
        (await ana.PostTelegramAsync(second, ProviderWebhooks.TelegramText(1, 555, 7, "To support", app.Clock.GetUtcNow()), standIn.TelegramWebhooks[Other].Secret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var previews = (await workspace.ConversationsAsync()).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("preview").GetString()).Order().ToList();
        previews.ShouldBe(["To sales", "To support"]);
    }
}
