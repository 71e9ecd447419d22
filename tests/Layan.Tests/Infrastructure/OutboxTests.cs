using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Sms;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers the outbox contract of the foundation: written with the change that caused it,
// delivered by the runner with back-off, dead when it keeps failing, and at-least-once with an
// idempotency key (the outbox id, carried as Message-ID) when a node dies mid-delivery.
public sealed class OutboxTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Smtp(SmtpServer server, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Mode"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:UseTls"] = "false",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_committed_email_reaches_the_SMTP_server_localized_with_its_outbox_id_as_Message_ID(Provider provider)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database, Smtp(smtp));

        var queued = await app.QueueTestEmailAsync("siti@example.co.id", "id");

        var mail = (await smtp.WaitForMessagesAsync(1)).ShouldHaveSingleItem();
        mail.Subject.ShouldBe("Pesan uji Layan");
        mail.To.ShouldBe("siti@example.co.id");
        mail.Language.ShouldBe("id");
        mail.MessageId.ShouldBe($"<{queued.Id:N}@layan.local>");
        mail.TextBody.ShouldNotBeNull().ShouldContain("Ini pesan uji dari Layan, dikirim ke siti@example.co.id.");
        mail.HtmlBody.ShouldNotBeNull().ShouldContain("<p>Halo,</p>");
        var row = await app.WaitForStateAsync<OutboxMessage>(queued.Id, WorkState.Completed);
        row.Attempts.ShouldBe(1);
        row.CompletedAt.ShouldBe(app.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_rolled_back_change_sends_nothing()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var app = new LayanApp(database, Smtp(smtp));

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            scope.ServiceProvider.GetRequiredService<Outbox>().Enqueue(SmsDeliveryHandler.KindName, new SmsMessage("+628111", "never"));
            scope.ServiceProvider.GetRequiredService<Mailer>().Queue(
                new EmailTemplate(scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Layan.Features.DevMail.DevMailResource>>(), "TestEmail"),
                "first@example.com", "en", new Dictionary<string, string> { ["address"] = "first@example.com" });
            await db.SaveChangesAsync(Ct);
            await transaction.RollbackAsync(Ct);
        }
        var committed = await app.QueueTestEmailAsync("second@example.com");
        await app.WaitForStateAsync<OutboxMessage>(committed.Id, WorkState.Completed);

        // Delivery is in outbox order: once the later message is out, the rolled-back ones would have been too.
        (await smtp.WaitForMessagesAsync(1)).ShouldHaveSingleItem().To.ShouldBe("second@example.com");
        await using var check = database.CreateContext();
        (await check.Outbox.AsNoTracking().Select(m => m.Id).ToListAsync(Ct)).ShouldBe([committed.Id]);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_node_that_dies_after_hand_off_leaves_the_message_to_be_delivered_again_with_the_same_Message_ID(Provider provider)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        HangAfterHandOff? dying = null;
        var first = new LayanApp(database, Smtp(smtp), services =>
        {
            services.RemoveAll<IEmailSender>();
            services.AddSingleton<SmtpEmailSender>();
            services.AddSingleton<IEmailSender>(sp => dying = new HangAfterHandOff(sp.GetRequiredService<SmtpEmailSender>()));
        });
        var queued = await first.QueueTestEmailAsync("ana@example.com", "es");
        await Eventually.Until(() => dying?.HandedOff.Task.IsCompleted == true, done => done, "the first hand-off");
        await first.DisposeAsync(); // the node stops before it could record the delivery

        var stranded = (await database.CreateContext().Outbox.AsNoTracking().SingleAsync(Ct));
        stranded.State.ShouldBe(WorkState.Pending);
        stranded.LeaseToken.ShouldNotBeNull();
        stranded.Attempts.ShouldBe(1);

        await using var second = new LayanApp(database, Smtp(smtp));
        _ = second.Services; // starts the node
        var mails = await Eventually.Until(
            () =>
            {
                second.Clock.Advance(TimeSpan.FromSeconds(15)); // past the first node's lease
                return smtp.Messages();
            },
            m => m.Count >= 2,
            "the redelivery");

        mails.Count.ShouldBe(2);
        mails.Select(m => m.MessageId).Distinct().ShouldHaveSingleItem().ShouldBe($"<{queued.Id:N}@layan.local>");
        var delivered = await second.WaitForStateAsync<OutboxMessage>(queued.Id, WorkState.Completed);
        delivered.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task A_failing_delivery_backs_off_exponentially_then_is_dead_and_kept()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        await using var app = new LayanApp(
            database,
            new Dictionary<string, string?>
            {
                ["Work:Outbox:Enabled"] = "false",
                ["Work:Outbox:MaxAttempts"] = "3",
                ["Work:Outbox:RetryBase"] = "00:00:30",
            },
            services => services.Replace(ServiceDescriptor.Singleton<IEmailSender, FailingEmailSender>()));
        var runner = app.Runner<OutboxMessage>();
        var start = app.Clock.GetUtcNow();
        var queued = await app.QueueTestEmailAsync("down@example.com");

        (await runner.RunOnceAsync(Ct)).ShouldBe(1);
        var afterFirst = (await app.FindAsync<OutboxMessage>(queued.Id))!;
        afterFirst.State.ShouldBe(WorkState.Pending);
        afterFirst.Attempts.ShouldBe(1);
        afterFirst.DueAt.ShouldBe(start + TimeSpan.FromSeconds(30));
        afterFirst.LastError.ShouldBe("InvalidOperationException: SMTP relay unavailable");

        app.Clock.Advance(TimeSpan.FromSeconds(29));
        (await runner.RunOnceAsync(Ct)).ShouldBe(0, "not due yet");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        (await runner.RunOnceAsync(Ct)).ShouldBe(1);
        (await app.FindAsync<OutboxMessage>(queued.Id))!.DueAt.ShouldBe(start + TimeSpan.FromSeconds(30 + 60));

        app.Clock.Advance(TimeSpan.FromSeconds(60));
        (await runner.RunOnceAsync(Ct)).ShouldBe(1);
        var dead = (await app.FindAsync<OutboxMessage>(queued.Id))!;
        dead.State.ShouldBe(WorkState.Dead);
        dead.Attempts.ShouldBe(3);

        app.Clock.Advance(TimeSpan.FromDays(1));
        (await runner.RunOnceAsync(Ct)).ShouldBe(0, "dead messages are kept for the operator, not retried");
    }

    [Fact]
    public async Task A_message_whose_last_attempt_never_finished_is_dead_and_shows_in_readiness()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?>
        {
            ["Work:Outbox:Enabled"] = "false",
            ["Work:Outbox:MaxAttempts"] = "2",
        });
        _ = app.Services; // started: migrated
        var now = app.Clock.GetUtcNow();
        await using (var db = app.Database.CreateContext())
        {
            // Its second (last) attempt was claimed by a node that then died.
            db.Outbox.Add(new OutboxMessage
            {
                Kind = SmsDeliveryHandler.KindName,
                Payload = "{}",
                CreatedAt = now.AddMinutes(-10),
                DueAt = now.AddMinutes(-10),
                Attempts = 2,
                LeaseToken = Guid.NewGuid(),
                LeaseUntil = now.AddSeconds(-1),
            });
            await db.SaveChangesAsync(Ct);
        }

        (await app.Runner<OutboxMessage>().RunOnceAsync(Ct)).ShouldBe(0, "not handed over a third time");

        await using (var db = app.Database.CreateContext())
        {
            var dead = await db.Outbox.SingleAsync(Ct);
            dead.State.ShouldBe(WorkState.Dead);
            dead.LastError.ShouldBe("The last attempt did not finish within its lease.");
        }
        using var client = app.Browser();
        var ready = await client.GetAsync("/health/ready", Ct);
        ready.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, "dead work degrades, it does not take the node out");
        using var report = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        report.RootElement.GetProperty("status").GetString().ShouldBe("Degraded");
        var outbox = report.RootElement.GetProperty("checks").GetProperty("work:Outbox");
        outbox.GetProperty("status").GetString().ShouldBe("Degraded");
        outbox.GetProperty("description").GetString().ShouldBe("1 dead; newest: sms: The last attempt did not finish within its lease.");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_nodes_draining_one_outbox_deliver_every_message_exactly_once(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var sender = new CountingSmsSender();
        var settings = new Dictionary<string, string?> { ["Work:Outbox:Enabled"] = "false", ["Work:Outbox:BatchSize"] = "7" };
        void Services(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<ISmsSender>(sender));
        await using var nodeA = new LayanApp(database, settings, Services);
        await using var nodeB = new LayanApp(database, settings, Services, clock: nodeA.Clock);
        _ = nodeA.Services;
        _ = nodeB.Services;

        var ids = new List<Guid>();
        await using (var scope = nodeA.Scope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
            for (var i = 0; i < 120; i++)
            {
                ids.Add(outbox.Enqueue(SmsDeliveryHandler.KindName, new SmsMessage("+62811" + i, "hello " + i)).Id);
            }
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        }

        static async Task Drain(LayanApp node)
        {
            while (await node.Runner<OutboxMessage>().RunOnceAsync(Ct) > 0)
            {
            }
        }
        await Task.WhenAll(Drain(nodeA), Drain(nodeB), Drain(nodeA), Drain(nodeB));

        sender.Deliveries.Keys.Order().ShouldBe(ids.Select(id => id.ToString("N")).Order());
        sender.Deliveries.Values.ShouldAllBe(n => n == 1);
        await using var check = database.CreateContext();
        (await check.Outbox.CountAsync(m => m.State != WorkState.Completed, Ct)).ShouldBe(0);
    }
}
