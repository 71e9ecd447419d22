using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Layan.Features.Channels;
using Layan.Infrastructure.Jobs;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Channels;

// Covers CH-1 for Messenger and Instagram (entry[].messaging[], the Send API, the HUMAN_AGENT tag
// between 24 hours and 7 days, delivery and read receipts), Facebook and Instagram comments (each
// comment thread a conversation; public reply, private reply, hide), email (Postmark JSON and a
// multipart inbound form, Basic auth, SMTP out with Message-ID / In-Reply-To / References,
// threading by headers for the same contact, auto-replies that reopen nothing), and CH-2 / CH-3
// (the quota of three besides WhatsApp and email, and on lapse only the defaults keep working).
public sealed class MetaAndEmailChannelTests(PostgresServer postgres)
{
    private const string PageId = "101928374655";
    private const string InstagramId = "17841400000000001";
    private const string AppSecret = "page-app-secret";
    private const string Psid = "24012345678901234";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(Guid Id, JsonElement Secrets)> PageAsync(ChannelWorkspace workspace, bool comments = true) =>
        workspace.ConnectAsync("facebook", PageId, new { access_token = "EAAB-page-token", app_secret = AppSecret }, "Toko Ana Page", comments);

    [Fact]
    public async Task Messenger_replies_in_the_window_with_the_human_agent_tag_after_it_and_not_after_seven_days()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (channelId, _) = await PageAsync(workspace);
        var message = ProviderWebhooks.Messaging("page", PageId, Psid, new { message = new { mid = "m_AG5Hz2U", text = "Is the blue one in stock?" } }, app.Clock.GetUtcNow());
        (await ana.PostMetaAsync(channelId, message, AppSecret)).EnsureSuccessStatusCode();
        // The page's own echo is not a customer message.
        var echo = ProviderWebhooks.Messaging("page", PageId, PageId, new { message = new { mid = "m_echo", text = "echo", is_echo = true } }, app.Clock.GetUtcNow());
        (await ana.PostMetaAsync(channelId, echo, AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        (await ana.ConversationAsync(workspace.Id, conversationId)).GetProperty("summary").GetProperty("channel").GetString().ShouldBe("messenger");

        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Yes, size M and L" }));
        await workspace.DeliverAsync();
        var first = JsonDocument.Parse(standIn.RequestsTo($"/{PageId}/messages").ShouldHaveSingleItem().Body).RootElement;
        first.GetProperty("recipient").GetProperty("id").GetString().ShouldBe(Psid);
        first.GetProperty("messaging_type").GetString().ShouldBe("RESPONSE");
        first.GetProperty("message").GetProperty("text").GetString().ShouldBe("Yes, size M and L");

        // Delivery, then the read watermark.
        const string sentMid = "m_standin1"; // the stand-in's first message id
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.Messaging("page", PageId, Psid, new { delivery = new { mids = new[] { sentMid }, watermark = app.Clock.GetUtcNow().ToUnixTimeMilliseconds() } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("delivered");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.Messaging("page", PageId, Psid, new { read = new { watermark = app.Clock.GetUtcNow().ToUnixTimeMilliseconds() } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("read");

        app.Clock.Advance(TimeSpan.FromHours(30));
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Following up on your order" }));
        await workspace.DeliverAsync();
        var tagged = JsonDocument.Parse(standIn.RequestsTo($"/{PageId}/messages")[^1].Body).RootElement;
        tagged.GetProperty("messaging_type").GetString().ShouldBe("MESSAGE_TAG");
        tagged.GetProperty("tag").GetString().ShouldBe("HUMAN_AGENT");

        app.Clock.Advance(TimeSpan.FromDays(7));
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();
        (await (await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Too late" })).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.WindowClosed);
    }

    [Fact]
    public async Task Page_and_Instagram_comments_become_threads_answered_in_public_in_private_or_hidden()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, _) = workspace;
        var (pageChannel, _) = await PageAsync(workspace);
        var post = $"{PageId}_555";
        (await ana.PostMetaAsync(pageChannel, ProviderWebhooks.FacebookComment(PageId, post, $"{post}_900", "7001", "Rina", "How much is shipping to Bandung?", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        // A reply in the same comment thread joins it; the page's own comment is not a customer's.
        (await ana.PostMetaAsync(pageChannel, ProviderWebhooks.FacebookComment(PageId, post, $"{post}_901", "7001", "Rina", "And to Surabaya?", app.Clock.GetUtcNow(), parentId: $"{post}_900"), AppSecret)).EnsureSuccessStatusCode();
        (await ana.PostMetaAsync(pageChannel, ProviderWebhooks.FacebookComment(PageId, post, $"{post}_902", PageId, "Toko Ana", "Our answer", app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        var detail = await ana.ConversationAsync(workspace.Id, conversationId);
        detail.GetProperty("summary").GetProperty("channel").GetString().ShouldBe("facebook_comment");
        detail.GetProperty("messages").GetArrayLength().ShouldBe(2);

        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Rp 15.000 to both" }));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/private-reply", new { body = "I sent you the price list" }));
        await workspace.DeliverAsync();
        JsonDocument.Parse(standIn.RequestsTo($"/{post}_900/comments").ShouldHaveSingleItem().Body).RootElement.GetProperty("message").GetString().ShouldBe("Rp 15.000 to both");
        var privately = JsonDocument.Parse(standIn.RequestsTo($"/{PageId}/messages").ShouldHaveSingleItem().Body).RootElement;
        privately.GetProperty("recipient").GetProperty("comment_id").GetString().ShouldBe($"{post}_901", "a private reply answers the customer's latest comment");

        var second = detail.GetProperty("messages")[1].GetProperty("id").GetGuid();
        await SuccessAssertions.OkAsync(await ana.PostAsync($"{workspace.Api}/conversations/{conversationId}/messages/{second}/hide", null, Ct));
        JsonDocument.Parse(standIn.RequestsTo($"/{post}_901").Single(r => !r.Path.EndsWith("/comments", StringComparison.Ordinal)).Body).RootElement.GetProperty("is_hidden").GetBoolean().ShouldBeTrue();

        // Instagram: a comment on a media post; replies go to /replies.
        var (igChannel, _) = await workspace.ConnectAsync("instagram", InstagramId, new { access_token = "IGQ-token", app_secret = AppSecret }, "@tokoana", comments: true);
        (await ana.PostMetaAsync(igChannel, ProviderWebhooks.InstagramComment(InstagramId, "17900000000000099", "17858893269000001", "6002", "budi.s", "Warna lain ada?"), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var instagram = (await workspace.ConversationsAsync()).GetProperty("items").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "instagram_comment");
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{instagram.GetProperty("id").GetGuid()}/messages", new { body = "Ada merah dan hitam" }));
        await workspace.DeliverAsync();
        standIn.RequestsTo("/17858893269000001/replies").ShouldHaveSingleItem();

        // A direct-message conversation cannot be answered "privately" or hidden.
        (await ana.PostMetaAsync(pageChannel, ProviderWebhooks.Messaging("page", PageId, Psid, new { message = new { mid = "m_dm", text = "Hi" } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var dm = (await workspace.ConversationsAsync()).GetProperty("items").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "messenger").GetProperty("id").GetGuid();
        (await (await ana.PostJsonAsync($"{workspace.Api}/conversations/{dm}/private-reply", new { body = "x" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.NotAComment);
    }

    [Fact]
    public async Task Comments_off_on_a_page_keep_its_comments_out()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (channelId, _) = await PageAsync(workspace, comments: false);
        (await workspace.Ana.PostMetaAsync(channelId, ProviderWebhooks.FacebookComment(PageId, $"{PageId}_1", $"{PageId}_1_2", "7001", "Rina", "Hello", workspace.App.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.ConversationsAsync()).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Email_arrives_by_Postmark_or_a_multipart_form_threads_by_headers_and_answers_over_SMTP()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(
            database, ("Email:Mode", "Smtp"), ("Email:Smtp:Host", "127.0.0.1"), ("Email:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Email:Smtp:UseTls", "false"), ("Email:MessageIdDomain", "mail.toko.example"));
        var (app, _, ana, _) = workspace;
        var (channelId, secrets) = await workspace.ConnectAsync("email", "Help@Toko.example", new { }, "Support inbox");
        var password = secrets.GetProperty("password").GetString()!;

        var first = ProviderWebhooks.Postmark("rina@customer.example", "Rina", "help@toko.example", "Order 1001 is late", "Where is my parcel?", "<CAE1@mail.customer.example>");
        (await ana.PostEmailAsync(channelId, first, "wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ana.PostEmailAsync(channelId, ProviderWebhooks.Postmark("rina@customer.example", "Rina", "help@toko.example", "Order 1001 is late", "Where is my parcel?", "<CAE1@mail.customer.example>"), password)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        var detail = await ana.ConversationAsync(workspace.Id, conversationId);
        detail.GetProperty("summary").GetProperty("channel").GetString().ShouldBe("email");
        detail.GetProperty("contact").GetProperty("email").GetString().ShouldBe("rina@customer.example");

        var reply = await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "It ships today.\nSorry for the wait." }));
        await workspace.DeliverAsync();
        var mail = (await smtp.WaitForMessagesAsync(1)).Single(m => m.To.Contains("rina@customer.example", StringComparison.Ordinal));
        mail.From.ShouldContain("help@toko.example");
        mail.Subject.ShouldBe("Re: Order 1001 is late");
        var ourId = $"<{reply.GetProperty("id").GetGuid():N}@mail.toko.example>";
        mail.MessageId.ShouldBe(ourId);
        mail.Header("In-Reply-To").ShouldBe("<CAE1@mail.customer.example>");
        mail.Header("References").ShouldBe("<CAE1@mail.customer.example>");

        // Her answer to our mail threads into the same conversation, through a generic multipart form.
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Rina <rina@customer.example>"), "from" },
            { new StringContent("help@toko.example"), "to" },
            { new StringContent("Re: Order 1001 is late"), "subject" },
            { new StringContent("Thanks!\n\nOn Tue, Dec 1, 2026 at 10:00 Support wrote:\n> It ships today."), "text" },
            { new StringContent($"Message-ID: <CAE2@mail.customer.example>\r\nIn-Reply-To: {ourId}\r\nReferences: <CAE1@mail.customer.example>\r\n {ourId}\r\n"), "headers" },
        };
        (await ana.PostEmailAsync(channelId, form, password)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var messages = await workspace.MessagesAsync(conversationId);
        messages.GetArrayLength().ShouldBe(3);
        messages[2].GetProperty("body").GetString().ShouldBe("Thanks!", "the quoted history is left out");

        // Resolved; an out-of-office answering it is kept but reopens nothing.
        (await ana.PutAsJsonAsync($"{workspace.Api}/conversations/{conversationId}/status", new { status = "resolved" }, Ct)).EnsureSuccessStatusCode();
        (await ana.PostEmailAsync(channelId, ProviderWebhooks.Postmark("rina@customer.example", "Rina", "help@toko.example", "Automatic reply: Re: Order 1001", "I am away until Monday.", "<OOO1@mail.customer.example>", inReplyTo: ourId, autoSubmitted: "auto-replied"), password)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var after = await ana.ConversationAsync(workspace.Id, conversationId);
        after.GetProperty("summary").GetProperty("status").GetString().ShouldBe("resolved");
        after.GetProperty("messages").GetArrayLength().ShouldBe(4);

        // A new email without thread headers is a new conversation; malformed bodies are refused.
        (await ana.PostEmailAsync(channelId, ProviderWebhooks.Postmark("rina@customer.example", "Rina", "help@toko.example", "Another question", "Do you ship abroad?", "<CAE3@mail.customer.example>"), password)).EnsureSuccessStatusCode();
        await (await ana.PostEmailAsync(channelId, new StringContent("{not json", Encoding.UTF8, "application/json"), password)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await ana.PostEmailAsync(channelId, new StringContent("""{"From":"nobody"}""", Encoding.UTF8, "application/json"), password)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity);
        await workspace.ProcessAsync();
        (await workspace.ConversationsAsync()).GetProperty("items").GetArrayLength().ShouldBe(1, "the resolved one is not in the open view; the new one is");
    }

    [Fact]
    public async Task Three_channels_besides_WhatsApp_and_email_then_the_feature_and_on_lapse_only_the_defaults_work()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        var (app, standIn, ana, id) = workspace;
        var channels = $"{workspace.Api}/channels";
        await workspace.ConnectAsync("whatsapp", "1001", new { access_token = "t", app_secret = "s" });
        await workspace.ConnectAsync("email", "help@toko.example", new { });
        for (var n = 1; n <= 3; n++)
        {
            await workspace.ConnectAsync("facebook", $"20{n}", new { access_token = "t", app_secret = AppSecret }, $"Page {n}");
        }
        var refused = await (await ana.PostJsonAsync(channels, new { kind = "facebook", name = "Page 4", externalId = "204", credentials = new { access_token = "t", app_secret = AppSecret } })).ShouldBeProblemAsync(HttpStatusCode.PaymentRequired);
        refused.GetProperty("code").GetString().ShouldBe(ChannelErrors.QuotaExceeded);

        await ana.SubscribeAsync(id, "channel");
        var (fourth, _) = await workspace.ConnectAsync("facebook", "204", new { access_token = "t", app_secret = AppSecret }, "Page 4");
        (await SuccessAssertions.OkAsync(await ana.GetAsync(channels, Ct))).EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == fourth).GetProperty("isDefault").GetBoolean().ShouldBeFalse();

        // A conversation on the fourth page, then the feature lapses.
        (await ana.PostMetaAsync(fourth, ProviderWebhooks.Messaging("page", "204", Psid, new { message = new { mid = "m_before", text = "Hi" } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();
        (await ana.PostAsync($"{workspace.Api}/subscriptions/channel/cancel", null, Ct)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(32));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        (await ana.LoginAsync(ChannelWorkspace.AnaEmail)).EnsureSuccessStatusCode();

        var lapsed = (await SuccessAssertions.OkAsync(await ana.GetAsync(channels, Ct))).EnumerateArray().ToList();
        lapsed.Count.ShouldBe(6, "nothing is deleted");
        lapsed.Where(c => c.GetProperty("revoked").GetBoolean()).ShouldHaveSingleItem().GetProperty("id").GetGuid().ShouldBe(fourth);

        // The revoked page takes nothing new and sends nothing; its history stays.
        (await ana.PostMetaAsync(fourth, ProviderWebhooks.Messaging("page", "204", Psid, new { message = new { mid = "m_after", text = "Hello?" } }, app.Clock.GetUtcNow()), AppSecret)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId)).GetArrayLength().ShouldBe(1);
        (await (await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Still here" })).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.Disabled);

        // The Administrator still chooses the defaults: not more than three besides WhatsApp and email.
        (await (await ana.PatchAsJsonAsync($"{channels}/{fourth}", new { isDefault = true }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("code").GetString().ShouldBe(ChannelErrors.DefaultsFull);
        var pageOne = lapsed.Single(c => c.GetProperty("externalId").GetString() == "201").GetProperty("id").GetGuid();
        (await SuccessAssertions.OkAsync(await ana.PatchAsJsonAsync($"{channels}/{pageOne}", new { isDefault = false }, Ct))).GetProperty("revoked").GetBoolean().ShouldBeTrue();
        (await SuccessAssertions.OkAsync(await ana.PatchAsJsonAsync($"{channels}/{fourth}", new { isDefault = true }, Ct))).GetProperty("revoked").GetBoolean().ShouldBeFalse();
        (await ana.PostMetaAsync(fourth, ProviderWebhooks.Messaging("page", "204", Psid, new { message = new { mid = "m_again", text = "Anyone?" } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        (await workspace.MessagesAsync(conversationId)).GetArrayLength().ShouldBe(2, "the default page receives again");
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Back again" }));
        await workspace.DeliverAsync();
        standIn.RequestsTo("/204/messages").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Two_Administrators_adding_the_last_free_channel_at_once_get_one_between_them()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database);
        await workspace.ConnectAsync("facebook", "301", new { access_token = "t", app_secret = AppSecret }, "Page 1");
        await workspace.ConnectAsync("facebook", "302", new { access_token = "t", app_secret = AppSecret }, "Page 2");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(n => workspace.Ana.PostJsonAsync($"{workspace.Api}/channels",
            new { kind = "facebook", name = $"Page {n + 3}", externalId = $"31{n}", credentials = new { access_token = "t", app_secret = AppSecret } })));
        attempts.Count(r => r.IsSuccessStatusCode).ShouldBe(1);
        attempts.Where(r => !r.IsSuccessStatusCode).ShouldAllBe(r => r.StatusCode == HttpStatusCode.PaymentRequired);
        (await SuccessAssertions.OkAsync(await workspace.Ana.GetAsync($"{workspace.Api}/channels", Ct))).GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task A_provider_that_answers_too_slowly_is_tried_again_and_a_5xx_backs_off()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var workspace = await ChannelWorkspace.StartAsync(database, ("Channels:Timeout", "00:00:01"));
        var (app, standIn, ana, _) = workspace;
        var (channelId, _) = await PageAsync(workspace);
        (await ana.PostMetaAsync(channelId, ProviderWebhooks.Messaging("page", PageId, Psid, new { message = new { mid = "m_slow", text = "Hello?" } }, app.Clock.GetUtcNow()), AppSecret)).EnsureSuccessStatusCode();
        await workspace.ProcessAsync();
        var conversationId = await workspace.OnlyConversationAsync();

        standIn.Fail("/messages", 200, "{}", delay: TimeSpan.FromSeconds(3));
        standIn.Fail("/messages", 503, "{}");
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"{workspace.Api}/conversations/{conversationId}/messages", new { body = "Hi!" }));
        await workspace.DeliverAsync(); // times out
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("queued");
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        await workspace.DeliverAsync(); // 503
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("queued");
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await workspace.DeliverAsync();
        (await workspace.MessagesAsync(conversationId))[1].GetProperty("delivery").GetString().ShouldBe("sent");
        standIn.RequestsTo($"/{PageId}/messages").Count.ShouldBe(3);
    }
}
